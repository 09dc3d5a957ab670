#!/usr/bin/env python3
"""tract against onnxruntime: the same ONNX files on the very same input tensors, on one core.

    taskset -c 0 cargo run --release -p epassport-face --example dump_tensors -- /tmp/face-tensors
    python3 -m venv /tmp/ort && /tmp/ort/bin/pip install onnxruntime numpy
    taskset -c 0 /tmp/ort/bin/python models/compare_onnxruntime.py /tmp/face-tensors

`dump_tensors` writes each tensor the pipeline feeds a model (the aligned descriptor crops of the
portrait fixtures; for one selfie, P-Net's input at every pyramid level and the first R-Net and
O-Net batches) as `.npy`, tract's outputs for it, and tract's median time per run in
`manifest.json` (wall, and CPU time of the running thread, which other processes sharing the core
do not inflate). This script runs onnxruntime (CPU provider, one intra-op and one inter-op
thread, all graph optimisations) on the same inputs and prints, per tensor, the max |tract - ort|
over every output and both times with their ratio; then the totals for one detection (each input
shape weighted by how many runs one detection of the selfie makes) and for one embedding.
Nothing here is used at run time; onnxruntime is not a dependency of the project.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

HERE = Path(__file__).resolve().parent


def session(model):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(HERE / model), opts, providers=["CPUExecutionProvider"])


def time_ms(f, warm=3, min_reps=21):
    """Median wall ms of a run; mean CPU ms (this thread) per run over >= min_reps runs and
    400 ms of CPU, as dump_tensors measures tract."""
    for _ in range(warm):
        f()
    wall = []
    c0 = time.thread_time()
    while len(wall) < min_reps or (time.thread_time() - c0 < 0.4 and len(wall) < 100_000):
        t = time.perf_counter()
        f()
        wall.append(time.perf_counter() - t)
    cpu = (time.thread_time() - c0) / len(wall)
    return 1000.0 * float(np.median(wall)), 1000.0 * cpu


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = Path(sys.argv[1])
    doc = json.loads((d / "manifest.json").read_text())
    manifest = doc["cases"]
    sessions = {}
    totals = {}  # group -> [tract ms, ort ms] (CPU time)
    worst_descriptor = 0.0
    print(f"onnxruntime {ort.__version__}, numpy {np.__version__}")
    print("tract per stage (holder-selfie.jpg; wall median, CPU mean):")
    for name, t in doc["stages"].items():
        print(f"  {name:<8}{t['wall_ms']:>9.2f} ms wall{t['cpu_ms']:>9.2f} ms cpu")
    print("\nper input: ms per run, wall (median) and CPU time of the running thread (mean); "
          "ratio = tract / ort")
    print(f"{'input':<34}{'max|tract-ort|':>15}{'ort wall':>10}{'tract':>9}{'ratio':>7}"
          f"{'ort cpu':>10}{'tract':>9}{'ratio':>7}")
    for case in manifest:
        model = case["model"]
        s = sessions.setdefault(model, session(model))
        x = np.load(d / f"{case['name']}.in.npy")
        feed = {s.get_inputs()[0].name: x}
        outs = s.run(None, feed)
        diff = 0.0
        for k, o in enumerate(outs):
            t = np.load(d / f"{case['name']}.out{k}.npy")
            if k in case.get("logits_outputs", []):
                # tract's pipeline plan outputs the two class logits; softmax them as the ONNX does.
                t = t.reshape(-1, 2)
                t = np.exp(t - t.max(axis=1, keepdims=True))
                t = (t / t.sum(axis=1, keepdims=True)).ravel()
            diff = max(diff, float(np.max(np.abs(o.ravel() - t))))
        if len(outs) != case["outputs"]:
            sys.exit(f"{case['name']}: ort has {len(outs)} outputs, tract {case['outputs']}")
        wall, ms = time_ms(lambda: s.run(None, feed))
        twall, tr = case["tract_ms"], case["tract_cpu_ms"]
        print(f"{case['name']:<34}{diff:>15.2g}{wall:>10.3f}{twall:>9.3f}{twall / wall:>7.2f}"
              f"{ms:>10.3f}{tr:>9.3f}{tr / ms:>7.2f}")
        if model == "face_descriptor.onnx":
            worst_descriptor = max(worst_descriptor, diff)
            totals.setdefault("embed (descriptor, per crop)", [tr, ms])
        else:
            n = case["runs_per_detect"]
            net = model.removeprefix("mtcnn_").removesuffix(".onnx")
            for group in (f"detect: {net} (all runs)", "detect: MTCNN inference (all runs)"):
                acc = totals.setdefault(group, [0.0, 0.0])
                acc[0] += n * tr
                acc[1] += n * ms
    descs = sum(1 for c in manifest if c["model"] == "face_descriptor.onnx")
    print(f"\ndescriptor on {descs} aligned crops: max |tract - ort| = {worst_descriptor:.2g}")
    print(f"\n{'per image (CPU time)':<40}{'ort ms':>10}{'tract ms':>10}{'ratio':>7}")
    for group, (tr, ms) in sorted(totals.items()):
        print(f"{group:<40}{ms:>10.2f}{tr:>10.2f}{tr / ms:>7.2f}")


if __name__ == "__main__":
    main()
