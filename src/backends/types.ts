/**
 * The kernel interface. Estimators validate their inputs, then spend their time in these few batch
 * kernels; a backend (plain JS, SIMD WebAssembly, …) implements them. Kernels trust their inputs:
 * lengths agree, offsets are valid, values are finite, k fits every group.
 *
 * Every kernel works on a whole batch laid out as `offsets` (B + 1 values; group b is
 * `[offsets[b], offsets[b+1])`), so one call crosses the JS/WASM boundary once per batch.
 */

/** Kernel names, one constant per kernel (tfjs-core style): a backend that lacks one fails naming it. */
export const BinaryCounts = 'binaryCounts';
export const BinaryScatter = 'binaryScatter';
export const SegmentedSort = 'segmentedSort';
export const SortedMaxWeights = 'sortedMaxWeights';
export const SortedMaxMetric = 'sortedMaxMetric';
export const GatherBySortedValue = 'gatherBySortedValue';
export const GroupMoments = 'groupMoments';
export const AffineScatter = 'affineScatter';

/** Baseline codes as the kernels see them. */
export const BaselineCode = { none: 0, loo: 1, 'loo-pkpo': 2, 'loo-1': 3 } as const;
/** A baseline code: 0 none, 1 loo, 2 loo-pkpo, 3 loo-1. */
export type BaselineCode = (typeof BaselineCode)[keyof typeof BaselineCode];

/** The numeric arrays a kernel reads: any array of numbers (plain or typed). */
export type Values = ArrayLike<number>;

export interface KernelTable {
  /**
   * Counts the ones per group into `counts` (length B). Returns the index of the first value that is
   * neither 0 nor 1, or −1 when all are binary (then `counts` is complete).
   */
  [BinaryCounts](values: Values, offsets: Int32Array, counts: Int32Array): number;
  /** `out[i] = values[i] === 1 ? wCorrect[b] : wIncorrect[b]` for every i of group b. */
  [BinaryScatter](
    values: Values,
    offsets: Int32Array,
    wCorrect: Float64Array,
    wIncorrect: Float64Array,
    out: Float64Array,
  ): void;
  /** Copies `values` into `sorted` and sorts each group ascending. */
  [SegmentedSort](values: Values, offsets: Int32Array, sorted: Float64Array): void;
  /**
   * max@k gradient weights per sorted position (SPEC §1 with the §0 baseline), times n when
   * `scaleByN`. Inside a block of tied values only the block's first position must hold the block's
   * weight (the gather reads that one).
   */
  [SortedMaxWeights](
    sorted: Float64Array,
    offsets: Int32Array,
    k: number,
    baseline: BaselineCode,
    scaleByN: boolean,
    out: Float64Array,
  ): void;
  /** max@k metric per group: Σ μ_i g_(i) over the sorted group, into `out` (length B). */
  [SortedMaxMetric](sorted: Float64Array, offsets: Int32Array, k: number, out: Float64Array): void;
  /**
   * `out[i] = bySorted[p]` where p is the first position in i's sorted group holding a value equal to
   * `values[i]` (a lower bound): scatters per-position weights back to input order, ties alike.
   */
  [GatherBySortedValue](
    values: Values,
    sorted: Float64Array,
    offsets: Int32Array,
    bySorted: Float64Array,
    out: Float64Array,
  ): void;
  /**
   * Per group: the mean, the sum of squared deviations from it, and max − min (0 exactly when all
   * values are equal), each into an array of length B.
   */
  [GroupMoments](
    values: Values,
    offsets: Int32Array,
    mean: Float64Array,
    sumSquares: Float64Array,
    range: Float64Array,
  ): void;
  /** `out[i] = (values[i] − shift[b]) · scale[b]` for every i of group b. */
  [AffineScatter](
    values: Values,
    offsets: Int32Array,
    shift: Float64Array,
    scale: Float64Array,
    out: Float64Array,
  ): void;
}

/** Every kernel name. */
export type KernelName = keyof KernelTable;

/** A backend: a name and the kernels it implements (a partial table is allowed; calls then fail clearly). */
export interface Backend {
  readonly name: string;
  readonly kernels: Partial<KernelTable>;
}
