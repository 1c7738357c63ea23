/** Progress bar, summaries over seeds, the markdown table, the SVG figures and the docs section. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineChart } from '../../src/cli/svg.js';
import { meanStd, progressBar, replaceBetweenMarkers } from '../shared.js';
import type { Evaluation } from './evaluate.js';
import { rssText, type LmOptions, type LmResult } from './run.js';

export { meanStd, progressBar };

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type Stat = [mean: number, std: number];

export interface Summary {
  method: string;
  pass1: Stat;
  passK: Stat;
  majK: Stat;
  bonK: Stat;
  kl: Stat;
  passCurve: Stat[];
  ks: number[];
  /** Per prompt kind: pass@1, pass@k, maj@k. */
  byKind: Record<string, { pass1: Stat; passK: Stat; majK: Stat; bonK: Stat }>;
  /** Share of `?` samples answering x+y, x·y, x−y, anything else. */
  opShare: Stat[];
}

export function summarise(method: string, evals: Evaluation[]): Summary {
  const first = evals[0] as Evaluation;
  const kinds = Object.keys(first.byKind);
  return {
    method,
    pass1: meanStd(evals.map((e) => e.pass1)),
    passK: meanStd(evals.map((e) => e.passK)),
    majK: meanStd(evals.map((e) => e.majK)),
    bonK: meanStd(evals.map((e) => e.bonK)),
    kl: meanStd(evals.map((e) => e.kl)),
    passCurve: first.passCurve.map((_, i) => meanStd(evals.map((e) => e.passCurve[i] as number))),
    ks: first.ks,
    byKind: Object.fromEntries(
      kinds.map((kind) => {
        const pick = (f: (e: Evaluation) => number) => meanStd(evals.map(f));
        const k = kind as keyof Evaluation['byKind'];
        return [kind, { pass1: pick((e) => e.byKind[k].pass1), passK: pick((e) => e.byKind[k].passK), majK: pick((e) => e.byKind[k].majK), bonK: pick((e) => e.byKind[k].bonK) }];
      }),
    ),
    opShare: first.opShare.map((_, i) => meanStd(evals.map((e) => e.opShare[i] as number))),
  };
}

export function markdownTable(r: LmResult): string {
  const rows = r.summaries;
  const k = r.k;
  const cell = ([m, s]: Stat): string => `${m.toFixed(3)} ± ${s.toFixed(3)}`;
  const best = (pick: (x: Summary) => Stat): string => Math.max(...rows.slice(1).map((x) => pick(x)[0])).toFixed(3);
  const fmt = (x: Summary, pick: (x: Summary) => Stat): string => (x !== rows[0] && pick(x)[0].toFixed(3) === best(pick) ? `**${cell(pick(x))}**` : cell(pick(x)));
  const main = [
    `| fine-tuned for | pass@1 | pass@${k} | maj@${k} | BoN@${k} (biased verifier) | KL to base (nats) |`,
    '|---|---|---|---|---|---|',
    ...rows.map((x) => `| ${x.method} | ${fmt(x, (y) => y.pass1)} | ${fmt(x, (y) => y.passK)} | ${fmt(x, (y) => y.majK)} | ${fmt(x, (y) => y.bonK)} | ${cell(x.kl)} |`),
  ];
  const kinds = [
    `| fine-tuned for | \`x+y=\` pass@1 / maj@${k} | \`x*y=\` pass@1 / maj@${k} | \`x?y=\` pass@1 / pass@${k} / BoN@${k} | \`x?y=\` answers x+y / x·y / x−y / other |`,
    '|---|---|---|---|---|',
    ...rows.map((x) => {
      const p = x.byKind['+'];
      const m = x.byKind['*'];
      const q = x.byKind['?'];
      const f = (s: Stat | undefined) => (s === undefined ? '–' : s[0].toFixed(2));
      return `| ${x.method} | ${f(p?.pass1)} / ${f(p?.majK)} | ${f(m?.pass1)} / ${f(m?.majK)} | ${f(q?.pass1)} / ${f(q?.passK)} / ${f(q?.bonK)} | ${x.opShare.map((s) => s[0].toFixed(2)).join(' / ')} |`;
    }),
  ];
  return (
    `${main.join('\n')}\n\nMean ± std over ${r.seeds.length} seed${r.seeds.length > 1 ? 's' : ''} (seeds ${r.seeds.join(', ')}); ` +
    `held-out prompts, 32 samples each; best fine-tuned value per column in bold. KL: exact per-position KL(π ‖ π_base) summed over the completion, mean over samples.\n\n` +
    `By prompt kind (means over seeds):\n\n${kinds.join('\n')}\n`
  );
}

