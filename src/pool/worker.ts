/**
 * The worker script of the worker pool (built as dist/pool-worker.js and dist/pool-worker.cjs). Each
 * job is one call of a library estimator on a run of whole groups: the worker wraps the shared (or
 * transferred) buffers in Float64Array views, calls the public function with the slice's layout and
 * `out` set to its part of the result, and posts back whether that call took the library's overflow
 * rescue (the pool then recomputes the batch on the calling thread, as the direct call rescales it whole).
 */
import { loadWasmBackend } from '../index.js';
import { overflowRescues } from '../estimators/weights.js';
import { POOLED, type PoolJob, type PoolReply } from './estimators.js';

const NODE_WORKERS = 'node:worker_threads';

interface Port {
  post(reply: PoolReply, transfer: ArrayBuffer[]): void;
  listen(handler: (job: PoolJob) => void): void;
}

async function port(): Promise<Port> {
  const node = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (node) {
    // By a name in a variable: browser bundlers leave it alone (see pool/index.ts).
    const { parentPort } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_WORKERS)) as typeof import('node:worker_threads');
    if (parentPort === null) throw new Error('pool-worker must run in a worker thread');
    return {
      post: (reply, transfer) => parentPort.postMessage(reply, transfer),
      listen: (handler) => parentPort.on('message', handler),
    };
  }
  const scope = globalThis as unknown as {
    postMessage(m: unknown, t: ArrayBuffer[]): void;
    addEventListener(type: 'message', h: (e: { data: PoolJob }) => void): void;
  };
  return {
    post: (reply, transfer) => scope.postMessage(reply, transfer),
    listen: (handler) => scope.addEventListener('message', (e) => handler(e.data)),
  };
}

let wasm: Promise<unknown> | undefined;

async function run(job: PoolJob): Promise<PoolReply> {
  const spec = POOLED[job.name];
  if (job.backend === 'wasm') await (wasm ??= loadWasmBackend());
  const args = job.args.slice();
  spec.numeric.forEach((position, i) => {
    const s = job.numeric[i]!;
    args[position] = new Float64Array(s.buffer as ArrayBuffer, s.byteOffset, s.length);
  });
  if (spec.answers >= 0) args[spec.answers] = job.answers;
  const out = job.float32
    ? new Float32Array(job.out.buffer as ArrayBuffer, job.out.byteOffset, job.out.length)
    : new Float64Array(job.out.buffer as ArrayBuffer, job.out.byteOffset, job.out.length);
  const opts: Record<string, unknown> = { ...job.opts, out };
  if (job.backend !== null) opts.backend = job.backend;
  if (job.groupSize !== null) opts.groupSize = job.groupSize;
  else opts.groupOffsets = job.groupOffsets;
  args[spec.opts] = opts;
  const rescues = overflowRescues();
  (spec.fn as (...a: unknown[]) => unknown)(...args);
  return { id: job.id, ok: true, rescued: overflowRescues() !== rescues, out: job.transfer ? (job.out.buffer as ArrayBuffer) : null };
}

async function main(): Promise<void> {
  const p = await port();
  p.listen((job) => {
    run(job).then(
      (reply) => p.post(reply, reply.ok && reply.out !== null ? [reply.out] : []),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        p.post({ id: job.id, ok: false, name: err.name, message: err.message }, []);
      },
    );
  });
}

void main();
