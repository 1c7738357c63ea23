/**
 * The machinery shared by every estimator: the none / loo / loo-pkpo / loo-1 baselines, the weight
 * scale, the one setup path (`prepare`, with `prepareMetric` for metrics and `prepareKSample` for
 * k-sample weights) and the overflow policy. Math: docs/estimators/weights.md.
 */
import { resolveBackend, type BackendOptions } from '../backends/registry.js';
import { BaselineCode, type Backend, type KernelTable } from '../backends/types.js';
import {
  BATCH_KEYS,
  checkGroupSizes,
  checkKAtMostN,
  checkSameLength,
  outputArray,
  resolveLayout,
  type Layout,
  type WeightArray,
  type MetricOutputOptions,
  type WeightOutputOptions,
} from '../groups.js';
import { checkChoice, checkInteger, checkOptions, MAX_LENGTH } from '../validate.js';

/**
 * What is subtracted from the raw per-sample weights s_i (docs/estimators/weights.md#baselines). Every choice keeps the gradient
 * unbiased; they differ in variance and centring.
 * - `'none'`: s_i as is.
 * - `'loo'`: s_i − (k/n)·ρ(g₋ᵢ, k). Exactly centred (weights sum to 0 per group). Needs k ≤ n − 1.
 * - `'loo-pkpo'`: s_i − (k/(n−1))·ρ(g₋ᵢ, k), the scale PKPO's paper uses (not centred). Needs k ≤ n − 1.
 * - `'loo-1'`: s_i − (k/n)·ρ(g₋ᵢ, k−1), the lowest-variance choice in PKPO's experiments; with n = k it
 *   is Tang et al.'s leave-one-out estimator. At k = 1 it falls back to `'loo'` (needs n ≥ 2).
 */
export type Baseline = 'none' | 'loo' | 'loo-pkpo' | 'loo-1';

/** All baselines, in the order the docs list them. */
export const BASELINES: readonly Baseline[] = ['none', 'loo', 'loo-pkpo', 'loo-1'];

/**
 * How weights are scaled. `'sum'`: Σ_i w_i ∇log π(y_i) is the gradient estimate (multiply each sample's
 * summed token log-probs by its weight and add). `'mean'`: weights times n, for trainers that average
 * the per-sample losses over the group (GRPO-style).
 */
export type WeightScale = 'sum' | 'mean';

/** Options of every k-sample weight estimator (pass@k, max@k, majority vote, best-of-N). */
export interface KSampleWeightOptions<Out extends WeightArray = WeightArray> extends WeightOutputOptions<Out>, BackendOptions {
  /**
   * The baseline subtracted from s_i; see {@link Baseline}.
   * @defaultValue `'loo-1'`
   */
  baseline?: Baseline;
  /**
   * `'sum'` (weights sum-form) or `'mean'` (times n, for trainers that average over the group).
   * @defaultValue `'sum'`
   */
  scale?: WeightScale;
}

/** The option keys every k-sample weight estimator accepts. */
export const K_SAMPLE_KEYS = [...BATCH_KEYS, 'backend', 'baseline', 'scale'] as const;

/**
 * A per-sample array argument and its check: `checkFiniteArray` (finite numbers) or `checkArrayLike`
 * (binary rewards are checked by the counting kernel, answers by the majority clustering). The check
 * is passed, not named, so a bundle contains only the checks its estimators use.
 */
export type Input = readonly [name: string, value: unknown, check: (value: unknown, name: string) => ArrayLike<unknown>];

/** What an estimator tells the shared setup about itself. */
export interface SetupSpec<T = undefined> {
  /** Its per-sample arrays, in positional order; the first names an empty input. */
  readonly inputs?: readonly Input[];
  /** Instead of arrays: the number of samples, a positional integer (`kSampleAtK(n, …)`). */
  readonly n?: unknown;
  /** How the budget argument is called (`'k'`, or `'N'` for best-of-N). @defaultValue `'k'` */
  readonly kName?: string;
  /** The largest budget the estimator takes (e.g. 2^31 − 1 when it reaches a kernel as an int32). */
  readonly kMax?: number;
  /** Whether the budget must be ≤ n in every group (may depend on the option values). @defaultValue `true` */
  readonly kAtMostN?: boolean | ((extra: T) => boolean);
  /** Option keys beyond the layout, `out` and `backend` (and, for k-sample weights, baseline and scale). */
  readonly keys?: readonly string[];
  /** Checks the estimator's own option values; runs after the integers, before the layout. */
  readonly options?: () => T;
  /** The family's js kernels (what `backend: 'js'` runs). */
  readonly jsKernels?: Partial<KernelTable>;
  /** The length of `out`: one value per sample, one per group (metrics), or no `out` option. */
  readonly output?: 'samples' | 'groups' | 'none';
}

