/**
 * The wasm memory contract under stress: memory that would grow during a call on zero-copy views,
 * views left behind by growth (stale after a move to a new memory, detached where it grows in place), views freed by another task's reset, interleaved async tasks with their
 * own arenas, addresses above 2 GiB and requests beyond 4 GiB. Every case must give the js result or a
 * typed error, never a silently wrong array.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bestOfNAdvantage,
  CapacityError,
  grpoAdvantage,
  InferenceAwareRLError,
  InvalidArgumentError,
  maxAtKAdvantage,
  passAtKAdvantage,
  registerBackend,
} from '../../src/index.js';
import { loadWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import { createWasmBackend } from '../../src/backends/wasm/backend.js';
import type { KernelExports } from '../../src/backends/wasm/exports.generated.js';
import { FUNCTIONS } from '../support/hostile.js';
import { mulberry32 } from '../support/prng.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
});

let fresh = 0;
/**
 * A new wasm backend over its own one-page memory, registered under a new name (the shared one above
 * has grown through the earlier tests). `instantiate` replaces the synchronous instantiation.
 */
async function freshBackend(instantiate?: () => never): Promise<{ backend: WasmBackend; name: string }> {
  const { wasmBase64, wasmMemoryPages } = await import('../../src/backends/wasm/module.generated.js');
  const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
  const imports = (memory: WebAssembly.Memory) => ({ env: { memory, abort: () => {} } });
  const memory = new WebAssembly.Memory({ initial: wasmMemoryPages });
  const { module, instance } = await WebAssembly.instantiate(bytes, imports(memory));
  const backend = createWasmBackend(
    instance.exports as unknown as KernelExports,
    memory,
    instantiate ?? ((bigger) => new WebAssembly.Instance(module, imports(bigger)).exports as unknown as KernelExports),
  );
  const name = `wasm-fresh-${fresh++}`;
  registerBackend({ name, kernels: backend.kernels });
  return { backend, name };
}

function thrown(fn: () => unknown): InferenceAwareRLError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InferenceAwareRLError);
  return error as InferenceAwareRLError;
}

/** |a − b| ≤ 1e-12 · max |b| (norm-wise relative). */
function expectAgree(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThanOrEqual(1e-12 * scale);
}

/** Allocates a pad that leaves less than 64 bytes free above the views, so the next temporary must grow. */
function fillMemory(last: Float64Array): Float64Array {
  const top = last.byteOffset + last.byteLength;
  const room = last.buffer.byteLength - top;
  return wasm.alloc(Math.max(0, Math.floor(room / 8) - 8));
}

/** Argument kinds passed as wasm views in these tests. */
const VIEWABLE = new Set(['binary', 'finite', 'probs']);

