/**
 * The fuzz suite's worker thread: runs `count` generated cases (seed `seed`) on the js and wasm
 * backends and posts back the failures. Before each call it writes the case number into a shared
 * heartbeat, so the main thread can stop a call that never returns (a hang) and name the case.
 */
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { loadWasmBackend } from '../../src/index.js';
import { badValue, describeCase, difference, fuzzCase, runCase, type Outcome } from './cases.js';

interface Job {
  readonly seed: number;
  readonly count: number;
  readonly chunk: number;
  readonly callBudgetMs: number;
  readonly heartbeat: SharedArrayBuffer;
}

const job = workerData as Job;
const beat = new Int32Array(job.heartbeat);

async function main(): Promise<void> {
  await loadWasmBackend();
  const failures: string[] = [];
  let calls = 0;
  let values = 0;
  let errors = 0;
  let slowest = 0;
  const started = performance.now();
  for (let from = 0; from < job.count; from += job.chunk) {
    const cases = fc.sample(fuzzCase, { seed: job.seed + from, numRuns: Math.min(job.chunk, job.count - from) });
    cases.forEach((c, j) => {
      const id = from + j;
      const outcomes: Outcome[] = [];
      for (const backend of c.fn.backend ? (['js', 'wasm'] as const) : ([undefined] as const)) {
        Atomics.store(beat, 0, id + 1);
        const t = performance.now();
        outcomes.push(runCase(c, backend));
        const dt = performance.now() - t;
        calls++;
        if (dt > slowest) slowest = dt;
        if (dt > job.callBudgetMs) failures.push(`case ${id} (seed ${job.seed + from}, #${j}): ${dt.toFixed(0)} ms > budget: ${describeCase(c)}`);
      }
      const where = `case ${id} (seed ${job.seed + from}, #${j}): ${describeCase(c)}`;
      for (const o of outcomes) {
        if (o.kind === 'value') values++;
        if (o.kind === 'error') errors++;
        if (o.kind === 'untyped') failures.push(`${where}: untyped error ${o.message}`);
        // log pass^k is exactly −Infinity when c < k (documented), not a silent NaN.
        if (o.kind === 'value' && !(c.fn.logResult === true && o.value === -Infinity)) {
          const bad = badValue(o.value);
          if (bad !== undefined) failures.push(`${where}: ${bad}`);
        }
      }
      const [js, wasm] = outcomes;
      if (wasm !== undefined && js !== undefined) {
        if (js.kind !== wasm.kind) failures.push(`${where}: js ${js.kind} but wasm ${wasm.kind} (${JSON.stringify([js, wasm]).slice(0, 300)})`);
        else if (js.kind === 'error' && wasm.kind === 'error' && (js.name !== wasm.name || js.argument !== wasm.argument)) {
          failures.push(`${where}: js ${js.name}(${js.argument}) but wasm ${wasm.name}(${wasm.argument})`);
        } else if (js.kind === 'value' && wasm.kind === 'value') {
          const d = difference(js.value, wasm.value);
          if (!(d <= 1e-12)) failures.push(`${where}: wasm differs from js by ${d} relative`);
        }
      }
    });
    if (failures.length > 20) break;
  }
  Atomics.store(beat, 0, -1);
  parentPort?.postMessage({ failures: failures.slice(0, 20), failureCount: failures.length, calls, values, errors, slowest, ms: performance.now() - started });
}

main().catch((e: unknown) => {
  parentPort?.postMessage({ failures: [`worker crashed: ${String((e as Error)?.stack ?? e)}`], failureCount: 1, calls: 0, values: 0, errors: 0, slowest: 0, ms: 0 });
});
