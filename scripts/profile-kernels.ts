/**
 * Where the wasm kernels' time goes, against the memory floor (`Float64Array.prototype.set` of the same
 * bytes) timed in the same process. Run: `npx tsx scripts/profile-kernels.ts` (≈ 30 s). Read with
 * docs/backends.md ("Runs of 2026-12-06, and where the time goes").
 *
 * 1. max@k (`maxAtKWeights`, loo-1) by subtraction: the kernels module is compiled four times, each
 *    build stopping every group after one more phase (the range pass; + the quantised keys; + sorting
 *    them; the whole kernel), and the four are timed on the same data in turns. A phase's cost is the
 *    difference between two builds. The whole build's weights are checked against the js backend's.
 * 2. binary pass@k on wasm views against minimal wasm loops with the same memory traffic: a v128 copy
 *    (what a Float64 `out` must move), a read of f64 with f32 stores (a Float32 `out`), and per group a
 *    summing pass then a writing pass (the kernel's shape without its table lookup and 0/1 check).
 *
 * Every case runs once per round, in turns with the others, on its own arrays, so no case finds its
 * data in cache from its previous call: at 1,000 × 1024 (8 MB in, 8 MB out) the bench's floor, timed in
 * batches of back-to-back calls, runs from the L3 cache, and this script's does not. Each table gives
 * the median of the rounds and the fastest round.
 */
import { readFile } from 'node:fs/promises';
import { maxAtKAdvantage, passAtKAdvantage } from '../src/index.js';
import { loadWasmBackend } from '../src/backends/wasm/index.js';
import { BaselineCode } from '../src/backends/types.js';
import { randomBatch, SEEDS } from '../bench/backends-data.js';
import { ASSEMBLY_ENTRY, compileWasm } from './build-wasm.js';

const ROUNDS = 25;
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[a.length >> 1] as number;
const floorCopy = (src: Float64Array, dst: Float64Array) => (): unknown => dst.set(src);

/** Instantiates a module compiled with `--importMemory` over `memory` (its `env` imports). */
async function instantiate<T>(wasm: Uint8Array, memory: WebAssembly.Memory): Promise<T> {
  const abort = (): never => {
    throw new Error('wasm code aborted');
  };
  const { instance } = await WebAssembly.instantiate(new Uint8Array(wasm), { env: { memory, abort } });
  return instance.exports as unknown as T;
}

/** A case's time per call over the rounds: the median, and the fastest (what is left without interference). */
interface Timing {
  median: number;
  min: number;
}

/**
 * Times each case in turns, one call per case per round, ROUNDS rounds. One call (≥ 1 M samples here,
 * ≥ 0.2 ms) is far above the timer's resolution.
 */
function timeInTurns(cases: Record<string, () => unknown>): Record<string, Timing> {
  const times: Record<string, number[]> = {};
  for (const name in cases) times[name] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const name in cases) {
      const fn = cases[name] as () => unknown;
      const t0 = performance.now();
      fn();
      (times[name] as number[]).push(performance.now() - t0);
    }
  }
  const out: Record<string, Timing> = {};
  for (const name in times) out[name] = { median: median(times[name] as number[]), min: Math.min(...(times[name] as number[])) };
  return out;
}

const SORT = 'src/backends/wasm/assembly/sort.ts';
const MAX = 'src/backends/wasm/assembly/max-at-k.ts';

/** Replaces `from` by `to` in `text`, failing when `from` is not there (the kernel's source changed). */
function patch(text: string, from: string, to: string, file: string): string {
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}: update this script's phase cut`);
  return text.replace(from, to);
}

/** Sources of the build that stops each group after `phase` (1 range, 2 keys, 3 sort); 4 is the real build. */
async function phaseSources(phase: number): Promise<Record<string, string>> {
  if (phase === 4) return {};
  const sort = patch(await readFile(SORT, 'utf8'), '  return sortKeys(keys, buf, m, block);', `  return ${phase} == 2 ? keys : sortKeys(keys, buf, m, block);`, SORT);
  let max = await readFile(MAX, 'utf8');
  max = patch(max, '    const o = out + (<usize>start << 3);\n', `    const o = out + (<usize>start << 3);\n    if (${phase} == 1) { acc += groupLo; b++; continue; }\n`, MAX);
  max = patch(max, '    if (at == 0) {\n', `    if (${phase} >= 2) { acc += <f64>ldi(at, 3); b++; continue; }\n    if (at == 0) {\n`, MAX);
  return { [SORT]: sort, [MAX]: max };
}

