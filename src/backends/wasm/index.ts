/**
 * Loading the SIMD WebAssembly backend: explicit and asynchronous, from a base64 payload embedded in
 * the package (no file paths, works in Node and browsers). The payload module is pulled in by a dynamic
 * import here only, so bundles that never call loadWasmBackend() never load it. Docs: docs/backends.md.
 */
import { InvalidArgumentError } from '../../errors.js';
import { jsBackend } from '../js/index.js';
import { checkBoolean, checkOptions } from '../../validate.js';
import { registerBuiltInBackend, setBackend } from '../registry.js';
import type { Backend } from '../types.js';
import { createWasmBackend, type KernelExports, type WasmBackend } from './backend.js';

export type { WasmBackend } from './backend.js';

/** Options of {@link loadWasmBackend}. */
export interface LoadWasmBackendOptions {
  /**
   * Also make `wasm` the default backend (as `setBackend('wasm')` would).
   * @defaultValue `false`
   */
  setDefault?: boolean;
  /**
   * When WebAssembly or its SIMD extension is unavailable, return the `js` backend instead of throwing
   * (and make it the default if `setDefault` is set).
   * @defaultValue `false`
   */
  fallbackToJs?: boolean;
}

/**
 * WebAssembly (or its SIMD extension) is unavailable in this runtime. A subclass of
 * InvalidArgumentError, so `catch (e) { if (e instanceof InvalidArgumentError) … }` sees it too.
 *
 * @example
 * ```ts
 * try {
 *   await loadWasmBackend();
 * } catch (e) {
 *   if (e instanceof WasmUnavailableError) console.log(e.message);
 *   // the 'wasm' backend needs WebAssembly SIMD (v128), which this runtime lacks; use the 'js'
 *   // backend, or pass { fallbackToJs: true } to loadWasmBackend
 * }
 * ```
 */
export class WasmUnavailableError extends InvalidArgumentError {}

/** The parts of the WebAssembly API the loader uses; tests pass a fake one to simulate old runtimes. */
export interface WasmApi {
  validate(bytes: BufferSource): boolean;
  instantiate(bytes: BufferSource, imports?: WebAssembly.Imports): Promise<WebAssembly.WebAssemblyInstantiatedSource>;
  /** Synchronous instantiation of the compiled module (default `new WebAssembly.Instance`). */
  instance?(module: WebAssembly.Module, imports: WebAssembly.Imports): WebAssembly.Instance;
}

/** The smallest module using a v128 instruction (i8x16.splat, i8x16.popcnt): valid iff SIMD is supported. */
const SIMD_PROBE = /* @__PURE__ */ new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  // atob exists in browsers and in Node ≥ 16; Buffer is not assumed.
  const bin = atob(b64);
  const bytes = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function unavailable(why: string): WasmUnavailableError {
  return new WasmUnavailableError(
    'backend',
    `the 'wasm' backend needs ${why}; use the 'js' backend, or pass { fallbackToJs: true } to loadWasmBackend`,
  );
}

let loaded: Promise<WasmBackend> | undefined;

/**
 * Loads the SIMD WebAssembly backend with the given WebAssembly API (exported for tests, which pass a
 * fake one). Prefer {@link loadWasmBackend}.
 * @internal
 */
export async function loadWasmBackendWith(api: WasmApi | undefined, opts?: LoadWasmBackendOptions): Promise<Backend> {
  const { fallbackToJs, setDefault } = checkLoadOptions(opts);
  let backend: Backend;
  try {
    if (api === undefined || typeof api.validate !== 'function') throw unavailable('WebAssembly, which this runtime lacks');
    if (!api.validate(SIMD_PROBE)) throw unavailable('WebAssembly SIMD (v128), which this runtime lacks');
    const { wasmBase64, wasmMemoryPages } = await import('./module.generated.js');
    const imports = (memory: WebAssembly.Memory): WebAssembly.Imports => ({
      env: {
        memory,
        abort: () => {
          throw new Error('wasm kernel aborted');
        },
      },
    });
    const memory = new WebAssembly.Memory({ initial: wasmMemoryPages });
    const { module, instance } = await api.instantiate(decodeBase64(wasmBase64), imports(memory));
    // Later instances over larger memories are made synchronously from the compiled module (no
    // recompilation): the backend replaces its memory instead of growing it (see createWasmBackend).
    const sync = api.instance ?? ((m: WebAssembly.Module, i: WebAssembly.Imports) => new WebAssembly.Instance(m, i));
    backend = createWasmBackend(
      instance.exports as unknown as KernelExports,
      memory,
      (bigger) => sync(module, imports(bigger)).exports as unknown as KernelExports,
    );
  } catch (e) {
    if (!fallbackToJs || !(e instanceof WasmUnavailableError)) throw e;
    backend = jsBackend;
  }
  registerBuiltInBackend(backend);
  if (setDefault) setBackend(backend.name);
  return backend;
}

