/**
 * Backend selection: the only global state in the library. `js` is registered and default from the
 * start; other backends (e.g. `wasm`) register themselves when loaded explicitly.
 */
import { InvalidArgumentError, show } from '../errors.js';
import { checkOptions, isPlainObject } from '../validate.js';
import { jsBackend } from './js/kernels.js';
import { KERNEL_NAMES, type Backend, type KernelName, type KernelTable } from './types.js';

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let defaultBackend: Backend = jsBackend;

/** The names the library's own backends use; `registerBackend` refuses them. */
export const BUILT_IN_BACKENDS: readonly string[] = ['js', 'wasm'];

/**
 * Registers (or replaces) a user backend under its name. A backend may implement only some kernels:
 * the others fail with an error naming the kernel.
 *
 * Checked up front, each with an {@link InvalidArgumentError} naming the field: `backend` must be a
 * plain object with only `name` and `kernels`; `name` a non-empty string that is not a built-in name
 * (`'js'`, `'wasm'`: those cannot be replaced); `kernels` a plain object whose keys are kernel names
 * and whose values are functions.
 *
 * @example
 * ```ts
 * registerBackend({ name: 'js-copy', kernels: getBackend().kernels });
 * listBackends(); // ['js', 'js-copy']
 * registerBackend({ name: 'js', kernels: {} }); // throws: backend.name must not be a built-in backend's name …
 * ```
 */
export function registerBackend(backend: Backend): void {
  if (!isPlainObject(backend)) {
    throw new InvalidArgumentError('backend', `backend must be an object { name, kernels } (got ${show(backend)})`);
  }
  checkOptions(backend, 'registerBackend', ['name', 'kernels'], 'backend');
  const { name, kernels } = backend as { name: unknown; kernels: unknown };
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError('backend.name', `backend.name must be a non-empty string (got ${show(name)})`);
  }
  if (BUILT_IN_BACKENDS.includes(name)) {
    throw new InvalidArgumentError(
      'backend.name',
      `backend.name must not be a built-in backend's name (got ${show(name)}; built-in: ${BUILT_IN_BACKENDS.join(', ')})`,
    );
  }
  if (!isPlainObject(kernels)) {
    throw new InvalidArgumentError('backend.kernels', `backend.kernels must be an object of kernel functions (got ${show(kernels)})`);
  }
  checkOptions(kernels, 'registerBackend', KERNEL_NAMES, 'backend.kernels');
  for (const key of Object.keys(kernels)) {
    const fn = kernels[key];
    if (fn !== undefined && typeof fn !== 'function') {
      throw new InvalidArgumentError(`backend.kernels.${key}`, `backend.kernels.${key} must be a function (got ${show(fn)})`);
    }
  }
  backends.set(name, { name, kernels: { ...kernels } as Partial<KernelTable> });
}

/**
 * Registers one of the library's own backends (no checks: they are trusted). Internal.
 * @internal
 */
export function registerBuiltInBackend(backend: Backend): void {
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
