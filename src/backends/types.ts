/**
 * The kernel interface. Estimators validate their inputs, then spend their time in these few batch
 * kernels; a backend (plain JS, SIMD WebAssembly, …) implements them. Kernels trust their inputs:
 * lengths agree, offsets are valid, values are finite, k fits every group.
 *
 * Every kernel works on a whole batch laid out as `offsets` (B + 1 values; group b is
 * `[offsets[b], offsets[b+1])`), so one call crosses the JS/WASM boundary once per batch. Kernels
 * only read `offsets` (the estimators hand the same offsets to every call with the same layout).
 */

// Kernel names, one constant per kernel (tfjs-core style): a backend that lacks one fails naming it.
/** Name of the {@link KernelTable.binaryCounts} kernel. */
export const BinaryCounts = 'binaryCounts';
/** Name of the {@link KernelTable.binaryScatter} kernel. */
export const BinaryScatter = 'binaryScatter';
/** Name of the {@link KernelTable.binaryWeights} kernel. */
export const BinaryWeights = 'binaryWeights';
/** Name of the {@link KernelTable.segmentedSort} kernel. */
export const SegmentedSort = 'segmentedSort';
/** Kernel name: max@k weights from unsorted values to input order in one call (sort, weights, scatter). */
export const MaxAtKWeights = 'maxAtKWeights';
/** Name of the {@link KernelTable.sortedMaxMetric} kernel. */
export const SortedMaxMetric = 'sortedMaxMetric';
/** Name of the {@link KernelTable.groupMoments} kernel. */
export const GroupMoments = 'groupMoments';
/** Name of the {@link KernelTable.affineScatter} kernel. */
export const AffineScatter = 'affineScatter';
/** Name of the {@link KernelTable.segmentedArgsort} kernel. */
export const SegmentedArgsort = 'segmentedArgsort';
/** Name of the {@link KernelTable.bestOfNWeights} kernel (unsorted scores and rewards in, input-order weights out). */
export const BestOfNWeights = 'bestOfNWeights';
/** Name of the {@link KernelTable.bestOfNMetric} kernel (unsorted scores and rewards in, one value per group out). */
export const BestOfNMetric = 'bestOfNMetric';
/** Name of the {@link KernelTable.bestOfNSelection} kernel (unsorted scores in, input-order pick probabilities out). */
export const BestOfNSelection = 'bestOfNSelection';

/** Kernel name: order-statistic (L-statistic) weights in input order from unsorted values and coefficient tables. */
export const OrderStatisticWeights = 'orderStatisticWeights';
/** Kernel name: order-statistic (L-statistic) metric per group from sorted values and coefficient tables. */
export const OrderStatisticMetric = 'orderStatisticMetric';

/** Baseline codes as the kernels see them. */
export const BaselineCode = { none: 0, loo: 1, 'loo-pkpo': 2, 'loo-1': 3 } as const;
/** A baseline code: 0 none, 1 loo, 2 loo-pkpo, 3 loo-1. */
export type BaselineCode = (typeof BaselineCode)[keyof typeof BaselineCode];

/** The numeric arrays a kernel reads: any array of numbers (plain or typed). */
export type Values = ArrayLike<number>;

/** A per-sample output: double precision, or float32 (each value rounded as `Math.fround` does). */
export type WeightOut = Float64Array | Float32Array;

/**
 * The per-group weights of a binary estimator: `[weight of a correct sample, weight of an incorrect one]`
 * for a group of `n` samples with `c` correct; `group` is the first group (in batch order) that has this
 * (n, c). May throw (the caller's check of a float32 output).
 */
export type BinaryGroupWeights = (n: number, c: number, group: number) => readonly [number, number];