describe('memory growth during a call on zero-copy views', () => {
  it('bestOfNAdvantage on views refuses up front (CapacityError naming the bytes to reserve), then is exact after reserve', () => {
    wasm.reset();
    const n = 262_144;
    const random = mulberry32(14);
    const allocated = [wasm.alloc(n), wasm.alloc(n), wasm.alloc(n)];
    // Each alloc may grow the memory (detaching the views before it): refresh once all are made.
    const [scores, rewards, out] = allocated.map((v) => wasm.refresh(v)) as [Float64Array, Float64Array, Float64Array];
    for (let i = 0; i < n; i++) {
      scores[i] = Math.floor(random() * 16);
      rewards[i] = random();
    }
    out.fill(7);
    fillMemory(out);
    const opts = { groupSize: 64, out, backend: 'wasm' } as const;
    const e = thrown(() => bestOfNAdvantage(scores, rewards, 8, opts));
    expect(e).toBeInstanceOf(CapacityError);
    // Nothing was written and no view was detached.
    expect(out.length).toBe(n);
    expect(out.every((x) => x === 7)).toBe(true);
    const need = Number(/reserve\((\d+)\)/.exec(e.message)?.[1]);
    expect(need).toBeGreaterThan(0);
    wasm.reserve(need);
    const [s, r, o] = [wasm.refresh(scores), wasm.refresh(rewards), wasm.refresh(out)];
    bestOfNAdvantage(s, r, 8, { groupSize: 64, out: o, backend: 'wasm' });
    expectAgree(o, bestOfNAdvantage(Array.from(s), Array.from(r), 8, { groupSize: 64, backend: 'js' }));
    wasm.reset();
  });

  it('every estimator on full memory with views allocated: the js result or a CapacityError, never a wrong array', () => {
    for (const f of FUNCTIONS) {
      // Functions whose inputs are numeric arrays (kSample's input is a callback: nothing to place in wasm memory).
      if (!f.backend || !f.args.some((a) => VIEWABLE.has(a.kind))) continue;
      wasm.reset();
      // The arguments as wasm views, out too.
      const args = f.args.map((a) => {
        if (!VIEWABLE.has(a.kind)) return a.valid;
        const v = wasm.alloc((a.valid as number[]).length);
        v.set(a.valid as number[]);
        return v;
      });
      const out = wasm.refresh(wasm.alloc(f.outLength));
      fillMemory(out);
      const expected = f.call(f.args.map((a) => a.valid), { groupSize: 3, backend: 'js' }) as Float64Array;
      let error: unknown;
      try {
        f.call(args.map((a) => (a instanceof Float64Array ? wasm.refresh(a) : a)), { groupSize: 3, out, backend: 'wasm' });
      } catch (e) {
        error = e;
      }
      if (error !== undefined) {
        expect(error, f.name).toBeInstanceOf(CapacityError);
        wasm.reserve(1 << 20);
        const live = args.map((a) => (a instanceof Float64Array ? wasm.refresh(a) : a));
        const o = wasm.refresh(out);
        f.call(live, { groupSize: 3, out: o, backend: 'wasm' });
        expectAgree(o, expected);
      } else {
        expectAgree(wasm.refresh(out), expected);
      }
    }
    wasm.reset();
  });

  it('with no views allocated, a call grows the memory as it needs', () => {
    wasm.reset();
    const g = Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 1000);
    expectAgree(maxAtKAdvantage(g, 8, { groupSize: 100, backend: 'wasm' }), maxAtKAdvantage(g, 8, { groupSize: 100, backend: 'js' }));
  });
});

