/**
 * The `wasm` backend over an instantiated kernels module: a bump arena in JS over the module's memory,
 * and one wrapper per kernel that copies caller arrays in once, runs the SIMD kernel and copies the
 * outputs out once. Arrays that already live in this memory (views from `alloc`) are used in place.
 * Docs: docs/backends.md.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { Backend, BaselineCode, KernelTable, Values } from '../types.js';

/** The exports of src/backends/wasm/assembly/index.ts (pointers are byte addresses). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  binaryCounts(values: number, offsets: number, groups: number, counts: number): number;
  binaryScatter(values: number, offsets: number, groups: number, wc: number, wi: number, out: number): void;
  groupMoments(values: number, offsets: number, groups: number, mean: number, ss: number, range: number): void;
  affineScatter(values: number, offsets: number, groups: number, shift: number, scale: number, out: number): void;
  segmentedSort(values: number, offsets: number, groups: number, sorted: number, scratch: number): void;
  sortedMaxWeights(
    sorted: number,
    offsets: number,
    groups: number,
    k: number,
    baseline: number,
    scaleByN: number,
    out: number,
    scratch: number,
    maxN: number,
  ): void;
  sortedMaxMetric(sorted: number, offsets: number, groups: number, k: number, out: number, scratch: number): void;
  gatherBySortedValue(values: number, sorted: number, offsets: number, groups: number, bySorted: number, out: number): void;
  segmentedArgsort(keys: number, offsets: number, groups: number, perm: number, scratch: number, maxN: number): void;
  sortedBestOfNWeights(
    scores: number,
    rewards: number,
    perm: number,
    offsets: number,
    groups: number,
    k: number,
    baseline: number,
    scaleByN: number,
    out: number,
    scratch: number,
    maxN: number,
  ): void;
  sortedBestOfNMetric(
    scores: number,
    rewards: number,
    perm: number,
    offsets: number,
    groups: number,
    k: number,
    out: number,
    scratch: number,
    maxN: number,
  ): void;
  sortedBestOfNSelection(
    scores: number,
    perm: number,
    offsets: number,
    groups: number,
    N: number,
    withReplacement: number,
    out: number,
    scratch: number,
    maxN: number,
  ): void;
  orderStatisticApply(
    values: number,
    perm: number,
    offsets: number,
    groups: number,
    tables: number,
    tableStart: number,
    scaleByN: number,
    out: number,
    scratch: number,
    maxN: number,
  ): void;
  orderStatisticMetric(sorted: number, offsets: number, groups: number, tables: number, tableStart: number, out: number): void;
}

/**
 * The `wasm` backend: the kernels plus an arena for zero-copy batches.
 *
 * Views from {@link WasmBackend.alloc} live in the module's memory; a kernel given such a view reads or
 * writes it in place instead of copying. WebAssembly detaches every view when its memory grows (a kernel
 * call grows it when its temporaries do not fit): kernels still accept a detached view of this backend,
 * and {@link WasmBackend.refresh} gives a live one. Call {@link WasmBackend.reserve} once up front so
 * memory never grows while views are in use.
 *
 * @example
 * ```ts
 * const wasm = await loadWasmBackend();
 * wasm.reserve(3 * 100_000 * 64 * 8);         // first: room for the views and kernel temporaries
 * const rewards = wasm.alloc(100_000 * 64);   // fill in place, e.g. rewards.set(batch)
 * const weights = wasm.alloc(100_000 * 64);
 * passAtKAdvantage(rewards, 8, { groupSize: 64, out: weights, backend: 'wasm' }); // no copies
 * wasm.allocatedBytes;                        // 102400000
 * wasm.reset();                               // frees every view at once
 * ```
 */
export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** A zero-filled Float64Array of `length` values living in wasm memory (valid until `reset`). */
  alloc(length: number): Float64Array;
  /** A zero-filled Int32Array living in wasm memory, e.g. for `groupOffsets`. */
  allocInt32(length: number): Int32Array;
  /** A live view over the same memory as `view` (needed only after the memory grew). */
  refresh<T extends Float64Array | Int32Array>(view: T): T;
  /** Grows the memory now so that `bytes` more bytes fit above the views without growing later. */
  reserve(bytes: number): void;
  /** Frees every view handed out by `alloc` / `allocInt32` (they must not be used afterwards). */
  reset(): void;
  /** Bytes of wasm memory currently held by views. */
  readonly allocatedBytes: number;
}

