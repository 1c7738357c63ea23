/**
 * The worker pool (inference-aware-rl/pool): every method returns the same bits as the direct call
 * (Object.is on every element) over many random layouts — uniform and ragged groups, fewer groups than
 * workers, every baseline and option value, the js and wasm backends, shared and transferred memory,
 * a caller's `out` — and rejects bad arguments with the direct call's error (class, argument and
 * message), before any work is posted to a worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINES,
  getBackend,
  registerBackend,
  bestOfNWeights,
  bestOfNAtK,
  bonRlBinaryWeights,
  chenPassAtKWeights,
  grpoWeights,
  InferenceAwareRLError,
  InvalidArgumentError,
  loadWasmBackend,
  majorityAtK,
  majorityVoteWeights,
  maxAtK,
  maxAtKWeights,
  orderStatisticWeights,
  orderStatisticAtK,
  passAtKWeights,
  passHatKWeights,
  rlooWeights,
  TIE_POLICIES,
} from '../../src/index.js';
import { overflowRescues } from '../../src/estimators/weights.js';
import { createWorkerPool, POOL_CHECK_BACKEND, type WorkerPool } from '../../src/pool/index.js';
import { mulberry32 } from '../support/prng.js';
import { BAD_INTEGERS, BAD_LAYOUTS, BAD_OPTS, badArrays, badOuts, FUNCTIONS } from '../support/hostile.js';

type Rng = () => number;
type Direct = (...args: unknown[]) => unknown;

/** A random batch: its layout and per-sample data. */
interface Batch {
  readonly layout: { groupSize: number } | { groupOffsets: number[] };
  readonly sizes: number[];
  readonly length: number;
}

function drawBatch(rng: Rng, minSize: number, ragged: boolean): Batch {
  const groups = 1 + Math.floor(rng() * 12);
  if (!ragged) {
    const size = minSize + Math.floor(rng() * 20);
    return { layout: { groupSize: size }, sizes: new Array(groups).fill(size), length: groups * size };
  }
  const sizes = Array.from({ length: groups }, () => minSize + Math.floor(rng() * 24));
  const offsets = [0];
  for (const s of sizes) offsets.push(offsets[offsets.length - 1]! + s);
  return { layout: { groupOffsets: offsets }, sizes, length: offsets[groups]! };
}

/** Continuous rewards with ties (a few distinct levels per group) and a random scale. */
function reals(rng: Rng, length: number): Float64Array {
  const scale = [1, 1e-3, 1e6, 1e-300, 1e150][Math.floor(rng() * 5)]!;
  const levels = 2 + Math.floor(rng() * 10);
  return Float64Array.from({ length }, () => (rng() < 0.3 ? Math.floor(rng() * levels) / levels : rng() * 2 - 1) * scale);
}

const binary = (rng: Rng, length: number): number[] => Array.from({ length }, () => (rng() < 0.4 ? 1 : 0));

