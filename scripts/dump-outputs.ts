/**
 * Behaviour dump: runs every public estimator (metrics and weights, every baseline and scale, on the
 * `js` and the `wasm` backend) on benchmark-shaped inputs and on seeded random ragged batches, and writes
 * one JSON file in which every number is its exact IEEE-754 bit pattern (16 hex digits). Two dumps made
 * from two commits are then compared element by element, so a refactoring that claims "no change in
 * behaviour" can be checked bit for bit.
 *
 * Written against the public API only (`src/index.ts`), so the same file runs on older commits too.
 *
 *   npx tsx scripts/dump-outputs.ts out.json                 # write a dump
 *   npx tsx scripts/dump-outputs.ts --compare a.json b.json  # compare two dumps (exit 1 on a difference)
 *
 * A call that throws is recorded as its error class (not its message), so an input that is rejected
 * before and after counts as the same behaviour, and one that starts or stops throwing is a difference.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as lib from '../src/index.js';

type Json = null | boolean | string | Json[] | { [key: string]: Json };

// ---- exact serialisation ---------------------------------------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** The bit pattern of a double as 16 hex digits (NaN payloads, −0 and ±∞ all distinct). */
function bits(x: number): string {
  f64[0] = x;
  return (u32[1] as number).toString(16).padStart(8, '0') + (u32[0] as number).toString(16).padStart(8, '0');
}

/** Any result (number, typed array, array, plain object) as JSON with numbers as bit strings. */
function encode(value: unknown): Json {
  if (typeof value === 'number') return { f64: bits(value) };
  if (typeof value === 'boolean' || typeof value === 'string' || value === null) return value;
  if (value === undefined) return { undefined: true };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number>;
    const out: string[] = [];
    for (let i = 0; i < arr.length; i++) out.push(bits(arr[i] as number));
    return { array: value.constructor.name, bits: out };
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return { array: 'Array', bits: value.map((v) => bits(v as number)) };
    return value.map(encode);
  }
  if (typeof value === 'function') return { function: true };
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) out[key] = encode((value as Record<string, unknown>)[key]);
    return out;
  }
  return { unknown: String(value) };
}

// ---- inputs ----------------------------------------------------------------------------------------

const rng = lib.mulberry32;

/** As bench/pass-max.bench.ts: per group a success rate p = u², then 0/1 rewards. */
function binaryBatch(offsets: Int32Array, seed: number): Float64Array {
  const rand = rng(seed);
  const groups = offsets.length - 1;
  const g = new Float64Array(offsets[groups] as number);
  for (let b = 0; b < groups; b++) {
    const p = rand() ** 2;
    for (let i = offsets[b] as number; i < (offsets[b + 1] as number); i++) g[i] = rand() < p ? 1 : 0;
  }
  return g;
}

function uniformOffsets(groups: number, n: number): Int32Array {
  return Int32Array.from({ length: groups + 1 }, (_, b) => b * n);
}

/** As bench/pass-max.bench.ts and bench/order-statistics.bench.ts: uniform on [−1, 1). */
function continuousBatch(length: number, seed: number, levels = 0): Float64Array {
  const rand = rng(seed);
  const g = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const u = rand() * 2 - 1;
    g[i] = levels > 0 ? Math.round(u * levels) / levels : u;
  }
  return g;
}

/** As bench/best-of-n.bench.ts: rewards uniform, a verifier score correlated with them (levels > 0: ties). */
function bestOfNBatch(length: number, levels: number, seed: number): { scores: Float64Array; rewards: Float64Array } {
  const rand = rng(seed);
  const scores = new Float64Array(length);
  const rewards = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const truth = rand();
    rewards[i] = truth;
    const noisy = truth + 0.3 * (rand() - 0.5);
    scores[i] = levels > 0 ? Math.round(noisy * levels) : noisy;
  }
  return { scores, rewards };
}