/** The max@k loo-1 kernel by phase, B groups of n, on uniform rewards. */
async function profileMaxAtK(B: number, n: number, k: number): Promise<void> {
  const N = B * n;
  const values = randomBatch(N, false, SEEDS.maxAtK);
  const expected = maxAtKAdvantage(values, k, { groupSize: n, backend: 'js' });
  const names = ['range', '+ keys', '+ sort', 'whole kernel'];
  const cases: Record<string, () => unknown> = { floor: floorCopy(values, new Float64Array(N)) };
  let whole: Float64Array | undefined;
  const pages = Math.ceil((N * 16 + (B + 1) * 4 + (4 << 20)) / 65536) + 16;
  for (let phase = 1; phase <= 4; phase++) {
    const { wasm } = await compileWasm(await phaseSources(phase));
    const memory = new WebAssembly.Memory({ initial: pages });
    const x = await instantiate<{
      heapBase(): number;
      maxAtKWeights(v: number, o: number, groups: number, k: number, baseline: number, scaleByN: boolean, out: number, scratch: number, maxN: number): number;
    }>(wasm, memory);
    const at = (x.heapBase() + 15) & ~15;
    const offsets = at + N * 8;
    const out = (offsets + (B + 1) * 4 + 15) & ~15;
    const scratch = (out + N * 8 + 15) & ~15;
    new Float64Array(memory.buffer, at, N).set(values);
    new Int32Array(memory.buffer, offsets, B + 1).forEach((_, b, a) => (a[b] = b * n));
    cases[names[phase - 1] as string] = () => x.maxAtKWeights(at, offsets, B, k, BaselineCode['loo-1'], false, out, scratch, n);
    if (phase === 4) whole = new Float64Array(memory.buffer, out, N);
  }
  const t = timeInTurns(cases);
  for (let i = 0; i < N; i += 997) {
    if (!Object.is(whole![i], expected[i])) throw new Error(`max@k weight ${i}: wasm ${whole![i]}, js ${expected[i]}`);
  }
  const floor = t.floor as Timing;
  const ns = (ms: number): string => ((ms / N) * 1e6).toFixed(3);
  console.log(`\nmax@k loo-1 weights, ${B.toLocaleString('en-US')} groups × n = ${n}, k = ${k}: floor ${floor.median.toFixed(3)} ms (${ns(floor.median)} ns per sample; fastest ${ns(floor.min)})`);
  console.log('| build stops after | median ms | × floor | ns per sample | the phase adds | fastest: ns per sample | the phase adds |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  let previous: Timing = { median: 0, min: 0 };
  for (const name of names) {
    const c = t[name] as Timing;
    console.log(`| ${name} | ${c.median.toFixed(3)} | ${(c.median / floor.median).toFixed(2)} | ${ns(c.median)} | ${ns(c.median - previous.median)} | ${ns(c.min)} | ${ns(c.min - previous.min)} |`);
    previous = c;
  }
}

/** Minimal loops with the binary kernel's memory traffic (AssemblyScript, compiled here). */
const STREAM_SOURCE = `
export function copy64(src: usize, dst: usize, n: i32): void {
  for (let i: usize = 0; i < (<usize>n << 3); i += 32) {
    v128.store(dst + i, v128.load(src + i));
    v128.store(dst + i + 16, v128.load(src + i + 16));
  }
}
export function demote(src: usize, dst: usize, n: i32): void {
  let j: usize = dst;
  for (let i: usize = 0; i < (<usize>n << 3); i += 32) {
    v128.store64_lane(j, f32x4.demote_f64x2_zero(v128.load(src + i)), 0);
    v128.store64_lane(j + 8, f32x4.demote_f64x2_zero(v128.load(src + i + 16)), 0);
    j += 16;
  }
}
export function sumThenWrite(src: usize, dst: usize, n: i32, g: i32): f64 {
  let total = 0.0;
  const bytes = <usize>g << 3;
  for (let b: usize = 0; b < (<usize>n << 3); b += bytes) {
    // Four accumulators, so the adds' latency does not bound the pass (g is a multiple of 8).
    let s0 = f64x2.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    for (let i: usize = 0; i < bytes; i += 64) {
      s0 = f64x2.add(s0, v128.load(src + b + i));
      s1 = f64x2.add(s1, v128.load(src + b + i + 16));
      s2 = f64x2.add(s2, v128.load(src + b + i + 32));
      s3 = f64x2.add(s3, v128.load(src + b + i + 48));
    }
    const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
    const w = f64x2.splat(f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1));
    for (let i: usize = 0; i < bytes; i += 16) v128.store(dst + b + i, f64x2.mul(v128.load(src + b + i), w));
    total += f64x2.extract_lane(w, 0);
  }
  return total;
}
`;

/** binary pass@k loo-1 on wasm views next to the minimal loops, B groups of n. */
async function profileBinary(B: number, n: number, k: number, streamWasm: Uint8Array): Promise<void> {
  const N = B * n;
  const rewards = randomBatch(N, true, SEEDS.floor(n));
  const expected = passAtKAdvantage(rewards, k, { groupSize: n, backend: 'js' });
  const wasm = await loadWasmBackend();
  // Every case reads and writes its own arrays, so none finds its input in cache from the case before.
  wasm.reserve(N * 36 + (4 << 20)); // views made after this stay live (no memory move)
  const in64 = wasm.alloc(N);
  in64.set(rewards);
  const in32 = wasm.alloc(N);
  in32.set(rewards);
  const out64 = wasm.alloc(N);
  const out32 = wasm.allocFloat32(N);
  const memory = new WebAssembly.Memory({ initial: Math.ceil((N * 48 + 65536) / 65536) + 1 });
  const loops = await instantiate<{
    copy64(src: number, dst: number, n: number): void;
    demote(src: number, dst: number, n: number): void;
    sumThenWrite(src: number, dst: number, n: number, g: number): number;
  }>(streamWasm, memory);
  /** [src, dst] of loop i: its own N doubles in and N doubles out. */
  const at = (i: number): [number, number] => [65536 + i * N * 16, 65536 + i * N * 16 + N * 8];
  for (let i = 0; i < 3; i++) new Float64Array(memory.buffer, at(i)[0], N).set(rewards);
  const [c0, c1, c2] = [at(0), at(1), at(2)];
  const t = timeInTurns({
    floor: floorCopy(rewards, new Float64Array(N)),
    'wasm loop: v128 copy, f64 → f64': () => loops.copy64(c0[0], c0[1], N),
    'wasm loop: read f64, store f32': () => loops.demote(c1[0], c1[1], N),
    'wasm loop: per group a sum pass, then a write pass': () => loops.sumThenWrite(c2[0], c2[1], N, n),
    'kernel on views, Float64 out': () => passAtKAdvantage(in64, k, { groupSize: n, out: out64, backend: 'wasm' }),
    'kernel on views, Float32 out': () => passAtKAdvantage(in32, k, { groupSize: n, out: out32, backend: 'wasm' }),
  });
  for (let i = 0; i < N; i += 997) {
    if (!Object.is(out64[i], expected[i]) || !Object.is(out32[i], Math.fround(expected[i] as number))) {
      throw new Error(`binary weight ${i}: wasm ${out64[i]} / ${out32[i]}, js ${expected[i]}`);
    }
  }
  const floor = t.floor as Timing;
  console.log(`\nbinary pass@k loo-1 weights, ${B.toLocaleString('en-US')} groups × n = ${n}, k = ${k}: floor ${floor.median.toFixed(3)} ms (fastest ${floor.min.toFixed(3)})`);
  console.log('| case | median ms | × floor | fastest ms | × fastest floor |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const name in t) {
    const c = t[name] as Timing;
    if (name !== 'floor') console.log(`| ${name} | ${c.median.toFixed(3)} | ${(c.median / floor.median).toFixed(2)} | ${c.min.toFixed(3)} | ${(c.min / floor.min).toFixed(2)} |`);
  }
}

// Compiled as the kernels are (the same asc flags), with the loops in place of the kernels' entry file.
const { wasm: streamWasm } = await compileWasm({ [ASSEMBLY_ENTRY]: STREAM_SOURCE });
await profileMaxAtK(100_000, 64, 8);
await profileMaxAtK(1_000, 1024, 64);
await profileBinary(100_000, 64, 8, streamWasm);
await profileBinary(1_000, 1024, 8, streamWasm);
