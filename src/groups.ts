/**
 * The one place that validates and walks group layouts: a single group, uniform groups
 * (`groupSize`) or ragged groups (`groupOffsets`).
 */
import { DomainError, InvalidArgumentError, ShapeError, show } from './errors.js';
import { checkArrayLike, checkNotDetached } from './validate.js';

/** How a flat array of samples is cut into groups (one group = the n samples of one prompt). */
export interface BatchOptions {
  /**
   * Uniform groups: every `groupSize` consecutive samples form one group. Must divide the length.
   * Give at most one of `groupSize` and `groupOffsets`; with neither, the whole input is one group.
   */
  groupSize?: number;
  /**
   * Ragged groups: B + 1 non-decreasing integers from 0 to the length; group b is
   * `[groupOffsets[b], groupOffsets[b+1])`. Empty groups are an error.
   */
  groupOffsets?: ArrayLike<number>;
}

/**
 * The arrays a per-sample weight estimator may write into: a Float64Array, or a Float32Array for trainers
 * that hold float32 tensors. A Float32Array receives each double-precision weight rounded to the nearest
 * float32 (round to nearest, ties to even: exactly `Math.fround` of the Float64Array result), written by
 * the kernel itself rather than converted afterwards. A weight beyond float32's range (|w| ≥ 2^128 − 2^103,
 * which would round to ±Infinity) is a {@link DomainError} naming the group and the sample; weights that
 * round to a float32 subnormal or to ±0 are written as such (float32 has no more digits to give them).
 */
export type WeightArray = Float64Array | Float32Array;

/** Options of every per-sample weight estimator: layout plus an optional output array. */
export interface WeightOutputOptions<Out extends WeightArray = WeightArray> extends BatchOptions {
  /**
   * Write the weights here (length = number of samples) instead of allocating a new Float64Array; a
   * Float32Array gets the weights rounded to float32 (see {@link WeightArray}). The call returns this array.
   */
  out?: Out;
}

/** Options of every metric: layout plus an optional output array for batched results. */
export interface MetricOutputOptions extends BatchOptions {
  /**
   * Write the B metrics here instead of allocating (length B; without `groupSize` / `groupOffsets`,
   * B = 1 and the number is also returned).
   */
  out?: Float64Array;
}

/** A metric's return type: a number for one group, a Float64Array of B values when batched. */
export type MetricResult<O> = O extends { groupSize: number } | { groupOffsets: ArrayLike<number> }
  ? Float64Array
  : number;

/** The option keys that every batched function accepts. */
export const BATCH_KEYS = ['groupSize', 'groupOffsets', 'out'] as const;

/** A validated layout: group b covers `[offsets[b], offsets[b+1])`. */
export interface Layout {
  /** B + 1 offsets. */
  readonly offsets: Int32Array;
  /** Number of groups B. */
  readonly groups: number;
  /** The common group size, or 0 when groups are ragged. */
  readonly uniformSize: number;
  /** Whether a batching option was given (metrics then return one value per group). */
  readonly batched: boolean;
  /** The smallest group size (Infinity when B = 0). */
  readonly minSize: number;
}

/**
 * Validates `groupSize` / `groupOffsets` against `length` and returns the layout. Every offset is
 * checked as a safe integer in [0, length] and against its predecessor before it is stored, so no
 * value can wrap in the Int32Array. `name` is the per-sample argument an empty unbatched input is
 * reported against (e.g. `'scores'` for bestOfNAtK); `offsetsName` is how errors refer to the offsets (another
 * option, such as `opts.extraVoteOffsets`, can describe a layout too).
 */
