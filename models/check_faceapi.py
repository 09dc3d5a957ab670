#!/usr/bin/env python3
"""The converted descriptor against face-api.js itself (see check_faceapi.js for the set-up).

    python3 models/check_faceapi.py SCRATCH_NODE_MODULES [CHIP.png ...]

Feeds the same 150x150 inputs (three random images plus any aligned chips given) to face-api.js
under node and to face_descriptor.onnx under onnxruntime; prints the max |difference|.
"""

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

HERE = Path(__file__).resolve().parent


def main():
    node_modules = sys.argv[1]
    rng = np.random.default_rng(9303)
    inputs = [rng.uniform(0, 255, (150, 150, 3)).astype(np.float32) for _ in range(3)]
    inputs += [np.asarray(Image.open(p).convert("RGB"), dtype=np.float32) for p in sys.argv[2:]]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with tarfile.open(HERE / ".cache" / "vladmandic-face-api-1.7.15.tgz") as tar:
            for name in ("face_recognition_model.bin", "face_recognition_model-weights_manifest.json"):
                (tmp / name).write_bytes(tar.extractfile(f"package/model/{name}").read())
        (tmp / "inputs.json").write_text(json.dumps([x.ravel().tolist() for x in inputs]))
        out = subprocess.run(["node", str(HERE / "check_faceapi.js"), str(tmp), str(tmp / "inputs.json")],
                             env={"NODE_PATH": node_modules, "PATH": "/usr/bin:/bin"},
                             check=True, capture_output=True, text=True).stdout
    want = np.array(json.loads(out))
    sess = ort.InferenceSession(str(HERE / "face_descriptor.onnx"), providers=["CPUExecutionProvider"])
    got = np.stack([sess.run(None, {"input": x[None]})[0][0] for x in inputs])
    print(f"face-api.js vs face_descriptor.onnx (onnxruntime) on {len(inputs)} inputs: "
          f"max |diff| = {np.max(np.abs(got - want)):.3g}, max |descriptor| component {np.max(np.abs(want)):.3g}")


if __name__ == "__main__":
    main()
