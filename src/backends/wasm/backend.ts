/**
 * The `wasm` backend over an instantiated kernels module: a bump arena in JS over the module's memory,
 * and one wrapper per kernel that copies caller arrays in once, runs the SIMD kernel and copies the
 * outputs out once (the one-pass per-group kernels do it chunk by chunk, in cache: see byChunks).
 * Arrays that already live in this memory (views from `alloc`) are used in place.
 * Docs: docs/backends.md.
 */
import { CapacityError, InvalidArgumentError, show } from '../../errors.js';
import { isDetached, setStaleCheck } from '../../validate.js';
import type { Backend, BaselineCode, BinaryGroupWeights, KernelTable, Values, WeightOut } from '../types.js';
import type { KernelExports } from './exports.generated.js';

export type { KernelExports } from './exports.generated.js';

/**
 * A bump arena of views living in the wasm memory. Each arena frees only its own views: async tasks
 * that interleave (one awaits while another runs) each take their own arena from
 * {@link WasmBackend.createArena}, so one task's `reset` can never hand its memory to another's views.
 *
 * @example
 * ```ts
 * const wasm = await loadWasmBackend();
 * const arena = wasm.createArena();       // one per async task
 * const rewards = arena.alloc(4);
 * rewards.set([1, 0, 0, 1]);
 * passAtKWeights(rewards, 2, { backend: 'wasm' });
 * arena.reset();                          // frees this arena's views only
 * ```
 */
export interface WasmArena {
  /** A zero-filled Float64Array of `length` values living in wasm memory (valid until this arena's `reset`). */
  alloc(length: number): Float64Array;
  /** A zero-filled Int32Array living in wasm memory, e.g. for `groupOffsets`. */
  allocInt32(length: number): Int32Array;
  /** A zero-filled Float32Array living in wasm memory, e.g. for a float32 `out` written in place. */
  allocFloat32(length: number): Float32Array;
  /** Frees every view this arena handed out; using one afterwards in a call is an error. */
  reset(): void;
  /** Bytes of wasm memory held by this arena's views. */
  readonly allocatedBytes: number;
}

/**
 * The `wasm` backend: the kernels plus arenas for zero-copy batches.
 *
 * Views from {@link WasmBackend.alloc} (or an arena of {@link WasmBackend.createArena}) live in the
 * module's memory; a kernel given such a view reads or writes it in place instead of copying.
 *
 * The memory contract (docs/backends.md, "Zero-copy views and concurrency"):
 * - The memory grows by moving to a new, larger one (the views' bytes copied across; the old buffer is
 *   not detached, so typed-array code elsewhere in the process keeps its speed), or by `memory.grow`
 *   where the host cannot instantiate synchronously or the views hold more than 256 MiB. Either way
 *   the views handed out before are left behind: stale (they still read the old bytes) or detached
 *   (they read as empty).
 * - While any view is allocated, a call never grows the memory (that would leave every view behind).
 *   A call whose temporaries do not fit throws a {@link CapacityError} before it writes anything,
 *   naming the bytes to pass to {@link WasmBackend.reserve}. With no views allocated, calls grow the
 *   memory as they need.
 * - `alloc` and `reserve` may grow the memory: a view left behind that is passed to any call (either
 *   backend) is an error naming it; {@link WasmBackend.refresh} gives a live one. A stale view keeps
 *   the old memory alive until it is dropped.
 * - A view freed by its arena's `reset` is an error in every later call (not silently reused memory).
 * - Up to WebAssembly's 4 GiB; beyond, or when the host refuses to grow, a {@link CapacityError}.
 *
 * @example
 * ```ts
 * const wasm = await loadWasmBackend();
 * const rewards = wasm.alloc(100_000 * 64);   // fill in place, e.g. rewards.set(batch)
 * const weights = wasm.alloc(100_000 * 64);
 * wasm.reserve(16 * 1024 * 1024);             // room for the kernels' temporaries
 * passAtKWeights(rewards, 8, { groupSize: 64, out: weights, backend: 'wasm' }); // no copies
 * wasm.allocatedBytes;                        // 102400000
 * wasm.reset();                               // frees every view of the default arena
 * ```
 */
export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** A zero-filled Float64Array of `length` values in the default arena (valid until `reset`). */
  alloc(length: number): Float64Array;
  /** A zero-filled Int32Array in the default arena, e.g. for `groupOffsets`. */
  allocInt32(length: number): Int32Array;
  /**
   * A zero-filled Float32Array in the default arena: a float32 `out` that weight estimators write in
   * place (`passAtKAdvantage(r, 8, { out: wasm.allocFloat32(r.length), backend: 'wasm' })`).
   */
  allocFloat32(length: number): Float32Array;
  /** A live view of the same bytes as `view` (needed only after the memory grew: `view` is then stale or detached). */
  refresh<T extends Float64Array | Int32Array | Float32Array>(view: T): T;
  /**
   * Grows the memory now so that `bytes` more bytes fit above the allocated views, so calls have room
   * for their temporaries without growing. Throws {@link CapacityError} beyond 4 GiB.
   */
  reserve(bytes: number): void;
  /** Frees every view of the default arena (they must not be used afterwards; calls refuse them). */
  reset(): void;
  /** A new arena with its own views and its own `reset`; see {@link WasmArena}. */
  createArena(): WasmArena;
  /** Bytes of wasm memory currently held by views, over every arena. */
  readonly allocatedBytes: number;
}