/** As bench/majority-vote.bench.ts: answers drawn from A skewed clusters, answer 0 correct. */
function majorityBatch(groups: number, n: number, A: number, seed: number): { answers: Int32Array; rewards: Float64Array } {
  const rand = rng(seed);
  const answers = new Int32Array(groups * n);
  const rewards = new Float64Array(groups * n);
  const p = new Float64Array(A);
  for (let g = 0; g < groups; g++) {
    let z = 0;
    for (let a = 0; a < A; a++) z += p[a] = rand() ** 2 + 0.02;
    for (let i = 0; i < n; i++) {
      let u = rand() * z;
      let a = 0;
      while (a < A - 1 && (u -= p[a] as number) > 0) a++;
      answers[g * n + i] = a;
      rewards[g * n + i] = a === 0 ? 1 : 0;
    }
  }
  return { answers, rewards };
}

/** Ragged group offsets: B groups of sizes in [minSize, maxSize]. */
function raggedOffsets(groups: number, minSize: number, maxSize: number, seed: number): Int32Array {
  const rand = rng(seed);
  const offsets = new Int32Array(groups + 1);
  for (let b = 0; b < groups; b++) offsets[b + 1] = (offsets[b] as number) + minSize + Math.floor(rand() * (maxSize - minSize + 1));
  return offsets;
}

/** A probability vector of length n (positive, sums to 1 up to rounding). */
function probabilities(n: number, seed: number): Float64Array {
  const rand = rng(seed);
  const p = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < n; i++) z += p[i] = rand() + 0.01;
  for (let i = 0; i < n; i++) p[i] = (p[i] as number) / z;
  return p;
}

// ---- the cases -------------------------------------------------------------------------------------

/** A batch layout: uniform groups of `groupSize`, or ragged `groupOffsets`. */
interface Layout {
  name: string;
  length: number;
  groups: number;
  offsets: Int32Array;
  opts: { groupSize: number } | { groupOffsets: Int32Array };
  minSize: number;
}

function uniform(groups: number, n: number): Layout {
  return { name: `${groups}x${n}`, length: groups * n, groups, offsets: uniformOffsets(groups, n), opts: { groupSize: n }, minSize: n };
}
function ragged(groups: number, minSize: number, maxSize: number, seed: number): Layout {
  const offsets = raggedOffsets(groups, minSize, maxSize, seed);
  const name = `ragged${groups}[${minSize}..${maxSize}]s${seed}`;
  return { name, length: offsets[groups] as number, groups, offsets, opts: { groupOffsets: offsets }, minSize };
}

const BASELINES = ['none', 'loo', 'loo-pkpo', 'loo-1'] as const;
const SCALES = ['sum', 'mean'] as const;
const ORDER_PRESETS = ['max', 'min', 'mean', 'median', 'top-1', 'cvar-0.25', 'upper-0.5', 'trimmed-mean-0.2'] as const;

