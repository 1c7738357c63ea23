/**
 * Order-statistic weights (orderStatisticAdvantage) against the specialised max@k path
 * (maxAtKAdvantage) and the memory floor (a Float64Array.prototype.set of the same bytes), in the same
 * run, on the js and wasm backends. Target: the generic path ('max' preset, same answer) costs at most
 * 1.5× the specialised one. How to run and read it: docs/benchmarks.md.
 */
import { maxAtKAdvantage, orderStatisticAdvantage, type OrderStatisticAlpha } from '../src/index.js';
import { loadWasmBackend } from '../src/backends/wasm/index.js';
import { runBench, type BenchCase, type BenchGroup } from './harness.js';
import { mulberry32 as prng } from '../test/support/prng.js';

function continuousRewards(groups: number, n: number, seed: number): Float64Array {
  const rand = prng(seed);
  const g = new Float64Array(groups * n);
  for (let i = 0; i < g.length; i++) g[i] = rand() * 2 - 1;
  return g;
}

/** Compares a few entries (first and last group) of a result with the specialised max@k weights. */
function closeTo(what: string, expected: Float64Array, n: number): (r: unknown) => void {
  const last = expected.length - n;
  return (r) => {
    const a = r as Float64Array;
    for (const i of [0, n - 1, last, expected.length - 1]) {
      if (!(Math.abs((a[i] as number) - (expected[i] as number)) <= 1e-12)) {
        throw new Error(`${what}: entry ${i} is ${a[i]}, expected ${expected[i]}`);
      }
    }
  };
}

function group(title: string, g: Float64Array, n: number, k: number, backend: string): BenchGroup {
  const out = new Float64Array(g.length);
  const floorOut = new Float64Array(g.length);
  const expected = maxAtKAdvantage(g, k, { groupSize: n });
  const os = (alpha: OrderStatisticAlpha, check = false): BenchCase => ({
    name: `orderStatisticAdvantage '${alpha}'`,
    fn: () => orderStatisticAdvantage(g, k, alpha, { groupSize: n, out, backend }),
    ...(check ? { check: closeTo(`${title} ${alpha}`, expected, n) } : {}),
  });
  const last = g.length - 1;
  return {
    title,
    baseline: 'maxAtKAdvantage',
    bytes: 16 * g.length,
    elements: g.length,
    cases: [
      {
        name: 'maxAtKAdvantage',
        fn: () => maxAtKAdvantage(g, k, { groupSize: n, out, backend }),
        check: closeTo(`${title} maxAtKAdvantage`, expected, n),
      },
      os('max', true),
      os('median'),
      os('cvar-0.25'),
      os('trimmed-mean-0.1'),
      {
        name: 'memory floor (set)',
        fn: () => {
          floorOut.set(g);
          return floorOut;
        },
        check: (r) => {
          if ((r as Float64Array)[last] !== g[last]) throw new Error('set did not copy');
        },
        note: '`Float64Array.prototype.set` of the rewards into a preallocated output',
      },
    ],
  };
}

export default async function orderStatisticsBench(opts: { quick: boolean }): Promise<void> {
  await loadWasmBackend();
  const big = opts.quick ? { groups: 200, n: 64, k: 8 } : { groups: 100_000, n: 64, k: 8 };
  const wide = opts.quick ? { groups: 4, n: 1024, k: 64 } : { groups: 1_000, n: 1024, k: 64 };
  const fmt = (s: { groups: number; n: number; k: number }): string =>
    `${s.groups.toLocaleString('en-US')} groups × n = ${s.n}, k = ${s.k}`;
  const gBig = continuousRewards(big.groups, big.n, 21);
  const gWide = continuousRewards(wide.groups, wide.n, 22);
  const groups: BenchGroup[] = [];
  for (const backend of ['js', 'wasm']) {
    groups.push(group(`loo-1 weights, ${fmt(big)}, backend ${backend}`, gBig, big.n, big.k, backend));
    groups.push(group(`loo-1 weights, ${fmt(wide)}, backend ${backend}`, gWide, wide.n, wide.k, backend));
  }
  await runBench('order-statistics', groups, opts);
}
