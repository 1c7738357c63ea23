/**
 * One process of the pool bench's machine-ceiling measurement (run by bench/pool.bench.ts as a child
 * process): the direct `maxAtKWeights` call on `groups` groups × n = 64, k = 8 (the same rewards as the
 * pool bench's first `groups` groups), with ordinary arrays, on the given backend — the work a pool
 * worker does on its share of the batch. It builds the data, warms up (≥ 1 s), prints `ready`, waits for a line
 * on stdin (the parent starts every child at once), then times `reps` calls, checks each result against
 * the first call's bits at spread-out positions, and prints one JSON line: the median and every time
 * in ms.
 *
 * Usage: `tsx bench/pool-ceiling.ts <js|wasm> <groups> <reps>`.
 */
import { createInterface } from 'node:readline';
import { loadWasmBackend, maxAtKWeights } from '../src/index.js';
import { poolRewards, sameBits } from './pool-data.js';

const [backend, groupsArg, repsArg] = process.argv.slice(2);
if ((backend !== 'js' && backend !== 'wasm') || groupsArg === undefined || repsArg === undefined) {
  console.error('usage: tsx bench/pool-ceiling.ts <js|wasm> <groups> <reps>');
  process.exit(2);
}
const n = 64;
const k = 8;
const groups = Number(groupsArg);
const reps = Number(repsArg);
if (backend === 'wasm') await loadWasmBackend();
const g = poolRewards(groups * n).rewards;
const out = new Float64Array(g.length);
const expected = maxAtKWeights(g, k, { groupSize: n, backend }).slice();
// Warm-up: at least 2 calls and 1 s, so the timed calls run fully optimised code.
const warm = performance.now();
for (let i = 0; i < 2 || performance.now() - warm < 1000; i++) maxAtKWeights(g, k, { groupSize: n, backend, out });
console.log('ready');
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close();
const check = sameBits(`pool-ceiling ${backend} ${groups}`, expected);
const times: number[] = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  maxAtKWeights(g, k, { groupSize: n, backend, out });
  times.push(performance.now() - t0);
  check(out);
}
const sorted = times.slice().sort((a, b) => a - b);
console.log(JSON.stringify({ medianMs: sorted[sorted.length >> 1], times }));