const PAGE = 65536;
/** WebAssembly's 32-bit address space. */
const MAX_BYTES = 4294967296; // 2 ** 32 (a literal: bundlers keep an unused top-level `2 ** 32`)
/** Rounds up to a multiple of 16 with plain arithmetic (a bitwise `& ~15` wraps above 2^31). */
const align16 = (n: number): number => Math.ceil(n / 16) * 16;
/**
 * The most bytes of views a growth copies to a new memory (see createWasmBackend); above it the memory
 * grows in place, so a move never holds more than this much twice, nor spends more than ≈ 50 ms copying.
 */
const MOVE_LIMIT = 256 * 1024 * 1024;
/** Samples per chunk of the fused binary kernel on copied arrays: 64 KiB of f64, in L2 with its output. */
const CHUNK = 8192;

/** The most distinct group sizes, and the largest size, whose binary weight tables are kept per function. */
const KEPT_SIZES = 16;
const KEPT_ENTRIES = 1 << 16;

/** The binary weights of one function for groups of one size: [wc, wi] at 2c, and whether c is computed. */
interface KeptTable {
  readonly w: Float64Array;
  readonly filled: Uint8Array;
}

/** One allocation of an arena. */
interface Block {
  readonly ptr: number;
  readonly bytes: number;
  live: boolean;
}

/** One temporary or resident operand of a kernel call. */
interface Slot {
  ptr: number;
  readonly bytes: number;
  readonly resident: boolean;
  readonly copyIn?: () => void;
}

/** What {@link createWasmBackend}'s chunked runner passes a kernel for one chunk (addresses in wasm memory). */
interface ChunkPointers {
  /** Each per-sample input, as a base indexed by absolute sample index. */
  readonly inputs: readonly number[];
  /** The chunk's first group's offset (offsets stay absolute). */
  readonly offsets: number;
  /** Groups in the chunk. */
  readonly groups: number;
  /** Each per-group input from the chunk's first group. */
  readonly perGroup: readonly number[];
  /** Each whole input. */
  readonly whole: readonly number[];
  /** The per-sample output, as a base indexed by absolute sample index. */
  readonly out: number;
  readonly scratch: number;
  /** The chunk's first group and first sample. */
  readonly g0: number;
  readonly i0: number;
}

/**
 * Copies `src[i0, i1)` to the start of `dst` (wasm memory): a typed array by memcpy (integer and float32
 * arrays converted exactly), a plain array value by value, anything that is not a number as NaN (the
 * kernel's finiteness check then reports it at its index).
 */
function stageValues(dst: Float64Array, src: Values, i0: number, i1: number): void {
  if (ArrayBuffer.isView(src)) {
    dst.set((src as unknown as Float64Array).subarray(i0, i1));
    return;
  }
  for (let i = i0; i < i1; i++) {
    const v = src[i];
    dst[i - i0] = typeof v === 'number' ? v : NaN;
  }
}

/**
 * Buffers of wasm memories a backend has moved away from (it replaces its memory with a larger one
 * instead of growing it): views over them still read the old bytes but are stale, and every call
 * refuses them as it refuses detached views.
 */
const retiredBuffers = new WeakSet<ArrayBufferLike>();

/** Throws for a view of a replaced wasm memory, naming `name` and the refresh call. */
function refuseStale(view: ArrayBufferView, name: string): void {
  if (!retiredBuffers.has(view.buffer)) return;
  throw new InvalidArgumentError(
    name,
    `${name} is a stale wasm view (got ${show(view)}; the wasm memory was replaced by a larger one after the ` +
      `view was made): get a live one with wasm.refresh(${name.replace(/^opts\./, '')})`,
  );
}

/** Retires `buffer` and makes every call's array check refuse views of it. */
function retireBuffer(buffer: ArrayBufferLike): void {
  retiredBuffers.add(buffer);
  setStaleCheck(refuseStale);
}

/** A new instance of the kernels module over `memory` (synchronously); throws when the host refuses. */
export type InstantiateKernels = (memory: WebAssembly.Memory) => KernelExports;

/**
 * Builds the backend over an instance of the kernels module and the memory it imports. With
 * `instantiate`, the backend never grows a memory: when it needs more, it makes a new, larger memory and
 * a new instance over it, copies the views' bytes across and marks the old buffer retired (views over it
 * are stale: calls refuse them, `refresh` gives live ones). `memory.grow` would detach the old buffer,
 * and in V8 the first detach in a process slows every typed-array access in optimised code for the rest
 * of it. Without `instantiate`, once the host refuses a synchronous instantiation, or when the views
 * hold more than MOVE_LIMIT bytes (256 MiB) to copy, it grows in place.
 */
