/**
 * The `--ci` interval over tasks: on simulated evaluations whose tasks are drawn from a known population
 * (success probability p ~ Beta(a, b)), so the true pass@k and pass^k of the population are known in
 * closed form (E[1 − (1−p)^k] = 1 − Π_{i<k} (b+i)/(a+b+i), E[p^k] = Π_{i<k} (a+i)/(a+b+i)), the
 * measured coverage of the 95 % interval must lie between 92 % and 98 %. (Known weak spot, measured and
 * documented in docs/cli.md: a true value very near 0 or 1 with few tasks, e.g. pass@5 = 0.982 over
 * T = 60 tasks of n = 10 samples covers only ~86 %.)
 */
import { describe, expect, it } from 'vitest';
import { SampleAccumulator } from '../../src/cli/formats.js';
import { computeReport } from '../../src/cli/eval.js';
import { mulberry32 } from '../support/prng.js';

function truePassAtK(a: number, b: number, k: number): number {
  let prod = 1;
  for (let i = 0; i < k; i++) prod *= (b + i) / (a + b + i);
  return 1 - prod;
}
function truePassHatK(a: number, b: number, k: number): number {
  let prod = 1;
  for (let i = 0; i < k; i++) prod *= (a + i) / (a + b + i);
  return prod;
}

describe('--ci 0.95 coverage over simulated tasks', () => {
  it.each([
    // a, b (Beta with b = 1 or a = 1 so it can be drawn by inversion), tasks, samples per task
    [1, 2, 100, 20],
    [2, 1, 100, 20],
    [1, 1, 50, 10],
  ])('Beta(%d, %d) tasks, T = %d, n = %d: coverage of pass@k and pass^k in [0.92, 0.98]', (a, b, T, n) => {
    const rng = mulberry32(1000 * a + b);
    // Beta(1, b): 1 − U^{1/b}; Beta(a, 1): U^{1/a}.
    const drawP = () => (a === 1 ? 1 - rng() ** (1 / b) : rng() ** (1 / a));
    const ks = [1, 5];
    const reps = 2000;
    const cover: Record<string, number> = {};
    for (let r = 0; r < reps; r++) {
      const acc = new SampleAccumulator();
      for (let t = 0; t < T; t++) {
        const p = drawP();
        const task = acc.task(`t${t}`);
        for (let i = 0; i < n; i++) acc.push(task, rng() < p ? 1 : 0, undefined, undefined);
      }
      const report = computeReport(acc, { k: ks, metrics: ['pass', 'pass-hat'], ci: 0.95, requireAll: false, files: ['sim'] });
      for (const [metric, truth] of [['pass', truePassAtK], ['pass-hat', truePassHatK]] as const) {
        for (const row of report.metrics[metric]!) {
          const v = truth(a, b, row.k);
          const key = `${metric}@${row.k}`;
          if (row.ci!.lower <= v && v <= row.ci!.upper) cover[key] = (cover[key] ?? 0) + 1;
        }
      }
    }
    for (const key of ['pass@1', 'pass@5', 'pass-hat@1', 'pass-hat@5']) {
      const c = (cover[key] ?? 0) / reps;
      expect(c, `${key}: coverage ${c}`).toBeGreaterThanOrEqual(0.92);
      expect(c, `${key}: coverage ${c}`).toBeLessThanOrEqual(0.98);
    }
  });
});