function collect(): Map<string, () => unknown> {
  const cases = new Map<string, () => unknown>();
  const add = (name: string, fn: () => unknown): void => {
    if (cases.has(name)) throw new Error(`duplicate case ${name}`);
    cases.set(name, fn);
  };

  // Bench-shaped (the benches' quick sizes and seeds) plus seeded ragged batches.
  const layouts: Layout[] = [uniform(200, 64), uniform(50, 16), ragged(60, 9, 40, 7), ragged(40, 9, 12, 11)];
  for (const layout of layouts) {
    const L = layout.name;
    const binary = binaryBatch(layout.offsets, 1);
    const cont = continuousBatch(layout.length, 2);
    const tied = continuousBatch(layout.length, 3, 4);
    const bon = bestOfNBatch(layout.length, 0, 4);
    const bonTied = bestOfNBatch(layout.length, 8, 5);
    const maj = majorityBatch(1, layout.length, 6, 6);
    const o = layout.opts;
    for (const k of [1, 2, 3, 8]) {
      if (k > layout.minSize) continue;
      add(`passAtKAdvantage/${L}/k${k}/default`, () => lib.passAtKAdvantage(binary, k, { ...o }));
      add(`chenPassAtKAdvantage/${L}/k${k}`, () => lib.chenPassAtKAdvantage(binary, k, { ...o }));
      add(`passHatKOfRewards/${L}/k${k}`, () => lib.passHatKOfRewards(binary, k, { ...o }));
      add(`maxAtK/${L}/k${k}/cont`, () => lib.maxAtK(cont, k, { ...o }));
      add(`maxAtK/${L}/k${k}/tied`, () => lib.maxAtK(tied, k, { ...o }));
      add(`maxAtK/${L}/k${k}/binary`, () => lib.maxAtK(binary, k, { ...o }));
      add(`bestOfNAtK/${L}/k${k}`, () => lib.bestOfNAtK(bon.scores, bon.rewards, k, { ...o }));
      add(`bestOfNAtK/${L}/k${k}/tied`, () => lib.bestOfNAtK(bonTied.scores, bonTied.rewards, k, { ...o }));
      add(`majorityAtK/${L}/k${k}`, () => lib.majorityAtK(maj.answers, maj.rewards, k, { ...o }));
      for (const ties of ['split', 'fail'] as const) {
        add(`majorityAtK/${L}/k${k}/ties-${ties}`, () => lib.majorityAtK(maj.answers, maj.rewards, k, { ...o, ties } as never));
      }
      add(`bestOfNDistillationWeights/${L}/N${k}/wor`, () => lib.bestOfNDistillationWeights(bonTied.scores, k, { ...o }));
      add(`bestOfNDistillationWeights/${L}/N${k}/wr`, () =>
        lib.bestOfNDistillationWeights(bonTied.scores, k, { ...o, sampling: 'with-replacement' }),
      );
      for (const baseline of ['none', 'loo'] as const) {
        for (const coefficient of ['unbiased', 'plug-in'] as const) {
          for (const scale of SCALES) {
            add(`bonRlBinaryAdvantage/${L}/N${k}/${baseline}/${coefficient}/${scale}`, () =>
              lib.bonRlBinaryAdvantage(binary, k, { ...o, baseline, coefficient, scale }),
            );
          }
        }
      }
      for (const preset of ORDER_PRESETS) {
        add(`orderStatisticAtK/${L}/k${k}/${preset}`, () => lib.orderStatisticAtK(tied, k, preset as never, { ...o }));
      }
      for (const scale of SCALES) {
        for (const baseline of BASELINES) {
          const b = { ...o, baseline, scale };
          add(`passAtKAdvantage/${L}/k${k}/${baseline}/${scale}`, () => lib.passAtKAdvantage(binary, k, b));
          add(`passHatKAdvantage/${L}/k${k}/${baseline}/${scale}`, () => lib.passHatKAdvantage(binary, k, b));
          add(`maxAtKAdvantage/${L}/k${k}/${baseline}/${scale}/cont`, () => lib.maxAtKAdvantage(cont, k, b));
          add(`maxAtKAdvantage/${L}/k${k}/${baseline}/${scale}/tied`, () => lib.maxAtKAdvantage(tied, k, b));
          add(`maxAtKAdvantage/${L}/k${k}/${baseline}/${scale}/binary`, () => lib.maxAtKAdvantage(binary, k, b));
          add(`bestOfNAdvantage/${L}/k${k}/${baseline}/${scale}`, () => lib.bestOfNAdvantage(bon.scores, bon.rewards, k, b));
          add(`bestOfNAdvantage/${L}/k${k}/${baseline}/${scale}/tied`, () =>
            lib.bestOfNAdvantage(bonTied.scores, bonTied.rewards, k, b),
          );
          add(`majorityVoteAdvantage/${L}/k${k}/${baseline}/${scale}`, () => lib.majorityVoteAdvantage(maj.answers, maj.rewards, k, b));
          for (const preset of ['max', 'median', 'cvar-0.25', 'trimmed-mean-0.2'] as const) {
            add(`orderStatisticAdvantage/${L}/k${k}/${preset}/${baseline}/${scale}`, () =>
              lib.orderStatisticAdvantage(tied, k, preset, b),
            );
          }
        }
      }
    }
    add(`rlooAdvantage/${L}`, () => lib.rlooAdvantage(cont, { ...o }));
    add(`rlooAdvantage/${L}/binary`, () => lib.rlooAdvantage(binary, { ...o }));
    for (const normalize of ['std', 'none'] as const) {
      for (const ddof of [0, 1] as const) {
        add(`grpoAdvantage/${L}/${normalize}/ddof${ddof}`, () => lib.grpoAdvantage(binary, { ...o, normalize, ddof }));
        add(`grpoAdvantage/${L}/${normalize}/ddof${ddof}/cont`, () => lib.grpoAdvantage(cont, { ...o, normalize, ddof }));
      }
    }
    for (const preset of Object.keys(lib.GRPO_PRESETS) as (keyof typeof lib.GRPO_PRESETS)[]) {
      add(`grpoAdvantage/${L}/preset-${preset}`, () => lib.grpoAdvantage(tied, { ...o, ...lib.GRPO_PRESETS[preset] }));
    }
    for (const vote of ['all', 'loo'] as const) {
      for (const ties of ['split', 'fail'] as const) {
        add(`majorityPseudoRewards/${L}/${vote}/${ties}`, () =>
          lib.majorityPseudoRewards(maj.answers, { ...o, vote, ties, trueRewards: maj.rewards } as never),
        );
      }
    }
    // BoN-SFT: one expert score per group.
    const expert = continuousBatch(layout.groups, 8);
    for (const N of [1, 2, 4]) {
      for (const estimator of ['self-normalised', 'jackknife', 'unbiased'] as const) {
        for (const baseline of ['none', 'centred'] as const) {
          add(`bestOfNSftWeights/${L}/N${N}/${estimator}/${baseline}`, () =>
            lib.bestOfNSftWeights(cont, expert, N, { ...o, estimator, baseline }),
          );
        }
      }
    }
  }

  // Unbatched counts metrics over a grid of (n, c, k).
  const ns: number[] = [];
  const cs: number[] = [];
  for (let n = 1; n <= 40; n += 3) for (let c = 0; c <= n; c += 2) (ns.push(n), cs.push(c));
  for (const k of [1, 2, 5, 16]) {
    const okN = ns.filter((n) => n >= k);
    const okC = cs.filter((_, i) => (ns[i] as number) >= k);
    add(`passAtK/grid/k${k}`, () => lib.passAtK(okN, okC, k));
    add(`logFailAtK/grid/k${k}`, () => lib.logFailAtK(okN, okC, k));
    add(`passHatK/grid/k${k}`, () => lib.passHatK(okN, okC, k));
    add(`logPassHatK/grid/k${k}`, () => lib.logPassHatK(okN, okC, k));
  }
  add('passAtK/large', () => [lib.passAtK(10_000, 37, 1000), lib.passAtK(1_000_000, 1, 500_000), lib.logFailAtK(100_000, 3, 50_000)]);

  // Best-of-N distribution and KL of a discrete policy.
  for (const n of [3, 10, 50]) {
    const p = probabilities(n, 20 + n);
    const s = continuousBatch(n, 30 + n, 3);
    for (const N of [1, 2, 8]) {
      add(`bestOfNDistribution/n${n}/N${N}`, () => lib.bestOfNDistribution(p, s, N));
      add(`bestOfNKL/n${n}/N${N}`, () => lib.bestOfNKL(p, s, N));
    }
  }

  // BoN-RL on the selected sample: one selected reward per group.
  const selected = binaryBatch(uniformOffsets(1, 30), 40);
  const failureProbs = continuousBatch(30, 41).map((x) => (x + 1) / 2.2);
  for (const N of [1, 2, 4, 8]) {
    const failures = Array.from(selected, (r, i) => (r === 1 ? i % N : N));
    for (const form of ['binary', 'positive'] as const) {
      add(`bonRlSelectedWeights/probs/N${N}/${form}`, () => lib.bonRlSelectedWeights(selected, N, { failureProbs, form }));
      add(`bonRlSelectedWeights/failures/N${N}/${form}`, () => lib.bonRlSelectedWeights(selected, N, { failures, form }));
    }
  }

  // Any k-sample objective: exact enumeration and seeded sampling.
  const fValues = continuousBatch(48, 50, 5);
  const fMax = (subset: readonly number[]): number => {
    let m = -Infinity;
    for (const i of subset) m = Math.max(m, fValues[i] as number);
    return m;
  };
  const fMeanSq = (subset: readonly number[]): number => {
    let s = 0;
    for (const i of subset) s += fValues[i] as number;
    return (s / subset.length) ** 2;
  };
  for (const [fname, f] of [['max', fMax], ['meanSq', fMeanSq]] as const) {
    for (const k of [1, 2, 3]) {
      add(`kSampleAtK/${fname}/k${k}`, () => lib.kSampleAtK(12, k, f));
      add(`kSampleAtK/${fname}/k${k}/batched`, () => lib.kSampleAtK(48, k, f as never, { groupSize: 12 } as never));
      add(`kSampleAtK/${fname}/k${k}/sampled`, () => lib.kSampleAtK(48, k, f as never, { groupSize: 12, maxSubsets: 0, samples: 64, seed: 9 } as never));
      for (const baseline of BASELINES) {
        for (const scale of SCALES) {
          add(`kSampleAdvantage/${fname}/k${k}/${baseline}/${scale}`, () =>
            lib.kSampleAdvantage(48, k, f as never, { groupSize: 12, baseline, scale } as never),
          );
          add(`kSampleAdvantage/${fname}/k${k}/${baseline}/${scale}/sampled`, () =>
            lib.kSampleAdvantage(48, k, f as never, { groupSize: 12, baseline, scale, maxSubsets: 0, samples: 64, seed: 9 } as never),
          );
        }
      }
    }
  }

  // Mixtures, schedules, alpha tables, the majority answer.
  const rewards = binaryBatch(uniformOffsets(20, 16), 60);
  const values = continuousBatch(320, 61);
  for (const scale of SCALES) {
    add(`mixAdvantages/${scale}`, () =>
      lib.mixAdvantages([
        { weight: 0.7, advantages: lib.passAtKAdvantage(rewards, 4, { groupSize: 16, scale }), scale },
        { weight: -0.3, advantages: lib.maxAtKAdvantage(values, 2, { groupSize: 16, scale }), scale },
      ]),
    );
  }
  add('kSchedule', () => {
    const s = lib.kSchedule([{ k: 1, steps: 3 }, { k: 4, steps: 5 }, { k: 8 }]);
    return Array.from({ length: 12 }, (_, i) => s(i));
  });
  for (const preset of ORDER_PRESETS) for (const k of [1, 4, 9]) add(`orderStatisticAlpha/${preset}/k${k}`, () => lib.orderStatisticAlpha(preset as never, k));
  for (const ties of ['split', 'fail'] as const) {
    add(`majorityAnswer/${ties}`, () => lib.majorityAnswer(['a', 'b', 'a', null, 'b', 'c'], { ties } as never));
    add(`majorityAnswer/${ties}/clear`, () => lib.majorityAnswer(['a', 'b', 'a', null, 'a', 'c'], { ties } as never));
  }

  // Hostile-range values: extremes that exercise the overflow rescues.
  const huge = continuousBatch(64, 70).map((x) => x * 1.7e308);
  const tiny = continuousBatch(64, 71).map((x) => x * 5e-324 * 1e3);
  for (const [name, v] of [['huge', huge], ['tiny', tiny]] as const) {
    for (const baseline of BASELINES) {
      add(`maxAtKAdvantage/${name}/${baseline}`, () => lib.maxAtKAdvantage(v, 4, { groupSize: 16, baseline }));
      add(`bestOfNAdvantage/${name}/${baseline}`, () => lib.bestOfNAdvantage(values.subarray(0, 64), v, 4, { groupSize: 16, baseline }));
      add(`orderStatisticAdvantage/${name}/${baseline}`, () => lib.orderStatisticAdvantage(v, 4, 'median', { groupSize: 16, baseline }));
    }
    add(`maxAtK/${name}`, () => lib.maxAtK(v, 4, { groupSize: 16 }));
    add(`bestOfNAtK/${name}`, () => lib.bestOfNAtK(values.subarray(0, 64), v, 4, { groupSize: 16 }));
    add(`grpoAdvantage/${name}`, () => lib.grpoAdvantage(v, { groupSize: 16 }));
  }
  return cases;
}

