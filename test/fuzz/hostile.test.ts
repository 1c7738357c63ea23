/**
 * Fuzz suite (fast-check, js and wasm backends): 100,000 generated calls to the public estimators,
 * valid and hostile (see ./cases.ts), split over two worker threads. Every call must either throw a
 * typed InferenceAwareRLError or return finite numbers, and the wasm backend must give the js result
 * (to 1e-12 relative) or the same typed error. A call that exceeds its time budget fails the suite;
 * one that never returns is stopped by a watchdog on the worker's heartbeat and named.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

/** Total generated cases (each run on both backends when the function takes one). */
const CASES = 100_000;
const WORKERS = 2;
/** A call slower than this fails (generous: the inputs are ≤ 32 samples; the machine may be loaded). */
const CALL_BUDGET_MS = 2_000;
/** A call still running after this long is a hang: the worker is terminated. */
const HANG_MS = 10_000;

interface Result {
  failures: string[];
  failureCount: number;
  calls: number;
  values: number;
  errors: number;
  slowest: number;
  ms: number;
}

function run(seed: number, count: number): Promise<Result> {
  const heartbeat = new SharedArrayBuffer(4);
  const beat = new Int32Array(heartbeat);
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData: { seed, count, chunk: 1000, callBudgetMs: CALL_BUDGET_MS, heartbeat },
  });
  return new Promise((resolve, reject) => {
    let last = 0;
    let since = Date.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (now > 0 && Date.now() - since > HANG_MS) {
        clearInterval(watchdog);
        void worker.terminate();
        resolve({ failures: [`case ${now - 1} of seed ${seed} hung for > ${HANG_MS} ms`], failureCount: 1, calls: 0, values: 0, errors: 0, slowest: HANG_MS, ms: 0 });
      }
    }, 100);
    worker.once('message', (m: Result) => {
      clearInterval(watchdog);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (e) => {
      clearInterval(watchdog);
      reject(e);
    });
  });
}

describe('fuzz: hostile inputs on every public estimator, js and wasm', () => {
  it(`${CASES} cases: a typed error or a finite result equal to the js reference, within the time budget`, async () => {
    const started = performance.now();
    const per = CASES / WORKERS;
    const results = await Promise.all(Array.from({ length: WORKERS }, (_, w) => run(1400 + w * 7919, per)));
    const failures = results.flatMap((r) => r.failures);
    const calls = results.reduce((s, r) => s + r.calls, 0);
    const slowest = Math.max(...results.map((r) => r.slowest));
    const values = results.reduce((s, r) => s + r.values, 0);
    const errors = results.reduce((s, r) => s + r.errors, 0);
    console.log(
      `fuzz: ${CASES} cases, ${calls} calls (${values} finite results, ${errors} typed errors) in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s ` +
        `(workers ${results.map((r) => (r.ms / 1000).toFixed(1)).join(' s, ')} s; slowest call ${slowest.toFixed(1)} ms)`,
    );
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThanOrEqual(CASES);
    // Both outcomes are exercised in earnest: valid calls are compared with js, hostile ones refused.
    expect(values).toBeGreaterThan(calls / 10);
    expect(errors).toBeGreaterThan(calls / 10);
  }, 300_000);
});