describe('stale, detached and freed views', () => {
  it('growth moves to a new memory: nothing is detached; a view left behind is stale but intact, and every call on either backend refuses it', () => {
    wasm.reset();
    const view = wasm.alloc(6);
    view.set([1, 0, 0, 1, 1, 0]);
    const old = view.buffer;
    wasm.reserve(view.buffer.byteLength + 4 * 65536);
    expect(wasm.refresh(view).buffer).not.toBe(old);
    // Not detached (a detach would slow every typed-array access in the process, in V8).
    expect(old.byteLength).toBeGreaterThan(0);
    expect(view.length).toBe(6);
    expect(Array.from(view)).toEqual([1, 0, 0, 1, 1, 0]);
    for (const backend of ['js', 'wasm']) {
      for (const stale of [view, view.subarray(0, 6)]) {
        const e = thrown(() => passAtKAdvantage(stale, 2, { groupSize: 3, backend }));
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect(e.argument).toBe('rewards');
        expect(e.message).toMatch(/^rewards is a stale wasm view/);
        expect(e.message).toContain('wasm.refresh(rewards)');
        const out = thrown(() => passAtKAdvantage([1, 0, 0, 1, 1, 0], 2, { groupSize: 3, out: stale, backend }));
        expect(out.argument).toBe('opts.out');
      }
    }
    const live = wasm.refresh(view);
    expectAgree(passAtKAdvantage(live, 2, { groupSize: 3, backend: 'wasm' }), passAtKAdvantage([1, 0, 0, 1, 1, 0], 2, { groupSize: 3 }));
    wasm.reset();
  });

  it('a call that grows the memory (no views allocated) detaches nothing either', async () => {
    const { backend, name } = await freshBackend();
    const old = backend.alloc(1).buffer;
    backend.reset();
    const g = Array.from({ length: 64_000 }, (_, i) => (i * 7919) % 1000);
    expectAgree(maxAtKAdvantage(g, 8, { groupSize: 64, backend: name }), maxAtKAdvantage(g, 8, { groupSize: 64, backend: 'js' }));
    expect(backend.alloc(1).buffer.byteLength).toBeGreaterThan(old.byteLength);
    expect(old.byteLength).toBeGreaterThan(0);
  });

  it('every view of every arena keeps its bytes across several moves (refresh gives them back)', () => {
    wasm.reset();
    const random = mulberry32(77);
    const arena = wasm.createArena();
    const views: (Float64Array | Int32Array | Float32Array)[] = [];
    const expected: number[][] = [];
    for (let round = 0; round < 6; round++) {
      const size = 1000 + Math.floor(random() * 60_000);
      const v = round % 3 === 0 ? wasm.alloc(size) : round % 3 === 1 ? arena.allocInt32(size) : wasm.allocFloat32(size);
      for (let i = 0; i < size; i++) v[i] = Math.floor(random() * 1000) - 500;
      views.push(v);
      expected.push(Array.from(v));
      wasm.reserve(wasm.refresh(v).buffer.byteLength);
    }
    views.forEach((v, i) => expect(Array.from(wasm.refresh(v)), `view ${i}`).toEqual(expected[i]));
    // A later alloc still hands out zeros above the copied views.
    expect(wasm.alloc(70_000).every((x) => x === 0)).toBe(true);
    arena.reset();
    wasm.reset();
  });

  it('where the host refuses a synchronous instantiation, the backend grows in place (views detached, refresh live)', async () => {
    let asked = 0;
    const { backend: refusing } = await freshBackend(() => {
      asked++;
      throw new RangeError('WebAssembly.Instance is disallowed on the main thread');
    });
    const view = refusing.alloc(4);
    view.set([1, 2, 3, 4]);
    refusing.reserve(view.buffer.byteLength + 65536);
    expect(view.length).toBe(0); // detached by memory.grow
    expect(Array.from(refusing.refresh(view))).toEqual([1, 2, 3, 4]);
    refusing.reserve(refusing.refresh(view).buffer.byteLength + 65536);
    expect(asked).toBe(1); // it stops asking once refused
    expect(Array.from(refusing.refresh(view))).toEqual([1, 2, 3, 4]);
  });

  it("a view freed by another task's reset() is refused, not fed with the other task's data", () => {
    wasm.reset();
    wasm.reserve(1 << 20);
    const mine = wasm.alloc(640);
    for (let i = 0; i < 640; i++) mine[i] = i % 7;
    // Another user of the default arena resets it and reuses the memory.
    wasm.reset();
    const theirs = wasm.alloc(640);
    theirs.fill(1);
    expect(theirs.byteOffset).toBe(mine.byteOffset); // the same bytes
    const e = thrown(() => maxAtKAdvantage(mine, 4, { groupSize: 64, backend: 'wasm' }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/freed by reset/);
    expect(() => wasm.refresh(mine)).toThrow(/freed by reset/);
    // A subarray of a freed view too.
    wasm.reset();
    expect(() => grpoAdvantage(theirs.subarray(0, 64), { backend: 'wasm' })).toThrow(/freed by reset/);
  });
});

describe('alloc', () => {
  it('hands out zero-filled views, also when it reuses memory a freed view had written', () => {
    wasm.reset();
    // Place the views above every byte touched so far (fresh pages), where zero-filling is skipped.
    const size = wasm.alloc(1).buffer.byteLength;
    wasm.reset();
    wasm.alloc(size / 8);
    const a = wasm.alloc(1000);
    a.fill(3);
    const arena = wasm.createArena();
    const b = arena.alloc(10);
    b.fill(5);
    wasm.reset();
    arena.reset();
    wasm.alloc(size / 8);
    const c = wasm.alloc(1000);
    expect(c.byteOffset).toBe(a.byteOffset);
    expect(c.every((x) => x === 0)).toBe(true);
    const d = wasm.alloc(10);
    expect(d.every((x) => x === 0)).toBe(true);
    wasm.reset();
    expect(wasm.allocatedBytes).toBe(0);
  });
});

describe('interleaved async tasks', () => {
  const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

  it('tasks with their own arenas interleave allocs, resets and calls without corrupting each other', async () => {
    wasm.reset();
    wasm.reserve(8 << 20);
    const n = 640;
    async function task(seed: number): Promise<number> {
      const arena = wasm.createArena();
      let wrong = 0;
      for (let round = 0; round < 5; round++) {
        const random = mulberry32(seed * 100 + round);
        const g = arena.alloc(n);
        for (let i = 0; i < n; i++) g[i] = random();
        const copy = Array.from(g);
        await tick();
        const out = arena.alloc(n);
        await tick();
        maxAtKAdvantage(wasm.refresh(g), 4, { groupSize: 64, out: wasm.refresh(out), backend: 'wasm' });
        await tick();
        const expected = maxAtKAdvantage(copy, 4, { groupSize: 64, backend: 'js' });
        const got = wasm.refresh(out);
        for (let i = 0; i < n; i++) if (got[i] !== expected[i]) wrong++;
        arena.reset();
        expect(arena.allocatedBytes).toBe(0);
      }
      return wrong;
    }
    const wrong = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(task));
    expect(wrong).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(wasm.allocatedBytes).toBe(0);
  });

  it("a task whose views were freed by another task's default-arena reset gets typed errors, never wrong weights", async () => {
    wasm.reset();
    wasm.reserve(8 << 20);
    const n = 640;
    const outcomes: string[] = [];
    async function task(seed: number): Promise<void> {
      const random = mulberry32(seed);
      const g = wasm.alloc(n);
      for (let i = 0; i < n; i++) g[i] = random();
      const copy = Array.from(g);
      await tick();
      wasm.reset(); // the shared default arena: frees every task's views
      await tick();
      try {
        const w = maxAtKAdvantage(g, 4, { groupSize: 64, backend: 'wasm' });
        const expected = maxAtKAdvantage(copy, 4, { groupSize: 64, backend: 'js' });
        outcomes.push(w.every((x, i) => x === expected[i]) ? 'right' : 'WRONG');
      } catch (e) {
        outcomes.push(e instanceof InvalidArgumentError && /freed by reset/.test((e as Error).message) ? 'refused' : `untyped ${String(e)}`);
      }
    }
    await Promise.all([1, 2, 3, 4].map(task));
    expect(outcomes.filter((o) => o !== 'refused' && o !== 'right')).toEqual([]);
    expect(outcomes).toContain('refused');
  });
});

