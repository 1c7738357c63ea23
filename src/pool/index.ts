/**
 * A worker pool for large batches: the library's batched estimators run on worker threads (Node
 * `worker_threads`, browser Web Workers), each worker on contiguous chunks of whole groups, over
 * SharedArrayBuffer when the runtime has it. Every method has the signature of the function it is named
 * after, returns a Promise, and gives the same bits as the direct call: each group is computed by the
 * library's own code, in the same backend, with the same options. Import it from
 * `inference-aware-rl/pool`; the root entry never loads it. Guide: docs/pool.md.
 *
 * @packageDocumentation
 * @module inference-aware-rl/pool
 */
import {
  getBackend,
  InvalidArgumentError,
  listBackends,
  loadWasmBackend,
  registerBackend,
  type BestOfNWeightsOptions,
  type BestOfNAtKOptions,
  type BonRlBinaryOptions,
  type ChenPassAtKOptions,
  type GrpoOptions,
  type MajorityAtKOptions,
  type MajorityVoteWeightsOptions,
  type MaxAtKWeightsOptions,
  type MaxAtKOptions,
  type MetricResult,
  type OrderStatisticWeightsOptions,
  type OrderStatisticAlpha,
  type OrderStatisticAtKOptions,
  type PassAtKWeightsOptions,
  type PassHatKWeightsOptions,
  type RlooOptions,
  type Answer,
} from '../index.js';
import { outputArray, resolveLayout, type Layout } from '../groups.js';
import { checkBoolean, checkInteger, checkOptions, isPlainObject } from '../validate.js';
import { POOLED, type ArraySlice, type PoolJob, type PooledEstimator, type PooledName, type PoolReply } from './estimators.js';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * Number of worker threads, an integer ≥ 1. Default: `navigator.hardwareConcurrency` where the
   * runtime has it (browsers, Node ≥ 21), else 2.
   */
  workers?: number;
  /**
   * The backend every call of this pool runs on unless the call passes its own `opts.backend`:
   * `'js'` or `'wasm'` (the pool loads wasm on the calling thread and in each worker). Default: the
   * library's default backend at the time of each call ({@link getBackend}), like a direct call. A
   * backend registered with `registerBackend` exists only on the calling thread: calls on it run inline.
   */
  backend?: 'js' | 'wasm';
  /**
   * Batches with fewer samples than this run inline, on the calling thread (the direct call, its result
   * wrapped in a Promise): below it, posting to workers costs more than it saves. Default 65,536;
   * 0 sends every batch of ≥ 2 groups to the workers.
   */
  inlineBelow?: number;
  /**
   * Share inputs and outputs with the workers through SharedArrayBuffer (default: true when the
   * runtime has it: always in Node, in browsers only on cross-origin-isolated pages). With false, each
   * worker gets a copy of its slice, transferred, and transfers its result back.
   */
  sharedMemory?: boolean;
  /**
   * Where the worker script is (a URL or, in Node, a file path). Default: `pool-worker.js` next to this
   * module (`pool-worker.cjs` in the CommonJS build). Needed only when a bundler moves the script.
   */
  workerUrl?: string | URL;
}

/**
 * A pool of worker threads with the library's batched estimators as async methods. Each method takes
 * exactly the arguments of the library function of the same name (see that function for the math and
 * the options), checks them on the calling thread before sending any work, and resolves to the same
 * bits the direct call returns; invalid arguments reject with the same typed error the direct call
 * throws. Inputs and `opts.out` must not be modified until the Promise settles.
 */