/** Everything an estimator needs after the shared setup. */
export interface Prepared<T = undefined> {
  /** The validated per-sample arrays, in the order of `spec.inputs`. */
  readonly arrays: readonly ArrayLike<unknown>[];
  readonly layout: Layout;
  /** The budget (0 when the estimator takes none). */
  readonly k: number;
  /** What `spec.options` returned. */
  readonly extra: T;
  readonly backend: Backend;
  /**
   * The output (length 0 when `spec.output` is `'none'`): `opts.out` or a new Float64Array; per-sample
   * weights may be a Float32Array, metrics are always a Float64Array.
   */
  readonly out: WeightArray;
}

/**
 * The one setup path of every estimator: validates, in this order and before any work, `opts` (a
 * plain object with known keys), the per-sample arrays, their lengths against each other, the
 * integers (n, then k), the option values (the estimator's own via `spec.options`), the layout and
 * what it needs of every group (k ≤ n), the backend, and last `opts.out` (type, length, no memory
 * shared with an input). `k` undefined means the estimator takes no budget.
 */
export function prepare<T = undefined>(
  fn: string,
  k: unknown,
  opts: (WeightOutputOptions<WeightArray> & BackendOptions) | undefined,
  spec: SetupSpec<T>,
  weightKeys: readonly string[] = [],
): Prepared<T> {
  const output = spec.output ?? 'samples';
  const batchKeys = output === 'none' ? BATCH_KEYS.filter((key) => key !== 'out') : BATCH_KEYS;
  checkOptions(opts, fn, [...batchKeys, 'backend', ...weightKeys, ...(spec.keys ?? [])]);
  const inputs = spec.inputs ?? [];
  const arrays = inputs.map(([name, value, check]) => check(value, name));
  for (let i = 1; i < arrays.length; i++) {
    checkSameLength(arrays[0] as ArrayLike<unknown>, (inputs[0] as Input)[0], arrays[i] as ArrayLike<unknown>, (inputs[i] as Input)[0]);
  }
  const length = spec.n !== undefined ? checkInteger(spec.n, 'n', 1, MAX_LENGTH) : ((arrays[0]?.length ?? 0) as number);
  const kName = spec.kName ?? 'k';
  const kk = k === undefined ? 0 : checkInteger(k, kName, 1, spec.kMax);
  const extra = spec.options === undefined ? (undefined as T) : spec.options();
  const layout = layoutOf(length, opts, inputs[0]?.[0]);
  const atMostN = typeof spec.kAtMostN === 'function' ? spec.kAtMostN(extra) : spec.kAtMostN !== false;
  if (k !== undefined && atMostN) checkKAtMostN(layout, kk, kName);
  const backend = resolveBackend(opts?.backend, spec.jsKernels ?? NO_KERNELS);
  const outLength = output === 'none' ? 0 : output === 'groups' ? (layout.batched ? layout.groups : 1) : length;
  // Unbatched, a metric's `out` must still be a Float64Array (of length 1): a bad option never passes silently.
  const out =
    output === 'none'
      ? new Float64Array(0)
      : outputArray(
          opts?.out,
          outLength,
          inputs.map(([name], i) => [name, arrays[i]] as const),
          'opts.out',
          output === 'samples',
        );
  return { arrays, layout, k: kk, extra, backend, out };
}

/**
 * The last layout resolved from `opts.groupSize`: equal-size batches repeat call after call, and their
 * B + 1 offsets cost an allocation and a pass per call (a third of a millisecond at 100,000 groups).
 * Kernels only read the offsets, so one layout serves every call with the same length and group size.
 */
let lastUniform: Layout | undefined;

/** {@link resolveLayout}, reusing {@link lastUniform} when the call has its length and group size. */
function layoutOf(length: number, opts: WeightOutputOptions<WeightArray> | undefined, name: string | undefined): Layout {
  const last = lastUniform;
  if (last !== undefined && last.uniformSize === opts?.groupSize && opts.groupOffsets === undefined && last.offsets[last.groups] === length) {
    return last;
  }
  const layout = resolveLayout(length, opts, name);
  if (opts?.groupSize !== undefined && layout.groups > 0) lastUniform = layout;
  return layout;
}

/** The kernel table of an estimator that has none: `backend` is validated, the same code runs on every backend. */
const NO_KERNELS: Partial<KernelTable> = {};

/**
 * The setup of every metric (one value per group): {@link prepare} with a per-group `out`. Used by
 * maxAtK, bestOfNAtK, orderStatisticAtK, passHatKOfRewards, majorityAtK, bestOfNKL and kSampleAtK.
 */
export function prepareMetric<T = undefined>(
  fn: string,
  k: unknown,
  opts: (MetricOutputOptions & BackendOptions) | undefined,
  spec: Omit<SetupSpec<T>, 'output'> & { readonly output?: 'groups' | 'none' },
): Prepared<T> & { readonly out: Float64Array } {
  return prepare(fn, k, opts, { ...spec, output: spec.output ?? 'groups' }) as Prepared<T> & { readonly out: Float64Array };
}

