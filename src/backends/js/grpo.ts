/**
 * Reference kernels of the GRPO / RLOO family: per-group mean, sum of squared deviations and range,
 * then an affine map (reward − shift)·scale per group. Math: docs/estimators/grpo.md.
 */
import type { KernelTable, Values, WeightOut } from '../types.js';

function groupMoments(
  values: Values,
  offsets: Int32Array,
  mean: Float64Array,
  sumSquares: Float64Array,
  range: Float64Array,
): void {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = values[i] as number;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const n = end - start;
    // Two passes: the second corrects the mean and sums squared deviations without cancellation.
    let m = sum / n;
    let corr = 0;
    for (let i = start; i < end; i++) corr += (values[i] as number) - m;
    m += corr / n;
    let ss = 0;
    for (let i = start; i < end; i++) {
      const d = (values[i] as number) - m;
      ss += d * d;
    }
    mean[b] = hi === lo ? lo : m;
    sumSquares[b] = hi === lo ? 0 : ss;
    range[b] = hi - lo;
  }
}

function affineScatter(
  values: Values,
  offsets: Int32Array,
  shift: Float64Array,
  scale: Float64Array,
  out: WeightOut,
): void {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const end = offsets[b + 1] as number;
    const sh = shift[b] as number;
    const sc = scale[b] as number;
    for (let i = offsets[b] as number; i < end; i++) out[i] = ((values[i] as number) - sh) * sc;
  }
}

/** The GRPO / RLOO family's kernels. */
export const grpoKernels: Pick<KernelTable, 'groupMoments' | 'affineScatter'> = { groupMoments, affineScatter };
