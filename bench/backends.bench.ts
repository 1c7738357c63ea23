/**
 * Benchmark of the `js` and `wasm` backends on binary passAtKAdvantage, continuous
 * maxAtKAdvantage and bestOfNAdvantage (default baseline 'loo-1'), against the memory floor (a Float64Array.prototype.set of
 * the same bytes, `memcpyFloor`: every ratio in a table is to it, measured in the same run), against what
 * a user would write without this library: the same weights composed from @tensorflow/tfjs-core ops on
 * @tensorflow/tfjs-backend-wasm (topk, cumsum, scatterND, gather), and against numpy, vectorised
 * (bench/backends.numpy.py, run when python3 and numpy are present), as numpy's ratio to its own floor.
 * Sizes: 100,000 groups × n = 64, k = 8 and 1,000 groups × n = 1024, k = 64 (`--quick`: tiny).
 * Targets (ratios to the floor): max@k 100,000 × 64 wasm views ≤ 5×, js ≤ 30×; max@k 1,000 × 1024
 * wasm ≤ 12×; best-of-N 100,000 × 64 wasm views ≤ 7×; every row ahead of numpy's ratio. Benchmarks
 * report, they never assert. Results and discussion: docs/backends.md.
 *
 * First, binary pass@k against the memory floor measured in the same run (`Float64Array.prototype.set`
 * of the input's bytes, the group's baseline, so every ratio is "× floor"), with a target per row:
 * 100,000 × 64 (k = 8) on wasm views ≤ 1.15×, wasm views with a Float32Array out ≤ 0.95×, wasm with
 * copies ≤ 3×, js ≤ 3×; 1,000 × 1024 (k = 8) on wasm views ≤ 1.6×. When `python3 -c "import numpy"`
 * works, bench/pass-at-k.numpy.py times numpy's vectorised version of the same weights on the same data
 * (a temp file) against numpy's own copy of the same bytes, and its ratio is printed next to ours.
 * Benchmarks report; they never assert a speed.
 *
 * The js rows are also timed first in a child process that never loads WebAssembly
 * (bench/backends-js.ts), because growing a WebAssembly memory, which this process does, slows V8's
 * typed-array code for the rest of the process; the last table puts both next to each other.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { bestOfNAdvantage, maxAtKAdvantage, passAtKAdvantage } from '../src/index.js';
import { failAtKUnchecked, subsetMaxWeights } from '../src/combinatorics.js';
import { binaryPassWeights } from '../src/estimators/pass-at-k.js';
import { loadWasmBackend, type WasmBackend } from '../src/backends/wasm/index.js';
import { jsBackend } from '../src/backends/js/index.js';
import { BaselineCode } from '../src/backends/types.js';
import { MEMCPY_FLOOR, memcpyFloor, runBench, type BenchCase, type BenchGroup, type BenchReport } from './harness.js';
import { benchSizes, checker, floorTitle, randomBatch, SEEDS, workloadTitle } from './backends-data.js';

/**
 * max@k weights with the 'loo-1' baseline from tfjs ops: sort each row (topk with k = n, reversed to
 * ascending), w_(p) = Σ_{q≤p} μ_q (y_(q) − y_(q−1)) as a cumsum, scattered back to input order.
 * float32, as every tfjs backend computes.
 */
export function tfjsMaxAtKLoo1(g: Float64Array, n: number, k: number): Float32Array {
  const B = g.length / n;
  const mu = subsetMaxWeights(n, k, new Float64Array(n));
  return tf.tidy(() => {
    const x = tf.tensor2d(Float32Array.from(g), [B, n]);
    const { values, indices } = tf.topk(x, n, true);
    const sorted = tf.reverse(values, 1);
    const order = tf.reverse(indices, 1);
    const prev = tf.concat([tf.slice(sorted, [0, 0], [B, 1]), tf.slice(sorted, [0, 0], [B, n - 1])], 1);
    const steps = tf.mul(tf.sub(sorted, prev), tf.tensor1d(Float32Array.from(mu)));
    const w = tf.cumsum(steps, 1);
    const rows = tf.broadcastTo(tf.reshape(tf.range(0, B, 1, 'int32'), [B, 1]), [B, n]);
    const at = tf.stack([rows, order], 2);
    return tf.scatterND(at, w, [B, n]).dataSync() as Float32Array;
  });
}

