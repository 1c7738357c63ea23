/**
 * `npm run demo`: inference-aware training end to end on a synthetic verifiable task (docs/demo.md).
 *
 * The same initial policy is trained with the same samples per step, steps and seeds under different
 * per-sample weights from this library (mean reward via GRPO / RLOO, pass@k, majority vote, best-of-N,
 * SFT and Chow et al.'s BoN-SFT on expert demonstrations, BOND distillation) and evaluated on held-out prompts with the library's unbiased estimators.
 * Run `npm run demo -- --help` for the flags.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { intFlag, meanStd, progressBar, replaceBetweenMarkers } from '../shared.js';
import { lineChart } from '../../src/cli/svg.js';
import {
  CURVE_KS,
  EVAL_SAMPLES,
  METHODS,
  evaluate,
  makeTask,
  mulberry32,
  trainPlain,
  type Evaluation,
  type RunResult,
} from './core.js';
import { trainWithTfjs } from './tfjs.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------------------------------------------
// Command line

const HELP = `Usage: npm run demo -- [options]

Trains one small categorical policy (a softmax-linear model over prompt features) on a synthetic
verifiable task under several objectives, then evaluates each on held-out prompts with the library's
unbiased estimators (pass@1, pass@k, maj@k, BoN@k). See docs/demo.md for the task and the results.

Options:
  --quick          small run for tests (a few seconds): 3 seeds, 120 steps, half the prompts;
                   writes no figures
  --seed <s>       first seed (default 1); seeds s, s+1, … are used
  --seeds <m>      number of seeds (default 5, quick 3)
  --steps <t>      training steps per run (default 400, quick 120)
  --k <k>          the inference budget the k-sample objectives train for and are evaluated at
                   (default 8); best-of-N uses N = k
  --no-tfjs        skip the extra run that trains through the tfjs adapter (policyGradientLoss)
  --json           print the results as JSON (for scripts and tests) instead of the table
  --no-figures     do not write the SVG figures into docs/figures/
  --write-docs     write the table into docs/demo.md (between the demo:results markers)
  -h, --help       this text`;

interface DemoOptions {
  quick: boolean;
  seed: number;
  seeds: number;
  steps: number;
  k: number;
  tfjs: boolean;
  json: boolean;
  figures: boolean;
  writeDocs: boolean;
}

function parseDemoArgs(argv: string[]): DemoOptions | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      steps: { type: 'string' },
      k: { type: 'string' },
      'no-tfjs': { type: 'boolean' },
      json: { type: 'boolean' },
      'no-figures': { type: 'boolean' },
      'write-docs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help === true) return 'help';
  const quick = v.quick === true;
  const k = intFlag('k', v.k, 8, 2);
  if (k > 16) throw new Error(`--k must be ≤ 16, the samples drawn per prompt (got ${k})`);
  return {
    quick,
    seed: intFlag('seed', v.seed, 1, 0),
    seeds: intFlag('seeds', v.seeds, quick ? 3 : 5, 1),
    steps: intFlag('steps', v.steps, quick ? 120 : 400, 1),
    k,
    tfjs: v['no-tfjs'] !== true,
    json: v.json === true,
    // --quick is for tests: it must not overwrite the figures of the documented full run.
    figures: v['no-figures'] !== true && !quick,
    writeDocs: v['write-docs'] === true,
  };
}

// ---------------------------------------------------------------------------------------------------
// Progress, table, figures

interface Summary {
  method: string;
  pass1: [number, number];
  passK: [number, number];
  majK: [number, number];
  bonK: [number, number];
  passCurve: [number, number][];
  bonCurve: [number, number][];
  mass: [number, number][];
}

function summarise(method: string, evals: Evaluation[]): Summary {
  return {
    method,
    pass1: meanStd(evals.map((e) => e.pass1)),
    passK: meanStd(evals.map((e) => e.passK)),
    majK: meanStd(evals.map((e) => e.majK)),
    bonK: meanStd(evals.map((e) => e.bonK)),
    passCurve: (evals[0]?.passCurve ?? []).map((_, i) => meanStd(evals.map((e) => e.passCurve[i] ?? Number.NaN))),
    bonCurve: (evals[0]?.bonCurve ?? []).map((_, i) => meanStd(evals.map((e) => e.bonCurve[i] ?? Number.NaN))),
    mass: (evals[0]?.mass ?? []).map((_, i) => meanStd(evals.map((e) => e.mass[i] ?? Number.NaN))),
  };
}

function markdownTable(rows: Summary[], k: number, seeds: number): string {
  const cell = ([m, s]: [number, number]): string => `${m.toFixed(3)} ± ${s.toFixed(3)}`;
  const best = (pick: (r: Summary) => [number, number]): string => Math.max(...rows.slice(1).map((r) => pick(r)[0])).toFixed(3);
  const fmt = (r: Summary, pick: (r: Summary) => [number, number]): string =>
    r !== rows[0] && pick(r)[0].toFixed(3) === best(pick) ? `**${cell(pick(r))}**` : cell(pick(r));
  const lines = [
    `| trained for | pass@1 | pass@${k} | maj@${k} | BoN@${k} |`,
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.method} | ${fmt(r, (x) => x.pass1)} | ${fmt(r, (x) => x.passK)} | ${fmt(r, (x) => x.majK)} | ${fmt(r, (x) => x.bonK)} |`),
  ];
  const massLines = [
    '| trained for | candidate 1 (right 40%) | candidate 2 (30%) | candidate 3 (20%, over-rated by the verifier) | candidate 4 (10%) | wrong answers |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.method} | ${r.mass.map(([m]) => m.toFixed(3)).join(' | ')} |`),
  ];
  return (
    `${lines.join('\n')}\n\nMean ± std over ${seeds} seeds; held-out prompts, ${EVAL_SAMPLES} samples each; best trained value per column in bold.\n\n` +
    `Where each final policy puts its probability on held-out prompts (mean over prompts and seeds):\n\n${massLines.join('\n')}\n`
  );
}

/** One colour per row, the same in every figure. */
const COLORS: Record<string, string> = {
  'initial policy': '#7f7f7f',
  'mean reward (GRPO)': '#1f77b4',
  'mean reward (RLOO)': '#17becf',
  'pass@k (loo-1)': '#d62728',
  'maj@k (loo-1)': '#9467bd',
  'BoN@k (loo-1)': '#2ca02c',
  'SFT (expert demos)': '#bcbd22',
  'BoN-SFT (expert demos)': '#e377c2',
  'BOND distillation': '#8c564b',
  'pass@k (loo-1) via tfjs adapter': '#ff7f0e',
};