export interface WorkerPool {
  /** The number of worker threads. */
  readonly workers: number;
  /**
   * How the calls so far ran: `workers`, computed on the worker threads; `inline`, computed on the
   * calling thread without posting work (a single group, a small batch, a user backend, an argument
   * the direct call refuses); `redone`, posted but then recomputed inline (a worker met an error the
   * direct call reports itself, or a chunk took the library's overflow rescue, which the direct call
   * applies to the whole batch: see {@link createWorkerPool}).
   */
  readonly stats: { readonly workers: number; readonly inline: number; readonly redone: number };
  /**
   * {@link maxAtKWeights} on the pool.
   * @example
   * ```ts
   * const w = await pool.maxAtKWeights(rewards, 8, { groupSize: 64 }); // = maxAtKWeights(rewards, 8, { groupSize: 64 })
   * ```
   */
  maxAtKWeights(g: ArrayLike<number>, k: number, opts?: MaxAtKWeightsOptions): Promise<Float64Array>;
  /**
   * {@link maxAtK} on the pool (one value per group when batched).
   * @example
   * ```ts
   * const m = await pool.maxAtK(rewards, 8, { groupSize: 64 }); // Float64Array of B values
   * ```
   */
  maxAtK<O extends MaxAtKOptions = Record<never, never>>(g: ArrayLike<number>, k: number, opts?: O): Promise<MetricResult<O>>;
  /**
   * {@link passAtKWeights} on the pool.
   * @example
   * ```ts
   * const w = await pool.passAtKWeights(binaryRewards, 4, { groupSize: 16, baseline: 'loo' });
   * ```
   */
  passAtKWeights(rewards: ArrayLike<number>, k: number, opts?: PassAtKWeightsOptions): Promise<Float64Array>;
  /**
   * {@link chenPassAtKWeights} on the pool.
   * @example
   * ```ts
   * const w = await pool.chenPassAtKWeights(binaryRewards, 4, { groupSize: 16 });
   * ```
   */
  chenPassAtKWeights(rewards: ArrayLike<number>, k: number, opts?: ChenPassAtKOptions): Promise<Float64Array>;
  /**
   * {@link passHatKWeights} on the pool.
   * @example
   * ```ts
   * const w = await pool.passHatKWeights(binaryRewards, 4, { groupSize: 16 });
   * ```
   */
  passHatKWeights(rewards: ArrayLike<number>, k: number, opts?: PassHatKWeightsOptions): Promise<Float64Array>;
  /**
   * {@link bestOfNWeights} on the pool.
   * @example
   * ```ts
   * const w = await pool.bestOfNWeights(scores, rewards, 8, { groupSize: 64 });
   * ```
   */
  bestOfNWeights(
    scores: ArrayLike<number>,
    rewards: ArrayLike<number>,
    k: number,
    opts?: BestOfNWeightsOptions,
  ): Promise<Float64Array>;
  /**
   * {@link bestOfNAtK} on the pool.
   * @example
   * ```ts
   * const m = await pool.bestOfNAtK(scores, rewards, 8, { groupSize: 64 });
   * ```
   */
  bestOfNAtK<O extends BestOfNAtKOptions = Record<never, never>>(
    scores: ArrayLike<number>,
    rewards: ArrayLike<number>,
    k: number,
    opts?: O,
  ): Promise<MetricResult<O>>;
  /**
   * {@link bonRlBinaryWeights} on the pool.
   * @example
   * ```ts
   * const w = await pool.bonRlBinaryWeights(binaryRewards, 4, { groupSize: 16 });
   * ```
   */
  bonRlBinaryWeights(rewards: ArrayLike<number>, N: number, opts?: BonRlBinaryOptions): Promise<Float64Array>;
  /**
   * {@link orderStatisticWeights} on the pool.
   * @example
   * ```ts
   * const w = await pool.orderStatisticWeights(rewards, 8, 'median', { groupSize: 64 });
   * ```
   */
  orderStatisticWeights(
    rewards: ArrayLike<number>,
    k: number,
    alpha: OrderStatisticAlpha,
    opts?: OrderStatisticWeightsOptions,
  ): Promise<Float64Array>;
  /**
   * {@link orderStatisticAtK} on the pool.
   * @example
   * ```ts
   * const m = await pool.orderStatisticAtK(rewards, 8, 'min', { groupSize: 64 });
   * ```
   */
  orderStatisticAtK<O extends OrderStatisticAtKOptions = Record<never, never>>(
    rewards: ArrayLike<number>,
    k: number,
    alpha: OrderStatisticAlpha,
    opts?: O,
  ): Promise<MetricResult<O>>;
  /**
   * {@link majorityVoteWeights} on the pool. Answers are copied to the workers (they may be strings).
   * @example
   * ```ts
   * const w = await pool.majorityVoteWeights(answers, rewards, 4, { groupSize: 16 });
   * ```
   */
  majorityVoteWeights(
    answers: ArrayLike<Answer>,
    rewards: ArrayLike<number>,
    k: number,
    opts?: MajorityVoteWeightsOptions,
  ): Promise<Float64Array>;
  /**
   * {@link majorityAtK} on the pool.
   * @example
   * ```ts
   * const m = await pool.majorityAtK(answers, rewards, 4, { groupSize: 16 });
   * ```
   */
  majorityAtK<O extends MajorityAtKOptions = Record<never, never>>(
    answers: ArrayLike<Answer>,
    rewards: ArrayLike<number>,
    k: number,
    opts?: O,
  ): Promise<MetricResult<O>>;
  /**
   * {@link grpoWeights} on the pool.
   * @example
   * ```ts
   * const w = await pool.grpoWeights(rewards, { groupSize: 64 });
   * ```
   */
  grpoWeights(rewards: ArrayLike<number>, opts?: GrpoOptions): Promise<Float64Array>;
  /**
   * {@link rlooWeights} on the pool.
   * @example
   * ```ts
   * const w = await pool.rlooWeights(rewards, { groupSize: 64 });
   * ```
   */
  rlooWeights(rewards: ArrayLike<number>, opts?: RlooOptions): Promise<Float64Array>;
  /**
   * Terminates the workers. Calls still running reject with an {@link InvalidArgumentError} naming
   * the pool; later calls reject the same way. Resolves once every worker has stopped.
   * @example
   * ```ts
   * await pool.close();
   * ```
   */
  close(): Promise<void>;
}