/** Everything a k-sample weight estimator needs after validation. */
export interface PreparedKSample<T = undefined> extends Prepared<T> {
  readonly baseline: Baseline;
  /** The baseline actually computed (`'loo-1'` at k = 1 becomes `'loo'`). */
  readonly effectiveBaseline: Baseline;
  readonly scaleByN: boolean;
}

/**
 * The setup of every k-sample weight estimator: {@link prepare} plus `baseline` and `scale`, and what
 * the baseline needs of every group (k ≤ n − 1 for `'loo'` and `'loo-pkpo'`).
 */
export function prepareKSample<T = undefined>(
  fn: string,
  k: unknown,
  opts: KSampleWeightOptions | undefined,
  spec: Omit<SetupSpec<T>, 'output' | 'kAtMostN'>,
): PreparedKSample<T> {
  let baseline = 'loo-1' as Baseline;
  let scale = 'sum' as WeightScale;
  // Object.assign and the explicit result below rather than object spreads: V8 spreads these objects
  // slowly (about a microsecond each, a per-call cost on every estimator).
  const p = prepare(
    fn,
    k,
    opts,
    Object.assign({}, spec, {
      options: (): T => {
        baseline = checkChoice(opts?.baseline, 'opts.baseline', BASELINES, 'loo-1');
        scale = checkScale(opts?.scale);
        return spec.options === undefined ? (undefined as T) : spec.options();
      },
    }),
    ['baseline', 'scale'],
  );
  const kk = p.k;
  const effectiveBaseline: Baseline = baseline === 'loo-1' && kk === 1 ? 'loo' : baseline;
  if (effectiveBaseline === 'loo' || effectiveBaseline === 'loo-pkpo') {
    const why = baseline === 'loo-1' ? "baseline 'loo-1' at k = 1 falls back to 'loo', which" : `baseline '${baseline}'`;
    checkGroupSizes(p.layout, kk + 1, (n) => `${why} needs k ≤ n − 1 (got k=${kk}, n=${n}`, 'k');
  }
  // p is this call's own object: extended in place (an object spread of it is slow, see above).
  return Object.assign(p, { baseline, effectiveBaseline, scaleByN: scale === 'mean' });
}

/** `opts.scale` of every weight estimator: `'sum'` or `'mean'`, default `fallback`. */
export function checkScale(value: unknown, fallback: WeightScale = 'sum'): WeightScale {
  return checkChoice(value, 'opts.scale', ['sum', 'mean'] as const, fallback);
}

/** The kernel code of a baseline. */
export function baselineCode(baseline: Baseline): BaselineCode {
  return BaselineCode[baseline];
}

/** How many times {@link onScaledRewards} has run on this thread (see {@link overflowRescues}). */
let rescues = 0;

/**
 * How many calls on this thread so far took the overflow rescue ({@link onScaledRewards}). Every
 * trigger of the rescue is a property of one group (its range or its weights overflow), so a batch
 * takes it exactly when some part of it, cut at group boundaries, would: the worker pool compares
 * this count before and after each chunk's call to know whether the direct call would rescale the
 * whole batch (pool/worker.ts).
 */
export function overflowRescues(): number {
  return rescues;
}

/**
 * The overflow policy of the kernel-backed k-sample estimators (max@k, order statistics, best-of-N):
 * their metrics and weights are positively homogeneous in the rewards, so a batch whose arithmetic
 * would overflow is computed on rewards / d and scaled back by d. d is a power of two, so the
 * division is exact (but for subnormal rewards). `run` writes `out` from the values it is given.
 */
export function onScaledRewards<V extends ArrayLike<number>>(
  values: V,
  d: number,
  out: Float64Array,
  run: (values: V | Float64Array) => void,
): void {
  rescues++;
  run(Float64Array.from(values, (x) => x / d));
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * d;
}

/**
 * Runs `run` on the rewards; when any output is not finite (only a group whose range overflows, e.g.
 * [−1e308, 1e308]: the kernels shift by the group minimum, and Inf − Inf is NaN), runs it again on the
 * rewards / 4 ({@link onScaledRewards}). Used by kernels that combine rewards with weights summing to
 * at most 1 per output, for which a factor of 4 always suffices.
 */
export function retryIfOverflow<V extends ArrayLike<number>>(values: V, out: Float64Array, run: (values: V | Float64Array) => void): void {
  run(values);
  if (!allFinite(out)) onScaledRewards(values, 4, out, run);
}

/** True when every value is finite (one multiply-add per value, no branch). */
export function allFinite(a: Float64Array): boolean {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += (a[i] as number) * 0;
  return acc === 0;
}
