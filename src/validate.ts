/**
 * Argument checks shared by every estimator. Each throws a typed error that names the argument, the
 * rule and the value; none returns silently on bad input.
 *
 * Every public entry point validates in the same order, before any work: `checkOptions` (opts is a
 * plain object with known keys), the arrays (`checkFiniteArray` / `checkArrayLike`, then
 * `checkSameLength`), the integers (`checkInteger`: safe integers only), the choices (`checkChoice`,
 * `checkBoolean`), the layout (`resolveLayout` in groups.ts, which checks every offset as a safe
 * integer in range before using it) and last the output (`outputArray`, which also refuses an `out`
 * sharing memory with an input).
 */
import { DomainError, InvalidArgumentError, NonFiniteError, show } from './errors.js';

/**
 * The most samples one call takes: 2^31 − 1, because group offsets are stored as 32-bit integers (and
 * every array-like with a larger or non-integer `length` is refused rather than wrapped).
 */
export const MAX_LENGTH = 2 ** 31 - 1;

/** Throws unless `value` is a safe integer (|x| ≤ 2^53 − 1) in [min, max]. */
export function checkInteger(value: unknown, name: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new DomainError(name, `${name} must be an integer (got ${name}=${show(value)})`);
  }
  if (value < min) throw new DomainError(name, `${name} must be ≥ ${min} (got ${name}=${show(value)})`);
  if (!Number.isSafeInteger(value)) {
    throw new DomainError(name, `${name} must be a safe integer, ≤ 2^53 − 1 (got ${name}=${show(value)})`);
  }
  if (value > max) throw new DomainError(name, `${name} must be ≤ ${max} (got ${name}=${show(value)})`);
  return value;
}

/** Throws unless `value` is a finite number. */
export function checkFiniteNumber(value: unknown, name: string): number {
  if (typeof value !== 'number') {
    throw new InvalidArgumentError(name, `${name} must be a number (got ${show(value)})`);
  }
  if (!Number.isFinite(value)) throw new NonFiniteError(name, `${name} must be finite (got ${name}=${show(value)})`);
  return value;
}

/** Throws unless `value` is `true`, `false` or (when allowed) undefined; returns `fallback` for undefined. */
export function checkBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidArgumentError(name, `${name} must be true or false (got ${show(value)})`);
  }
  return value;
}

/** True when `buffer` is detached (e.g. a wasm memory buffer after `memory.grow`). */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (buffer.byteLength !== 0) return false;
  const probe = (buffer as { detached?: boolean }).detached;
  if (typeof probe === 'boolean') return probe;
  try {
    // Constructing a view over a detached buffer throws; over an empty live one it does not.
    new Uint8Array(buffer as ArrayBuffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * Installed by the `wasm` backend once it has replaced a memory by a larger one: throws for a view of
 * the old memory (a stale view). Kept out of this module so that bundles without wasm stay small.
 */
let staleCheck: ((view: ArrayBufferView, name: string) => void) | undefined;

/** Installs the stale-view check (see {@link checkNotDetached}). */
export function setStaleCheck(check: (view: ArrayBufferView, name: string) => void): void {
  staleCheck = check;
}

/** Throws unless `view` is a typed array over a live (not detached) buffer that is not a replaced wasm memory. */
export function checkNotDetached(view: ArrayBufferView, name: string): void {
  if (view.byteLength === 0 && isDetached(view.buffer)) {
    throw new InvalidArgumentError(
      name,
      `${name} is a view of a detached ArrayBuffer (got ${show(view)}; a wasm view is detached when the wasm ` +
        `memory grows: get a live one with wasm.refresh(${name.replace(/^opts\./, '')}))`,
    );
  }
  staleCheck?.(view, name);
}

/**
 * Throws unless `value` is array-like: a number[] or a typed array over a live buffer (not a BigInt
 * array, not a DataView), with an integer length ≤ {@link MAX_LENGTH}.
 */
export function checkArrayLike(value: unknown, name: string): ArrayLike<unknown> {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { length?: unknown }).length !== 'number' ||
    (ArrayBuffer.isView(value) && value instanceof DataView)
  ) {
    throw new InvalidArgumentError(name, `${name} must be an array or a typed array (got ${show(value)})`);
  }
  if (ArrayBuffer.isView(value)) {
    if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
      throw new InvalidArgumentError(name, `${name} must hold numbers, not BigInts (got ${show(value)})`);
    }
    checkNotDetached(value, name);
  }
  const length = (value as { length: number }).length;
  if (!Number.isInteger(length) || length < 0 || length > MAX_LENGTH) {
    throw new InvalidArgumentError(
      name,
      `${name} must have an integer length between 0 and 2^31 − 1 (got length ${show(length)})`,
    );
  }
  return value as ArrayLike<unknown>;
}