/**
 * pass@k weights with the 'loo-1' baseline from tfjs ops: count the ones per row, look the correct
 * sample's weight up in a per-count table (k/n)·C(n−c, k−1)/C(n−1, k−1) built in JS, and select it
 * where the reward is 1 (incorrect samples get 0).
 */
export function tfjsPassAtKLoo1(rewards: Float64Array, n: number, k: number): Float32Array {
  const B = rewards.length / n;
  const table = new Float32Array(n + 1);
  for (let c = 1; c <= n; c++) table[c] = (k / n) * failAtKUnchecked(n - 1, c - 1, k - 1);
  return tf.tidy(() => {
    const r = tf.tensor2d(Float32Array.from(rewards), [B, n]);
    const counts = tf.cast(tf.sum(r, 1), 'int32');
    const wc = tf.reshape(tf.gather(tf.tensor1d(table), counts), [B, 1]);
    return tf.mul(r, wc).dataSync() as Float32Array;
  });
}

function groupsFor(wasm: WasmBackend, B: number, n: number, k: number, tfjsOk: boolean): BenchGroup[] {
  const N = B * n;
  const bytes = N * 16;
  const groups: BenchGroup[] = [];
  for (const binary of [true, false]) {
    const g = randomBatch(N, binary, binary ? SEEDS.binary : SEEDS.maxAtK);
    const out = new Float64Array(N);
    const run = binary
      ? (x: ArrayLike<number>, o: Float64Array, backend: string) => passAtKAdvantage(x, k, { groupSize: n, out: o, backend })
      : (x: ArrayLike<number>, o: Float64Array, backend: string) => maxAtKAdvantage(x, k, { groupSize: n, out: o, backend });
    const expected = run(g, new Float64Array(N), 'js').slice();
    const gView = wasm.alloc(N);
    gView.set(g);
    const outView = wasm.alloc(N);
    const cases: BenchCase[] = [
      { name: 'js', fn: () => run(g, out, 'js'), check: checker(expected, 1e-12) },
      { name: 'wasm (copies in/out)', fn: () => run(g, out, 'wasm'), check: checker(expected, 1e-12) },
      {
        name: 'wasm (zero-copy views)',
        fn: () => run(gView, outView, 'wasm'),
        check: checker(expected, 1e-12),
        note: 'input and output live in wasm memory (backend.alloc); per-group pass@k weights still go through JS; max@k runs one fused kernel per batch, each group in cache',
      },
      memcpyFloor(g),
    ];
    if (tfjsOk) {
      cases.push({
        name: 'tfjs-core ops on tfjs-backend-wasm',
        fn: () => (binary ? tfjsPassAtKLoo1(g, n, k) : tfjsMaxAtKLoo1(g, n, k)),
        check: checker(expected, 1e-3),
        note: 'float32; includes tensor creation and dataSync',
      });
    }
    groups.push({
      title: workloadTitle(binary ? 'binary' : 'maxAtK', B, n, k),
      baseline: MEMCPY_FLOOR,
      bytes,
      elements: N,
      cases,
    });
  }
  // bestOfNAdvantage: verifier scores pick, rewards are paid (no tfjs version: its tie-split weights
  // have no short composition from tfjs ops).
  const scores = randomBatch(N, false, SEEDS.bestOfNScores);
  const rewards = randomBatch(N, false, SEEDS.bestOfNRewards);
  const out = new Float64Array(N);
  const run = (s: ArrayLike<number>, r: ArrayLike<number>, o: Float64Array, backend: string) =>
    bestOfNAdvantage(s, r, k, { groupSize: n, out: o, backend });
  const expected = run(scores, rewards, new Float64Array(N), 'js').slice();
  const sView = wasm.alloc(N);
  sView.set(scores);
  const rView = wasm.alloc(N);
  rView.set(rewards);
  const outView = wasm.alloc(N);
  groups.push({
    title: workloadTitle('bestOfN', B, n, k),
    baseline: MEMCPY_FLOOR,
    bytes: N * 24,
    elements: N,
    cases: [
      { name: 'js', fn: () => run(scores, rewards, out, 'js'), check: checker(expected, 1e-12) },
      { name: 'wasm (copies in/out)', fn: () => run(scores, rewards, out, 'wasm'), check: checker(expected, 1e-12) },
      { name: 'wasm (zero-copy views)', fn: () => run(sView, rView, outView, 'wasm'), check: checker(expected, 1e-12) },
      memcpyFloor(scores),
    ],
  });
  return groups;
}