export function createWasmBackend(first: KernelExports, initialMemory: WebAssembly.Memory, instantiate?: InstantiateKernels): WasmBackend {
  let x = first;
  let memory = initialMemory;
  let replace = instantiate;
  const base = x.heapBase();
  /** End of the region holding arena blocks; kernel temporaries go above it and are dropped per call. */
  let userTop = base;
  /** Everything at or above this address has never been written (fresh pages from grow are zero). */
  let dirtyTop = base;
  /** Freed ranges below userTop, sorted by address and coalesced. */
  let free: { ptr: number; bytes: number }[] = [];
  const liveBlocks = new Set<Block>();
  let liveBytes = 0;
  /** Where each view handed out lives, so its block can be checked (and a detached one refreshed). */
  const homes = new WeakMap<object, { block: Block; ptr: number; length: number }>();

  /** Makes the memory at least `end` bytes; `headroom` (alloc) asks for ≥ 1.25× the current size on a move. */
  function grow(end: number, what: string, argument = what, headroom = false): void {
    if (end > MAX_BYTES) {
      throw new CapacityError(
        argument,
        `${what} needs wasm memory up to ${end} bytes, beyond WebAssembly's 4 GiB (${MAX_BYTES} bytes)`,
      );
    }
    const have = memory.buffer.byteLength;
    if (end <= have) return;
    if (replace !== undefined && userTop - base <= MOVE_LIMIT && moveTo(end, replace, headroom)) return;
    try {
      memory.grow(Math.ceil((end - have) / PAGE));
    } catch (e) {
      throw new CapacityError(
        argument,
        `${what} needs wasm memory up to ${end} bytes, but the runtime refused to grow it from ${have} (${(e as Error).message})`,
      );
    }
  }

  /**
   * Moves the backend to a new memory of at least `end` bytes (with `headroom`, at least 1.25× the current
   * size when the host gives it, so a run of growing allocations copies O(total) bytes) and a new instance over it; the
   * bytes of the arenas' blocks, [base, userTop), are copied, everything above is fresh zeros. Returns
   * false (the caller grows in place) when no new memory of `end` bytes can be had, and stops trying
   * for good when the host refuses the synchronous instantiation.
   */
  function moveTo(end: number, make: InstantiateKernels, headroom: boolean): boolean {
    const need = Math.ceil(end / PAGE);
    const roomy = headroom ? Math.min(MAX_BYTES / PAGE, Math.max(need, Math.ceil((1.25 * memory.buffer.byteLength) / PAGE))) : need;
    let next: WebAssembly.Memory | undefined;
    for (const pages of roomy > need ? [roomy, need] : [need]) {
      try {
        next = new WebAssembly.Memory({ initial: pages });
        break;
      } catch {
        // Try the exact size, then memory.grow (which reports the failure).
      }
    }
    if (next === undefined) return false;
    let kernels: KernelExports;
    try {
      kernels = make(next);
    } catch {
      replace = undefined;
      return false;
    }
    new Uint8Array(next.buffer).set(new Uint8Array(memory.buffer, base, userTop - base), base);
    retireBuffer(memory.buffer);
    memory = next;
    x = kernels;
    dirtyTop = userTop;
    return true;
  }

  // ---- arena blocks -------------------------------------------------------------------------------

  function allocBlock(bytes: number): Block {
    const size = align16(Math.max(bytes, 1));
    let ptr = -1;
    for (let i = 0; i < free.length; i++) {
      const f = free[i] as { ptr: number; bytes: number };
      if (f.bytes < size) continue;
      ptr = f.ptr;
      if (f.bytes === size) free.splice(i, 1);
      else free[i] = { ptr: f.ptr + size, bytes: f.bytes - size };
      break;
    }
    if (ptr < 0) {
      ptr = userTop;
      grow(ptr + size, 'alloc', 'length', true);
      userTop = ptr + size;
    }
    // Zero only what was ever written: fresh pages are zero already (so a 2 GiB view costs no time).
    const dirtyEnd = Math.min(ptr + size, dirtyTop);
    if (dirtyEnd > ptr) new Uint8Array(memory.buffer, ptr, dirtyEnd - ptr).fill(0);
    // The caller writes into the view: from now on these bytes may be dirty.
    if (ptr + size > dirtyTop) dirtyTop = ptr + size;
    const block: Block = { ptr, bytes: size, live: true };
    liveBlocks.add(block);
    liveBytes += size;
    return block;
  }

  function freeBlock(block: Block): void {
    if (!block.live) return;
    block.live = false;
    liveBlocks.delete(block);
    liveBytes -= block.bytes;
    free.push({ ptr: block.ptr, bytes: block.bytes });
    free.sort((a, b) => a.ptr - b.ptr);
    const merged: { ptr: number; bytes: number }[] = [];
    for (const f of free) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last.ptr + last.bytes === f.ptr) last.bytes += f.bytes;
      else merged.push({ ...f });
    }
    // A free range at the top shrinks the block region (temporaries may use it again).
    const last = merged[merged.length - 1];
    if (last !== undefined && last.ptr + last.bytes === userTop) {
      userTop = last.ptr;
      merged.pop();
    }
    free = merged;
  }

  function checkLength(length: unknown): number {
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
      throw new InvalidArgumentError('length', `length must be an integer ≥ 0 (got ${show(length)})`);
    }
    return length;
  }

  function makeArena(): WasmArena & { blocks: Set<Block> } {
    const blocks = new Set<Block>();
    /** A view of `length` elements in a new block of this arena, registered so kernels find it in place. */
    function allocView<A extends Float64Array | Float32Array | Int32Array>(
      Ctor: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): A; readonly BYTES_PER_ELEMENT: number },
      length: number,
    ): A {
      const n = checkLength(length);
      const block = allocBlock(n * Ctor.BYTES_PER_ELEMENT);
      blocks.add(block);
      const view = new Ctor(memory.buffer, block.ptr, n);
      homes.set(view, { block, ptr: block.ptr, length: n });
      return view;
    }
    const arena = {
      blocks,
      alloc: (length: number): Float64Array => allocView(Float64Array, length),
      allocInt32: (length: number): Int32Array => allocView(Int32Array, length),
      allocFloat32: (length: number): Float32Array => allocView(Float32Array, length),
      reset(): void {
        for (const block of blocks) freeBlock(block);
        blocks.clear();
      },
      get allocatedBytes(): number {
        let total = 0;
        for (const block of blocks) total += block.bytes;
        return total;
      },
    };
    return arena;
  }

  // ---- kernel operands ----------------------------------------------------------------------------

  /** The address of `arr` if it lives in this memory (checked live), else −1. Detached views are refused. */
  function resident(arr: unknown, what: string): number {
    if (!ArrayBuffer.isView(arr)) return -1;
    const home = homes.get(arr);
    if (arr.buffer === memory.buffer) {
      if (home !== undefined) {
        if (!home.block.live) throw freed(what);
        return home.ptr;
      }
      // A subarray of a view: it must lie inside a live block.
      const lo = arr.byteOffset;
      const hi = lo + arr.byteLength;
      for (const block of liveBlocks) if (lo >= block.ptr && hi <= block.ptr + block.bytes) return lo;
      if (arr.byteLength === 0) return lo;
      throw freed(what);
    }
    if (arr.byteLength === 0 && isDetached(arr.buffer)) {
      throw new InvalidArgumentError(
        what,
        `${what} is a detached view (the wasm memory grew after it was made): pass wasm.refresh(view) instead`,
      );
    }
    refuseStale(arr, what);
    return -1;
  }

  function freed(what: string): InvalidArgumentError {
    return new InvalidArgumentError(
      what,
      `${what} is a wasm view whose memory was freed by reset(): allocate it again (views are valid until their arena's reset)`,
    );
  }

  /** The operands of one kernel call: resolved first, temporaries placed and memory checked once, then copied in. */
  function frame(): {
    f64(src: Values, n: number, what: string): Slot;
    i32(src: Int32Array, n: number, what: string): Slot;
    out(dst: Float64Array | Int32Array | Float32Array, n: number, bytesPer: number): Slot;
    scratch(bytes: number): Slot;
    commit(): void;
  } {
    const slots: Slot[] = [];
    const add = (slot: Slot): Slot => (slots.push(slot), slot);
    return {
      f64(src, n, what) {
        const at = resident(src, what);
        if (at >= 0 && src instanceof Float64Array) return add({ ptr: at, bytes: 0, resident: true });
        const slot: Slot = add({
          ptr: -1,
          bytes: n * 8,
          resident: false,
          copyIn: () => stageValues(new Float64Array(memory.buffer, slot.ptr, n), src, 0, n),
        });
        return slot;
      },
      i32(src, n, what) {
        const at = resident(src, what);
        if (at >= 0) return add({ ptr: at, bytes: 0, resident: true });
        const slot: Slot = add({
          ptr: -1,
          bytes: n * 4,
          resident: false,
          copyIn: () => new Int32Array(memory.buffer, slot.ptr, n).set(src.subarray(0, n)),
        });
        return slot;
      },
      out(dst, n, bytesPer) {
        const at = resident(dst, 'opts.out');
        // In place only when the kernel writes the view's own element type (a float32 view given to an
        // f64 kernel gets an f64 temporary, rounded to float32 by the copy out).
        return at >= 0 && dst.BYTES_PER_ELEMENT === bytesPer
          ? add({ ptr: at, bytes: 0, resident: true })
          : add({ ptr: -1, bytes: n * bytesPer, resident: false });
      },
      scratch(bytes) {
        return add({ ptr: -1, bytes, resident: false });
      },
      commit() {
        let top = userTop;
        for (const slot of slots) {
          if (slot.resident) continue;
          slot.ptr = top;
          top = align16(top + slot.bytes);
        }
        if (top > memory.buffer.byteLength && liveBytes > 0) {
          const need = top - userTop;
          throw new CapacityError(
            'backend',
            `the wasm call needs ${need} bytes of temporaries above the allocated views but memory would have to grow, ` +
              `which detaches every view: call wasm.reserve(${need}) after allocating (or reset the views first)`,
          );
        }
        grow(top, 'the wasm call', 'backend');
        if (top > dirtyTop) dirtyTop = top;
        for (const slot of slots) slot.copyIn?.();
      },
    };
  }

  function copyOutF64(dst: Float64Array | Float32Array, slot: Slot, n: number): void {
    if (!slot.resident) dst.set(new Float64Array(memory.buffer, slot.ptr, n));
  }
  function copyOutI32(dst: Int32Array, slot: Slot, n: number): void {
    if (!slot.resident) dst.set(new Int32Array(memory.buffer, slot.ptr, n));
  }
  function sizes(offsets: Int32Array): { groups: number; n: number; maxN: number } {
    const groups = offsets.length - 1;
    let maxN = 0;
    for (let b = 1; b < offsets.length; b++) {
      const size = (offsets[b] as number) - (offsets[b - 1] as number);
      if (size > maxN) maxN = size;
    }
    return { groups, n: offsets[groups] as number, maxN };
  }

  /**
   * The [wc, wi] tables of each `weights` function by group size, kept across calls (a function's values
   * depend on (n, c) alone, so an entry computed once is never computed again): a trainer calling with the
   * same n and k every step finds every entry filled and the kernel never stops.
   */
  const keptTables = new WeakMap<BinaryGroupWeights, Map<number, KeptTable>>();

  /** The kept table of `weights` for groups of `size`, or undefined past the per-function bound. */
  function keptTable(weights: BinaryGroupWeights, size: number): KeptTable | undefined {
    let bySize = keptTables.get(weights);
    if (bySize === undefined) keptTables.set(weights, (bySize = new Map()));
    let t = bySize.get(size);
    if (t === undefined) {
      if (bySize.size >= KEPT_SIZES || size >= KEPT_ENTRIES) return undefined;
      t = { w: new Float64Array(2 * size + 2), filled: new Uint8Array(size + 1) };
      bySize.set(size, t);
    }
    return t;
  }

  /**
   * The fused binary kernel's JS side: one table of [wc, wi] per distinct group size, filled on demand
   * (the kernel stops at a group whose entry is missing; `weights` fills it; the kernel resumes there
   * without counting that group again) and kept across calls with the same `weights`, so inputs are
   * copied in once and the data is read once per call.
   */
  function binaryWeights(values: Values, offsets: Int32Array, weights: BinaryGroupWeights, out: WeightOut): number {
    const groups = offsets.length - 1;
    const n = offsets[groups] as number;
    // One scan of the sizes: equal sizes share one table (n0 + 1 entries) and `base` is not needed.
    const n0 = groups > 0 ? (offsets[1] as number) - (offsets[0] as number) : 0;
    let uniform = true;
    let maxN = n0;
    for (let b = 1; b < groups; b++) {
      const size = (offsets[b + 1] as number) - (offsets[b] as number);
      if (size !== n0) {
        uniform = false;
        if (size > maxN) maxN = size;
      }
    }
    let entries = n0 + 1;
    let base: Int32Array | undefined;
    /** Each distinct size's first entry and kept table. */
    const runs = new Map<number, number>();
    if (!uniform) {
      base = new Int32Array(groups);
      entries = 0;
      for (let b = 0; b < groups; b++) {
        const size = (offsets[b + 1] as number) - (offsets[b] as number);
        let at = runs.get(size);
        if (at === undefined) {
          at = entries;
          runs.set(size, at);
          entries += size + 1;
        }
        base[b] = at;
      }
    } else if (groups > 0) runs.set(n0, 0);
    const f32 = out instanceof Float32Array;
    const kept: (KeptTable | undefined)[] = [];
    let tableView = new Float64Array(0);
    let filledView = new Uint8Array(0);
    let stateView = new Int32Array(0);
    // Scratch: the tables of [wc, wi] (16 bytes per entry), then their filled flags, then the state word.
    const filledAt = entries * 16;
    const stateAt = align16(filledAt + entries);
    // Arrays already in wasm memory are used in place, in one kernel call; the others go through
    // chunks of whole groups that stay in cache (byChunks), so the data is read once per call.
    return byChunks({
      inputs: [[values, 'rewards']],
      offsets,
      perGroup: base === undefined ? [] : [[base, 'tableStart']],
      out,
      outBytes: f32 ? 4 : 8,
      scratchBytes: () => stateAt + 16,
      setup(scratch) {
        const buffer = memory.buffer;
        tableView = new Float64Array(buffer, scratch, 2 * entries);
        filledView = new Uint8Array(buffer, scratch + filledAt, entries);
        stateView = new Int32Array(buffer, scratch + stateAt, 1);
        filledView.fill(0);
        for (const [size, at] of runs) {
          const t = keptTable(weights, size);
          kept[at] = t;
          if (t !== undefined) {
            tableView.set(t.w, 2 * at);
            filledView.set(t.filled, at);
          }
        }
      },
      run(p) {
        const ts = base === undefined ? 0 : (p.perGroup[0] as number);
        let start = 0;
        let resume = -1;
        for (;;) {
          const r = x.binaryWeights(p.inputs[0]!, p.offsets, p.groups, start, resume, p.scratch, ts, p.scratch + filledAt, p.out, f32 ? 1 : 0, p.scratch + stateAt);
          if (r === -1) return -1;
          if (r < -1) return -2 - r;
          // Group r of the chunk (p.g0 + r of the batch) needs the entry of its count c.
          const group = p.g0 + r;
          const c = stateView[0] as number;
          const at = base === undefined ? 0 : (base[group] as number);
          const size = (offsets[group + 1] as number) - (offsets[group] as number);
          const w = weights(size, c, group);
          // + 0 turns a −0 weight into +0, as the js kernel's arithmetic select (r·wc + (1 − r)·wi) does.
          const wc = w[0] + 0;
          const wi = w[1] + 0;
          tableView[2 * (at + c)] = wc;
          tableView[2 * (at + c) + 1] = wi;
          filledView[at + c] = 1;
          const t = kept[at];
          if (t !== undefined) {
            t.w[2 * c] = wc;
            t.w[2 * c + 1] = wi;
            t.filled[c] = 1;
          }
          start = r;
          resume = c;
        }
      },
      stop: (status) => status >= 0,
    });
  }

  /**
   * Runs a per-group kernel over the batch. With every per-sample operand already in wasm memory, in one
   * call; otherwise over chunks of whole groups (at least CHUNK samples and the largest group) that stay
   * in cache: each chunk's inputs copied in, the kernel run, its output copied out, so the data crosses
   * main memory once each way, as it does for views, instead of once more per copy of the whole batch.
   * The kernel indexes samples absolutely (base + 8i), so each staged operand is passed as a base that
   * points i0 samples before its chunk (the 32-bit address arithmetic wraps, so this is exact even when
   * it is below 0); per-group operands (offsets, `perGroup`) are passed from the chunk's first group.
   * `stop` decides which statuses end the call (the kernels' own rule: they return at the first bad
   * group); any other status but −1 is kept and returned once every chunk has run.
   */
  function byChunks(op: {
    /** Per-sample f64 inputs, with the names their errors use. */
    inputs: readonly (readonly [Values, string])[];
    offsets: Int32Array;
    /** Per-group i32 inputs. */
    perGroup?: readonly (readonly [Int32Array, string])[];
    /** f64 inputs passed whole to every chunk (tables). */
    whole?: readonly (readonly [Float64Array, string])[];
    /**
     * The per-sample output. The kernel writes f64 (a Float32Array is rounded into as each chunk is
     * copied out), or the output's own type when `outBytes` is 4.
     */
    out: Float64Array | Float32Array;
    outBytes?: 4 | 8;
    /** Scratch bytes for chunks of up to `chunk` samples. */
    scratchBytes: (chunk: number) => number;
    /** Runs once the operands are placed, before the first chunk (e.g. fills tables in the scratch). */
    setup?: (scratch: number) => void;
    run: (p: ChunkPointers) => number;
    stop: (status: number) => boolean;
  }): number {
    const { offsets, out } = op;
    const { groups, n, maxN } = sizes(offsets);
    const f = frame();
    const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
    const perGroup = (op.perGroup ?? []).map(([a, what]) => f.i32(a, groups, what));
    const whole = (op.whole ?? []).map(([a, what]) => f.f64(a, a.length, what));
    const at = op.inputs.map(([v, what]) => {
      const r = resident(v, what);
      return r >= 0 && v instanceof Float64Array ? r : -1;
    });
    const bytesOut = op.outBytes ?? 8;
    const outAt = resident(out, 'opts.out');
    const oAt = outAt >= 0 && out.BYTES_PER_ELEMENT === bytesOut ? outAt : -1;
    const chunk = oAt >= 0 && at.every((a) => a >= 0) ? n : Math.min(n, Math.max(CHUNK, maxN));
    const staged = at.map((a) => (a >= 0 ? undefined : f.scratch(chunk * 8)));
    const oChunk = oAt >= 0 ? undefined : f.scratch(chunk * bytesOut);
    const scratch = f.scratch(op.scratchBytes(chunk));
    f.commit();
    const buffer = memory.buffer;
    op.setup?.(scratch.ptr);
    // One set of pointers and views for every chunk: the loop allocates only the subarrays it copies.
    const p = {
      inputs: at.slice(),
      offsets: offs.ptr,
      groups,
      perGroup: perGroup.map((slot) => slot.ptr),
      whole: whole.map((slot) => slot.ptr),
      out: oAt,
      scratch: scratch.ptr,
      g0: 0,
      i0: 0,
    };
    const stagedViews = staged.map((slot) => (slot === undefined ? undefined : new Float64Array(buffer, slot.ptr, chunk)));
    const outView = oChunk === undefined ? undefined : bytesOut === 4 ? new Float32Array(buffer, oChunk.ptr, chunk) : new Float64Array(buffer, oChunk.ptr, chunk);
    let status = -1;
    for (let g0 = 0; g0 < groups; ) {
      const i0 = offsets[g0] as number;
      let g1 = groups;
      if (chunk < n) {
        g1 = g0 + 1;
        while (g1 < groups && (offsets[g1 + 1] as number) - i0 <= chunk) g1++;
      }
      const i1 = offsets[g1] as number;
      for (let j = 0; j < stagedViews.length; j++) {
        const dst = stagedViews[j];
        if (dst === undefined) continue;
        stageValues(dst, op.inputs[j]![0], i0, i1);
        p.inputs[j] = (staged[j] as Slot).ptr - i0 * 8;
      }
      p.offsets = offs.ptr + g0 * 4;
      p.groups = g1 - g0;
      for (let j = 0; j < perGroup.length; j++) p.perGroup[j] = (perGroup[j] as Slot).ptr + g0 * 4;
      if (oChunk !== undefined) p.out = oChunk.ptr - i0 * bytesOut;
      p.g0 = g0;
      p.i0 = i0;
      const r = op.run(p);
      if (r !== -1) {
        status = r;
        if (op.stop(r)) return r;
      }
      if (outView !== undefined) out.set(outView.subarray(0, i1 - i0), i0);
      g0 = g1;
    }
    return status;
  }

  const kernels: KernelTable = {
    binaryWeights,
    binaryCounts(values: Values, offsets: Int32Array, counts: Int32Array): number {
      const { groups, n } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const v = f.f64(values, n, 'rewards');
      const c = f.out(counts, groups, 4);
      f.commit();
      const bad = x.binaryCounts(v.ptr, offs.ptr, groups, c.ptr);
      copyOutI32(counts, c, groups);
      return bad;
    },
    binaryScatter(values, offsets, wCorrect, wIncorrect, out): void {
      const { groups, n } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const v = f.f64(values, n, 'rewards');
      const wc = f.f64(wCorrect, groups, 'wCorrect');
      const wi = f.f64(wIncorrect, groups, 'wIncorrect');
      const o = f.out(out, n, 8);
      f.commit();
      x.binaryScatter(v.ptr, offs.ptr, groups, wc.ptr, wi.ptr, o.ptr);
      copyOutF64(out, o, n);
    },
    groupMoments(values, offsets, mean, sumSquares, range): void {
      const { groups, n } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const v = f.f64(values, n, 'rewards');
      const m = f.out(mean, groups, 8);
      const s = f.out(sumSquares, groups, 8);
      const r = f.out(range, groups, 8);
      f.commit();
      x.groupMoments(v.ptr, offs.ptr, groups, m.ptr, s.ptr, r.ptr);
      copyOutF64(mean, m, groups);
      copyOutF64(sumSquares, s, groups);
      copyOutF64(range, r, groups);
    },
    affineScatter(values, offsets, shift, scale, out): void {
      const { groups, n } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const v = f.f64(values, n, 'rewards');
      const sh = f.f64(shift, groups, 'shift');
      const sc = f.f64(scale, groups, 'scale');
      const o = f.out(out, n, 8);
      f.commit();
      x.affineScatter(v.ptr, offs.ptr, groups, sh.ptr, sc.ptr, o.ptr);
      copyOutF64(out, o, n);
    },
    segmentedSort(values, offsets, sorted): void {
      const { groups, n, maxN } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const v = f.f64(values, n, 'values');
      const s = f.out(sorted, n, 8);
      const scratch = f.scratch(maxN * 8);
      f.commit();
      x.segmentedSort(v.ptr, offs.ptr, groups, s.ptr, scratch.ptr);
      copyOutF64(sorted, s, n);
    },
    sortedMaxMetric(sorted, offsets, k, out): void {
      const { groups, n, maxN } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const s = f.f64(sorted, n, 'sorted');
      const o = f.out(out, groups, 8);
      const scratch = f.scratch(x.sortedMaxMetricScratchBytes(maxN));
      f.commit();
      x.sortedMaxMetric(s.ptr, offs.ptr, groups, k, o.ptr, scratch.ptr, maxN);
      copyOutF64(out, o, groups);
    },
    maxAtKWeights(values, offsets, k, baseline: BaselineCode, scaleByN, out): number {
      // One kernel per chunk: every group's range pass, sort, weights and scatter run in cache inside
      // wasm. It returns at the first non-finite reward (its index) and goes on past a group whose
      // weights overflow (−2: the caller redoes the batch rescaled).
      const maxN = sizes(offsets).maxN;
      return byChunks({
        inputs: [[values, 'rewards']],
        offsets,
        out,
        scratchBytes: () => x.maxAtKScratchBytes(maxN),
        run: (p) => x.maxAtKWeights(p.inputs[0]!, p.offsets, p.groups, k, baseline, scaleByN, p.out, p.scratch, maxN),
        stop: (status) => status >= 0,
      });
    },
    segmentedArgsort(keys, offsets, perm): void {
      const { groups, n, maxN } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const k = f.f64(keys, n, 'scores');
      const p = f.out(perm, n, 4);
      const scratch = f.scratch(x.segmentedArgsortScratchBytes(maxN));
      f.commit();
      x.segmentedArgsort(k.ptr, offs.ptr, groups, p.ptr, scratch.ptr, maxN);
      copyOutI32(perm, p, n);
    },
    // The best-of-N kernels rank by score inside wasm: the permutation never crosses to JS. The weights
    // kernel is fused (range, argsort, weights and scatter per group, in cache).
    bestOfNWeights(scores, rewards, offsets, k, baseline, scaleByN, out): number {
      // Per chunk, fused: range, argsort, weights and scatter per group, in cache. The kernel returns at
      // the first group with a non-finite score (its index) or out-of-range rewards (−2).
      const maxN = sizes(offsets).maxN;
      return byChunks({
        inputs: [
          [scores, 'scores'],
          [rewards, 'rewards'],
        ],
        offsets,
        out,
        scratchBytes: () => x.bestOfNWeightsScratchBytes(maxN),
        run: (p) => x.bestOfNWeights(p.inputs[0]!, p.inputs[1]!, p.offsets, p.groups, k, baseline, scaleByN, p.out, p.scratch, maxN),
        stop: () => true,
      });
    },
    bestOfNMetric(scores, rewards, offsets, k, out): number {
      const { groups, n, maxN } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const sc = f.f64(scores, n, 'scores');
      const r = f.f64(rewards, n, 'rewards');
      const p = f.scratch(n * 4);
      const o = f.out(out, groups, 8);
      const scratch = f.scratch(Math.max(x.bestOfNMetricScratchBytes(maxN), x.segmentedArgsortScratchBytes(maxN)));
      f.commit();
      const bad = x.segmentedArgsort(sc.ptr, offs.ptr, groups, p.ptr, scratch.ptr, maxN);
      if (bad >= 0) return bad;
      x.sortedBestOfNMetric(sc.ptr, r.ptr, p.ptr, offs.ptr, groups, k, o.ptr, scratch.ptr, maxN);
      copyOutF64(out, o, groups);
      return -1;
    },
    bestOfNSelection(scores, offsets, N, withReplacement, out): number {
      const { groups, n, maxN } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const sc = f.f64(scores, n, 'scores');
      const p = f.scratch(n * 4);
      const o = f.out(out, n, 8);
      const scratch = f.scratch(Math.max(x.bestOfNMetricScratchBytes(maxN), x.segmentedArgsortScratchBytes(maxN)));
      f.commit();
      const bad = x.segmentedArgsort(sc.ptr, offs.ptr, groups, p.ptr, scratch.ptr, maxN);
      if (bad >= 0) return bad;
      x.sortedBestOfNSelection(sc.ptr, p.ptr, offs.ptr, groups, N, withReplacement, o.ptr, scratch.ptr, maxN);
      copyOutF64(out, o, n);
      return -1;
    },
    orderStatisticWeights(values, offsets, tables, tableStart, scaleByN, out): void {
      // Argsort and apply chained inside wasm memory, per chunk: the permutation never crosses to JS.
      const maxN = sizes(offsets).maxN;
      const sortBytes = align16(Math.max(maxN * 16, x.segmentedArgsortScratchBytes(maxN)));
      byChunks({
        inputs: [[values, 'rewards']],
        offsets,
        perGroup: [[tableStart, 'tableStart']],
        whole: [[tables, 'tables']],
        out,
        scratchBytes: (chunk) => sortBytes + chunk * 4,
        run: (p) => {
          // The permutation after the sort's scratch, indexed absolutely like the values.
          const perm = p.scratch + sortBytes - p.i0 * 4;
          const v = p.inputs[0]!;
          x.segmentedArgsort(v, p.offsets, p.groups, perm, p.scratch, maxN);
          x.orderStatisticApply(v, perm, p.offsets, p.groups, p.whole[0]!, p.perGroup[0]!, scaleByN ? 1 : 0, p.out, p.scratch, maxN);
          return -1;
        },
        stop: () => false,
      });
    },
    orderStatisticMetric(sorted, offsets, tables, tableStart, out): void {
      const { groups, n } = sizes(offsets);
      const f = frame();
      const offs = f.i32(offsets, groups + 1, 'opts.groupOffsets');
      const s = f.f64(sorted, n, 'sorted');
      const t = f.f64(tables, tables.length, 'tables');
      const ts = f.i32(tableStart, groups, 'tableStart');
      const o = f.out(out, groups, 8);
      f.commit();
      x.orderStatisticMetric(s.ptr, offs.ptr, groups, t.ptr, ts.ptr, o.ptr);
      copyOutF64(out, o, groups);
    },
  };

  const defaultArena = makeArena();

  return {
    name: 'wasm',
    kernels,
    alloc: (length: number) => defaultArena.alloc(length),
    allocInt32: (length: number) => defaultArena.allocInt32(length),
    allocFloat32: (length: number) => defaultArena.allocFloat32(length),
    reset: () => defaultArena.reset(),
    createArena(): WasmArena {
      const arena = makeArena();
      return {
        alloc: (length: number) => arena.alloc(length),
        allocInt32: (length: number) => arena.allocInt32(length),
        allocFloat32: (length: number) => arena.allocFloat32(length),
        reset: () => arena.reset(),
        get allocatedBytes() {
          return arena.allocatedBytes;
        },
      };
    },
    refresh<T extends Float64Array | Int32Array | Float32Array>(view: T): T {
      const home = homes.get(view);
      if (home === undefined) {
        if (view.buffer === memory.buffer) return view;
        throw new InvalidArgumentError('view', 'view was not allocated by this wasm backend');
      }
      if (!home.block.live) throw freed('view');
      if (view.buffer === memory.buffer) return view;
      const fresh = (view instanceof Int32Array
        ? new Int32Array(memory.buffer, home.ptr, home.length)
        : view instanceof Float32Array
          ? new Float32Array(memory.buffer, home.ptr, home.length)
          : new Float64Array(memory.buffer, home.ptr, home.length)) as T;
      homes.set(fresh, home);
      return fresh;
    },
    reserve(bytes: number): void {
      if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
        throw new InvalidArgumentError('bytes', `bytes must be an integer ≥ 0 (got ${show(bytes)})`);
      }
      grow(align16(userTop + bytes), 'reserve', 'bytes');
    },
    get allocatedBytes(): number {
      return liveBytes;
    },
  };
}
