//! Face detection, alignment and embedding with tract-onnx: the chip portrait against a selfie