const COLORS: Record<string, string> = {
  'base model (pretrained)': '#7f7f7f',
  'mean reward (GRPO)': '#1f77b4',
  'mean reward (RLOO)': '#17becf',
  'pass@k (loo-1)': '#d62728',
  'maj@k (loo-1)': '#9467bd',
  'BoN@k (loo-1), biased verifier': '#2ca02c',
  'pass@1 + pass@k mixture': '#ff7f0e',
  'BoN-SFT (expert demos)': '#8c564b',
};

export function writeFigures(r: LmResult): string[] {
  const dir = join(ROOT, 'docs', 'figures');
  mkdirSync(dir, { recursive: true });
  const curveSeries = (pick: 'pass1' | 'passK') =>
    Object.entries(r.curves).map(([method, runs]) => {
      const steps = runs[0]?.map((c) => c.step) ?? [];
      const stats = steps.map((_, i) => meanStd(runs.map((c) => c[i]?.[pick] ?? Number.NaN)));
      return { name: method, color: COLORS[method] ?? '#000', points: steps.map((s, i) => [s, stats[i]?.[0] ?? Number.NaN] as const), band: stats.map((s) => s[1]) };
    });
  const maxKl = Math.max(0.1, ...Object.values(r.curves).flatMap((runs) => runs.flatMap((c) => c.map((p) => p.kl))));
  const files: [string, string][] = [
    ['demo-lm-learning-pass-at-k.svg', lineChart({ title: `LM demo: held-out pass@${r.k} during fine-tuning (mean ± std over seeds)`, xLabel: 'PPO step', yLabel: `pass@${r.k}`, series: curveSeries('passK') })],
    ['demo-lm-learning-pass-at-1.svg', lineChart({ title: 'LM demo: held-out pass@1 during fine-tuning (mean ± std over seeds)', xLabel: 'PPO step', yLabel: 'pass@1', series: curveSeries('pass1') })],
    [
      'demo-lm-pass-at-k-vs-k.svg',
      lineChart({
        title: 'LM demo: held-out pass@k of each fine-tuned model',
        xLabel: 'k',
        yLabel: 'pass@k',
        logX: true,
        series: r.summaries.map((s) => ({ name: s.method, color: COLORS[s.method] ?? '#000', points: s.passCurve.map((c, i) => [s.ks[i] ?? Number.NaN, c[0]] as const) })),
      }),
    ],
    [
      'demo-lm-kl-vs-pass-at-k.svg',
      lineChart({
        title: `LM demo: pass@${r.k} against KL to the base model along fine-tuning (mean over seeds)`,
        xLabel: 'KL(π ‖ π_base), nats per completion',
        yLabel: `pass@${r.k}`,
        yRange: [0.5, 1],
        series: Object.entries(r.curves).map(([method, runs]) => {
          const steps = runs[0]?.length ?? 0;
          const points = Array.from({ length: steps }, (_, i) => [meanStd(runs.map((c) => c[i]?.kl ?? Number.NaN))[0], meanStd(runs.map((c) => c[i]?.passK ?? Number.NaN))[0]] as const);
          return { name: method, color: COLORS[method] ?? '#000', points };
        }),
        width: 480,
      }),
    ],
  ];
  void maxKl;
  const written: string[] = [];
  for (const [name, svg] of files) {
    writeFileSync(join(dir, name), svg);
    written.push(`docs/figures/${name}`);
  }
  return written;
}

const START = '<!-- demo-lm:results:start -->';
const END = '<!-- demo-lm:results:end -->';

export function writeDocs(table: string, opts: LmOptions, r: LmResult): void {
  const flags = [opts.quick ? '--quick' : '', `--seed ${opts.seed}`, `--seeds ${opts.seeds}`, `--steps ${opts.steps}`].filter((f) => f.length > 0).join(' ');
  const body =
    `\n_Generated by \`npm run demo -- --lm --write-docs\` (${flags}); tfjs ${r.backend} backend, ${r.parameters} parameters; ` +
    `wall time ${r.seconds.toFixed(0)} s (${r.cpuSeconds.toFixed(0)} CPU-seconds), ${rssText(r)}, load average at the end ${r.loadAverage.map((x) => x.toFixed(1)).join(' / ')} (2-core machine shared with other jobs)._\n\n${table}\n`;
  replaceBetweenMarkers(join(ROOT, 'docs', 'demo.md'), START, END, body);
}
