/**
 * `inference-aware-rl/backends`: the kernel interface, for people who write a backend. Users who only
 * pick a backend need none of this: `registerBackend`, `setBackend`, `getBackend`, `listBackends` and
 * `loadWasmBackend` are in the root entry. Guide: docs/backends.md.
 *
 * A backend is `{ name, kernels }`, where `kernels` implements some of the {@link KernelTable} entries,
 * keyed by the kernel-name constants below; the baselines reach the kernels as {@link BaselineCode}s.
 *
 * ```ts
 * import { registerBackend, getBackend, passAtKAdvantage } from 'inference-aware-rl';
 * import { BinaryCounts, type KernelTable } from 'inference-aware-rl/backends';
 *
 * const js = getBackend().kernels;
 * const counting: Partial<KernelTable> = {
 *   ...js,
 *   [BinaryCounts]: (values, offsets, counts) => js[BinaryCounts]!(values, offsets, counts),
 * };
 * registerBackend({ name: 'counting', kernels: counting });
 * passAtKAdvantage([1, 0, 0, 1], 2, { backend: 'counting' });
 * ```
 *
 * @packageDocumentation
 * @module inference-aware-rl/backends
 */
export type { Backend, KernelTable, KernelName, Values, BinaryGroupWeights, WeightOut } from './types.js';
export {
  BaselineCode,
  KERNEL_NAMES,
  BinaryWeights,
  BinaryCounts,
  BinaryScatter,
  SegmentedSort,
  MaxAtKWeights,
  SortedMaxMetric,
  GroupMoments,
  AffineScatter,
  SegmentedArgsort,
  BestOfNWeights,
  BestOfNMetric,
  BestOfNSelection,
  OrderStatisticWeights,
  OrderStatisticMetric,
} from './types.js';
