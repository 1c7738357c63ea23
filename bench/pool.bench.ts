/**
 * Benchmark of the worker pool (inference-aware-rl/pool): the same call — maxAtKWeights on
 * 100,000 groups × n = 64, k = 8 (js and wasm backends; with ordinary arrays, and with the rewards and
 * `out` over a SharedArrayBuffer, which the pool uses in place), bestOfNWeights and
 * majorityVoteWeights — made directly on the calling thread, on a pool of 1 worker and on a pool of 2
 * workers. Every
 * iteration checks the result against the direct call's bits at 4,096 spread-out positions (the whole
 * array is compared once before timing). The ratio that matters is "2 workers" ÷ "1 worker": below 1/2
 * is impossible, 1/1.7 ≈ 0.59 is the target on a 2-core machine. Worker speedups need idle cores: the
 * load average is printed before and after, and the machine's own ceiling for the same max@k work is
 * measured last: the direct call in one process on the whole batch against two independent processes
 * at once on half of it each (bench/pool-ceiling.ts). How to run and read it: docs/benchmarks.md,
 * docs/pool.md.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { bestOfNWeights, loadWasmBackend, majorityVoteWeights, maxAtKWeights } from '../src/index.js';
import { createWorkerPool, type WorkerPool } from '../src/pool/index.js';
import { runBench, type BenchCase, type BenchGroup, type BenchReport } from './harness.js';
import { poolRewards, sameBits } from './pool-data.js';

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

/** A child process of the machine-ceiling measurement (bench/pool-ceiling.ts), started but not yet timing. */
interface CeilingChild {
  ready: Promise<void>;
  go(): void;
  result: Promise<number>;
}

function ceilingChild(backend: string, groups: number, reps: number): CeilingChild {
  const script = fileURLToPath(new URL('./pool-ceiling.ts', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script, backend, String(groups), String(reps)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let text = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    text += chunk;
    if (text.startsWith('ready\n')) onReady();
  });
  const result = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = text.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`bench/pool-ceiling.ts ${backend} ${groups} exited with ${code}`));
      else resolve((JSON.parse(last) as { medianMs: number }).medianMs);
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), result };
}

/** Starts one child per entry of `groups` at once (after every one is ready) and returns their medians. */
async function together(backend: string, groups: number[], reps: number): Promise<number[]> {
  const children = groups.map((g) => ceilingChild(backend, g, reps));
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.go();
  return Promise.all(children.map((c) => c.result));
}

/**
 * What this machine gives two independent processes, without a pool: one process timing the direct
 * call on the whole batch, then two at once, each on half of it, in `rounds` alternating rounds. The
 * ratio (whole ÷ the slower half) is the most a pool of 2 workers could gain over 1 here: no copies, no
 * messages, no shared buffers, only the two cores, their caches and the memory bandwidth.
 */
async function machineCeiling(
  backend: string,
  groups: number,
  reps: number,
  rounds: number,
): Promise<{ backend: string; wholeMs: number[]; halvesMs: number[]; fasterHalfMs: number[]; ratio: number }> {
  const wholeMs: number[] = [];
  const halvesMs: number[] = [];
  const fasterHalfMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    wholeMs.push((await together(backend, [groups], reps))[0]!);
    const halves = await together(backend, [groups >> 1, groups - (groups >> 1)], reps);
    halvesMs.push(Math.max(...halves));
    fasterHalfMs.push(Math.min(...halves));
  }
  const median = (x: number[]): number => x.slice().sort((a, b) => a - b)[x.length >> 1]!;
  return { backend, wholeMs, halvesMs, fasterHalfMs, ratio: median(wholeMs) / median(halvesMs) };
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
  const length = groups * n;
  const { rewards: g, rng } = poolRewards(length);
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
  // The machine's own ceiling for the same work, measured right after the pool's rows.
  const ceilings = [];
  for (const backend of ['js', 'wasm']) ceilings.push(await machineCeiling(backend, groups, opts.quick ? 2 : backend === 'js' ? 5 : 15, opts.quick ? 1 : 3));
  console.log(`### machine ceiling: maxAtKWeights, ${fmt}, direct calls in independent processes (no pool)\n`);
  console.log('| backend | 1 process, whole batch (per round) | 2 processes at once, half each: the slower (the faster), per round | whole ÷ slower half (medians) |');
  console.log('| --- | ---: | ---: | ---: |');
  const ms = (x: number[]): string => x.map((t) => t.toFixed(1)).join(', ');
  for (const c of ceilings) {
    const halves = c.halvesMs.map((t, i) => `${t.toFixed(1)} (${c.fasterHalfMs[i]!.toFixed(1)})`).join(', ');
    console.log(`| ${c.backend} | ${ms(c.wholeMs)} ms | ${halves} ms | ${c.ratio.toFixed(2)}× |`);
  }
  console.log('\nThe most 2 workers can gain over 1 on this machine for this work: each process times the direct call with ordinary arrays (copies into wasm included), as a worker does on its chunk.\n');
  const json = JSON.parse(readFileSync(report.file, 'utf8')) as Record<string, unknown>;
  writeFileSync(report.file, `${JSON.stringify({ ...json, machineCeiling: ceilings }, null, 2)}\n`);
}
