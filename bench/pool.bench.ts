/**
 * Benchmark of the worker pool (inference-aware-rl/pool): the same call — maxAtKWeights on
 * 100,000 groups × n = 64, k = 8 (js and wasm backends; with ordinary arrays, and with the rewards and
 * `out` over a SharedArrayBuffer, which the pool uses in place), bestOfNWeights and
 * majorityVoteWeights — made directly on the calling thread, on a pool of 1 worker and on a pool of 2
 * workers. Every
 * iteration checks the result against the direct call's bits at 4,096 spread-out positions (the whole
 * array is compared once before timing). The ratio that matters is "2 workers" ÷ "1 worker": below 1/2
 * is impossible, 1/1.7 ≈ 0.59 is the target on a 2-core machine. Worker speedups need idle cores: the
 * load average is printed before and after. How to run and read it: docs/benchmarks.md, docs/pool.md.
 */
import os from 'node:os';
import { bestOfNWeights, loadWasmBackend, majorityVoteWeights, maxAtKWeights } from '../src/index.js';
import { createWorkerPool, type WorkerPool } from '../src/pool/index.js';
import { runBench, type BenchCase, type BenchGroup, type BenchReport } from './harness.js';
import { mulberry32 as prng } from '../test/support/prng.js';

const PROBES = 4096;

/** A check of `expected`'s bits at PROBES spread-out positions. */
function sameBits(label: string, expected: Float64Array): (r: unknown) => void {
  const step = Math.max(1, Math.floor(expected.length / PROBES));
  return (r) => {
    const got = r as Float64Array;
    if (got.length !== expected.length) throw new Error(`${label}: length ${got.length}, expected ${expected.length}`);
    for (let i = 0; i < expected.length; i += step) {
      if (!Object.is(got[i], expected[i])) throw new Error(`${label}: element ${i} is ${got[i]}, the direct call gave ${expected[i]}`);
    }
  };
}

/** The full comparison, once before timing. */
function assertSameBits(label: string, got: Float64Array, expected: Float64Array): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(got[i], expected[i])) throw new Error(`${label}: element ${i} differs from the direct call`);
  }
}

interface Workload {
  title: string;
  /** The direct call, writing into `out`. */
  direct: (out: Float64Array) => Float64Array;
  /** The same call on a pool, writing into `out`. */
  pooled: (pool: WorkerPool, out: Float64Array) => Promise<Float64Array>;
  length: number;
  bytes: number;
  /** Outputs over a SharedArrayBuffer too (the pool then copies nothing on the calling thread). */
  shared?: boolean;
}

/** A Float64Array for a workload's output: over shared memory when the workload says so. */
function outFor(w: Workload): Float64Array {
  return w.shared ? new Float64Array(new SharedArrayBuffer(w.length * 8)) : new Float64Array(w.length);
}

async function group(w: Workload, one: WorkerPool, two: WorkerPool): Promise<BenchGroup> {
  const expected = w.direct(new Float64Array(w.length)).slice();
  for (const [name, pool] of [['1 worker', one], ['2 workers', two]] as const) {
    assertSameBits(`${w.title} ${name}`, await w.pooled(pool, outFor(w)), expected);
  }
  const out = outFor(w);
  const pooled = (name: string, pool: WorkerPool): BenchCase => ({
    name,
    async: true,
    fn: () => w.pooled(pool, out),
    check: sameBits(`${w.title} ${name}`, expected),
  });
  return {
    title: w.title,
    baseline: '1 worker',
    bytes: w.bytes,
    elements: w.length,
    cases: [
      { name: 'direct call', fn: () => w.direct(out), check: sameBits(`${w.title} direct`, expected) },
      pooled('1 worker', one),
      pooled('2 workers', two),
    ],
  };
}

