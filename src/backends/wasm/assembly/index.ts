// SIMD WebAssembly kernels (AssemblyScript), one export per kernel of src/backends/types.ts, one file per
// estimator family. Offsets are i32 (B + 1 values), values f64. Build: `npm run build:wasm`.
//
// The max@k, best-of-N and order-statistic kernels repeat the reference kernels' floating-point
// operations in the same order (wasm has no implicit FMA), so both backends give the same bits; the
// others may sum in two SIMD lanes, which changes only the last bits.

export { heapBase } from './memory';
export { binaryCounts, binaryScatter, binaryWeights } from './pass-at-k';
export { groupMoments, affineScatter } from './grpo';
export { segmentedSort, segmentedArgsort, segmentedArgsortScratchBytes, resetArgsortStats, argsortRepaired, argsortExact } from './sort';
export { maxAtKWeights, maxAtKScratchBytes, sortedMaxMetric, sortedMaxMetricScratchBytes } from './max-at-k';
export { bestOfNWeights, bestOfNWeightsScratchBytes, bestOfNMetricScratchBytes, sortedBestOfNMetric, sortedBestOfNSelection } from './best-of-n';
export { orderStatisticApply, orderStatisticMetric } from './order-statistics';