/** Validates the options of loadWasmBackend: a plain object with boolean `setDefault` / `fallbackToJs`. */
function checkLoadOptions(opts: unknown): { setDefault: boolean; fallbackToJs: boolean } {
  checkOptions(opts, 'loadWasmBackend', ['setDefault', 'fallbackToJs']);
  const o = opts as LoadWasmBackendOptions | undefined;
  return {
    setDefault: checkBoolean(o?.setDefault, 'opts.setDefault', false),
    fallbackToJs: checkBoolean(o?.fallbackToJs, 'opts.fallbackToJs', false),
  };
}

/**
 * Loads the SIMD WebAssembly backend and registers it as `'wasm'`, so calls can pass
 * `{ backend: 'wasm' }` (or `setBackend('wasm')` makes it the default). Loading twice returns the same
 * backend. Throws {@link WasmUnavailableError} when WebAssembly or SIMD is unavailable, unless
 * `fallbackToJs` is set, in which case it returns the `js` backend.
 *
 * When the backend needs more memory it moves to a new, larger WebAssembly memory (and a new instance
 * of the compiled module) instead of calling `memory.grow`, because growing detaches the old buffer,
 * and in V8 the first detach in a process makes optimised code check every typed-array access for it
 * for the rest of the process (measured here: the `js` backend's max@k 1.1–1.4× slower, a plain
 * typed-array loop of the caller's up to 2.4×). Where the host refuses to instantiate synchronously,
 * or the views hold more than 256 MiB to copy, the backend falls back to `memory.grow`. Anything else that grows a
 * WebAssembly memory or transfers an ArrayBuffer (tfjs-backend-wasm, `structuredClone` with
 * `transfer`, the worker pool without shared memory) still pays it.
 *
 * @example
 * ```ts
 * const wasm = await loadWasmBackend();
 * wasm.name;       // 'wasm'
 * listBackends();  // ['js', 'wasm']
 * maxAtKWeights([0.1, 0.7, 0.3, 0.9, 0.5], 2, { backend: 'wasm' });
 * // Float64Array [0, 0.12000000000000002, 0.020000000000000004, 0.20000000000000007, 0.06000000000000002]
 * await loadWasmBackend({ setDefault: true }); // every call now runs on wasm
 * await loadWasmBackend({ fallbackToJs: true }); // the js backend where SIMD is missing
 * ```
 */
export function loadWasmBackend(opts?: LoadWasmBackendOptions & { fallbackToJs?: false }): Promise<WasmBackend>;
export function loadWasmBackend(opts?: LoadWasmBackendOptions): Promise<WasmBackend | Backend>;
export async function loadWasmBackend(opts?: LoadWasmBackendOptions): Promise<WasmBackend | Backend> {
  const { setDefault, fallbackToJs } = checkLoadOptions(opts);
  if (loaded === undefined) {
    const attempt = loadWasmBackendWith(globalThis.WebAssembly, { fallbackToJs: false }) as Promise<WasmBackend>;
    loaded = attempt;
    attempt.catch(() => {
      if (loaded === attempt) loaded = undefined;
    });
  }
  try {
    const backend = await loaded;
    if (setDefault) setBackend(backend.name);
    return backend;
  } catch (e) {
    if (!fallbackToJs || !(e instanceof WasmUnavailableError)) throw e;
    if (setDefault) setBackend(jsBackend.name);
    return jsBackend;
  }
}