function summary(report: BenchReport): string {
  return report.groups
    .map((g) => {
      const one = g.cases.find((c) => c.name === '1 worker')!;
      const two = g.cases.find((c) => c.name === '2 workers')!;
      const direct = g.cases.find((c) => c.name === 'direct call')!;
      return (
        `- ${g.title}: 2 workers are ${(one.medianMs / two.medianMs).toFixed(2)}× one worker ` +
        `and ${(direct.medianMs / two.medianMs).toFixed(2)}× the direct call`
      );
    })
    .join('\n');
}

export default async function poolBench(opts: { quick: boolean }): Promise<void> {
  const groups = opts.quick ? 400 : 100_000;
  const n = 64;
  const k = 8;
  const fmt = `${groups.toLocaleString('en-US')} groups × n = ${n}, k = ${k}`;
  const rng = prng(20_260_218);
  const length = groups * n;
  const g = Float64Array.from({ length }, () => rng());
  // The same rewards over shared memory: what a trainer passes to skip the pool's copies.
  const sharedG = new Float64Array(new SharedArrayBuffer(length * 8));
  sharedG.set(g);
  const scores = Float64Array.from({ length }, () => Math.floor(rng() * 8) / 8);
  const mGroups = opts.quick ? 100 : 10_000;
  const mLength = mGroups * n;
  const answers = Int32Array.from({ length: mLength }, () => Math.floor(rng() ** 2 * 6));
  const answerRewards = Float64Array.from(answers, (a) => (a === 0 ? 1 : 0));
  await loadWasmBackend();
  // inlineBelow: 0, so the quick run exercises the workers too.
  const pools = { one: createWorkerPool({ workers: 1, inlineBelow: 0 }), two: createWorkerPool({ workers: 2, inlineBelow: 0 }) };
  const workloads: Workload[] = [
    ...(['js', 'wasm'] as const).map(
      (backend): Workload => ({
        title: `maxAtKWeights, ${backend} backend, ${fmt}`,
        direct: (out) => maxAtKWeights(g, k, { groupSize: n, backend, out }),
        pooled: (pool, out) => pool.maxAtKWeights(g, k, { groupSize: n, backend, out }),
        length,
        bytes: 16 * length,
      }),
    ),
    ...(['js', 'wasm'] as const).map(
      (backend): Workload => ({
        title: `maxAtKWeights, ${backend} backend, ${fmt}, rewards and out in shared memory`,
        direct: (out) => maxAtKWeights(sharedG, k, { groupSize: n, backend, out }),
        pooled: (pool, out) => pool.maxAtKWeights(sharedG, k, { groupSize: n, backend, out }),
        length,
        bytes: 16 * length,
        shared: true,
      }),
    ),
    {
      title: `bestOfNWeights, js backend, scores on 8 levels, ${fmt}`,
      direct: (out) => bestOfNWeights(scores, g, k, { groupSize: n, backend: 'js', out }),
      pooled: (pool, out) => pool.bestOfNWeights(scores, g, k, { groupSize: n, backend: 'js', out }),
      length,
      bytes: 24 * length,
    },
    {
      title: `majorityVoteWeights, ${mGroups.toLocaleString('en-US')} groups × n = ${n}, k = ${k}, 6 answers`,
      direct: (out) => majorityVoteWeights(answers, answerRewards, k, { groupSize: n, out }),
      pooled: (pool, out) => pool.majorityVoteWeights(answers, answerRewards, k, { groupSize: n, out }),
      length: mLength,
      bytes: 20 * mLength,
    },
  ];
  const benchGroups: BenchGroup[] = [];
  for (const w of workloads) benchGroups.push(await group(w, pools.one, pools.two));
  const report = await runBench('pool', benchGroups, opts);
  await pools.one.close();
  await pools.two.close();
  console.log(`\n${summary(report)}\n- target: 2 workers ≥ 1.7× one worker on maxAtKWeights ${fmt}`);
  console.log(`- load average before: ${report.machine.loadAvg.map((x) => x.toFixed(2)).join(' ')}, after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)\n`);
}
