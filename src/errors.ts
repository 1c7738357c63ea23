/**
 * Typed errors. Every message names the argument, the rule it broke and the offending value, e.g.
 * `k must be ≤ n (got k=9, n=8 in group 0)`.
 *
 * All errors thrown by this library are instances of {@link InferenceAwareRLError}; catch that to catch
 * them all, or one of the subclasses to tell the kinds apart.
 *
 * @packageDocumentation
 */

/**
 * Base class of every error thrown by inference-aware-rl.
 *
 * @example
 * ```ts
 * try {
 *   passAtKWeights([1, 0.5], 1);
 * } catch (e) {
 *   e instanceof InferenceAwareRLError; // true (and e instanceof DomainError)
 *   (e as InferenceAwareRLError).argument; // 'rewards'
 *   (e as Error).message; // 'rewards must be 0 or 1 for passAtKWeights (got 0.5 at index 1)'
 * }
 * ```
 */
export class InferenceAwareRLError extends Error {
  /** The argument (or option) that was wrong, e.g. `"k"` or `"opts.groupSize"`. */
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.argument = argument;
  }
}

/** An argument has the wrong type, or an option has an unknown name or value (e.g. `baseline: 'lo1'`). */
export class InvalidArgumentError extends InferenceAwareRLError {}

/**
 * A number is outside its allowed range or set: k < 1, k > n, a non-integer count, a reward that is
 * not 0 or 1 for a binary estimator, a probability below 0.
 */
export class DomainError extends InferenceAwareRLError {}

/** NaN or ±Infinity where finite numbers are required. */
export class NonFiniteError extends InferenceAwareRLError {}

/**
 * The layout is inconsistent: arrays of different lengths, an empty group, a `groupSize` that does not
 * divide the length, `groupOffsets` that are not non-decreasing from 0 to the length.
 */
export class ShapeError extends InferenceAwareRLError {}

/**
 * A request exceeds what the runtime can provide: wasm memory beyond WebAssembly's 4 GiB (or more than
 * the host lets it grow), or kernel temporaries that would have to grow the wasm memory while views
 * handed out by `alloc` are live (growing would detach them; `reserve` first).
 */
export class CapacityError extends InferenceAwareRLError {}

/** Formats a value for an error message: short, unambiguous, never throws. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`;
  return typeof value;
}