/**
 * Where maxAtKAdvantage spends its time: the stable argsort alone (the kernel best-of-N and order
 * statistics use) and the fused max@k kernel called directly on views (no validation, no estimator), on
 * each backend, against the floor.
 */
function kernelGroup(wasm: WasmBackend, B: number, n: number, k: number): BenchGroup {
  const N = B * n;
  const g = randomBatch(N, false, 3);
  const offsets = new Int32Array(B + 1);
  for (let b = 0; b <= B; b++) offsets[b] = b * n;
  const js = jsBackend.kernels;
  const perm = new Int32Array(N);
  const out = new Float64Array(N);
  const v = { g: wasm.alloc(N), out: wasm.alloc(N), perm: wasm.allocInt32(N), offsets: wasm.allocInt32(B + 1) };
  v.g.set(g);
  v.offsets.set(offsets);
  const w = wasm.kernels;
  const need = <T>(f: T | undefined): T => {
    if (f === undefined) throw new Error('kernel missing');
    return f;
  };
  need(js.segmentedArgsort)(g, offsets, perm);
  const permRef = perm.slice();
  need(js.maxAtKWeights)(g, offsets, k, BaselineCode['loo-1'], false, out);
  const weightsRef = out.slice();
  const sameAs = (ref: ArrayLike<number>) => (r: unknown) => {
    const got = r as ArrayLike<number>;
    if (got[N - 1] !== ref[N - 1] || got[N >> 1] !== ref[N >> 1]) throw new Error('kernel result differs from js');
  };
  return {
    title: `maxAtKAdvantage's kernels, ${B.toLocaleString('en')} groups × n = ${n}, k = ${k} (wasm on views)`,
    baseline: MEMCPY_FLOOR,
    elements: N,
    cases: [
      { name: 'js segmentedArgsort', fn: () => (need(js.segmentedArgsort)(g, offsets, perm), perm), check: sameAs(permRef) },
      { name: 'wasm segmentedArgsort', fn: () => (need(w.segmentedArgsort)(v.g, v.offsets, v.perm), v.perm), check: sameAs(permRef) },
      {
        name: 'js maxAtKWeights kernel',
        fn: () => (need(js.maxAtKWeights)(g, offsets, k, BaselineCode['loo-1'], false, out), out),
        check: sameAs(weightsRef),
      },
      {
        name: 'wasm maxAtKWeights kernel',
        fn: () => (need(w.maxAtKWeights)(v.g, v.offsets, k, BaselineCode['loo-1'], false, v.out), v.out),
        check: sameAs(weightsRef),
      },
      memcpyFloor(g),
    ],
  };
}

