#!/usr/bin/env python3
"""Set tract against onnxruntime: same crops, same inputs; agreement and speed (one thread).

    cargo run --release -p epassport-face --example dump_chips -- /tmp/chips
    taskset -c 0 python3 models/ort_check.py /tmp/chips

Prints the max |difference| between tract's and onnxruntime's descriptors of the aligned fixture
chips, and of each model's outputs on the deterministic pattern inputs; then onnxruntime's median
time per model run on one thread (the figures `cargo bench -p epassport-face` reports for tract).
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

HERE = Path(__file__).resolve().parent
SHAPES = {
    "face_descriptor.onnx": ((1, 150, 150, 3), 0.0, 255.0),
    "mtcnn_pnet.onnx": ((1, 320, 320, 3), -1.0, 1.0),
    "mtcnn_rnet.onnx": ((16, 24, 24, 3), -1.0, 1.0),
    "mtcnn_onet.onnx": ((16, 48, 48, 3), -1.0, 1.0),
}


def pattern(shape, lo, hi):
    n = int(np.prod(shape))
    frac = np.modf(np.arange(n, dtype=np.float64) * 0.618034)[0]
    return (lo + (hi - lo) * frac.astype(np.float32)).astype(np.float32).reshape(shape)


def session(name):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(HERE / name), opts, providers=["CPUExecutionProvider"])


def main():
    chips = Path(sys.argv[1])
    tract = json.loads((chips / "tract.json").read_text())
    desc = session("face_descriptor.onnx")
    worst = 0.0
    for name, want in tract["descriptors"].items():
        chip = np.asarray(Image.open(chips / f"{name}.png").convert("RGB"), dtype=np.float32)
        got = desc.run(None, {desc.get_inputs()[0].name: chip[None]})[0][0]
        diff = float(np.max(np.abs(got - np.array(want))))
        worst = max(worst, diff)
        print(f"descriptor {name}: max |tract - ort| = {diff:.3g}")
    print(f"descriptor on {len(tract['descriptors'])} aligned chips: max |tract - ort| = {worst:.3g}")
    for name, (shape, lo, hi) in SHAPES.items():
        s = desc if name == "face_descriptor.onnx" else session(name)
        x = pattern(shape, lo, hi)
        outs = s.run(None, {s.get_inputs()[0].name: x})
        diffs = [float(np.max(np.abs(o.ravel() - np.array(t)))) for o, t in zip(outs, tract["raw"][name])]
        times = []
        for _ in range(5):
            s.run(None, {s.get_inputs()[0].name: x})
        for _ in range(30):
            t = time.perf_counter()
            s.run(None, {s.get_inputs()[0].name: x})
            times.append(time.perf_counter() - t)
        print(f"{name} {'x'.join(map(str, shape))}: max |tract - ort| per output {['%.3g' % d for d in diffs]}, "
              f"onnxruntime {1000 * np.median(times):.3f} ms (median of 30, 1 thread)")


if __name__ == "__main__":
    main()
