// Runs face-api.js's own FaceRecognitionNet (tfjs-core CPU backend) on 150x150 RGB inputs and
// prints the descriptors as JSON, so that models/check_faceapi.py can set them against the
// converted face_descriptor.onnx.
//
//   npm install face-api.js@0.22.2            (in a scratch folder; pulls @tensorflow/tfjs-core)
//   NODE_PATH=<scratch>/node_modules node models/check_faceapi.js WEIGHTS_DIR INPUTS.json > OUT.json
//
// WEIGHTS_DIR holds face_recognition_model.bin and its manifest from @vladmandic/face-api 1.7.15;
// INPUTS.json is a list of flat [150*150*3] arrays (RGB 0..255, row-major HWC).
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
const faceapi = require('face-api.js');

async function main() {
  const [dir, inputsPath] = process.argv.slice(2);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'face_recognition_model-weights_manifest.json')));
  const bin = fs.readFileSync(path.join(dir, 'face_recognition_model.bin'));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const weightMap = tf.io.decodeWeights(buffer, manifest[0].weights);
  const net = new faceapi.FaceRecognitionNet();
  net.loadFromWeightMap(weightMap);
  const inputs = JSON.parse(fs.readFileSync(inputsPath));
  const out = [];
  for (const data of inputs) {
    const x = tf.tensor4d(Float32Array.from(data), [1, 150, 150, 3]);
    const d = await net.computeFaceDescriptor(x);
    out.push(Array.from(d));
    x.dispose();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