/**
 * The name of the kernel-less backend the pool registers to run an estimator's own argument checks on
 * the calling thread without its work: every estimator checks all its arguments before its first
 * kernel, so a call on this backend either throws the direct call's error or stops at that kernel.
 * It shows up in {@link listBackends} once a pool exists.
 */
export const POOL_CHECK_BACKEND = 'pool-check';

/** Chunks of one call posted to a worker and not yet answered, at most (see the pool's dispatch). */
const IN_FLIGHT = 2;

/** At most this many chunks per worker and call (see chunkCount). */
const CHUNKS_PER_WORKER = 4;

/** Chunks have at least this many samples, unless there are fewer than one per worker. */
const MIN_CHUNK = 65_536;

/** The default of {@link WorkerPoolOptions.inlineBelow}. */
export const POOL_INLINE_BELOW = 65_536;

/** One worker, whatever the runtime. */
interface Thread {
  post(job: PoolJob, transfer: ArrayBuffer[]): void;
  terminate(): Promise<void>;
  /** Keeps the Node process alive while jobs are pending (no-op in browsers). */
  hold(busy: boolean): void;
}

type Pending = { resolve: (r: PoolReply) => void; reject: (e: unknown) => void };

/**
 * Imported by a name in a variable, so that browser bundlers leave Node's module alone instead of
 * failing to resolve it (the browser path never reaches it).
 */
const NODE_WORKERS = 'node:worker_threads';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

function defaultWorkerUrl(): URL {
  // In the CommonJS build, tsup turns import.meta.url into the URL of the .cjs file.
  const here = import.meta.url;
  // Running from the TypeScript sources (vitest, tsx): a bootstrap registers tsx in the worker.
  if (here.endsWith('.ts')) return new URL('./worker-tsx.mjs', here);
  return new URL(here.endsWith('.cjs') ? './pool-worker.cjs' : './pool-worker.js', here);
}

async function spawn(url: string | URL | undefined, onReply: (r: PoolReply) => void, onError: (e: unknown) => void): Promise<Thread> {
  if (isNode) {
    const { Worker } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_WORKERS)) as typeof import('node:worker_threads');
    const w = new Worker(url ?? defaultWorkerUrl());
    w.on('message', onReply);
    w.on('error', onError);
    w.on('exit', (code) => onError(new Error(`pool worker exited (code ${code})`)));
    w.unref();
    return {
      post: (job, transfer) => w.postMessage(job, transfer),
      terminate: async () => {
        w.removeAllListeners('exit');
        await w.terminate();
      },
      hold: (busy) => (busy ? w.ref() : w.unref()),
    };
  }
  const w =
    url === undefined
      ? new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module' })
      : new Worker(url, { type: 'module' });
  w.onmessage = (e: MessageEvent<PoolReply>) => onReply(e.data);
  w.onerror = (e) => onError(new Error(`pool worker failed: ${e.message}`));
  return {
    post: (job, transfer) => w.postMessage(job, transfer),
    terminate: async () => w.terminate(),
    hold: () => {},
  };
}

