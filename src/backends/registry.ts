/**
 * Backend selection: the only global state in the library. `js` is registered and default from the
 * start; other backends (e.g. `wasm`) register themselves when loaded explicitly.
 *
 * The `js` backend is special in one way: an estimator resolves it to its own family's reference
 * kernels (passed to {@link resolveBackend}), so a bundle that imports one estimator carries only that
 * family's kernels. The full table (src/backends/js/index.ts) is reached only through
 * {@link getBackend}.
 */
import { InvalidArgumentError, show } from '../errors.js';
import { checkOptions, isPlainObject } from '../validate.js';
import { jsBackend } from './js/index.js';
import { KERNEL_NAMES, type Backend, type KernelName, type KernelTable } from './types.js';

/** The registered backends other than `js`. */
const backends = new Map<string, Backend>();
/** The name of the default backend. */
let defaultName = 'js';

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
  if (backend.name !== 'js') backends.set(backend.name, backend);
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
  return ['js', ...backends.keys()];
}

/** The registered backend other than `js` with this name, or an error naming `argument`. */
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
  if (name !== 'js') lookup(name, 'backend');
  defaultName = name;
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
  return defaultName === 'js' ? jsBackend : lookup(defaultName, 'backend');
}

/** Options shared by every estimator that runs kernels. */
export interface BackendOptions {
  /** Run this call on the named backend (`'js'`, or `'wasm'` once loaded) instead of the default. */
  backend?: string;
}

/** One `js` backend per family kernel table, made once. */
const familyBackends = new WeakMap<Partial<KernelTable>, Backend>();

/**
 * The backend for one call: `opts.backend` if given, else the default. The `js` backend resolves to
 * `jsKernels`, the calling family's reference kernels.
 */
export function resolveBackend(name: string | undefined, jsKernels: Partial<KernelTable>): Backend {
  const chosen = name ?? defaultName;
  if (chosen !== 'js') return lookup(chosen, name === undefined ? 'backend' : 'opts.backend');
  let js = familyBackends.get(jsKernels);
  if (js === undefined) {
    js = { name: 'js', kernels: jsKernels };
    familyBackends.set(jsKernels, js);
  }
  return js;
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