/** Answers as small integers, strings (some null) or an Int32Array, rewards equal for equal answers. */
function answers(rng: Rng, length: number): { answers: ArrayLike<unknown>; rewards: number[] } {
  const kind = pick(rng, ['numbers', 'strings', 'int32'] as const);
  const a = Array.from({ length }, () => (kind !== 'int32' && rng() < 0.1 ? null : Math.floor(rng() * 5)));
  const rewards = a.map((x) => (x === null ? 0 : x === 0 ? 1 : x === 3 ? 0.5 : 0));
  if (kind === 'int32') return { answers: Int32Array.from(a as number[]), rewards };
  return { answers: kind === 'strings' ? a.map((x) => (x === null ? null : `ans${x}`)) : a, rewards };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

/** One call of every pooled estimator on a random batch: [name, args]. */
interface Case {
  readonly name: string;
  readonly args: unknown[];
}

const K_SAMPLE = (rng: Rng, maxK: number): { k: number; baseline: string; scale: string } => {
  const baseline = pick(rng, BASELINES);
  const k = 1 + Math.floor(rng() * maxK);
  return { k, baseline, scale: pick(rng, ['sum', 'mean']) };
};

function drawCase(rng: Rng, name: string, backend: string | undefined): Case {
  const ragged = rng() < 0.5;
  const bk = backend === undefined ? {} : { backend };
  switch (name) {
    case 'maxAtKWeights':
    case 'passAtKWeights':
    case 'passHatKWeights':
    case 'orderStatisticWeights':
    case 'bestOfNWeights': {
      const { k, baseline, scale } = K_SAMPLE(rng, 6);
      const batch = drawBatch(rng, k + 1, ragged);
      const opts = { ...batch.layout, baseline, scale, ...bk };
      if (name === 'maxAtKWeights') return { name, args: [reals(rng, batch.length), k, opts] };
      if (name === 'passAtKWeights' || name === 'passHatKWeights') return { name, args: [binary(rng, batch.length), k, opts] };
      if (name === 'bestOfNWeights') return { name, args: [reals(rng, batch.length), reals(rng, batch.length), k, opts] };
      const alpha = pick(rng, ['max', 'min', 'mean', 'median'] as const);
      return { name, args: [reals(rng, batch.length), k, alpha, opts] };
    }
    case 'chenPassAtKWeights':
    case 'bonRlBinaryWeights': {
      const k = 1 + Math.floor(rng() * 5);
      const batch = drawBatch(rng, k + 1, ragged);
      const extra = name === 'bonRlBinaryWeights' ? { baseline: pick(rng, ['none', 'loo']), coefficient: pick(rng, ['unbiased', 'plug-in']) } : {};
      return { name, args: [binary(rng, batch.length), k, { ...batch.layout, ...extra, ...bk }] };
    }
    case 'maxAtK':
    case 'orderStatisticAtK':
    case 'bestOfNAtK': {
      const k = 1 + Math.floor(rng() * 6);
      const batch = drawBatch(rng, k, ragged);
      const opts = { ...batch.layout, ...bk };
      if (name === 'maxAtK') return { name, args: [reals(rng, batch.length), k, opts] };
      if (name === 'bestOfNAtK') return { name, args: [reals(rng, batch.length), reals(rng, batch.length), k, opts] };
      return { name, args: [reals(rng, batch.length), k, pick(rng, ['max', 'min', 'mean', 'median']), opts] };
    }
    case 'majorityVoteWeights':
    case 'majorityAtK': {
      const { k, baseline, scale } = K_SAMPLE(rng, 5);
      const batch = drawBatch(rng, k + 1, ragged);
      const { answers: a, rewards } = answers(rng, batch.length);
      const ties = pick(rng, TIE_POLICIES);
      const opts = name === 'majorityAtK' ? { ...batch.layout, ties } : { ...batch.layout, ties, baseline, scale };
      return { name, args: [a, rewards, k, opts] };
    }
    case 'grpoWeights': {
      const batch = drawBatch(rng, 2, ragged);
      const opts = {
        ...batch.layout,
        normalize: pick(rng, ['std', 'none']),
        ddof: pick(rng, [0, 1]),
        eps: pick(rng, [0, 1e-6]),
        ...bk,
      };
      return { name, args: [reals(rng, batch.length), opts] };
    }
    case 'rlooWeights': {
      const batch = drawBatch(rng, 2, ragged);
      return { name, args: [reals(rng, batch.length), { ...batch.layout, ...bk }] };
    }
  }
  throw new Error(`no case for ${name}`);
}

const DIRECT: Record<string, Direct> = {
  maxAtKWeights,
  maxAtK,
  passAtKWeights,
  chenPassAtKWeights,
  passHatKWeights,
  bestOfNWeights,
  bestOfNAtK,
  bonRlBinaryWeights,
  orderStatisticWeights,
  orderStatisticAtK,
  majorityVoteWeights,
  majorityAtK,
  grpoWeights,
  rlooWeights,
} as unknown as Record<string, Direct>;
const NAMES = Object.keys(DIRECT);
const KERNEL_FREE = new Set(['majorityVoteWeights', 'majorityAtK']);

/** The first index where a and b differ bitwise (Object.is), or −1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const callPool = (pool: WorkerPool, c: Case): Promise<unknown> =>
  (pool as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[c.name]!(...c.args);

let pool: WorkerPool;
let transferPool: WorkerPool;
beforeAll(async () => {
  await loadWasmBackend();
  pool = createWorkerPool({ workers: 3, inlineBelow: 0 });
  transferPool = createWorkerPool({ workers: 2, inlineBelow: 0, sharedMemory: false });
});
afterAll(async () => {
  await pool.close();
  await transferPool.close();
});

describe('createWorkerPool: the same bits as the direct call', () => {
  it.each(NAMES)('%s: 100 random batches on js and wasm, uniform and ragged, every option', async (name) => {
    const rng = mulberry32(0x9e3779b9 ^ name.length * 7919 ^ name.charCodeAt(0));
    let compared = 0;
    let parallel = 0;
    for (let t = 0; t < 100; t++) {
      const backend = KERNEL_FREE.has(name) ? undefined : pick(rng, ['js', 'wasm', undefined]);
      const c = drawCase(rng, name, backend);
      const direct = DIRECT[name]!(...c.args) as Float64Array;
      const p = t % 4 === 3 ? transferPool : pool;
      const before = { ...p.stats };
      const got = (await callPool(p, c)) as Float64Array;
      // Batches of ≥ 2 groups ran on the workers (not a silent inline fallback); one group runs inline.
      const opts = c.args.at(-1) as { groupSize?: number; groupOffsets?: number[] };
      const groups = opts.groupOffsets !== undefined ? opts.groupOffsets.length - 1 : (c.args[0] as ArrayLike<unknown>).length / opts.groupSize!;
      expect(p.stats.workers - before.workers, `${name} case ${t}: ${groups} groups`).toBe(groups >= 2 ? 1 : 0);
      expect(p.stats.redone).toBe(before.redone);
      parallel += groups >= 2 ? 1 : 0;
      expect(got).toBeInstanceOf(Float64Array);
      const at = firstDifference(got, direct);
      expect(at, `${name} case ${t} (${JSON.stringify(c.args.at(-1)).slice(0, 200)}): element ${at}`).toBe(-1);
      compared += direct.length;
    }
    // Metrics give one value per group.
    expect(compared).toBeGreaterThan(name.endsWith('AtK') ? 400 : 5000);
    expect(parallel).toBeGreaterThan(80);
  });

  it('writes into a caller-given out (plain or shared memory) and returns it', async () => {
    const rng = mulberry32(7);
    const g = reals(rng, 64 * 50);
    const direct = maxAtKWeights(g, 8, { groupSize: 64 });
    for (const out of [new Float64Array(g.length), new Float64Array(new SharedArrayBuffer(g.length * 8))]) {
      const got = await pool.maxAtKWeights(g, 8, { groupSize: 64, out });
      expect(got).toBe(out);
      expect(firstDifference(out, direct)).toBe(-1);
    }
    const metricOut = new Float64Array(50);
    expect(await pool.maxAtK(g, 8, { groupSize: 64, out: metricOut })).toBe(metricOut);
    expect(firstDifference(metricOut, maxAtK(g, 8, { groupSize: 64 }))).toBe(-1);
  });

  it('reads inputs that already live in shared memory, and typed inputs other than Float64Array', async () => {
    const rng = mulberry32(11);
    const g = reals(rng, 32 * 40);
    const sharedG = new Float64Array(new SharedArrayBuffer(g.length * 8));
    sharedG.set(g);
    const f32 = Float32Array.from(g);
    expect(firstDifference(await pool.maxAtKWeights(sharedG, 4, { groupSize: 32 }), maxAtKWeights(g, 4, { groupSize: 32 }))).toBe(-1);
    expect(firstDifference(await pool.maxAtKWeights(f32, 4, { groupSize: 32 }), maxAtKWeights(f32, 4, { groupSize: 32 }))).toBe(-1);
  });

  it('groups that the library rescales as a whole batch (a range near ±1e308 next to subnormal rewards) still match', async () => {
    const groups = [[-1e308, 1e308, 0, 5], [5e-324, 1e-310, 3e-320, 0], [1, 2, 3, 4], [-4e-322, 1e-323, 7e-310, 2e-308]];
    const g = groups.flat();
    let rescued = 0;
    for (const name of ['maxAtKWeights', 'maxAtK', 'orderStatisticWeights', 'bestOfNWeights', 'bestOfNAtK'] as const) {
      const args: unknown[] =
        name === 'orderStatisticWeights' ? [g, 2, 'max', { groupSize: 4 }] : name.startsWith('bestOfN') ? [g, g, 2, { groupSize: 4 }] : [g, 2, { groupSize: 4 }];
      const rescues = overflowRescues();
      const direct = DIRECT[name]!(...args) as Float64Array;
      const took = overflowRescues() !== rescues;
      if (took) rescued++;
      const before = pool.stats.redone;
      const got = (await callPool(pool, { name, args })) as Float64Array;
      expect(firstDifference(got, direct), name).toBe(-1);
      // Redone inline exactly when the direct call rescaled the batch.
      expect(pool.stats.redone - before, name).toBe(took ? 1 : 0);
    }
    expect(rescued).toBeGreaterThan(0);
  });

  it('cuts a large batch into several chunks per worker: the same bits, and a redo or an error in the last chunk as the direct call', async () => {
    // ≈ 600,000 samples in ragged groups: up to 4 chunks per worker, each posted as soon as it is copied.
    const rng = mulberry32(17);
    const sizes = Array.from({ length: 6_000 }, () => 40 + Math.floor(rng() * 120));
    const offsets = [0];
    for (const s of sizes) offsets.push(offsets[offsets.length - 1]! + s);
    const N = offsets[offsets.length - 1]!;
    const g = reals(mulberry32(18), N);
    const scores = reals(mulberry32(19), N);
    const opts = { groupOffsets: offsets };
    for (const p of [pool, transferPool]) {
      for (const backend of ['js', 'wasm'] as const) {
        const direct = maxAtKWeights(g, 8, { ...opts, backend });
        for (const out of [undefined, new Float64Array(N), new Float64Array(new SharedArrayBuffer(N * 8))]) {
          const got = await p.maxAtKWeights(g, 8, out === undefined ? { ...opts, backend } : { ...opts, backend, out });
          if (out !== undefined) expect(got).toBe(out);
          expect(firstDifference(got, direct), `maxAtKWeights ${backend}`).toBe(-1);
        }
        const bon = bestOfNWeights(scores, g, 8, { ...opts, backend });
        expect(firstDifference(await p.bestOfNWeights(scores, g, 8, { ...opts, backend }), bon), `bestOfNWeights ${backend}`).toBe(-1);
      }
      // Huge values that no group's arithmetic overflows on: computed on the workers, the same bits.
      const huge = g.slice();
      huge[3] = 1e300;
      huge[N - 3] = -1e300;
      const before = p.stats.redone;
      const workersBefore = p.stats.workers;
      expect(firstDifference(await p.maxAtKWeights(huge, 8, opts), maxAtKWeights(huge, 8, opts))).toBe(-1);
      expect(firstDifference(await p.bestOfNWeights(g, huge, 8, opts), bestOfNWeights(g, huge, 8, opts))).toBe(-1);
      expect(p.stats.workers - workersBefore).toBe(2);
      expect(p.stats.redone - before).toBe(0);
      // A group whose range overflows in the last chunk only, and subnormal rewards in the first group:
      // the direct call rescales the whole batch, which changes the first group's last bits, so the
      // chunk that took the rescue makes the pool redo the call inline. best-of-N rescales for any
      // range that overflows; max@k (k = 1) for a group whose values alternate between ±1e308.
      const first = offsets[1]!;
      const last = offsets[offsets.length - 2]!; // the last group starts here
      const extreme = g.slice();
      for (let i = 0; i < first; i++) extreme[i] = (7 * i + 3) * 5e-324; // odd multiples of the least subnormal: x / 4 rounds
      const alternating = extreme.slice();
      for (let i = last; i < N; i++) alternating[i] = i % 2 === 0 ? 1e308 : -1e308;
      extreme[N - 3] = -1e308;
      extreme[N - 2] = 1e308;
      type Layout = { groupOffsets: number[] } | { groupSize: number };
      const cases = [
        { what: 'bestOfNWeights', run: (w: WorkerPool | null, r: Float64Array, o: Layout = opts) => (w === null ? bestOfNWeights(g.subarray(0, r.length), r, 8, o) : w.bestOfNWeights(g, r, 8, o)), rewards: extreme },
        { what: 'maxAtKWeights', run: (w: WorkerPool | null, r: Float64Array, o: Layout = opts) => (w === null ? maxAtKWeights(r, 1, o) : w.maxAtKWeights(r, 1, o)), rewards: alternating },
      ];
      let redone = 0;
      for (const c of cases) {
        const rescues = overflowRescues();
        const whole = c.run(null, c.rewards) as Float64Array;
        expect(overflowRescues() - rescues, c.what).toBe(1);
        // The first group on its own: what the workers' chunk without the overflowing group gives.
        const alone = c.run(null, c.rewards.slice(0, first), { groupSize: first }) as Float64Array;
        expect(firstDifference(whole.subarray(0, first), alone), c.what).not.toBe(-1);
        expect(firstDifference(await c.run(p, c.rewards), whole), c.what).toBe(-1);
        // The same in shared memory (not copied by the calling thread).
        const sharedRewards = new Float64Array(new SharedArrayBuffer(N * 8));
        sharedRewards.set(c.rewards);
        expect(firstDifference(await c.run(p, sharedRewards), whole), `${c.what}, shared`).toBe(-1);
        redone += 2;
        expect(p.stats.redone - before, c.what).toBe(redone);
      }
      // A reward that is not 0 or 1 in the last chunk: the direct call's error and index.
      const b = Float64Array.from(g, (x) => (x > 0 ? 1 : 0));
      b[N - 2] = 0.5;
      let direct: unknown;
      try {
        passAtKWeights(b, 4, opts);
      } catch (e) {
        direct = e;
      }
      expect(direct).toBeInstanceOf(Error);
      await expect(p.passAtKWeights(b, 4, opts)).rejects.toSatisfy((e) => JSON.stringify(shape(e)) === JSON.stringify(shape(direct)));
    }
  });

  it('a Float32Array out (plain or shared memory) gets the direct call’s float32 bits, and its float32 overflow error', async () => {
    const rng = mulberry32(23);
    const N = 64 * 3_000;
    const g = reals(rng, N);
    const b = Float64Array.from(binary(rng, N));
    for (const p of [pool, transferPool]) {
      for (const backend of ['js', 'wasm'] as const) {
        const opts = { groupSize: 64, backend };
        for (const out of [new Float32Array(N), new Float32Array(new SharedArrayBuffer(N * 4))]) {
          const direct = maxAtKWeights(g, 8, { ...opts, out: new Float32Array(N) });
          const got = await p.maxAtKWeights(g, 8, { ...opts, out });
          expect(got).toBe(out);
          expect(firstDifference(got, direct), `maxAtKWeights ${backend}`).toBe(-1);
          const binaryDirect = passAtKWeights(b, 4, { ...opts, out: new Float32Array(N) });
          expect(firstDifference(await p.passAtKWeights(b, 4, { ...opts, out }), binaryDirect), `passAtKWeights ${backend}`).toBe(-1);
        }
        // Weights beyond float32's range in one group deep in the batch: the direct call's DomainError.
        const huge = g.slice();
        for (let i = 64 * 2_500; i < 64 * 2_501; i++) huge[i] = (i - 64 * 2_500) * 1e40;
        let direct: unknown;
        try {
          maxAtKWeights(huge, 8, { ...opts, out: new Float32Array(N) });
        } catch (e) {
          direct = e;
        }
        expect(direct).toBeInstanceOf(Error);
        await expect(p.maxAtKWeights(huge, 8, { ...opts, out: new Float32Array(N) })).rejects.toSatisfy(
          (e) => JSON.stringify(shape(e)) === JSON.stringify(shape(direct)),
        );
      }
    }
  });

  it('runs a single group, a small batch or a user backend inline, with the same result', async () => {
    const small = createWorkerPool({ workers: 2 });
    const g = reals(mulberry32(3), 1000);
    expect(firstDifference(await small.maxAtKWeights(g, 3, { groupSize: 10 }), maxAtKWeights(g, 3, { groupSize: 10 }))).toBe(-1);
    expect(await small.maxAtK(g, 3)).toBe(maxAtK(g, 3));
    registerBackend({ name: 'pool-test-copy', kernels: getBackend().kernels });
    const big = reals(mulberry32(4), 70_000);
    const own = await small.maxAtKWeights(big, 3, { groupSize: 10, backend: 'pool-test-copy' });
    expect(firstDifference(own, maxAtKWeights(big, 3, { groupSize: 10 }))).toBe(-1);
    expect(small.stats).toEqual({ workers: 0, inline: 3, redone: 0 });
    expect(firstDifference(await small.maxAtKWeights(big, 3, { groupSize: 10 }), maxAtKWeights(big, 3, { groupSize: 10 }))).toBe(-1);
    expect(small.stats.workers).toBe(1);
    await small.close();
  });

  it('takes its backend from the pool option unless the call names one', async () => {
    const wasmPool = createWorkerPool({ workers: 2, backend: 'wasm', inlineBelow: 0 });
    const g = reals(mulberry32(5), 64 * 20);
    for (const backend of ['wasm', 'js']) {
      const opts = backend === 'wasm' ? { groupSize: 64 } : { groupSize: 64, backend };
      const got = await wasmPool.maxAtKWeights(g, 8, opts);
      expect(firstDifference(got, maxAtKWeights(g, 8, { groupSize: 64, backend }))).toBe(-1);
    }
    await wasmPool.close();
  });
});

/** What an error looks like from outside. */
const shape = (e: unknown): unknown =>
  e instanceof InferenceAwareRLError ? { class: e.constructor.name, argument: e.argument, message: e.message } : { untyped: String(e) };

/** Every hostile variant (one broken argument or option) of each pooled function's valid 6-sample call. */
function hostileCases(): { fn: string; label: string; args: unknown[] }[] {
  const cases: { fn: string; label: string; args: unknown[] }[] = [];
  for (const spec of FUNCTIONS) {
    if (!NAMES.includes(spec.name)) continue;
    const valid = spec.args.map((a) => a.valid);
    const base = { groupSize: 3, ...(spec.baseOpts?.(valid) ?? {}) };
    spec.args.forEach((arg, i) => {
      const bad = arg.kind === 'int' ? BAD_INTEGERS : badArrays(arg.kind);
      for (const b of bad) {
        const args = valid.slice();
        args[i] = b.value();
        cases.push({ fn: spec.name, label: `${arg.name} ${b.label}`, args: [...args, base] });
      }
    });
    for (const b of [...BAD_OPTS, ...BAD_LAYOUTS, ...(spec.badOptions ?? [])]) {
      const v = b.value();
      const opts = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype ? { ...base, ...v } : v;
      cases.push({ fn: spec.name, label: b.label, args: [...valid, opts] });
    }
    for (const b of badOuts(spec.outLength)) cases.push({ fn: spec.name, label: b.label, args: [...valid, { ...base, out: b.value() }] });
    // `out` sharing memory with an input (weights only: a metric's out is shorter than its inputs).
    const firstArray = spec.args.findIndex((a) => a.kind === 'binary' || a.kind === 'finite');
    if (spec.aliasArgs !== null && firstArray >= 0 && spec.outLength === (valid[firstArray] as unknown[]).length) {
      const input = Float64Array.from(valid[firstArray] as number[]);
      const args = spec.aliasArgs?.(input) ?? valid.map((v, i) => (i === firstArray ? input : v));
      cases.push({ fn: spec.name, label: 'out aliasing an input', args: [...args.slice(0, spec.args.length), { ...base, out: input }] });
    }
    const kAt = spec.args.findIndex((a) => a.name === 'k' || a.name === 'N');
    if (kAt >= 0) {
      const args = valid.slice();
      args[kAt] = 4; // groups of 3
      cases.push({ fn: spec.name, label: 'k above n', args: [...args, base] });
    }
  }
  return cases.filter((c) => {
    try {
      DIRECT[c.fn]!(...c.args);
      return false;
    } catch {
      return true;
    }
  });
}

describe('createWorkerPool: the direct call’s errors', () => {
  const cases = hostileCases();

  it('has hostile cases for every pooled function', () => {
    const covered = new Set(cases.map((c) => c.fn));
    expect([...covered].sort()).toEqual(NAMES.filter((n) => FUNCTIONS.some((f) => f.name === n)).sort());
    expect(cases.length).toBeGreaterThan(300);
  });

  it('rejects every hostile call with the error the direct call throws (class, argument, message)', async () => {
    const mismatches: string[] = [];
    for (const c of cases) {
      let direct: unknown;
      try {
        DIRECT[c.fn]!(...c.args);
      } catch (e) {
        direct = e;
      }
      let got: unknown;
      try {
        await callPool(pool, { name: c.fn, args: c.args });
        got = 'resolved';
      } catch (e) {
        got = e;
      }
      if (JSON.stringify(shape(got)) !== JSON.stringify(shape(direct))) {
        mismatches.push(`${c.fn} ${c.label}: pool ${JSON.stringify(shape(got))} direct ${JSON.stringify(shape(direct))}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('rejects before posting any work: a pool whose worker script does not exist gives the same errors', async () => {
    // Any job posted to this pool fails with a worker error, never with the library's typed error.
    const broken = createWorkerPool({ workers: 2, inlineBelow: 0, workerUrl: new URL('./no-such-worker.mjs', import.meta.url) });
    const mismatches: string[] = [];
    let checked = 0;
    for (const c of cases) {
      if (KERNEL_FREE.has(c.fn)) continue;
      // Errors found inside a kernel (a reward that is not 0 or 1) exist only once work runs.
      const spec = FUNCTIONS.find((f) => f.name === c.fn)!;
      const optsAt = spec.args.length;
      const opts = c.args[optsAt];
      if (opts !== undefined && (opts === null || typeof opts !== 'object' || Object.getPrototypeOf(opts) !== Object.prototype)) continue;
      const probe = c.args.slice();
      probe[optsAt] = { ...(opts as object), backend: POOL_CHECK_BACKEND };
      let before = true;
      try {
        DIRECT[c.fn]!(...probe);
      } catch (e) {
        before = !(e instanceof InvalidArgumentError && e.message.startsWith(`backend '${POOL_CHECK_BACKEND}'`));
      }
      if (!before) continue;
      let direct: unknown;
      try {
        DIRECT[c.fn]!(...c.args);
      } catch (e) {
        direct = e;
      }
      let got: unknown;
      try {
        await callPool(broken, { name: c.fn, args: c.args });
      } catch (e) {
        got = e;
      }
      checked++;
      if (JSON.stringify(shape(got)) !== JSON.stringify(shape(direct))) mismatches.push(`${c.fn} ${c.label}: ${JSON.stringify(shape(got))}`);
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(200);
    // …and a valid call on it does post work, which fails without a typed error.
    const g = reals(mulberry32(2), 64 * 4);
    await expect(broken.maxAtKWeights(g, 8, { groupSize: 64 })).rejects.not.toBeInstanceOf(InferenceAwareRLError);
    // A failed worker is replaced on the next call (which fails the same way here) rather than hanging it.
    await expect(broken.maxAtKWeights(g, 8, { groupSize: 64 })).rejects.not.toBeInstanceOf(InferenceAwareRLError);
    await broken.close();
  });

  it('majority-vote errors a worker meets are re-raised as the direct call’s (equal answers, unequal rewards)', async () => {
    const a = ['x', 'x', 'y', 'z', 'z', 'w'];
    const r = [1, 0, 0, 1, 1, 0];
    let direct: unknown;
    try {
      majorityVoteWeights(a, r, 2, { groupSize: 3 });
    } catch (e) {
      direct = e;
    }
    expect(direct).toBeInstanceOf(InferenceAwareRLError);
    await expect(pool.majorityVoteWeights(a, r, 2, { groupSize: 3 })).rejects.toSatisfy((e) => JSON.stringify(shape(e)) === JSON.stringify(shape(direct)));
  });

  it('a value that cannot be posted to a worker (a symbol answer, a function option) gives the direct call’s answer', async () => {
    const r = [1, 0, 0, 1, 1, 0];
    for (const args of [
      [[Symbol('a'), 'b', 'b', 'c', 'c', 'c'], r, 2, { groupSize: 3 }],
      [['a', 'b', 'b', 'c', 'c', 'c'], r, 2, { groupSize: 3, ties: () => 'split' }],
    ]) {
      let direct: unknown;
      try {
        direct = majorityAtK(...(args as Parameters<typeof majorityAtK>));
      } catch (e) {
        direct = shape(e);
      }
      let got: unknown;
      try {
        got = await pool.majorityAtK(...(args as Parameters<typeof majorityAtK>));
      } catch (e) {
        got = shape(e);
      }
      expect(got).toEqual(direct);
    }
    const g = reals(mulberry32(8), 8 * 4);
    expect(firstDifference(await (pool.maxAtKWeights as (...a: unknown[]) => Promise<Float64Array>)(g, 2, { groupSize: 8 }, () => 0), maxAtKWeights(g, 2, { groupSize: 8 }))).toBe(-1);
  });

  it('a binary estimator given a non-binary reward deep in the batch rejects with the direct call’s index', async () => {
    const g = binary(mulberry32(9), 64 * 40);
    g[64 * 37 + 5] = 0.5;
    let direct: unknown;
    try {
      passAtKWeights(g, 4, { groupSize: 64 });
    } catch (e) {
      direct = e;
    }
    const before = pool.stats.redone;
    await expect(pool.passAtKWeights(g, 4, { groupSize: 64 })).rejects.toSatisfy((e) => JSON.stringify(shape(e)) === JSON.stringify(shape(direct)));
    expect(pool.stats.redone - before).toBe(1);
  });
});

describe('createWorkerPool: options and lifecycle', () => {
  it.each([
    [{ workers: 0 }, 'opts.workers'],
    [{ workers: 1.5 }, 'opts.workers'],
    [{ backend: 'gpu' }, 'opts.backend'],
    [{ inlineBelow: -1 }, 'opts.inlineBelow'],
    [{ sharedMemory: 'yes' }, 'opts.sharedMemory'],
    [{ workerUrl: 3 }, 'opts.workerUrl'],
    [{ worker: 2 }, 'opts.worker'],
  ])('refuses %j naming %s', (opts, argument) => {
    expect(() => createWorkerPool(opts as never)).toThrow(InferenceAwareRLError);
    try {
      createWorkerPool(opts as never);
    } catch (e) {
      expect((e as InferenceAwareRLError).argument).toBe(argument);
    }
  });

  it('close() rejects calls in flight and every later call with a typed error', async () => {
    const p = createWorkerPool({ workers: 2, inlineBelow: 0 });
    const g = reals(mulberry32(1), 64 * 2000);
    const inFlight = expect(p.maxAtKWeights(g, 8, { groupSize: 64 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await p.close();
    await inFlight;
    await expect(p.maxAtKWeights(g, 8, { groupSize: 64 })).rejects.toThrow(/closed/);
    await p.close(); // idempotent
  });

  it('runs concurrent calls on one pool, each with its own result', async () => {
    const rng = mulberry32(21);
    const inputs = Array.from({ length: 6 }, () => reals(rng, 16 * 100));
    const got = await Promise.all(inputs.map((g) => pool.maxAtKWeights(g, 4, { groupSize: 16 })));
    got.forEach((w, i) => expect(firstDifference(w, maxAtKWeights(inputs[i]!, 4, { groupSize: 16 }))).toBe(-1));
  });
});