export function resolveLayout(
  length: number,
  opts: BatchOptions | undefined,
  name = 'rewards',
  offsetsName = 'opts.groupOffsets',
): Layout {
  const groupSize = opts?.groupSize;
  const groupOffsets = opts?.groupOffsets;
  if (groupSize !== undefined && groupOffsets !== undefined) {
    throw new InvalidArgumentError('opts.groupSize', 'give at most one of opts.groupSize and opts.groupOffsets (got both)');
  }
  if (groupSize !== undefined) {
    if (typeof groupSize !== 'number' || !Number.isSafeInteger(groupSize) || groupSize < 1) {
      throw new DomainError('opts.groupSize', `opts.groupSize must be an integer ≥ 1 (got ${show(groupSize)})`);
    }
    if (length % groupSize !== 0) {
      throw new ShapeError(
        'opts.groupSize',
        `opts.groupSize must divide the number of samples (got groupSize=${groupSize}, length=${length})`,
      );
    }
    const groups = length / groupSize;
    const offsets = new Int32Array(groups + 1);
    for (let b = 1; b <= groups; b++) offsets[b] = b * groupSize;
    return { offsets, groups, uniformSize: groupSize, batched: true, minSize: groups > 0 ? groupSize : Infinity };
  }
  if (groupOffsets !== undefined) {
    const arr = checkArrayLike(groupOffsets, offsetsName);
    if (arr.length < 1) {
      throw new ShapeError(offsetsName, `${offsetsName} must hold B + 1 ≥ 1 offsets (got an empty array)`);
    }
    const offsets = new Int32Array(arr.length);
    let minSize = Infinity;
    let maxSize = 0;
    let prev = 0;
    for (let b = 0; b < arr.length; b++) {
      const v = arr[b];
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new DomainError(offsetsName, `${offsetsName} must be integers (got ${show(v)} at index ${b})`);
      }
      if (b === 0) {
        if (v !== 0) throw new ShapeError(offsetsName, `${offsetsName} must start at 0 (got ${show(v)})`);
        continue;
      }
      const size = v - prev;
      if (size < 0) {
        throw new ShapeError(
          offsetsName,
          `${offsetsName} must be non-decreasing (got ${prev} then ${show(v)} at index ${b})`,
        );
      }
      if (size === 0) {
        throw new ShapeError(
          offsetsName,
          `${offsetsName} must not give an empty group (got ${v} then ${v} at index ${b}: group ${b - 1} is empty)`,
        );
      }
      if (v > length) {
        throw new ShapeError(
          offsetsName,
          `${offsetsName} must not exceed the number of samples (got ${show(v)} at index ${b}, length=${length})`,
        );
      }
      offsets[b] = v;
      prev = v;
      if (size < minSize) minSize = size;
      if (size > maxSize) maxSize = size;
    }
    if (prev !== length) {
      throw new ShapeError(
        offsetsName,
        `${offsetsName} must end at the number of samples (got last offset ${prev}, length=${length})`,
      );
    }
    const groups = offsets.length - 1;
    return { offsets, groups, uniformSize: minSize === maxSize ? minSize : 0, batched: true, minSize };
  }
  if (length === 0) throw new ShapeError(name, `${name} must not be empty: a group needs ≥ 1 sample (got 0 samples)`);
  return { offsets: Int32Array.of(0, length), groups: 1, uniformSize: length, batched: false, minSize: length };
}

/**
 * Throws unless `minN ≤ n` holds for every group, with a message naming the first group that breaks it.
 * `what` describes the requirement, e.g. `k` (needs k ≤ n) or `k + 1` (needs k ≤ n − 1).
 */
export function checkGroupSizes(
  layout: Layout,
  required: number,
  message: (n: number) => string,
  argument: string,
): void {
  if (layout.minSize >= required) return;
  const { offsets, groups } = layout;
  for (let b = 0; b < groups; b++) {
    const n = (offsets[b + 1] as number) - (offsets[b] as number);
    if (n < required) {
      throw new DomainError(argument, `${message(n)}${layout.batched ? ` in group ${b}` : ''})`);
    }
  }
}

/** Throws unless k ≤ n in every group: `k must be ≤ n (got k=9, n=8 in group 3)`. */
export function checkKAtMostN(layout: Layout, k: number, name = 'k'): void {
  checkGroupSizes(layout, k, (n) => `${name} must be ≤ n (got ${name}=${k}, n=${n}`, name);
}

/**
 * Returns `opts.out` after checking its type, its length and that it shares no memory with any of
 * `inputs` (`[name, array]` pairs), or a new Float64Array. `name` is how errors refer to the output
 * option (another output option, such as `opts.expertOut`, is checked the same way).
 *
 * The aliasing rule, the same for every function: `out` must not overlap an input. Estimators read
 * their inputs again after writing (sorting, the overflow rescue, a second kernel), so an aliased
 * `out` would feed half-written weights back in; it is refused with an {@link InvalidArgumentError}
 * naming both arrays instead of being computed wrong.
 *
 * `float32` (per-sample weight outputs only; metrics stay Float64Array) also accepts a Float32Array.
 */