/** Thrown by the check backend's kernels lookup: the arguments passed every check. */
function isCheckStop(e: unknown): boolean {
  return e instanceof InvalidArgumentError && e.message.startsWith(`backend '${POOL_CHECK_BACKEND}' has no kernel`);
}

function closedError(): InvalidArgumentError {
  return new InvalidArgumentError('pool', 'the worker pool is closed (pool.close() was called): create a new one');
}

/**
 * Creates a pool of worker threads whose methods are the library's batched estimators, async. Workers
 * start on the first call that needs them. Each call cuts the batch into contiguous chunks of whole
 * groups (up to 4 per worker, balanced by sample count); each chunk is copied into shared memory and
 * handed to a worker as soon as one has fewer than 2 of the call's chunks in hand (a slower worker
 * takes fewer chunks), each worker runs the library function on its chunks,
 * and each result is copied into `opts.out` (or a new Float64Array), exactly where the direct call would
 * put it, as soon as it is done: the calling thread's copies overlap the workers' work.
 *
 * Same bits: every group's values are computed by the same function, backend and options as in the
 * direct call. The library couples groups in one case only, a group whose range overflows (rewards
 * near ±1e308 make it rescale the whole batch): a call in which any chunk took that rescue is
 * recomputed inline. Each worker reports whether its chunk did (the trigger is a property of one group,
 * so the direct call takes it exactly when some chunk does); no pass over the data looks for it.
 *
 * Same errors: for estimators that run on backend kernels, the pool first runs the estimator itself on
 * the calling thread on a kernel-less backend (see {@link POOL_CHECK_BACKEND}): all its checks, none of
 * its work. A bad argument therefore rejects with the direct call's error before anything is posted.
 * The two majority-vote estimators have no kernels; their layout is checked up front and any other
 * error a worker meets (e.g. equal answers with unequal rewards) is re-raised by running the direct
 * call, so it is the direct call's error too. So are errors only found inside a kernel (a reward that
 * is not 0 or 1 for passAtKWeights).
 *
 * Runs inline (the direct call, on the calling thread): a single group (no `groupSize` /
 * `groupOffsets`), fewer than `inlineBelow` samples, a backend other than `'js'` / `'wasm'`.
 *
 * @param opts - see {@link WorkerPoolOptions}; unknown keys are an {@link InvalidArgumentError}.
 * @example
 * ```ts
 * import { maxAtKWeights } from 'inference-aware-rl';
 * import { createWorkerPool } from 'inference-aware-rl/pool';
 *
 * const pool = createWorkerPool({ workers: 2 });
 * const rewards = Float64Array.from({ length: 100_000 * 64 }, () => Math.random());
 * const w = await pool.maxAtKWeights(rewards, 8, { groupSize: 64 });
 * const direct = maxAtKWeights(rewards, 8, { groupSize: 64 });
 * w.every((x, i) => Object.is(x, direct[i])); // true
 * await pool.close();
 * ```
 */