/**
 * The kernels a backend can implement, keyed by the kernel-name constants ({@link BinaryCounts}, …).
 * Inputs are trusted (validated by the estimators); outputs are written into the arrays passed in.
 */
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
    out: WeightOut,
  ): void;
  /**
   * The fused binary kernel: per group, counts the ones (checking that every value is 0 or 1), takes the
   * group's two weights from `weights(n, c, b)` and writes `out[i] = values[i] === 1 ? wc : wi`, in one
   * pass while the group is in cache. `weights` is called at most once per distinct (n, c) of the call
   * (for the first group that has it), not once per group; its values must depend on (n, c) alone, and a
   * backend may keep them across calls given the same function. A Float32Array `out` receives each weight rounded to
   * float32 in the same write. Returns −1, or the index of the first value that is neither 0 nor 1 (then
   * `out` may hold the weights of the groups before it).
   */
  [BinaryWeights](values: Values, offsets: Int32Array, weights: BinaryGroupWeights, out: WeightOut): number;
  /** Copies `values` into `sorted` and sorts each group ascending. */
  [SegmentedSort](values: Values, offsets: Int32Array, sorted: Float64Array): void;
  /**
   * max@k gradient weights in INPUT order from unsorted `values`: the composition of a sort,
   * the weights by sorted position (docs/estimators/max-at-k.md, baselines: weights.md; times n when
   * `scaleByN`) and a scatter back, in whatever way is fastest for the backend (both built-in backends
   * work one group at a time in cache and scatter by index). Tied values get bit-identical weights: those of the first sorted position of their block.
   * A group whose range overflows may give non-finite weights; the caller detects and rescales.
   *
   * Unlike the other kernels this one may meet non-finite values: it checks finiteness in its range
   * pass and returns −1 when done, the index of the first non-finite value (then `out` is partly
   * written), or −2 when every value is finite but some weight is not. A kernel that returns nothing
   * (`undefined`) is trusted to have been given finite values: the caller checks them, and the weights,
   * itself.
   */
  [MaxAtKWeights](
    values: Values,
    offsets: Int32Array,
    k: number,
    baseline: BaselineCode,
    scaleByN: boolean,
    out: Float64Array,
  ): number | void;
  /** max@k metric per group: Σ μ_i g_(i) over the sorted group, into `out` (length B). */
  [SortedMaxMetric](sorted: Float64Array, offsets: Int32Array, k: number, out: Float64Array): void;
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
    out: WeightOut,
  ): void;
  /**
   * Argsort per group: `perm[offsets[b] .. offsets[b+1])` receives the indices i of group b (absolute
   * indices into `keys`, so in `[offsets[b], offsets[b+1])`) ordered by `keys[i]` ascending. Equal keys
   * come in input order (a stable sort), though every consumer treats a block of equal keys symmetrically.
   */
  [SegmentedArgsort](keys: Values, offsets: Int32Array, perm: Int32Array): void;
  /**
   * Best-of-N gradient weights (ties split exactly, baselines: docs/estimators/weights.md), times n when
   * `scaleByN`, written in INPUT order (`out[i]` is sample i's weight), from UNSORTED `scores` and
   * `rewards`: the kernel ranks each group by score itself (tie blocks are the runs of equal scores).
   * Formulas: docs/estimators/best-of-n.md. Scores may be non-finite (rewards not): returns the index of
   * the first non-finite score (then `out` is not complete) or −1; a kernel that returns nothing is
   * trusted to have been given finite scores (the caller checks them). The built-in kernels also check
   * the rewards in the pass that reads them and return −2 (`out` not complete) for a group whose rewards
   * are not finite or whose (max − min)·n overflows; the estimator relies on that for them only, and
   * checks the rewards itself for any other backend.
   */
  [BestOfNWeights](
    scores: Values,
    rewards: Values,
    offsets: Int32Array,
    k: number,
    baseline: BaselineCode,
    scaleByN: boolean,
    out: Float64Array,
  ): number | void;
  /**
   * Best-of-N metric per group from UNSORTED scores and rewards: Σ_blocks (Σ_{p∈block} μ_p) · (block's
   * mean reward) over the ascending sort by score, into `out` (length B). Status as {@link KernelTable.bestOfNWeights}.
   */
  [BestOfNMetric](scores: Values, rewards: Values, offsets: Int32Array, k: number, out: Float64Array): number | void;
  /**
   * Probability that each sample is best-of-N's pick (BOND-style distillation targets, ties split), in INPUT
   * order, from UNSORTED scores. Without replacement (`withReplacement` false, needs N ≤ n) sorted position
   * p gets C(p−1, N−1)/C(n, N); with replacement (p/n)^N − ((p−1)/n)^N; a tie block shares its total
   * equally. Status as {@link KernelTable.bestOfNWeights}.
   */
  [BestOfNSelection](
    scores: Values,
    offsets: Int32Array,
    N: number,
    withReplacement: boolean,
    out: Float64Array,
  ): number | void;
  /**
   * Order-statistic gradient weights in INPUT order from unsorted `values`. Group b of size n reads the
   * table `[S, lo_0..lo_{n−2}, hi_0..hi_{n−2}]` (2n − 1 values) starting at `tables[tableStart[b]]` and
   * gets, over its ascending sort x_0 ≤ … ≤ x_{n−1}, w_p = x_0·S + Σ_{r<p} (x_{r+1} − x_r) lo_r +
   * Σ_{r≥p} (x_{r+1} − x_r) hi_r, times n when `scaleByN`. Tied values get bit-identical weights.
   * Formulas and tables: docs/estimators/order-statistics.md.
   */
  [OrderStatisticWeights](
    values: Values,
    offsets: Int32Array,
    tables: Float64Array,
    tableStart: Int32Array,
    scaleByN: boolean,
    out: Float64Array,
  ): void;
  /**
   * Order-statistic metric per group from SORTED values: x_0·S + Σ_r (x_{r+1} − x_r) hi_r with the
   * table `[S, hi_0..hi_{n−2}]` (n values) at `tables[tableStart[b]]`, into `out` (length B).
   */
  [OrderStatisticMetric](
    sorted: Float64Array,
    offsets: Int32Array,
    tables: Float64Array,
    tableStart: Int32Array,
    out: Float64Array,
  ): void;
}

/** Every kernel name. */
export type KernelName = keyof KernelTable;

// A record keyed by every kernel name, so a kernel added to KernelTable and left out here fails to compile.
// Built in a pure function: a bundle that never lists the kernel names drops it (computed keys otherwise keep it).
const KERNEL_NAME_RECORD: Record<KernelName, true> = /* @__PURE__ */ (() => ({
  [BinaryCounts]: true,
  [BinaryScatter]: true,
  [BinaryWeights]: true,
  [SegmentedSort]: true,
  [MaxAtKWeights]: true,
  [SortedMaxMetric]: true,
  [GroupMoments]: true,
  [AffineScatter]: true,
  [SegmentedArgsort]: true,
  [BestOfNWeights]: true,
  [BestOfNMetric]: true,
  [BestOfNSelection]: true,
  [OrderStatisticWeights]: true,
  [OrderStatisticMetric]: true,
}))();

/** Every kernel name, as a list (what `registerBackend` accepts in a backend's `kernels`). */
export const KERNEL_NAMES: readonly KernelName[] = /* @__PURE__ */ Object.keys(KERNEL_NAME_RECORD) as KernelName[];

/** A backend: a name and the kernels it implements (a partial table is allowed; calls then fail clearly). */
export interface Backend {
  /** The name `setBackend` and `{ backend }` options select it by. */
  readonly name: string;
  /** Its kernels; a missing one fails with an error naming it (callers can fall back to `'js'`). */
  readonly kernels: Partial<KernelTable>;
}