/** The rows compared in the best-of-N policy figure (docs/estimators/best-of-n.md). */
const BEST_OF_N_ROWS = ['initial policy', 'BoN@k (loo-1)', 'SFT (expert demos)', 'BoN-SFT (expert demos)', 'BOND distillation'];

function style(method: string): { color: string; dashed: boolean } {
  return { color: COLORS[method] ?? '#000000', dashed: method.includes('tfjs') };
}

function writeFigures(results: Map<string, RunResult[]>, summaries: Summary[], k: number): string[] {
  const dir = join(ROOT, 'docs', 'figures');
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const curveSeries = (pick: 'pass1' | 'passK') =>
    [...results.entries()].map(([method, runs]) => {
      const steps = runs[0]?.curve.map((c) => c.step) ?? [];
      const stats = steps.map((_, i) => meanStd(runs.map((r) => r.curve[i]?.[pick] ?? Number.NaN)));
      return {
        name: method,
        ...style(method),
        points: steps.map((s, i) => [s, stats[i]?.[0] ?? Number.NaN] as const),
        band: stats.map((s) => s[1]),
      };
    });
  const files: [string, string][] = [
    [
      'demo-learning-pass-at-k.svg',
      lineChart({ title: `held-out pass@${k} during training (mean ± std over seeds)`, xLabel: 'training step', yLabel: `pass@${k}`, series: curveSeries('passK') }),
    ],
    [
      'demo-learning-pass-at-1.svg',
      lineChart({ title: 'held-out pass@1 during training (mean ± std over seeds)', xLabel: 'training step', yLabel: 'pass@1', series: curveSeries('pass1') }),
    ],
    [
      'demo-pass-at-k-vs-k.svg',
      lineChart({
        title: 'held-out pass@k of each trained policy',
        xLabel: 'k',
        yLabel: 'pass@k',
        logX: true,
        series: summaries.map((s) => ({
          name: s.method,
          ...style(s.method),
          points: s.passCurve.map((c, i) => [CURVE_KS[i] ?? Number.NaN, c[0]] as const),
        })),
      }),
    ],
    [
      'demo-bon-at-n-vs-n.svg',
      lineChart({
        title: 'held-out best-of-N accuracy (noisy verifier) of each trained policy',
        xLabel: 'N',
        yLabel: 'BoN@N',
        logX: true,
        series: summaries.map((s) => ({
          name: s.method,
          ...style(s.method),
          points: s.bonCurve.map((c, i) => [CURVE_KS[i] ?? Number.NaN, c[0]] as const),
        })),
      }),
    ],
    [
      'demo-best-of-n-policies.svg',
      lineChart({
        title: 'the policy each best-of-N method learns (held-out, mean over seeds)',
        xLabel: 'answer: candidates 1–4 (3 = over-rated by the verifier); 5 = wrong answers',
        yLabel: 'probability under the trained policy',
        series: summaries
          .filter((s) => BEST_OF_N_ROWS.includes(s.method))
          .map((s) => ({
            name: s.method,
            ...style(s.method),
            points: s.mass.map((c, i) => [i + 1, c[0]] as const),
            band: s.mass.map((c) => c[1]),
          })),
      }),
    ],
  ];
  for (const [name, svg] of files) {
    writeFileSync(join(dir, name), svg);
    written.push(`docs/figures/${name}`);
  }
  return written;
}

