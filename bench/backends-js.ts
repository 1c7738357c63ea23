/**
 * The backends bench's js rows, measured in a process that never loads WebAssembly (run by
 * bench/backends.bench.ts as a child process; `tsx bench/backends-js.ts [--quick]` runs it alone).
 *
 * Why a separate process: the first ArrayBuffer detach in a V8 process — which every
 * `WebAssembly.Memory.grow` does to the memory's old buffer, so loading the library's wasm backend,
 * allocating views from it, or tfjs's wasm backend all cause one — invalidates V8's
 * "array buffer detaching" protector for the rest of that process. From then on, optimised code checks
 * that a typed array's buffer is still attached on every access it cannot prove safe, and the js
 * kernels, which are made of typed-array accesses, run measurably slower (1.24–1.38× on max@k, ≈1.15× on
 * binary pass@k on this bench's sizes: docs/backends.md). The parent process has done all of that
 * before its js rows run, so it reports the js backend as a process that also uses wasm sees it; this
 * script reports it as a process that only uses the default js backend sees it. Same data (same
 * seeds), same checks, and each table's baseline is the memory floor measured in this process.
 * Writes bench/results/backends-js.json (or .quick.json).
 */
import { fileURLToPath } from 'node:url';
import { bestOfNAdvantage, maxAtKAdvantage, passAtKAdvantage } from '../src/index.js';
import { benchSizes, checker, floorTitle, randomBatch, SEEDS, workloadTitle } from './backends-data.js';
import { MEMCPY_FLOOR, memcpyFloor, runBench, type BenchGroup, type BenchReport } from './harness.js';

/** A table of the js case against the floor (a copy of `input`, the first input), checked against the first call's result. */
function jsGroup(title: string, input: Float64Array, bytes: number, run: (out: Float64Array) => Float64Array): BenchGroup {
  const N = input.length;
  const expected = run(new Float64Array(N)).slice();
  const out = new Float64Array(N);
  return {
    title,
    baseline: MEMCPY_FLOOR,
    bytes,
    elements: N,
    cases: [{ name: 'js', fn: () => run(out), check: checker(expected, 0) }, memcpyFloor(input)],
  };
}

/** Every js row of the backends bench, timed in this process. */
export async function runJsFresh(quick: boolean): Promise<BenchReport> {
  const { sizes, floorSizes } = benchSizes(quick);
  const groups: BenchGroup[] = [];
  for (const [B, n, k] of floorSizes) {
    const g = randomBatch(B * n, true, SEEDS.floor(n));
    groups.push(jsGroup(floorTitle(B, n, k), g, B * n * 16, (out) => passAtKAdvantage(g, k, { groupSize: n, out, backend: 'js' })));
  }
  for (const [B, n, k] of sizes) {
    const N = B * n;
    const gb = randomBatch(N, true, SEEDS.binary);
    groups.push(jsGroup(workloadTitle('binary', B, n, k), gb, N * 16, (out) => passAtKAdvantage(gb, k, { groupSize: n, out, backend: 'js' })));
    const gc = randomBatch(N, false, SEEDS.maxAtK);
    groups.push(jsGroup(workloadTitle('maxAtK', B, n, k), gc, N * 16, (out) => maxAtKAdvantage(gc, k, { groupSize: n, out, backend: 'js' })));
    const scores = randomBatch(N, false, SEEDS.bestOfNScores);
    const rewards = randomBatch(N, false, SEEDS.bestOfNRewards);
    groups.push(
      jsGroup(workloadTitle('bestOfN', B, n, k), scores, N * 24, (out) =>
        bestOfNAdvantage(scores, rewards, k, { groupSize: n, out, backend: 'js' }),
      ),
    );
  }
  return runBench('backends-js', groups, { quick });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runJsFresh(process.argv.includes('--quick'));
}
