/**
 * Backend selection: the only global state in the library. `js` is registered and default from the
 * start; other backends (e.g. `wasm`) register themselves when loaded explicitly.
 */
import { InvalidArgumentError, show } from '../errors.js';
import { jsBackend } from './js/kernels.js';
import type { Backend, KernelName, KernelTable } from './types.js';

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let defaultBackend: Backend = jsBackend;

/**
 * Registers (or replaces) a backend under its name. A backend may implement only some kernels: the
 * others fail with an error naming the kernel.
 *
 * @example
 * ```ts
 * registerBackend({ name: 'js-copy', kernels: getBackend().kernels });
 * listBackends(); // ['js', 'js-copy']
 * ```
 */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/**
 * The names of the registered backends.
 *
 * @example
 * ```ts
 * listBackends(); // ['js'] (plus 'wasm' after `await loadWasmBackend()`)
 * ```
 */
export function listBackends(): string[] {
  return [...backends.keys()];
}

function lookup(name: string, argument: string): Backend {
  const found = backends.get(name);
  if (found === undefined) {
    throw new InvalidArgumentError(
      argument,
      `${argument} must name a registered backend (got ${show(name)}; registered: ${listBackends().join(', ')}` +
        `${name === 'wasm' ? '; call `await loadWasmBackend()` first' : ''})`,
    );
  }
  return found;
}

/**
 * Makes the named backend the default for calls that do not pass `{ backend }`. Throws
 * {@link InvalidArgumentError} when no backend has that name.
 *
 * @example
 * ```ts
 * setBackend('js');
 * setBackend('gpu'); // throws: backend must name a registered backend (got "gpu"; registered: js)
 * ```
 */
export function setBackend(name: string): void {
  defaultBackend = lookup(name, 'backend');
}

/**
 * The current default backend.
 *
 * @example
 * ```ts
 * getBackend().name; // 'js'
 * ```
 */
export function getBackend(): Backend {
  return defaultBackend;
}

/** Options shared by every estimator that runs kernels. */
export interface BackendOptions {
  /** Run this call on the named backend (`'js'`, or `'wasm'` once loaded) instead of the default. */
  backend?: string;
}

/** The backend for one call: `opts.backend` if given, else the default. */
export function resolveBackend(name: string | undefined): Backend {
  return name === undefined ? defaultBackend : lookup(name, 'opts.backend');
}

/** A kernel of `backend`, or a clear error naming the kernel and the backend that lacks it. */
export function kernel<K extends KernelName>(backend: Backend, name: K): KernelTable[K] {
  const fn = backend.kernels[name];
  if (fn === undefined) {
    throw new InvalidArgumentError(
      'backend',
      `backend '${backend.name}' has no kernel '${name}' (pick another backend, e.g. 'js')`,
    );
  }
  return fn as KernelTable[K];
}
