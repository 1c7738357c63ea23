// The worker pool on one large batch (docs/pool.md): maxAtKWeights on B groups of 64 rewards, k = 8,
// directly and on a pool of 2 workers; checks that every weight has the same bits. Run it from the
// repository root after `npm run build` (or anywhere the package is installed):
//
//   node docs/examples/pool.mjs          # B = 100,000
//   node docs/examples/pool.mjs 2000     # a smaller batch
import { maxAtKWeights, mulberry32 } from 'inference-aware-rl';
import { createWorkerPool } from 'inference-aware-rl/pool';

const B = Number(process.argv[2] ?? 100_000);
const n = 64;
const k = 8;
const rng = mulberry32(1);
const rewards = Float64Array.from({ length: B * n }, () => rng());

const pool = createWorkerPool({ workers: 2 });
await pool.maxAtKWeights(rewards, k, { groupSize: n }); // starts the workers and warms them up

let t = performance.now();
const direct = maxAtKWeights(rewards, k, { groupSize: n });
const directMs = performance.now() - t;

t = performance.now();
const pooled = await pool.maxAtKWeights(rewards, k, { groupSize: n });
const pooledMs = performance.now() - t;

const same = pooled.length === direct.length && pooled.every((x, i) => Object.is(x, direct[i]));
console.log(`${B} groups × ${n}, k = ${k}: direct ${directMs.toFixed(0)} ms, 2 workers ${pooledMs.toFixed(0)} ms`);
console.log(`same bits: ${same}; calls on the workers: ${pool.stats.workers}`);

// Bad arguments reject with the direct call's typed error, before any work is sent to a worker.
try {
  await pool.maxAtKWeights(rewards, 65, { groupSize: n });
} catch (e) {
  console.log(`${e.name}: ${e.message}`);
}
await pool.close();
