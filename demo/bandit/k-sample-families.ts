/**
 * Prints the real example outputs of the docs pages on the generic k-sample families (order
 * statistics, pass^k, any f, mixtures, label-free majority rewards), measures the sampled mode's
 * calibration, trains the demo task with mixtures, a k schedule and pseudo-labels, and writes the figure
 * docs/figures/order-statistics-weights.svg.
 *
 *   npx tsx demo/bandit/k-sample-families.ts            # everything (a few minutes)
 *   npx tsx demo/bandit/k-sample-families.ts --no-train # skip the training runs
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  kSampleAdvantage,
  kSampleAtK,
  kSchedule,
  majorityPseudoRewards,
  mixAdvantages,
  orderStatisticAdvantage,
  orderStatisticAlpha,
  orderStatisticAtK,
  passAtKAdvantage,
  passHatK,
  passHatKAdvantage,
  rlooAdvantage,
  type OrderStatisticPreset,
} from '../../src/index.js';
import { lineChart } from '../../src/cli/svg.js';
import { makeTask, trainPlain, type Method } from './core.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fmt = (a: ArrayLike<number>): string => `[${Array.from(a, (x) => +x.toFixed(4)).join(', ')}]`;

function examples(): void {
  const g = [0.1, 0.7, 0.3, 0.9, 0.5, 0.7];
  console.log('## Order statistics, g = [0.1, 0.7, 0.3, 0.9, 0.5, 0.7], k = 3\n');
  for (const preset of ['max', 'min', 'median', 'mean', 'top-2', 'cvar-0.34', 'trimmed-mean-0.34'] as OrderStatisticPreset[]) {
    console.log(
      `${preset.padEnd(18)} α = ${fmt(orderStatisticAlpha(preset, 3))}  ρ = ${orderStatisticAtK(g, 3, preset).toFixed(6)}  ` +
        `loo-1 weights = ${fmt(orderStatisticAdvantage(g, 3, preset))}`,
    );
  }
  console.log('\n## pass^k\n');
  console.log(`passHatK(8, 6, 4) = ${passHatK(8, 6, 4)}`);
  console.log(`passHatK(100000, 99000, 1000) = ${passHatK(100000, 99000, 1000)}`);
  for (const baseline of ['none', 'loo', 'loo-1'] as const) {
    console.log(`passHatKAdvantage([1, 1, 1, 0, 1, 1], 3, { baseline: '${baseline}' }) = ${fmt(passHatKAdvantage([1, 1, 1, 0, 1, 1], 3, { baseline }))}`);
  }
  console.log('\n## Any f\n');
  const rewards = [0.2, 0.9, 0.4, 0.6, 0.1, 0.8, 0.5, 0.3];
  // "the best two of k agree within 0.2": a non-linear objective no closed form covers.
  const f = (I: readonly number[]): number => {
    const v = I.map((i) => rewards[i] as number).sort((a, b) => b - a);
    return (v[0] as number) - (v[1] as number) <= 0.2 ? 1 : 0;
  };
  const exact = kSampleAtK(8, 4, f);
  const sampled = kSampleAtK(8, 4, f, { maxSubsets: 0, samples: 2000, seed: 1 });
  console.log(`exact:   ${JSON.stringify(exact)}`);
  console.log(`sampled: ${JSON.stringify(sampled)}`);
  console.log(`weights (loo-1, exact): ${fmt(kSampleAdvantage(8, 4, f).weights)}`);
  const s = kSampleAdvantage(8, 4, f, { maxSubsets: 0, samples: 2000, seed: 1 });
  console.log(`weights (loo-1, sampled): ${fmt(s.weights)} ± ${fmt(s.standardError)} (${s.calls} calls)`);
  console.log('\n## Mixtures\n');
  const b = [1, 1, 0, 0, 0, 0, 0, 0];
  console.log(
    `0.5·pass@1 + 0.5·pass@4 on [1, 1, 0, 0, 0, 0, 0, 0]: ${fmt(
      mixAdvantages([
        { weight: 0.5, advantages: passAtKAdvantage(b, 1), scale: 'sum' },
        { weight: 0.5, advantages: passAtKAdvantage(b, 4), scale: 'sum' },
      ]),
    )}`,
  );
  console.log('\n## Label-free majority rewards\n');
  const answers = ['12', '12', '7', '12', null, '7', '7', '9'];
  const truth = [0, 0, 1, 0, 0, 1, 1, 0];
  for (const vote of ['all', 'loo'] as const) {
    const r = majorityPseudoRewards(answers, { vote, trueRewards: truth });
    console.log(`vote '${vote}': rewards ${fmt(r.rewards)}, tied ${JSON.stringify(r.tied)}, majorityRatio ${fmt(r.majorityRatio)}, labelAccuracy ${fmt(r.labelAccuracy ?? [])}, rewardAccuracy ${fmt(r.rewardAccuracy ?? [])}`);
  }
  const x = majorityPseudoRewards(answers, { extraVotes: ['7', '7', '12'], trueRewards: truth });
  console.log(`with extra votes ['7', '7', '12']: rewards ${fmt(x.rewards)}, mode ${JSON.stringify(x.mode)}, majorityRatio ${fmt(x.majorityRatio)}`);
}

/** Calibration of the sampled mode: bias over seeds and coverage of ±2 SE, for the metric and each baseline. */
function calibration(): void {
  console.log('\n## Sampled mode calibration (n = 12, k = 4, f = (Σ g)² + max g; 1,000 seeds)\n');
  console.log('| what | samples per call | mean − exact (in SE of the mean) | coverage of ±2 SE |');
  console.log('| --- | ---: | ---: | ---: |');
  const g = [0.5, -0.25, 1, 0.75, 0, 1.5, -1, 0.25, 0.5, 0.5, -0.5, 1];
  const f = (I: readonly number[]): number => {
    let s = 0;
    let m = -Infinity;
    for (const i of I) {
      s += g[i] as number;
      m = Math.max(m, g[i] as number);
    }
    return s * s + m;
  };
  const seeds = 1000;
  for (const M of [50, 200, 1000]) {
    const exact = kSampleAtK(12, 4, f).estimate;
    let sum = 0;
    let se = 0;
    let cov = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const r = kSampleAtK(12, 4, f, { maxSubsets: 0, samples: M, seed });
      sum += r.estimate;
      se += r.standardError;
      if (Math.abs(r.estimate - exact) <= 2 * r.standardError) cov++;
    }
    console.log(`| metric | ${M} | ${((sum / seeds - exact) / (se / seeds / Math.sqrt(seeds))).toFixed(2)} | ${((100 * cov) / seeds).toFixed(1)} % |`);
    for (const baseline of ['none', 'loo', 'loo-1'] as const) {
      const w = kSampleAdvantage(12, 4, f, { baseline }).weights;
      let covered = 0;
      let total = 0;
      let worst = 0;
      const sums = new Float64Array(12);
      const ses = new Float64Array(12);
      for (let seed = 1; seed <= seeds; seed++) {
        const r = kSampleAdvantage(12, 4, f, { baseline, maxSubsets: 0, samples: M, seed });
        for (let i = 0; i < 12; i++) {
          sums[i] = (sums[i] as number) + (r.weights[i] as number);
          ses[i] = (ses[i] as number) + (r.standardError[i] as number);
          if (Math.abs((r.weights[i] as number) - (w[i] as number)) <= 2 * (r.standardError[i] as number)) covered++;
          total++;
        }
      }
      for (let i = 0; i < 12; i++) {
        const z = ((sums[i] as number) / seeds - (w[i] as number)) / ((ses[i] as number) / seeds / Math.sqrt(seeds));
        if (Math.abs(z) > Math.abs(worst)) worst = z;
      }
      console.log(`| weights, ${baseline} | ${M} | worst of 12: ${worst.toFixed(2)} | ${((100 * covered) / total).toFixed(1)} % |`);
    }
  }
}

