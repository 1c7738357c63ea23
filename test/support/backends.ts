/**
 * The backends every property suite runs on. Importing this module loads the wasm backend first (a
 * top-level await, so before vitest collects the suite's tests); a runtime without WebAssembly SIMD
 * fails the import loudly instead of quietly testing js alone.
 *
 * `describeEachBackend` makes one describe block per backend that sets it as the default for its tests
 * (`setBackend`) and passes its name to the body, for calls that name it in `{ backend }`. Estimators
 * with no kernels of their own (majority vote, BoN-SFT) run under every default backend too: their
 * results must not depend on it.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { listBackends, loadWasmBackend, setBackend } from '../../src/index.js';

await loadWasmBackend();

/** Every registered backend: the library's `js` and `wasm` (checked here, not assumed). */
export const ALL_BACKENDS: readonly string[] = listBackends();
if (!ALL_BACKENDS.includes('js') || !ALL_BACKENDS.includes('wasm')) {
  throw new Error(`the property suites need the js and wasm backends, but only ${ALL_BACKENDS.join(', ')} are registered`);
}

/** One `describe(\`${title} (backend '…')\`)` per backend, with that backend as the default inside. */
export function describeEachBackend(title: string, body: (backend: string) => void): void {
  for (const backend of ALL_BACKENDS) {
    describe(`${title} (backend '${backend}')`, () => {
      beforeAll(() => setBackend(backend));
      afterAll(() => setBackend('js'));
      body(backend);
    });
  }
}
