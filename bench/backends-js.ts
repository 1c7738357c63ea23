/**
 * The backends bench's js rows, measured in a process that never loads WebAssembly (run by
 * bench/backends.bench.ts as a child process; `tsx bench/backends-js.ts [--quick] [--with-wasm]` runs it
 * alone), and, with `--with-wasm`, in a process that has loaded the library's wasm backend and grown its
 * memory first.
 *
 * Why separate processes: the first ArrayBuffer detach in a V8 process (`WebAssembly.Memory.grow` does
 * one to the memory's old buffer, as do tfjs's wasm backend and `structuredClone` with `transfer`)
 * invalidates V8's "array buffer detaching" protector for the rest of that process. From then on,
 * optimised code checks that a typed array's buffer is still attached on every access it cannot prove
 * safe, and the js kernels, which are made of typed-array accesses, run measurably slower (docs/backends.md).
 * The library's wasm backend moves to a new memory instead of growing one, so the `--with-wasm` rows
 * should match the plain ones; the parent process has also loaded tfjs-backend-wasm, which grows its
 * memory, so its js rows show the slowdown. Same data (same seeds), same checks, and each table's
 * baseline is the memory floor measured in this process.
 * Writes bench/results/backends-js.json or backends-js-wasm.json (or .quick.json).
 */
import { fileURLToPath } from 'node:url';
import { bestOfNAdvantage, loadWasmBackend, maxAtKAdvantage, passAtKAdvantage } from '../src/index.js';
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

/**
 * Loads the library's wasm backend and makes its memory grow three ways (a call that copies, views
 * from `alloc`, `reserve`), as a trainer that uses both backends would, before the js rows run.
 */
async function growWasm(): Promise<void> {
  const wasm = await loadWasmBackend();
  const g = randomBatch(64 * 4096, false, SEEDS.maxAtK);
  maxAtKAdvantage(g, 8, { groupSize: 64, backend: 'wasm' });
  const view = wasm.alloc(g.length);
  wasm.reserve(64 << 20);
  wasm.refresh(view).set(g);
  maxAtKAdvantage(wasm.refresh(view), 8, { groupSize: 64, backend: 'wasm' });
  wasm.reset();
}

/**
 * Every js row of the backends bench, timed in this process; with `withWasm`, after the library's wasm
 * backend was loaded and its memory grown (report `backends-js-wasm`).
 */
export async function runJsFresh(quick: boolean, withWasm = false): Promise<BenchReport> {
  if (withWasm) await growWasm();
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
  return runBench(withWasm ? 'backends-js-wasm' : 'backends-js', groups, { quick });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runJsFresh(process.argv.includes('--quick'), process.argv.includes('--with-wasm'));
}