export function createWorkerPool(opts?: WorkerPoolOptions): WorkerPool {
  checkOptions(opts, 'createWorkerPool', ['workers', 'backend', 'inlineBelow', 'sharedMemory', 'workerUrl']);
  const hardware = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  const size =
    opts?.workers === undefined ? Math.max(1, typeof hardware === 'number' ? hardware : 2) : checkInteger(opts.workers, 'opts.workers', 1, 1024);
  const poolBackend = opts?.backend;
  if (poolBackend !== undefined && poolBackend !== 'js' && poolBackend !== 'wasm') {
    throw new InvalidArgumentError('opts.backend', `opts.backend must be one of 'js' | 'wasm' (got ${JSON.stringify(poolBackend)})`);
  }
  const inlineBelow = opts?.inlineBelow === undefined ? POOL_INLINE_BELOW : checkInteger(opts.inlineBelow, 'opts.inlineBelow', 0);
  const canShare = typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
  const shared = checkBoolean(opts?.sharedMemory, 'opts.sharedMemory', canShare);
  if (shared && !canShare) {
    throw new InvalidArgumentError('opts.sharedMemory', 'opts.sharedMemory is true but this runtime has no usable SharedArrayBuffer (in a browser: serve the page cross-origin isolated)');
  }
  const workerUrl = opts?.workerUrl;
  if (workerUrl !== undefined && typeof workerUrl !== 'string' && !(workerUrl instanceof URL)) {
    throw new InvalidArgumentError('opts.workerUrl', 'opts.workerUrl must be a string or a URL');
  }
  if (!listBackends().includes(POOL_CHECK_BACKEND)) registerBackend({ name: POOL_CHECK_BACKEND, kernels: {} });

  let closed = false;
  let nextId = 1;
  const pending = new Map<number, Pending & { thread: number }>();
  const busy = new Array<number>(size).fill(0);
  let mainWasm: Promise<unknown> | undefined;
  let scratch: Scratch | null = shared ? new Scratch() : null;
  const stats = { workers: 0, inline: 0, redone: 0 };

  const fail = (thread: number, e: unknown): void => {
    for (const [id, p] of pending) {
      if (p.thread !== thread) continue;
      pending.delete(id);
      p.reject(e);
    }
  };
  const onReply = (r: PoolReply): void => {
    const p = pending.get(r.id);
    if (p === undefined) return;
    pending.delete(r.id);
    p.resolve(r);
  };
  // One slot per worker, started on first use; a worker that failed (its script did not load, it ran out
  // of memory, it exited) is replaced by a fresh one on the next call.
  const slots: (Promise<Thread> | undefined)[] = new Array(size).fill(undefined);
  const start = (): Promise<Thread[]> =>
    Promise.all(
      slots.map((slot, i) => {
        if (slot !== undefined) return slot;
        const fresh = spawn(workerUrl, onReply, (e) => {
          if (slots[i] === fresh) slots[i] = undefined;
          fail(i, e);
        });
        slots[i] = fresh;
        fresh.catch(() => {
          if (slots[i] === fresh) slots[i] = undefined;
        });
        return fresh;
      }),
    );

  const send = (list: Thread[], i: number, job: PoolJob, transfer: ArrayBuffer[]): Promise<PoolReply> =>
    new Promise<PoolReply>((resolve, reject) => {
      const t = list[i]!;
      if (busy[i]!++ === 0) t.hold(true);
      const done = (): void => {
        if (--busy[i]! === 0) t.hold(false);
      };
      pending.set(job.id, {
        thread: i,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      try {
        t.post(job, transfer);
      } catch (e) {
        // A value that cannot be posted (a function or symbol among the options or answers): treated as
        // a worker's error, so the direct call decides what the call gives.
        pending.delete(job.id);
        done();
        const err = e instanceof Error ? e : new Error(String(e));
        resolve({ id: job.id, ok: false, name: err.name, message: err.message });
      }
    });

  async function call(name: PooledName, args: unknown[]): Promise<unknown> {
    if (closed) throw closedError();
    const spec: PooledEstimator = POOLED[name];
    const fn = spec.fn as (...a: unknown[]) => unknown;
    const userOpts = args[spec.opts];
    if (userOpts !== undefined && !isPlainObject(userOpts)) {
      stats.inline++;
      return fn(...args);
    }
    const o = userOpts as Record<string, unknown> | undefined;
    // The backend this call runs on: the call's, else the pool's, else the library default now.
    const own = o?.backend;
    if (own !== undefined && (typeof own !== 'string' || !listBackends().includes(own))) {
      stats.inline++;
      return fn(...args);
    }
    // Estimators without kernels (majority vote) run the same code on every backend: their options pass through as given.
    const backend = !spec.kernels ? null : own !== undefined ? own : (poolBackend ?? getBackend().name);
    const direct = spec.kernels && own === undefined && poolBackend !== undefined ? withOpts(args, spec, { ...o, backend }) : args;
    const inline = async (after = false): Promise<unknown> => {
      stats[after ? 'redone' : 'inline']++;
      if (backend === 'wasm') await (mainWasm ??= loadWasmBackend());
      return fn(...direct);
    };
    const first = args[spec.answers >= 0 ? spec.answers : (spec.numeric[0] as number)];
    const positions = spec.answers >= 0 ? [spec.answers, ...spec.numeric] : spec.numeric;
    // Nothing to split (one group, a small batch, inputs that are not arrays): the direct call, which
    // checks its arguments itself.
    if (
      (o?.groupSize === undefined && o?.groupOffsets === undefined) ||
      !isArrayLike(first) ||
      first.length < inlineBelow ||
      !positions.every((p) => isArrayLike(args[p]) && (args[p] as ArrayLike<unknown>).length === first.length)
    ) {
      return inline();
    }
    if (spec.kernels) {
      // The estimator's own checks, in its own order, on the calling thread (see POOL_CHECK_BACKEND).
      try {
        const value = fn(...withOpts(args, spec, { ...o, backend: POOL_CHECK_BACKEND }));
        if (value !== undefined) return inline(); // took no kernel at all: nothing to split
      } catch (e) {
        if (!isCheckStop(e)) throw e;
      }
    }
    if (backend !== null && backend !== 'js' && backend !== 'wasm') return inline();
    let layout: Layout;
    try {
      layout = resolveLayout(first.length, o);
    } catch {
      return inline(); // the direct call throws its own error for this layout
    }
    if (layout.groups < 2) return inline();
    const outLength = spec.perGroup ? layout.groups : first.length;
    if (!spec.kernels) {
      // No kernel-less check run for this estimator: its `out` gets the library's own output check here.
      try {
        outputArray(o?.out, outLength, positions.map((p) => [String(p), args[p]] as const));
      } catch {
        return inline();
      }
    }
    // Shared scratch: reused across calls (allocating and first touching fresh shared memory costs
    // about as much as copying into it), a fresh one when another call holds it.
    const lease = scratch !== null ? scratch : new Scratch();
    scratch = null;
    const release = (): void => {
      if (scratch === null) scratch = lease;
    };
    // Each per-sample input as a typed array (`from`) and, with shared memory, the shared array the
    // workers read (`to`: the input itself when it already lives in shared memory, else scratch that
    // each chunk is copied into just before it is posted).
    const inputs: { from: NumericArray; to: Float64Array | null }[] = [];
    for (const [i, p] of spec.numeric.entries()) {
      const from = numericArray(args[p] as ArrayLike<unknown>);
      if (from === null) {
        release();
        return inline(); // a value a Float64Array cannot hold as is: the direct call decides
      }
      const inPlace = shared && from instanceof Float64Array && from.buffer instanceof SharedArrayBuffer;
      inputs.push({ from, to: !shared ? null : inPlace ? from : lease.get(i, first.length) });
    }
    // Checked by the estimator above (type, length, aliasing). A Float32Array `out` gets float32 chunks:
    // each worker's call rounds its weights, and refuses one beyond float32's range, as the direct call does.
    const userOut = o?.out as Float64Array | Float32Array | undefined;
    const float32 = userOut instanceof Float32Array;
    const bytesOut = float32 ? 4 : 8;
    const target =
      userOut !== undefined && shared && userOut.buffer instanceof SharedArrayBuffer
        ? userOut
        : shared
          ? float32
            ? lease.get32(3, outLength)
            : lease.get(2, outLength)
          : null;
    const result = userOut ?? new Float64Array(outLength);
    // More chunks than workers, each posted as soon as it is copied and copied back as soon as it is
    // done: the copies on this thread overlap the workers' work instead of adding to it.
    const chunks = split(layout, chunkCount(layout, size));
    const base: Record<string, unknown> = { ...o };
    delete base.groupSize;
    delete base.groupOffsets;
    delete base.out;
    if (spec.kernels) delete base.backend;
    // Arguments past the options are ignored by the library, and not posted.
    const template = args.slice(0, spec.opts + 1);
    for (const p of [...positions, spec.opts]) template[p] = null;
    let list: Thread[];
    try {
      list = await start();
      if (closed) throw closedError();
    } catch (e) {
      release();
      throw e;
    }
    let failed = false;
    const posted: Promise<PoolReply>[] = [];
    // Chunks are handed to the workers as they free up, at most IN_FLIGHT each (so a worker never waits
    // for its next message), rather than dealt in turn: a worker on a busier core, or whose chunks
    // happen to cost more, takes fewer of them. `queue` holds the chunks copied but not yet posted.
    const queue: ((worker: number) => void)[] = [];
    const inFlight = new Array<number>(size).fill(0);
    let stopped = false;
    const pump = (): void => {
      while (queue.length > 0 && !stopped) {
        let w = 0;
        for (let i = 1; i < size; i++) if (inFlight[i]! < inFlight[w]!) w = i;
        if (inFlight[w]! >= IN_FLIGHT) return;
        inFlight[w]!++;
        queue.shift()!(w);
      }
    };
    const dispatched = (job: PoolJob, transfer: ArrayBuffer[]): Promise<PoolReply> =>
      new Promise<PoolReply>((resolve, reject) => {
        queue.push((w) =>
          send(list, w, job, transfer).then(
            (r) => {
              inFlight[w]!--;
              resolve(r);
              pump();
            },
            (e: unknown) => {
              // A worker died or the pool closed: the call rejects, and its chunks not yet posted never are.
              stopped = true;
              reject(e);
            },
          ),
        );
        pump();
      });
    chunks.forEach(([g0, g1]) => {
      const s0 = layout.offsets[g0] as number;
      const s1 = layout.offsets[g1] as number;
      const [o0, o1] = spec.perGroup ? [g0, g1] : [s0, s1];
      const transfer: ArrayBuffer[] = [];
      const numeric = inputs.map(({ from, to }): ArraySlice => {
        if (to !== null) {
          if (to !== from) to.set(from.subarray(s0, s1), s0);
          return { buffer: to.buffer, byteOffset: to.byteOffset + s0 * 8, length: s1 - s0 };
        }
        const copy = new Float64Array(s1 - s0);
        copy.set(from.subarray(s0, s1));
        transfer.push(copy.buffer);
        return { buffer: copy.buffer, byteOffset: 0, length: s1 - s0 };
      });
      let out: ArraySlice;
      if (target !== null) out = { buffer: target.buffer, byteOffset: target.byteOffset + o0 * bytesOut, length: o1 - o0 };
      else {
        const buffer = new ArrayBuffer((o1 - o0) * bytesOut);
        transfer.push(buffer);
        out = { buffer, byteOffset: 0, length: o1 - o0 };
      }
      const job: PoolJob = {
        id: nextId++,
        name,
        args: template,
        opts: base,
        numeric,
        answers: spec.answers >= 0 ? sliceOf(args[spec.answers] as ArrayLike<unknown>, s0, s1) : null,
        groupSize: o?.groupSize !== undefined ? layout.uniformSize : null,
        groupOffsets: o?.groupSize !== undefined ? null : layout.offsets.subarray(g0, g1 + 1).map((x) => x - s0),
        out,
        backend,
        transfer: !shared,
        float32,
      };
      posted.push(
        dispatched(job, transfer).then((r) => {
          // A worker's error (found inside a kernel, or by an estimator without kernels), or a batch the
          // library might rescale as a whole: the direct call gives the answer, or the error, itself.
          if (!r.ok || r.rescued) failed = true;
          // Copied into the result as soon as it is done, while the other chunks still run (a redo
          // inline below overwrites the whole result).
          if (failed || result === target) return r;
          if (target !== null) result.set(target.subarray(o0, o1), o0);
          else if (r.ok && r.out !== null) result.set(float32 ? new Float32Array(r.out, 0, o1 - o0) : new Float64Array(r.out, 0, o1 - o0), o0);
          return r;
        }),
      );
    });
    try {
      await Promise.all(posted);
    } catch (e) {
      // A worker died or the pool closed: chunks on the other workers may still be running and writing
      // into this scratch, so it is not handed to the next call (which gets fresh scratch), and no
      // later reply is copied into the caller's `out`.
      failed = true;
      throw e;
    }
    release();
    if (failed) return inline(true);
    stats.workers++;
    return result;
  }

  const method =
    (name: PooledName) =>
    (...args: unknown[]): Promise<unknown> =>
      call(name, args);

  const pool = {
    workers: size,
    stats,
    close: async (): Promise<void> => {
      if (closed) return;
      closed = true;
      scratch = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(closedError());
      }
      const live = slots.filter((t): t is Promise<Thread> => t !== undefined);
      slots.fill(undefined);
      await Promise.all(live.map(async (t) => (await t.catch(() => undefined))?.terminate()));
    },
  } as Record<string, unknown>;
  for (const name of Object.keys(POOLED) as PooledName[]) pool[name] = method(name);
  return pool as unknown as WorkerPool;
}

/** `args` with its options argument replaced. */
function withOpts(args: readonly unknown[], spec: PooledEstimator, opts: Record<string, unknown>): unknown[] {
  const copy = args.slice();
  while (copy.length <= spec.opts) copy.push(undefined);
  copy[spec.opts] = opts;
  return copy;
}

/** `values[from, to)` as the same kind of array (a typed array stays one: the estimator may treat it apart). */
function sliceOf(values: ArrayLike<unknown>, from: number, to: number): unknown[] {
  if (ArrayBuffer.isView(values)) return (values as unknown as { slice(a: number, b: number): unknown[] }).slice(from, to);
  return Array.prototype.slice.call(values, from, to) as unknown[];
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { length?: unknown }).length === 'number';
}