export function outputArray(
  out: unknown,
  length: number,
  inputs?: readonly (readonly [string, unknown])[],
  name?: string,
): Float64Array;
export function outputArray(
  out: unknown,
  length: number,
  inputs: readonly (readonly [string, unknown])[],
  name: string,
  float32: boolean,
): WeightArray;
export function outputArray(
  out: unknown,
  length: number,
  inputs: readonly (readonly [string, unknown])[] = [],
  name = 'opts.out',
  float32 = false,
): WeightArray {
  if (out === undefined) return new Float64Array(length);
  if (!(out instanceof Float64Array) && !(float32 && out instanceof Float32Array)) {
    const want = float32 ? 'a Float64Array or a Float32Array' : 'a Float64Array';
    throw new InvalidArgumentError(name, `${name} must be ${want} (got ${show(out)})`);
  }
  checkNotDetached(out, name);
  if (out.length !== length) {
    throw new ShapeError(name, `${name} must have length ${length} (got length ${out.length})`);
  }
  for (const [inputName, input] of inputs) {
    if (overlaps(out, input)) {
      throw new InvalidArgumentError(
        name,
        `${name} must not share memory with ${inputName} (the output would overwrite the input while it is read; pass a separate array)`,
      );
    }
  }
  return out;
}

/** The largest finite float32, 2^128 − 2^104. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The error for a weight that a Float32Array output cannot hold: `|weight|` rounds to Infinity in float32.
 * `sample` is an absolute index; `group` is named when the call is batched.
 */
export function float32OverflowError(name: string, weight: number, sample: number, layout: Layout | undefined, group = -1): DomainError {
  const where = layout?.batched && group >= 0 ? ` of group ${group}` : '';
  return new DomainError(
    name,
    `${name} is a Float32Array but the weight of sample ${sample}${where} overflows float32 ` +
      `(got ${show(weight)}${Number.isFinite(weight) ? '' : ' after rounding'}; float32 holds |w| ≤ ${FLOAT32_MAX}): pass a Float64Array`,
  );
}

/**
 * After a kernel wrote weights into a Float32Array `out`, throws {@link float32OverflowError} at the first
 * ±Infinity: the weights are finite doubles, so an Infinity in float32 is an overflow (`source`, when
 * given, holds the double values, for the message). A Float64Array returns at once.
 */
export function checkFloat32Output(out: WeightArray, layout: Layout | undefined, name = 'opts.out', source?: Float64Array): void {
  if (!(out instanceof Float32Array)) return;
  // One multiply-add per value: x·0 is NaN exactly when x is ±Infinity or NaN, so the common case reads
  // the array once without a branch per element.
  let probe = 0;
  const n = out.length;
  for (let i = 0; i < n; i++) probe += (out[i] as number) * 0;
  if (probe === 0) return;
  for (let i = 0; i < n; i++) {
    const v = out[i] as number;
    if (v === Infinity || v === -Infinity) {
      const group = layout === undefined ? -1 : groupOf(layout, i);
      throw float32OverflowError(name, source === undefined ? v : (source[i] as number), i, layout, group);
    }
  }
}

/**
 * Runs `compute` on a Float64Array and leaves its values in `out`: `out` itself when it is a
 * Float64Array; otherwise a temporary whose values are then written to the Float32Array `out`, rounded,
 * in one pass that also refuses a weight beyond float32's range ({@link float32OverflowError}). For
 * estimators that read their output back while computing it (a rescue pass, an accumulation), where
 * writing float32 directly would round twice.
 */
export function viaFloat64(out: WeightArray, layout: Layout | undefined, compute: (out64: Float64Array) => void, name = 'opts.out'): void {
  if (out instanceof Float64Array) {
    compute(out);
    return;
  }
  const tmp = new Float64Array(out.length);
  compute(tmp);
  out.set(tmp);
  checkFloat32Output(out, layout, name, tmp);
}

/** The group holding sample `i` (binary search over the offsets). */
export function groupOf(layout: Layout, i: number): number {
  const { offsets } = layout;
  let lo = 0;
  let hi = layout.groups - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] as number) <= i) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** True when `b` is a typed array whose bytes overlap those of `a`. */
export function overlaps(a: ArrayBufferView, b: unknown): boolean {
  if (!ArrayBuffer.isView(b) || a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Throws unless two arrays have the same length. */
export function checkSameLength(a: ArrayLike<unknown>, aName: string, b: ArrayLike<unknown>, bName: string): void {
  if (a.length !== b.length) {
    throw new ShapeError(bName, `${aName} and ${bName} must have the same length (got ${a.length} and ${b.length})`);
  }
}

/** Shapes a metric's per-group values into its return type (a number when not batched). */
export function metricResult(layout: Layout, values: Float64Array): number | Float64Array {
  return layout.batched ? values : (values[0] as number);
}
