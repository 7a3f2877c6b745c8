import * as tf from './tf.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

let ready: Promise<string> | undefined;

/**
 * Picks the TF.js backend once per process: the native `tensorflow` backend when the optional
 * @tensorflow/tfjs-node is installed, otherwise WebAssembly with the binaries that ship inside
 * @tensorflow/tfjs-backend-wasm (read from node_modules by file path: no network).
 * Returns the backend name.
 */
export function initBackend(log: (message: string) => void = (m) => console.info(m)): Promise<string> {
  ready ??= choose(log);
  return ready;
}

async function choose(log: (message: string) => void): Promise<string> {
  try {
    // A variable specifier: the package is optional and absent on most machines.
    const nativeName = '@tensorflow/tfjs-node';
    await import(nativeName);
    if (await tf.setBackend('tensorflow')) return 'tensorflow';
  } catch {
    log('model: @tensorflow/tfjs-node not available, using the wasm backend');
  }
  const require = createRequire(import.meta.url);
  const wasmDir = path.join(
    path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'dist',
  );
  setWasmPaths(wasmDir + path.sep);
  if (await tf.setBackend('wasm')) return 'wasm';
  log('model: wasm backend failed to start, using the cpu backend');
  await tf.setBackend('cpu');
  return 'cpu';
}