const PAGE = 65536;
const align16 = (n: number): number => (n + 15) & ~15;

/** Builds the backend over an instantiated module. */
export function createWasmBackend(x: KernelExports): WasmBackend {
  const memory = x.memory;
  const base = x.heapBase();
  /** End of the views handed out by alloc; kernel temporaries go above it and are dropped per call. */
  let userTop = base;
  let top = base;
  /** Where each view handed out lives, so a view detached by memory growth still resolves. */
  const homes = new WeakMap<object, { ptr: number; length: number }>();

  function ensure(end: number): void {
    const have = memory.buffer.byteLength;
    if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
  }
  function bump(bytes: number): number {
    const ptr = top;
    top = align16(top + bytes);
    ensure(top);
    return ptr;
  }

  /** The address of `arr` if it already lives in this memory, else −1. */
  function resident(arr: unknown, need: number, what: string): number {
    if (!ArrayBuffer.isView(arr)) return -1;
    if (arr.buffer === memory.buffer) return arr.byteOffset;
    const home = homes.get(arr);
    if (home === undefined) return -1;
    if (home.length < need) throw new InvalidArgumentError(what, `${what} is a wasm view of ${home.length} values (needs ${need})`);
    return home.ptr;
  }

  /** Copies n values of `src` into a fresh f64 block (non-numbers become NaN, as the kernels expect). */
  function inF64(src: Values, n: number): number {
    const at = resident(src, n, 'values');
    if (at >= 0 && src instanceof Float64Array) return at;
    const ptr = bump(n * 8);
    const dst = new Float64Array(memory.buffer, ptr, n);
    if (ArrayBuffer.isView(src) && !(src instanceof BigInt64Array) && !(src instanceof BigUint64Array)) {
      dst.set((src as unknown as Float64Array).subarray(0, n));
    } else {
      for (let i = 0; i < n; i++) {
        const v = src[i];
        dst[i] = typeof v === 'number' ? v : NaN;
      }
    }
    return ptr;
  }
  function inI32(src: Int32Array, n: number): number {
    const at = resident(src, n, 'offsets');
    if (at >= 0) return at;
    const ptr = bump(n * 4);
    new Int32Array(memory.buffer, ptr, n).set(src.subarray(0, n));
    return ptr;
  }
  /** An output block: the array itself when resident, else a temporary copied back by `outF64`. */
  function outPtr(dst: Float64Array | Int32Array, n: number, bytesPer: number): number {
    const at = resident(dst, n, 'out');
    return at >= 0 ? at : bump(n * bytesPer);
  }
  function copyOutF64(dst: Float64Array, ptr: number, n: number): void {
    if (resident(dst, n, 'out') < 0) dst.set(new Float64Array(memory.buffer, ptr, n));
  }
  function copyOutI32(dst: Int32Array, ptr: number, n: number): void {
    if (resident(dst, n, 'out') < 0) dst.set(new Int32Array(memory.buffer, ptr, n));
  }
  function begin(offsets: Int32Array): { groups: number; n: number; offs: number } {
    top = userTop;
    const groups = offsets.length - 1;
    return { groups, n: offsets[groups] as number, offs: inI32(offsets, groups + 1) };
  }
  function maxGroupSize(offsets: Int32Array): number {
    let max = 0;
    for (let b = 1; b < offsets.length; b++) {
      const size = (offsets[b] as number) - (offsets[b - 1] as number);
      if (size > max) max = size;
    }
    return max;
  }

  const kernels: KernelTable = {
    binaryCounts(values: Values, offsets: Int32Array, counts: Int32Array): number {
      const { groups, n, offs } = begin(offsets);
      const v = inF64(values, n);
      const c = outPtr(counts, groups, 4);
      const bad = x.binaryCounts(v, offs, groups, c);
      copyOutI32(counts, c, groups);
      return bad;
    },
    binaryScatter(values, offsets, wCorrect, wIncorrect, out): void {
      const { groups, n, offs } = begin(offsets);
      const v = inF64(values, n);
      const wc = inF64(wCorrect, groups);
      const wi = inF64(wIncorrect, groups);
      const o = outPtr(out, n, 8);
      x.binaryScatter(v, offs, groups, wc, wi, o);
      copyOutF64(out, o, n);
    },
    groupMoments(values, offsets, mean, sumSquares, range): void {
      const { groups, n, offs } = begin(offsets);
      const v = inF64(values, n);
      const m = outPtr(mean, groups, 8);
      const s = outPtr(sumSquares, groups, 8);
      const r = outPtr(range, groups, 8);
      x.groupMoments(v, offs, groups, m, s, r);
      copyOutF64(mean, m, groups);
      copyOutF64(sumSquares, s, groups);
      copyOutF64(range, r, groups);
    },
    affineScatter(values, offsets, shift, scale, out): void {
      const { groups, n, offs } = begin(offsets);
      const v = inF64(values, n);
      const sh = inF64(shift, groups);
      const sc = inF64(scale, groups);
      const o = outPtr(out, n, 8);
      x.affineScatter(v, offs, groups, sh, sc, o);
      copyOutF64(out, o, n);
    },
    segmentedSort(values, offsets, sorted): void {
      const { groups, n, offs } = begin(offsets);
      const v = inF64(values, n);
      const s = outPtr(sorted, n, 8);
      const scratch = bump(maxGroupSize(offsets) * 8);
      x.segmentedSort(v, offs, groups, s, scratch);
      copyOutF64(sorted, s, n);
    },
    sortedMaxWeights(sorted, offsets, k, baseline: BaselineCode, scaleByN, out): void {
      const { groups, n, offs } = begin(offsets);
      const maxN = maxGroupSize(offsets);
      const s = inF64(sorted, n);
      const o = outPtr(out, n, 8);
      const scratch = bump(3 * maxN * 8);
      x.sortedMaxWeights(s, offs, groups, k, baseline, scaleByN ? 1 : 0, o, scratch, maxN);
      copyOutF64(out, o, n);
    },
    sortedMaxMetric(sorted, offsets, k, out): void {
      const { groups, n, offs } = begin(offsets);
      const s = inF64(sorted, n);
      const o = outPtr(out, groups, 8);
      const scratch = bump(maxGroupSize(offsets) * 8);
      x.sortedMaxMetric(s, offs, groups, k, o, scratch);
      copyOutF64(out, o, groups);
    },
    maxAtKWeights(values, offsets, k, baseline: BaselineCode, scaleByN, out): void {
      // Sort, weights and gather chained inside wasm memory: the intermediates never cross to JS.
      const { groups, n, offs } = begin(offsets);
      const maxN = maxGroupSize(offsets);
      const v = inF64(values, n);
      const s = bump(n * 8);
      const w = bump(n * 8);
      const scratch = bump(3 * maxN * 8);
      x.segmentedSort(v, offs, groups, s, scratch);
      x.sortedMaxWeights(s, offs, groups, k, baseline, scaleByN ? 1 : 0, w, scratch, maxN);
      const o = outPtr(out, n, 8);
      x.gatherBySortedValue(v, s, offs, groups, w, o);
      copyOutF64(out, o, n);
    },
    gatherBySortedValue(values, sorted, offsets, bySorted, out): void {
      const { groups, n, offs } = begin(offsets);
      const v = inF64(values, n);
      const s = inF64(sorted, n);
      const w = inF64(bySorted, n);
      const o = outPtr(out, n, 8);
      x.gatherBySortedValue(v, s, offs, groups, w, o);
      copyOutF64(out, o, n);
    },
    segmentedArgsort(keys, offsets, perm): void {
      const { groups, n, offs } = begin(offsets);
      const maxN = maxGroupSize(offsets);
      const k = inF64(keys, n);
      const p = outPtr(perm, n, 4);
      const scratch = bump(maxN * 24);
      x.segmentedArgsort(k, offs, groups, p, scratch, maxN);
      copyOutI32(perm, p, n);
    },
    sortedBestOfNWeights(scores, rewards, perm, offsets, k, baseline, scaleByN, out): void {
      const { groups, n, offs } = begin(offsets);
      const maxN = maxGroupSize(offsets);
      const sc = inF64(scores, n);
      const r = inF64(rewards, n);
      const p = inI32(perm, n);
      const o = outPtr(out, n, 8);
      const scratch = bump(7 * maxN * 8 + (maxN + 1) * 4);
      x.sortedBestOfNWeights(sc, r, p, offs, groups, k, baseline, scaleByN ? 1 : 0, o, scratch, maxN);
      copyOutF64(out, o, n);
    },
    sortedBestOfNMetric(scores, rewards, perm, offsets, k, out): void {
      const { groups, n, offs } = begin(offsets);
      const maxN = maxGroupSize(offsets);
      const sc = inF64(scores, n);
      const r = inF64(rewards, n);
      const p = inI32(perm, n);
      const o = outPtr(out, groups, 8);
      const scratch = bump(3 * maxN * 8 + (maxN + 1) * 4);
      x.sortedBestOfNMetric(sc, r, p, offs, groups, k, o, scratch, maxN);
      copyOutF64(out, o, groups);
    },
    sortedBestOfNSelection(scores, perm, offsets, N, withReplacement, out): void {
      const { groups, n, offs } = begin(offsets);
      const maxN = maxGroupSize(offsets);
      const sc = inF64(scores, n);
      const p = inI32(perm, n);
      const o = outPtr(out, n, 8);
      const scratch = bump(3 * maxN * 8 + (maxN + 1) * 4);
      x.sortedBestOfNSelection(sc, p, offs, groups, N, withReplacement ? 1 : 0, o, scratch, maxN);
      copyOutF64(out, o, n);
    },
    orderStatisticWeights(values, offsets, tables, tableStart, scaleByN, out): void {
      // Argsort and apply chained inside wasm memory: the permutation never crosses to JS.
      const { groups, n, offs } = begin(offsets);
      const maxN = maxGroupSize(offsets);
      const v = inF64(values, n);
      const t = inF64(tables, tables.length);
      const ts = inI32(tableStart, groups);
      const p = bump(n * 4);
      const scratch = bump(maxN * 24);
      x.segmentedArgsort(v, offs, groups, p, scratch, maxN);
      const o = outPtr(out, n, 8);
      x.orderStatisticApply(v, p, offs, groups, t, ts, scaleByN ? 1 : 0, o, scratch, maxN);
      copyOutF64(out, o, n);
    },
    orderStatisticMetric(sorted, offsets, tables, tableStart, out): void {
      const { groups, n, offs } = begin(offsets);
      const s = inF64(sorted, n);
      const t = inF64(tables, tables.length);
      const ts = inI32(tableStart, groups);
      const o = outPtr(out, groups, 8);
      x.orderStatisticMetric(s, offs, groups, t, ts, o);
      copyOutF64(out, o, groups);
    },
  };

  function allocBytes(length: number, bytesPer: number): number {
    if (!Number.isInteger(length) || length < 0) {
      throw new InvalidArgumentError('length', `length must be an integer ≥ 0 (got ${String(length)})`);
    }
    top = userTop;
    const ptr = bump(length * bytesPer);
    userTop = top;
    new Uint8Array(memory.buffer, ptr, length * bytesPer).fill(0);
    return ptr;
  }

  return {
    name: 'wasm',
    kernels,
    alloc(length: number): Float64Array {
      const ptr = allocBytes(length, 8);
      const view = new Float64Array(memory.buffer, ptr, length);
      homes.set(view, { ptr, length });
      return view;
    },
    allocInt32(length: number): Int32Array {
      const ptr = allocBytes(length, 4);
      const view = new Int32Array(memory.buffer, ptr, length);
      homes.set(view, { ptr, length });
      return view;
    },
    refresh<T extends Float64Array | Int32Array>(view: T): T {
      if (view.buffer === memory.buffer) return view;
      const home = homes.get(view);
      if (home === undefined) throw new InvalidArgumentError('view', 'view was not allocated by this wasm backend');
      const fresh = (view instanceof Int32Array
        ? new Int32Array(memory.buffer, home.ptr, home.length)
        : new Float64Array(memory.buffer, home.ptr, home.length)) as T;
      homes.set(fresh, home);
      return fresh;
    },
    reserve(bytes: number): void {
      ensure(align16(userTop + bytes));
    },
    reset(): void {
      userTop = base;
      top = base;
    },
    get allocatedBytes(): number {
      return userTop - base;
    },
  };
}