/** β_p (the metric's weight on sorted position p) for each preset: the figure. */
function figure(): void {
  const n = 32;
  const k = 8;
  const presets: OrderStatisticPreset[] = ['max', 'min', 'median', 'top-2', 'cvar-0.25', 'upper-0.5', 'trimmed-mean-0.25'];
  const series = presets.map((preset) => {
    // ρ is linear in the sorted rewards, ρ = Σ_p β_p X_(p): raising X_(p) by 0.5 keeps the order of the
    // distinct ranks 0..n−1 and raises ρ by exactly 0.5·β_p.
    const points: [number, number][] = [];
    const ranks = Array.from({ length: n }, (_, i) => i);
    const base = orderStatisticAtK(ranks, k, preset);
    for (let p = 0; p < n; p++) {
      const raised = ranks.map((r) => (r === p ? r + 0.5 : r));
      points.push([p + 1, (orderStatisticAtK(raised, k, preset) - base) / 0.5]);
    }
    return { name: preset, points };
  });
  const svg = lineChart({
    title: `weight of each sorted position in the metric, n = ${n}, k = ${k}`,
    xLabel: 'sorted position p (1 = lowest reward)',
    yLabel: 'β_p',
    series,
    yRange: [0, 0.26],
  });
  const file = `${root}docs/figures/order-statistics-weights.svg`;
  writeFileSync(file, svg);
  console.log(`\nwrote ${file}`);
  console.log('β_p at p = 1, 8, 16, 24, 32:');
  for (const s of series) console.log(`  ${s.name.padEnd(18)} ${[1, 8, 16, 24, 32].map((p) => (s.points[p - 1]?.[1] ?? 0).toFixed(4)).join('  ')}`);
}

