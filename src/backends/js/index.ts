/**
 * The reference backend: plain TypeScript kernels, one file per estimator family, assembled into one
 * table. Estimators do not import this table: each imports only its own family's kernels (so a bundle
 * that uses pass@k carries no sort or best-of-N code); this full table is what `getBackend()` returns
 * and what other backends fall back on.
 */
import type { Backend, KernelTable } from '../types.js';
import { bestOfNKernels } from './best-of-n.js';
import { grpoKernels } from './grpo.js';
import { maxAtKKernels } from './max-at-k.js';
import { orderStatisticKernels } from './order-statistics.js';
import { passAtKKernels } from './pass-at-k.js';
import { sortKernels } from './sort.js';

// A pure call (not an object spread, which bundlers must keep): unused, the table is tree-shaken.
const kernels: KernelTable = /* @__PURE__ */ Object.assign(
  {},
  passAtKKernels,
  sortKernels,
  maxAtKKernels,
  grpoKernels,
  bestOfNKernels,
  orderStatisticKernels,
);

/** The reference backend: plain TypeScript, always available, the default. */
export const jsBackend: Backend = { name: 'js', kernels };