/** numpy's ratios to its own floor on the same work, or why they are missing. */
function numpyRows(sizes: [number, number, number][], quick: boolean): string {
  const script = fileURLToPath(new URL('./backends.numpy.py', import.meta.url));
  const lines = ['| workload | numpy floor (np.copyto) | numpy max@k loo-1 | ratio | numpy best-of-N loo-1 | ratio |', '|---|---:|---:|---:|---:|---:|'];
  const results: unknown[] = [];
  for (const [B, n, k] of sizes) {
    let r: { numpy: string; floorMs: number; maxAtKMs: number; bestOfNMs: number; maxAtKRatio: number; bestOfNRatio: number };
    try {
      const text = execFileSync('python3', [script, String(B), String(n), String(k), quick ? '2' : '9'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      r = JSON.parse(text) as typeof r;
    } catch (e) {
      return `numpy rows skipped: python3 with numpy is not available (${(e as Error).message.split('\n')[0]})`;
    }
    results.push({ B, n, k, ...r });
    lines.push(
      `| ${B.toLocaleString('en')} × ${n}, k = ${k} | ${r.floorMs.toFixed(2)} ms | ${r.maxAtKMs.toFixed(1)} ms | ${r.maxAtKRatio.toFixed(1)}× | ${r.bestOfNMs.toFixed(1)} ms | ${r.bestOfNRatio.toFixed(1)}× |`,
    );
  }
  if (!quick) {
    const file = fileURLToPath(new URL('./results/backends.numpy.json', import.meta.url));
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  }
  return `### numpy, vectorised, on the same work (ratio to numpy's own floor)\n\n${lines.join('\n')}`;
}

/** A row of the floor table: a case of a floor group and the ratio it should stay under. */
interface FloorTarget {
  group: string;
  name: string;
  target: number;
}

/**
 * Binary pass@k (loo-1, k = 8) against the memory floor: the floor case is the group's baseline. Every
 * case's result is checked against the js result on every iteration (the Float32 one against its fround).
 */
function binaryFloorGroups(wasm: WasmBackend, B: number, n: number, k: number, full: boolean): { group: BenchGroup; targets: FloorTarget[]; data: Float64Array; expected: Float64Array } {
  const N = B * n;
  const g = randomBatch(N, true, SEEDS.floor(n));
  const run = <O extends Float64Array | Float32Array>(x: ArrayLike<number>, o: O, backend: string): O =>
    passAtKAdvantage(x, k, { groupSize: n, out: o, backend });
  const expected = run(g, new Float64Array(N), 'js').slice();
  const expected32 = Float32Array.from(expected);
  const gView = wasm.alloc(N);
  gView.set(g);
  const outView = wasm.alloc(N);
  const out32View = wasm.allocFloat32(N);
  const out = new Float64Array(N);
  const floorOut = new Float64Array(N);
  const title = floorTitle(B, n, k);
  const floor = 'memory floor (Float64Array.set of the input bytes)';
  const check32 = (r: unknown): void => {
    const got = r as Float32Array;
    for (const i of [0, 1, 2, 3, N >> 1, N - 1]) {
      if (!Object.is(got[i], expected32[i])) throw new Error(`float32 result[${i}] = ${got[i]}, fround(js) gives ${expected32[i]}`);
    }
  };
  const cases: BenchCase[] = [
    {
      name: floor,
      fn: () => (floorOut.set(g), floorOut),
      check: (r) => {
        if ((r as Float64Array)[N - 1] !== g[N - 1]) throw new Error('floor copy wrong');
      },
    },
    {
      name: 'wasm views',
      fn: () => run(gView, outView, 'wasm'),
      check: checker(expected, 0),
      note: 'rewards and weights in wasm memory (wasm.alloc): one fused pass, f64 stores; the per-(n, c) weight table is kept from the previous call',
    },
  ];
  if (!full) {
    // What the first call with a given (n, k, baseline) pays: a fresh weights function per call, so the
    // kernel stops at each new count to have its weights computed (no target: a trainer repeats its n and k).
    const offsets = new Int32Array(B + 1).map((_, b) => b * n);
    cases.push({
      name: 'wasm views, first call (kernel only)',
      fn: () => {
        const bad = wasm.kernels.binaryWeights!(gView, offsets, (size, c) => binaryPassWeights(size, c, k, 'loo-1'), outView);
        if (bad !== -1) throw new Error(`binaryWeights returned ${bad}`);
        return outView;
      },
      check: checker(expected, 0),
      note: 'the fused kernel with a new weights function each call: every distinct count computes its weights (≈ 100 here)',
    });
  }
  const targets: FloorTarget[] = [{ group: title, name: 'wasm views', target: full ? 1.15 : 1.6 }];
  if (full) {
    cases.push(
      {
        name: 'wasm views, Float32 out',
        fn: () => run(gView, out32View, 'wasm'),
        check: check32,
        note: 'weights written as f32 (wasm.allocFloat32): 12 bytes per sample against the floor\'s 16',
      },
      { name: 'wasm with copies', fn: () => run(g, out, 'wasm'), check: checker(expected, 0), note: 'JS arrays: copied in once, out once' },
      { name: 'js', fn: () => run(g, out, 'js'), check: checker(expected, 0) },
    );
    targets.push(
      { group: title, name: 'wasm views, Float32 out', target: 0.95 },
      { group: title, name: 'wasm with copies', target: 3 },
      { group: title, name: 'js', target: 3 },
    );
  }
  return { group: { title, baseline: floor, bytes: N * 16, elements: N, cases }, targets, data: g, expected };
}

/** numpy's vectorised binary pass@k on the same data, or why it was skipped. */
function runNumpy(data: Float64Array, expected: Float64Array, n: number, k: number, samples: number): { medianMs: number; floorMs: number; ratio: number; numpy: string } | { skipped: string } {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return { skipped: `python3 with numpy not available (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()})` };
  const dir = mkdtempSync(join(tmpdir(), 'iarl-numpy-'));
  try {
    const input = join(dir, 'rewards.f64');
    const output = join(dir, 'weights.f64');
    writeFileSync(input, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const script = fileURLToPath(new URL('./pass-at-k.numpy.py', import.meta.url));
    const r = spawnSync('python3', [script, input, String(n), String(k), String(samples), output], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) return { skipped: `numpy script failed: ${r.stderr.trim().split('\n').pop()}` };
    const res = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { medianMs: number; floorMs: number; numpy: string };
    // The same weights (to rounding: numpy forms the table as a product, the library as a log1p sum).
    const bytes = readFileSync(output);
    const w = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    let worst = 0;
    for (let i = 0; i < expected.length; i += 997) worst = Math.max(worst, Math.abs((w[i] as number) - (expected[i] as number)));
    if (!(worst <= 1e-12)) throw new Error(`numpy weights differ from the library's by ${worst}`);
    return { ...res, ratio: res.medianMs / res.floorMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints "ratio to floor vs target" per row and the numpy comparison; returns them for the JSON file. */
function floorSummary(report: BenchReport, targets: FloorTarget[], numpy: Record<string, unknown>): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  console.log('### binary pass@k: time ÷ memory floor (same run) against the targets\n');
  console.log('| workload | case | × floor | target | |');
  console.log('| --- | --- | ---: | ---: | --- |');
  for (const t of targets) {
    const g = report.groups.find((x) => x.title === t.group);
    const c = g?.cases.find((x) => x.name === t.name);
    if (g === undefined || c === undefined) continue;
    const met = c.ratio <= t.target;
    rows.push({ group: t.group, case: t.name, ratioToFloor: c.ratio, target: t.target, met });
    console.log(`| ${t.group.replace(/^.*floor, /, '')} | ${t.name} | ${c.ratio.toFixed(2)}× | ≤ ${t.target}× | ${met ? 'met' : 'MISSED'} |`);
  }
  for (const [size, r] of Object.entries(numpy)) {
    const x = r as { ratio?: number; medianMs?: number; floorMs?: number; skipped?: string };
    console.log(
      x.skipped !== undefined
        ? `| ${size} | numpy vectorised | skipped: ${x.skipped} | | |`
        : `| ${size} | numpy vectorised (its own floor: np.copyto, ${x.floorMs!.toFixed(2)} ms) | ${x.ratio!.toFixed(2)}× | (reference) | ${x.medianMs!.toFixed(2)} ms |`,
    );
  }
  console.log('');
  return rows;
}

/**
 * The js rows again, from a child process that never loads WebAssembly, or (`withWasm`) one that loads
 * only this library's wasm backend and grows its memory (bench/backends-js.ts: a detach anywhere in a
 * process slows typed-array code for the rest of it, and this process loads tfjs-backend-wasm, which
 * detaches its memory's buffers as it grows). Returns its report, or why it is missing.
 */
function jsChildProcess(quick: boolean, withWasm: boolean): BenchReport | { skipped: string } {
  const script = fileURLToPath(new URL('./backends-js.ts', import.meta.url));
  const args = [...process.execArgv, script, ...(quick ? ['--quick'] : []), ...(withWasm ? ['--with-wasm'] : [])];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) return { skipped: `bench/backends-js.ts exited with ${r.status ?? r.signal ?? r.error?.message}` };
  const name = withWasm ? 'backends-js-wasm' : 'backends-js';
  const file = fileURLToPath(new URL(`./results/${name}${quick ? '.quick' : ''}.json`, import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
}

/** The js rows of the three processes side by side, with the targets that apply to them. */
function jsSummary(fresh: BenchReport | { skipped: string }, withWasm: BenchReport | { skipped: string }, here: BenchReport[]): void {
  console.log('### js backend: without wasm (child), with this library\'s wasm grown (child), and in this process (also tfjs-backend-wasm)\n');
  if ('skipped' in fresh) {
    console.log(`skipped: ${fresh.skipped}\n`);
    return;
  }
  const targets: Record<string, number> = {
    [floorTitle(100_000, 64, 8)]: 3,
    [workloadTitle('maxAtK', 100_000, 64, 8)]: 30,
  };
  const find = (reports: BenchReport[], title: string) => reports.flatMap((r) => r.groups).find((x) => x.title === title)?.cases.find((c) => c.name === 'js');
  const show = (c: { ratio: number; medianMs: number } | undefined) => (c === undefined ? '—' : `${c.ratio.toFixed(2)}× (${c.medianMs.toFixed(2)} ms)`);
  const verdict = (c: { ratio: number } | undefined, t: number) => (c === undefined ? '—' : c.ratio <= t ? 'met' : 'MISSED');
  console.log('| workload | js, no wasm (× floor) | js, library wasm grown (× floor) | js, this process (× floor) | target: no wasm / library wasm / this process |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const g of fresh.groups) {
    const a = g.cases.find((c) => c.name === 'js');
    if (a === undefined) continue;
    const w = 'skipped' in withWasm ? undefined : find([withWasm], g.title);
    const b = find(here, g.title);
    const t = targets[g.title];
    const v = t === undefined ? '' : `≤ ${t}×: ${verdict(a, t)} / ${verdict(w, t)} / ${verdict(b, t)}`;
    console.log(`| ${g.title} | ${show(a)} | ${show(w)} | ${show(b)} | ${v} |`);
  }
  if ('skipped' in withWasm) console.log(`\n(the library-wasm child was skipped: ${withWasm.skipped})`);
  console.log('');
}

export default async function (opts: { quick: boolean }): Promise<void> {
  const fresh = jsChildProcess(opts.quick, false);
  const withWasm = jsChildProcess(opts.quick, true);
  const wasm = await loadWasmBackend();
  let tfjsOk = true;
  try {
    tfjsOk = await tf.setBackend('wasm');
    await tf.ready();
  } catch (e) {
    console.warn(`tfjs wasm backend unavailable (${String(e)}); skipping the tfjs cases`);
    tfjsOk = false;
  }
  const { sizes, floorSizes } = benchSizes(opts.quick);
  // Memory for every view (2 per group) plus the largest call's temporaries (≤ 4 arrays + offsets),
  // grown once up front so that no later call grows it and detaches the views.
  const kernelSize: [number, number, number] = opts.quick ? [200, 64, 8] : [100_000, 64, 8];
  const maxN = Math.max(...sizes.map(([B, n]) => B * n));
  const viewBytes =
    sizes.reduce((t, [B, n]) => t + 7 * (B * n * 8 + 16), 0) + 4 * (kernelSize[0] * kernelSize[1] * 8 + 16) + 4 * kernelSize[0] + 32;
  // The floor groups' views: rewards and f64 out (8 bytes each) and the f32 out (4) per sample.
  const floorBytes = floorSizes.reduce((t, [B, n]) => t + 20 * B * n + 64, 0);
  wasm.reset();
  wasm.reserve(viewBytes + floorBytes + 6 * maxN * 8 + 1e6);
  const groups: BenchGroup[] = [];
  const targets: FloorTarget[] = [];
  const numpy: Record<string, unknown> = {};
  for (const [B, n, k, full] of floorSizes) {
    const f = binaryFloorGroups(wasm, B, n, k, full);
    groups.push(f.group);
    targets.push(...f.targets);
    numpy[`${B.toLocaleString('en')} × ${n}`] = runNumpy(f.data, f.expected, n, k, opts.quick ? 2 : 9);
  }
  // The floor table first, on its own with more samples (its cases take milliseconds, and medians of
  // more samples hold up better on a shared machine): bench/results/backends-binary-floor.json.
  const floorReport = await runBench('backends-binary-floor', groups, { quick: opts.quick, ...(opts.quick ? {} : { samples: 21 }) });
  const rows = floorSummary(floorReport, targets, numpy);
  // The targets and numpy's figures go into the same JSON file as the tables.
  const json = JSON.parse(readFileSync(floorReport.file, 'utf8')) as Record<string, unknown>;
  writeFileSync(floorReport.file, `${JSON.stringify({ ...json, floorTargets: rows, numpy }, null, 2)}\n`);
  const rest: BenchGroup[] = [];
  for (const [B, n, k] of sizes) rest.push(...groupsFor(wasm, B, n, k, tfjsOk));
  rest.push(kernelGroup(wasm, ...kernelSize));
  const restReport = await runBench('backends', rest, { quick: opts.quick });
  console.log(`\n${numpyRows(sizes, opts.quick)}\n`);
  jsSummary(fresh, withWasm, [floorReport, restReport]);
}