function train(): void {
  const seeds = [1, 2, 3];
  const steps = 200;
  const k = 8;
  const task = makeTask(1, 24);
  let calls = 0;
  const schedule = kSchedule([{ k: 8, steps: steps / 2 }, { k: 1 }]);
  const methods: Method[] = [
    { id: 'passk', label: 'pass@1 (λ = 0)', weights: (b, n) => passAtKAdvantage(b.rewards, 1, { groupSize: n }) },
    {
      id: 'passk',
      label: '0.5·pass@1 + 0.5·pass@8',
      weights: (b, n) =>
        mixAdvantages([
          { weight: 0.5, advantages: passAtKAdvantage(b.rewards, 1, { groupSize: n }), scale: 'sum' },
          { weight: 0.5, advantages: passAtKAdvantage(b.rewards, k, { groupSize: n }), scale: 'sum' },
        ]),
    },
    { id: 'passk', label: 'pass@8 (λ = 1)', weights: (b, n) => passAtKAdvantage(b.rewards, k, { groupSize: n }) },
    {
      id: 'passk',
      label: 'k schedule 8 → 1 (half way)',
      weights: (b, n) => passAtKAdvantage(b.rewards, schedule(calls++ % steps), { groupSize: n }),
    },
    {
      id: 'rloo',
      label: "TTRL labels, vote 'all' (RLOO)",
      weights: (b, n) => rlooAdvantage(majorityPseudoRewards(Array.from(b.answers), { groupSize: n }).rewards, { groupSize: n }),
    },
    {
      id: 'rloo',
      label: "TTRL labels, vote 'loo' (RLOO)",
      weights: (b, n) => rlooAdvantage(majorityPseudoRewards(Array.from(b.answers), { groupSize: n, vote: 'loo' }).rewards, { groupSize: n }),
    },
  ];
  console.log(`\n## Demo task: ${seeds.length} seeds × ${steps} steps, n = 16, held-out pass@1 / pass@8 (mean over seeds)\n`);
  console.log('| objective | pass@1 | pass@8 |');
  console.log('| --- | ---: | ---: |');
  let first = true;
  for (const m of methods) {
    calls = 0;
    let p1 = 0;
    let p8 = 0;
    for (const seed of seeds) {
      calls = 0;
      const r = trainPlain(task, m, seed, { steps, k, evalEvery: steps });
      if (first) {
        const c0 = r.curve[0];
        console.log(`| initial policy (seed ${seed}, 16 samples per prompt) | ${c0?.pass1.toFixed(3)} | ${c0?.passK.toFixed(3)} |`);
      }
      p1 += r.final.pass1 / seeds.length;
      p8 += r.final.passK / seeds.length;
    }
    first = false;
    console.log(`| ${m.label} | ${p1.toFixed(3)} | ${p8.toFixed(3)} |`);
  }
}

examples();
calibration();
figure();
if (!process.argv.includes('--no-train')) train();