function run(backend: string): { [name: string]: Json } {
  lib.setBackend(backend);
  const out: { [name: string]: Json } = {};
  for (const [name, fn] of collect()) {
    try {
      out[name] = encode(fn());
    } catch (e) {
      out[name] = { error: (e as Error).constructor.name };
    }
  }
  lib.setBackend('js');
  return out;
}

async function dump(path: string): Promise<void> {
  await lib.loadWasmBackend();
  const result = { format: 'inference-aware-rl output dump v1', backends: { js: run('js'), wasm: run('wasm') } };
  writeFileSync(path, JSON.stringify(result) + '\n');
  let errors = 0;
  let total = 0;
  for (const b of Object.values(result.backends)) {
    for (const v of Object.values(b)) {
      total++;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'error' in v) errors++;
    }
  }
  console.log(`wrote ${path}: ${total} cases (${errors} of them throw, recorded by error class)`);
}

/** Compares two dumps: every case, array and element; prints the counts and the differences. */
function compare(aPath: string, bPath: string): number {
  const a = JSON.parse(readFileSync(aPath, 'utf8')) as { backends: Record<string, Record<string, Json>> };
  const b = JSON.parse(readFileSync(bPath, 'utf8')) as { backends: Record<string, Record<string, Json>> };
  let cases = 0;
  let arrays = 0;
  let elements = 0;
  let scalars = 0;
  const diffs: string[] = [];
  const walk = (x: Json, y: Json, where: string): void => {
    if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y)) {
      if ('bits' in x && 'bits' in y) {
        arrays++;
        const xb = x.bits as string[];
        const yb = y.bits as string[];
        if (x.array !== y.array) diffs.push(`${where}: array type ${String(x.array)} vs ${String(y.array)}`);
        if (xb.length !== yb.length) diffs.push(`${where}: length ${xb.length} vs ${yb.length}`);
        const n = Math.min(xb.length, yb.length);
        elements += n;
        let shown = 0;
        let count = 0;
        for (let i = 0; i < n; i++) {
          if (xb[i] !== yb[i]) {
            count++;
            if (shown++ < 3) diffs.push(`${where}[${i}]: ${xb[i]} vs ${yb[i]}`);
          }
        }
        if (count > 3) diffs.push(`${where}: ${count} elements differ in all`);
        return;
      }
      if ('f64' in x && 'f64' in y) {
        scalars++;
        if (x.f64 !== y.f64) diffs.push(`${where}: ${String(x.f64)} vs ${String(y.f64)}`);
        return;
      }
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const key of [...keys].sort()) {
        if (!(key in x) || !(key in y)) {
          diffs.push(`${where}.${key}: only in ${key in x ? aPath : bPath}`);
          continue;
        }
        walk(x[key] as Json, y[key] as Json, `${where}.${key}`);
      }
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) diffs.push(`${where}: length ${x.length} vs ${y.length}`);
      for (let i = 0; i < Math.min(x.length, y.length); i++) walk(x[i] as Json, y[i] as Json, `${where}[${i}]`);
      return;
    }
    if (JSON.stringify(x) !== JSON.stringify(y)) diffs.push(`${where}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  };
  for (const backend of new Set([...Object.keys(a.backends), ...Object.keys(b.backends)])) {
    const x = a.backends[backend] ?? {};
    const y = b.backends[backend] ?? {};
    for (const name of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (!(name in x) || !(name in y)) {
        diffs.push(`${backend}/${name}: only in ${name in x ? aPath : bPath}`);
        continue;
      }
      cases++;
      walk(x[name] as Json, y[name] as Json, `${backend}/${name}`);
    }
  }
  console.log(`compared ${cases} cases: ${arrays} arrays (${elements} elements) and ${scalars} scalars`);
  console.log(`${diffs.length} differences`);
  for (const d of diffs.slice(0, 200)) console.log(`  ${d}`);
  return diffs.length === 0 ? 0 : 1;
}

const args = process.argv.slice(2);
if (args[0] === '--compare' && args.length === 3) {
  process.exit(compare(args[1] as string, args[2] as string));
} else if (args.length === 1 && !(args[0] as string).startsWith('--')) {
  await dump(args[0] as string);
} else {
  console.error('usage: tsx scripts/dump-outputs.ts OUT.json | --compare A.json B.json');
  process.exit(2);
}
