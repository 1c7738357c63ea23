/**
 * Argument checks shared by every estimator. Each throws a typed error that names the argument, the
 * rule and the value; none returns silently on bad input.
 */
import { DomainError, InvalidArgumentError, NonFiniteError, show } from './errors.js';

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new DomainError(name, `${name} must be an integer (got ${name}=${show(value)})`);
  }
  if (value < min) throw new DomainError(name, `${name} must be ≥ ${min} (got ${name}=${show(value)})`);
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

/** Throws unless `value` is array-like (a number[] or a typed array). */
export function checkArrayLike(value: unknown, name: string): ArrayLike<unknown> {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { length?: unknown }).length !== 'number' ||
    ArrayBuffer.isView(value) && value instanceof DataView
  ) {
    throw new InvalidArgumentError(name, `${name} must be an array or a typed array (got ${show(value)})`);
  }
  return value as ArrayLike<unknown>;
}

/**
 * Throws unless every element is a finite number. Typed arrays skip the type check; plain arrays are
 * checked element by element so that `['1', 2]` is refused rather than coerced.
 */
export function checkFiniteArray(values: unknown, name: string): ArrayLike<number> {
  const arr = checkArrayLike(values, name);
  const typed = ArrayBuffer.isView(arr);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (!typed && typeof v !== 'number') {
      throw new InvalidArgumentError(name, `${name} must contain numbers (got ${show(v)} at index ${i})`);
    }
    if ((v as number) - (v as number) !== 0) {
      throw new NonFiniteError(name, `${name} must be finite (got ${show(v)} at index ${i})`);
    }
  }
  return arr as ArrayLike<number>;
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

/**
 * Throws unless `opts` is undefined or a plain object whose keys are all in `allowed`: a misspelt
 * option (`baselne`) is an error, not a silently ignored default.
 */
export function checkOptions(opts: unknown, fn: string, allowed: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new InvalidArgumentError('opts', `opts of ${fn} must be an object (got ${show(opts)})`);
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key) && (opts as Record<string, unknown>)[key] !== undefined) {
      throw new InvalidArgumentError(
        `opts.${key}`,
        `opts.${key} is not an option of ${fn} (options: ${allowed.join(', ')})`,
      );
    }
  }
}