const START = '<!-- demo:results:start -->';
const END = '<!-- demo:results:end -->';

function writeDocs(table: string, opts: DemoOptions, seconds: number): void {
  const flags = [opts.quick ? '--quick' : '', `--seed ${opts.seed}`, `--seeds ${opts.seeds}`, `--steps ${opts.steps}`, `--k ${opts.k}`]
    .filter((f) => f.length > 0)
    .join(' ');
  const body = `\n_Generated by \`npm run demo -- --write-docs\` (${flags}); wall time ${seconds.toFixed(1)} s on this machine._\n\n${table}\n`;
  replaceBetweenMarkers(join(ROOT, 'docs', 'demo.md'), START, END, body);
}

// ---------------------------------------------------------------------------------------------------

export interface DemoResult {
  k: number;
  seeds: number[];
  steps: number;
  seconds: number;
  summaries: Summary[];
  /** Final held-out evaluations per method label, one per seed. */
  runs: Record<string, Evaluation[]>;
}

async function main(argv: string[]): Promise<number> {
  // `--lm`: the language-model demo (demo/lm/, docs/demo.md "The language-model demo").
  if (argv.includes('--lm')) return (await import('../lm/run.js')).runLmDemo(argv.filter((a) => a !== '--lm'));
  let opts: DemoOptions | 'help';
  try {
    opts = parseDemoArgs(argv);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const started = Date.now();
  const seeds = Array.from({ length: opts.seeds }, (_, i) => opts.seed + i);
  const promptsPerCluster = opts.quick ? 20 : 40;
  const evalEvery = Math.max(1, Math.round(opts.steps / 20));
  const methods = [...METHODS];
  const tfjsRuns = opts.tfjs ? 1 : 0;
  const bar = progressBar((methods.length + tfjsRuns) * seeds.length * opts.steps, process.stderr.isTTY === true, (t) => process.stderr.write(t));
  const results = new Map<string, RunResult[]>();
  const initial: Evaluation[] = [];
  for (const seed of seeds) {
    const task = makeTask(seed, promptsPerCluster);
    initial.push(evaluate(task.theta0, task, opts.k, mulberry32(seed * 131 + 7)));
    for (const method of methods) {
      const run = trainPlain(task, method, seed, {
        steps: opts.steps,
        k: opts.k,
        evalEvery,
        onStep: (step) => bar.tick(`${method.label}, seed ${seed}, step ${step}/${opts.steps}`),
      });
      results.set(method.label, [...(results.get(method.label) ?? []), run]);
    }
    if (opts.tfjs) {
      const label = `${METHODS[2]?.label ?? 'pass@k'} via tfjs adapter`;
      const run = await trainWithTfjs(task, seed, {
        steps: opts.steps,
        k: opts.k,
        evalEvery,
        onStep: (step) => bar.tick(`${label}, seed ${seed}, step ${step}/${opts.steps}`),
      });
      results.set(label, [...(results.get(label) ?? []), { ...run, method: label }]);
    }
  }
  bar.done();
  const seconds = (Date.now() - started) / 1000;
  const summaries = [summarise('initial policy', initial), ...[...results.entries()].map(([m, runs]) => summarise(m, runs.map((r) => r.final)))];
  if (opts.json) {
    const out: DemoResult = {
      k: opts.k,
      seeds,
      steps: opts.steps,
      seconds,
      summaries,
      runs: Object.fromEntries([['initial policy', initial], ...[...results.entries()].map(([m, runs]) => [m, runs.map((r) => r.final)])]),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    const table = markdownTable(summaries, opts.k, seeds.length);
    process.stdout.write(`\n${table}\n`);
    if (opts.figures) {
      for (const f of writeFigures(results, summaries, opts.k)) process.stdout.write(`wrote ${f}\n`);
    }
    if (opts.writeDocs) {
      writeDocs(table, opts, seconds);
      process.stdout.write('wrote the table into docs/demo.md\n');
    }
    process.stdout.write(`done in ${seconds.toFixed(1)} s\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