describe('up to 4 GiB with unsigned addresses', () => {
  it('reserve beyond 4 GiB throws CapacityError (it silently did nothing)', () => {
    wasm.reset();
    for (const bytes of [2 ** 32, 2 ** 33, 2 ** 31 + 2 ** 31]) {
      const e = thrown(() => wasm.reserve(bytes));
      expect(e).toBeInstanceOf(CapacityError);
      expect(e.message).toMatch(/4 GiB/);
    }
    expect(thrown(() => wasm.reserve(-1))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => wasm.alloc(2 ** 30))).toBeInstanceOf(CapacityError); // 8 GiB of doubles
  });

  it('every kernel is exact on views and temporaries above 2 GiB', () => {
    wasm.reset();
    // 2 GiB + 64 KiB of padding (fresh pages are not touched), then the views above 2^31.
    const pad = wasm.alloc(2 ** 28 + 8192);
    expect(pad.byteOffset + pad.byteLength).toBeGreaterThan(2 ** 31);
    wasm.reserve(64 << 20);
    for (const f of FUNCTIONS) {
      // Functions whose inputs are numeric arrays (kSample's input is a callback: nothing to place in wasm memory).
      if (!f.backend || !f.args.some((a) => VIEWABLE.has(a.kind))) continue;
      const args = f.args.map((a) => {
        if (!VIEWABLE.has(a.kind)) return a.valid;
        const v = wasm.alloc((a.valid as number[]).length);
        v.set(a.valid as number[]);
        expect(v.byteOffset).toBeGreaterThan(2 ** 31);
        return v;
      });
      const out = wasm.alloc(f.outLength);
      const expected = f.call(f.args.map((a) => a.valid), { groupSize: 3, backend: 'js' }) as Float64Array;
      f.call(args, { groupSize: 3, out, backend: 'wasm' });
      expectAgree(out, expected);
      // Plain arrays: the temporaries live above 2^31.
      expectAgree(f.call(f.args.map((a) => a.valid), { groupSize: 3, backend: 'wasm' }) as Float64Array, expected);
    }
    // A larger batch of plain arrays: its temporaries sit above 2^31 too.
    const g = Array.from({ length: 100_000 }, (_, i) => ((i * 2654435761) % 1000) / 1000);
    expectAgree(maxAtKAdvantage(g, 8, { groupSize: 50, backend: 'wasm' }), maxAtKAdvantage(g, 8, { groupSize: 50, backend: 'js' }));
    wasm.reset();
  });
});