/** Shared-memory arrays of one call (slots 0, 1: inputs; 2: output; 3: a float32 output), grown on demand and reused. */
class Scratch {
  private readonly slots: (Float64Array | undefined)[] = [];
  private readonly slots32: (Float32Array | undefined)[] = [];

  /** A view of `length` values of slot `i`. */
  get(i: number, length: number): Float64Array {
    let a = this.slots[i];
    if (a === undefined || a.length < length) this.slots[i] = a = new Float64Array(new SharedArrayBuffer(length * 8));
    return a.subarray(0, length);
  }

  /** A float32 view of `length` values of slot `i` (a float32 output). */
  get32(i: number, length: number): Float32Array {
    let a = this.slots32[i];
    if (a === undefined || a.length < length) this.slots32[i] = a = new Float32Array(new SharedArrayBuffer(length * 4));
    return a.subarray(0, length);
  }
}

/** A typed array of numbers (what a chunk is copied from). */
type NumericArray =
  | Float64Array
  | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint8ClampedArray;

/**
 * The values as a typed array of numbers a chunk can be copied from: the array itself when it is one,
 * else a Float64Array copy of a plain array of numbers. Null when a copy would change what the estimator
 * sees (a BigInt array, or a plain array holding something other than numbers: the direct call must
 * refuse it itself).
 */
