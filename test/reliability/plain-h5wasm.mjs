/**
 * `node --import tsx --import ./test/reliability/plain-h5wasm.mjs ...`: loads
 * h5wasm's ready-built JavaScript as it is, past tsx's transform (a hook
 * registered after tsx's runs first). tsx spends seconds and hundreds of MB
 * on h5wasm's 4 MB script with its embedded WebAssembly; the app, compiled
 * JavaScript, never does. Only for the suite's child processes.
 */
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { readFile } from 'node:fs/promises';
export async function load(url, context, next) {
  if (url.startsWith('file:') && url.includes('/node_modules/h5wasm/dist/')) {
    return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true };
  }
  return next(url, context);
}
`),
);
