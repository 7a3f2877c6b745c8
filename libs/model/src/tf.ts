// The parts of TF.js the model uses: core (tensors, io, optimizers) and layers. Not the
// `@tensorflow/tfjs` bundle, which also loads the WebGL backend, the graph-model converter and tf.data
// (about 8 MB more resident memory in `npm start`, none of it used in Node).
import '@tensorflow/tfjs-backend-cpu';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