function numericArray(values: ArrayLike<unknown>): NumericArray | null {
  if (ArrayBuffer.isView(values)) {
    if (values instanceof BigInt64Array || values instanceof BigUint64Array || values instanceof DataView) return null;
    return values as unknown as NumericArray;
  }
  const copy = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') return null;
    copy[i] = v;
  }
  return copy;
}

/**
 * How many chunks a batch is cut into: up to CHUNKS_PER_WORKER per worker, each of at least
 * MIN_CHUNK samples (smaller ones cost more in messages than their copies overlap), never more than
 * one per group.
 */
function chunkCount(layout: Layout, workers: number): number {
  const samples = layout.offsets[layout.groups] as number;
  return Math.max(1, Math.min(layout.groups, workers * CHUNKS_PER_WORKER, Math.max(workers, Math.floor(samples / MIN_CHUNK))));
}

/** Cuts the groups into at most `parts` contiguous runs [g0, g1) of about equal sample counts. */
function split(layout: Layout, parts: number): [number, number][] {
  const { offsets, groups } = layout;
  const total = offsets[groups] as number;
  const runs: [number, number][] = [];
  let g0 = 0;
  for (let j = 1; j <= parts && g0 < groups; j++) {
    let g1: number;
    if (j === parts) g1 = groups;
    else {
      // The first group boundary at or past j/parts of the samples (binary search over the offsets).
      const goal = (total * j) / parts;
      let lo = g0 + 1;
      let hi = groups;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((offsets[mid] as number) >= goal) hi = mid;
        else lo = mid + 1;
      }
      g1 = lo;
    }
    runs.push([g0, g1]);
    g0 = g1;
  }
  return runs;
}