/**
 * Throws unless every element is a finite number. Typed arrays skip the type check; plain arrays are
 * checked element by element so that `['1', 2]` (or a hole) is refused rather than coerced.
 */
export function checkFiniteArray(values: unknown, name: string): ArrayLike<number> {
  const arr = checkArrayLike(values, name);
  const typed = ArrayBuffer.isView(arr);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (!typed && typeof v !== 'number') {
      throw new InvalidArgumentError(name, `${name} must contain numbers (got ${show(v)} at index ${i})`);
    }
    if ((v as number) - (v as number) !== 0) throw nonFiniteError(name, v, i);
  }
  return arr as ArrayLike<number>;
}

/** The error {@link checkFiniteArray} throws for the non-finite `value` at `index` of `name`. */
export function nonFiniteError(name: string, value: unknown, index: number): NonFiniteError {
  return new NonFiniteError(name, `${name} must be finite (got ${show(value)} at index ${index})`);
}

/**
 * {@link checkFiniteArray} for kernels that check finiteness in a pass they make over the data anyway:
 * a Float64Array or Float32Array (which hold only numbers) gets the array checks without the
 * finiteness pass and `deferred: true`, and the caller must then refuse a non-finite value itself
 * with {@link nonFiniteError}; any other array gets the full check.
 */
export function checkFiniteArrayDeferred(values: unknown, name: string): { values: ArrayLike<number>; deferred: boolean } {
  if (values instanceof Float64Array || values instanceof Float32Array) {
    return { values: checkArrayLike(values, name) as ArrayLike<number>, deferred: true };
  }
  return { values: checkFiniteArray(values, name), deferred: false };
}

/**
 * An input check for the shared setup that defers finiteness like {@link checkFiniteArrayDeferred}:
 * `check` validates the array, `deferred()` then says whether the caller's kernel must refuse
 * non-finite values itself.
 */
export function deferringFiniteCheck(): { check: (value: unknown, name: string) => ArrayLike<number>; deferred: () => boolean } {
  let deferred = false;
  return {
    check: (value, name) => {
      const checked = checkFiniteArrayDeferred(value, name);
      deferred = checked.deferred;
      return checked.values;
    },
    deferred: () => deferred,
  };
}

/** Throws unless `value` is one of `allowed`; `undefined` gives `fallback`. */
export function checkChoice<T extends string | number>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly unknown[]).includes(value)) {
    const list = allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(' | ');
    throw new InvalidArgumentError(name, `${name} must be one of ${list} (got ${show(value)})`);
  }
  return value as T;
}

/** True for `{}`-style objects: created by a literal, `Object.create(null)` or a spread (not a Map, Date, array or class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || proto === Object.prototype;
}

/**
 * Throws unless `opts` is undefined or a plain object whose keys are all in `allowed`: a misspelt
 * option (`baselne`) is an error, not a silently ignored default, and a `Map` or class instance is
 * refused (its entries would be ignored). `name` is how the message refers to the object (`opts`,
 * or e.g. `backend` for registerBackend).
 */
export function checkOptions(opts: unknown, fn: string, allowed: readonly string[], name = 'opts'): void {
  if (opts === undefined) return;
  if (!isPlainObject(opts)) {
    throw new InvalidArgumentError(name, `${name} of ${fn} must be a plain object (got ${describe(opts)})`);
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key) && opts[key] !== undefined) {
      throw new InvalidArgumentError(
        `${name}.${key}`,
        `${name}.${key} is not an option of ${fn} (options: ${allowed.join(', ')})`,
      );
    }
  }
}

/** `show`, plus the class name of objects (`Map`, `Date`, …) so a refused non-plain object is named. */
function describe(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === 'string' && ctor.name !== 'Object') return `a ${ctor.name}`;
  }
  return show(value);
}
