/**
 * `inference-aware-rl eval`: reads JSONL files of scored samples (streamed, one line at a time), groups
 * them by task and prints pass@k, maj@k and BoN@k computed with the library's unbiased estimators.
 * Every step is a plain function so tests can call it without a subprocess. Usage: docs/cli.md.
 */
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { passAtK } from '../estimators/pass-at-k.js';
import { maxAtK } from '../estimators/max-at-k.js';
import { majorityAtK } from '../estimators/majority-vote.js';
import { bestOfNAtK } from '../estimators/best-of-n.js';
import { InferenceAwareRLError } from '../errors.js';
import { lineChart } from './svg.js';

/** The metrics the CLI reports. */
export type CliMetric = 'pass' | 'maj' | 'bon';
const METRICS: readonly CliMetric[] = ['pass', 'maj', 'bon'];
const METRIC_LABEL: Record<CliMetric, string> = { pass: 'pass@k', maj: 'maj@k', bon: 'BoN@k' };

/** Field names tried in order when no override is given. */
export const DEFAULT_FIELDS = {
  groupBy: ['task_id', 'prompt_id', 'id'],
  reward: ['reward', 'correct', 'passed'],
  answer: ['answer'],
  score: ['score'],
} as const;

/** Parsed command line of `eval`. */
export interface EvalOptions {
  files: string[];
  /** @defaultValue [1, 10, 100] */
  k: number[];
  /** `undefined` = every metric the data supports. */
  metrics: CliMetric[] | undefined;
  groupBy: string | undefined;
  rewardField: string | undefined;
  answerField: string | undefined;
  scoreField: string | undefined;
  skipInvalid: boolean;
  json: boolean;
  plot: string | undefined;
  /** Progress on stderr: 'auto' = a live line when stderr is a TTY, else only the final summary. */
  progress: 'auto' | 'none';
}

/** A wrong command line (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input data: a malformed line, a file that cannot be read, an estimator that rejects a task (exit 1). */
export class DataError extends Error {
  override name = 'DataError';
}

export const EVAL_HELP = `Usage: inference-aware-rl eval [options] <file.jsonl>...

Reads JSONL files of scored samples (one JSON object per line), groups them by task and prints the
unbiased pass@k, maj@k (majority vote) and BoN@k (best-of-k by a verifier score) averaged over tasks.

Formats understood without options:
  human-eval *_results.jsonl   {"task_id", "completion", "result", "passed": true|false}
  generic                      {"task_id"|"prompt_id"|"id", "reward"|"correct"|"passed", "answer"?, "score"?}
Rewards may be true/false or numbers; with non-binary rewards the pass column is max@k (E[max of k]).

Options:
  --k <list>            budgets, comma-separated (default 1,10,100)
  --metric <list>       any of pass,maj,bon (default: every metric the data supports;
                        maj needs an answer field, bon a score field)
  --group-by <field>    task id field (default: first of task_id, prompt_id, id)
  --reward-field <f>    reward field (default: first of reward, correct, passed)
  --answer-field <f>    answer field for maj@k (default: answer); null = no parsable answer
  --score-field <f>     verifier score field for BoN@k (default: score)
  --skip-invalid        skip malformed lines and count them instead of stopping at the first
  --json                print one JSON object instead of tables
  --plot <out.svg>      write a chart of each metric against k
  --no-progress         no progress line on stderr (a summary line is still printed)
  -h, --help            this text

Tasks with fewer than k samples are left out of that k's average and listed (count and examples).
Exit codes: 0 ok, 1 bad data, 2 bad command line.`;

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
        'group-by': { type: 'string' },
        'reward-field': { type: 'string' },
        'answer-field': { type: 'string' },
        'score-field': { type: 'string' },
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
  if (parsed.positionals.length === 0) throw new UsageError('eval needs at least one JSONL file');
  const k = parseKList(v.k ?? '1,10,100');
  let metrics: CliMetric[] | undefined;
  if (v.metric !== undefined) {
    metrics = [];
    for (const raw of v.metric.split(',')) {
      const m = raw.trim();
      if (!(METRICS as readonly string[]).includes(m)) {
        throw new UsageError(`--metric must be a comma-separated list of pass, maj, bon (got ${JSON.stringify(m)})`);
      }
      if (!metrics.includes(m as CliMetric)) metrics.push(m as CliMetric);
    }
  }
  const field = (name: string, value: string | undefined): string | undefined => {
    if (value !== undefined && value.length === 0) throw new UsageError(`--${name} must not be empty`);
    return value;
  };
  return {
    files: parsed.positionals,
    k,
    metrics,
    groupBy: field('group-by', v['group-by']),
    rewardField: field('reward-field', v['reward-field']),
    answerField: field('answer-field', v['answer-field']),
    scoreField: field('score-field', v['score-field']),
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

/**
 * The samples of one task as small numbers in growable typed arrays (~20 bytes a sample), never the raw
 * lines: a 1,000,000-sample file needs ~20 MB of live data.
 */
export class TaskSamples {
  /** Samples so far. */
  n = 0;
  private r = new Float64Array(4);
  /** Interned answer ids (−1 = null, i.e. no parsable answer; −2 = field absent). */
  private a = new Int32Array(4);
  /** Verifier scores (NaN = field absent). */
  private s = new Float64Array(4);

  push(reward: number, answer: number, score: number): void {
    if (this.n === this.r.length) {
      const grow = <T extends Float64Array | Int32Array>(old: T, next: T): T => {
        next.set(old);
        return next;
      };
      this.r = grow(this.r, new Float64Array(this.n * 2));
      this.a = grow(this.a, new Int32Array(this.n * 2));
      this.s = grow(this.s, new Float64Array(this.n * 2));
    }
    this.r[this.n] = reward;
    this.a[this.n] = answer;
    this.s[this.n] = score;
    this.n++;
  }

  get rewards(): Float64Array {
    return this.r.subarray(0, this.n);
  }
  get answers(): Int32Array {
    return this.a.subarray(0, this.n);
  }
  get scores(): Float64Array {
    return this.s.subarray(0, this.n);
  }
}

/** Everything read so far: tasks in first-seen order plus counters. */
export class SampleAccumulator {
  readonly tasks = new Map<string, TaskSamples>();
  private readonly answerIds = new Map<string, number>();
  lines = 0;
  samples = 0;
  skipped = 0;
  /** The first few skipped lines, as `file:line: reason`. */
  readonly skippedExamples: string[] = [];

  add(taskId: string, reward: number, answer: string | number | null | undefined, score: number | undefined): void {
    let task = this.tasks.get(taskId);
    if (task === undefined) {
      task = new TaskSamples();
      this.tasks.set(taskId, task);
    }
    task.push(reward, answer === undefined ? -2 : answer === null ? -1 : this.intern(answer), score ?? Number.NaN);
    this.samples++;
  }

  private intern(answer: string | number): number {
    // The type prefix keeps the number 1 and the string "1" distinct, as majorityAtK does.
    const key = typeof answer === 'number' ? `n${answer}` : `s${answer}`;
    let id = this.answerIds.get(key);
    if (id === undefined) {
      id = this.answerIds.size;
      this.answerIds.set(key, id);
    }
    return id;
  }
}

/** Field names resolved from the options (override or the default list). */
interface FieldSpec {
  groupBy: readonly string[];
  reward: readonly string[];
  answer: readonly string[];
  score: readonly string[];
}

function fieldSpec(opts: Pick<EvalOptions, 'groupBy' | 'rewardField' | 'answerField' | 'scoreField'>): FieldSpec {
  return {
    groupBy: opts.groupBy !== undefined ? [opts.groupBy] : DEFAULT_FIELDS.groupBy,
    reward: opts.rewardField !== undefined ? [opts.rewardField] : DEFAULT_FIELDS.reward,
    answer: opts.answerField !== undefined ? [opts.answerField] : DEFAULT_FIELDS.answer,
    score: opts.scoreField !== undefined ? [opts.scoreField] : DEFAULT_FIELDS.score,
  };
}

function pick(obj: Record<string, unknown>, names: readonly string[]): [string, unknown] | undefined {
  for (const name of names) if (Object.hasOwn(obj, name)) return [name, obj[name]];
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** One parsed sample. */
export interface ParsedSample {
  taskId: string;
  reward: number;
  answer: string | number | null | undefined;
  score: number | undefined;
}

/**
 * Parses one JSONL line. Returns `null` for a blank line; throws a string (the reason) when the line is
 * malformed, so the caller can add the file and line number.
 */
export function parseSampleLine(line: string, fields: FieldSpec): ParsedSample | null {
  if (line.trim().length === 0) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (err) {
    throw `invalid JSON (${(err as Error).message})`;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw `expected a JSON object, got ${describe(obj)}`;
  const rec = obj as Record<string, unknown>;
  const id = pick(rec, fields.groupBy);
  if (id === undefined) throw `no task id field (looked for ${fields.groupBy.join(', ')})`;
  if (typeof id[1] !== 'string' && !(typeof id[1] === 'number' && Number.isFinite(id[1]))) {
    throw `task id field "${id[0]}" must be a string or a number, got ${describe(id[1])}`;
  }
  const rw = pick(rec, fields.reward);
  if (rw === undefined) throw `no reward field (looked for ${fields.reward.join(', ')})`;
  let reward: number;
  if (typeof rw[1] === 'boolean') reward = rw[1] ? 1 : 0;
  else if (typeof rw[1] === 'number' && Number.isFinite(rw[1])) reward = rw[1];
  else throw `reward field "${rw[0]}" must be true/false or a finite number, got ${describe(rw[1])}`;
  let answer: string | number | null | undefined;
  const an = pick(rec, fields.answer);
  if (an !== undefined) {
    if (an[1] === null || typeof an[1] === 'string' || (typeof an[1] === 'number' && Number.isFinite(an[1]))) answer = an[1];
    else throw `answer field "${an[0]}" must be a string, a number or null, got ${describe(an[1])}`;
  }
  let score: number | undefined;
  const sc = pick(rec, fields.score);
  if (sc !== undefined) {
    if (typeof sc[1] === 'number' && Number.isFinite(sc[1])) score = sc[1];
    else throw `score field "${sc[0]}" must be a finite number, got ${describe(sc[1])}`;
  }
  return { taskId: String(id[1]), reward, answer, score };
}

/** Progress reporting hooks (stderr in the CLI, nothing in tests). */
export interface ProgressSink {
  update(file: string, lines: number, fraction: number): void;
  done(): void;
}

/**
 * Streams one JSONL file into `acc` with node:readline, so memory is bounded by the per-task numbers,
 * never by the file's size. A malformed line throws a {@link DataError} naming `file:line` and the
 * reason, unless `skipInvalid` (then it is counted).
 */
export async function readSampleFile(
  path: string,
  acc: SampleAccumulator,
  opts: Pick<EvalOptions, 'groupBy' | 'rewardField' | 'answerField' | 'scoreField' | 'skipInvalid'>,
  progress?: ProgressSink,
): Promise<void> {
  const fields = fieldSpec(opts);
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new DataError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const stream = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  let bytes = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      acc.lines++;
      bytes += line.length + 1;
      let sample: ParsedSample | null;
      try {
        sample = parseSampleLine(line, fields);
      } catch (reason) {
        if (typeof reason !== 'string') throw reason;
        if (!opts.skipInvalid) throw new DataError(`${path}:${lineNo}: ${reason}`);
        acc.skipped++;
        if (acc.skippedExamples.length < 5) acc.skippedExamples.push(`${path}:${lineNo}: ${reason}`);
        continue;
      }
      if (sample !== null) acc.add(sample.taskId, sample.reward, sample.answer, sample.score);
      if (progress !== undefined && (lineNo & 0x3fff) === 0) progress.update(path, lineNo, size > 0 ? Math.min(1, bytes / size) : 1);
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    rl.close();
    stream.destroy();
  }
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
  /** Mean over the tasks used; null when no task has ≥ k samples. */
  value: number | null;
  /** Tasks averaged. */
  tasks: number;
  tooFew: TooFew;
}

/** What `eval` computes; `--json` prints exactly this. */
export interface EvalReport {
  files: string[];
  lines: number;
  samples: number;
  skipped: { count: number; examples: string[] };
  tasks: number;
  samplesPerTask: { min: number; max: number; mean: number };
  /** 'binary' when every reward is 0/1 (pass@k), else the pass column is max@k. */
  rewards: 'binary' | 'continuous';
  metrics: Partial<Record<CliMetric, MetricRow[]>>;
  /** Tasks that could not enter a metric at all (e.g. maj@k without answers), per metric. */
  excluded: Partial<Record<CliMetric, { count: number; reason: string; examples: string[] }>>;
}

function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}

function isBinary(rewards: Float64Array): boolean {
  for (const r of rewards) if (r !== 0 && r !== 1) return false;
  return true;
}

/**
 * Computes the report from accumulated samples: for each metric and k, the mean over tasks with ≥ k
 * samples of the task's unbiased estimate (passAtK / maxAtK, majorityAtK, bestOfNAtK).
 */
export function computeReport(
  acc: SampleAccumulator,
  opts: Pick<EvalOptions, 'k' | 'metrics' | 'files'>,
): EvalReport {
  const tasks = [...acc.tasks.entries()];
  const hasAnswers = (t: TaskSamples): boolean => t.answers.every((a) => a !== -2);
  const hasScores = (t: TaskSamples): boolean => t.scores.every((s) => !Number.isNaN(s));
  const anyAnswers = tasks.some(([, t]) => t.answers.some((a) => a !== -2));
  const anyScores = tasks.some(([, t]) => t.scores.some((s) => !Number.isNaN(s)));
  // majorityAtK takes null for "no parsable answer"; only tasks that have one need a converted copy.
  const majAnswers = (t: TaskSamples): ArrayLike<number | null> =>
    t.answers.includes(-1) ? Array.from(t.answers, (a) => (a === -1 ? null : a)) : t.answers;
  let metrics: CliMetric[];
  if (opts.metrics !== undefined) {
    metrics = opts.metrics;
    if (metrics.includes('maj') && !anyAnswers && tasks.length > 0) {
      throw new DataError('maj@k needs an answer per sample, but no sample has an answer field (use --answer-field)');
    }
    if (metrics.includes('bon') && !anyScores && tasks.length > 0) {
      throw new DataError('BoN@k needs a verifier score per sample, but no sample has a score field (use --score-field)');
    }
  } else {
    metrics = ['pass'];
    if (anyAnswers) metrics.push('maj');
    if (anyScores) metrics.push('bon');
  }
  const binary = tasks.every(([, t]) => isBinary(t.rewards));
  const report: EvalReport = {
    files: opts.files,
    lines: acc.lines,
    samples: acc.samples,
    skipped: { count: acc.skipped, examples: acc.skippedExamples },
    tasks: tasks.length,
    samplesPerTask: {
      min: tasks.reduce((m, [, t]) => Math.min(m, t.n), tasks.length === 0 ? 0 : Infinity),
      max: tasks.reduce((m, [, t]) => Math.max(m, t.n), 0),
      mean: tasks.length === 0 ? 0 : acc.samples / tasks.length,
    },
    rewards: binary ? 'binary' : 'continuous',
    metrics: {},
    excluded: {},
  };
  for (const metric of metrics) {
    const usable =
      metric === 'pass' ? tasks : tasks.filter(([, t]) => (metric === 'maj' ? hasAnswers(t) : hasScores(t)));
    if (usable.length < tasks.length) {
      const missing = tasks.filter(([, t]) => !(metric === 'maj' ? hasAnswers(t) : hasScores(t)));
      report.excluded[metric] = {
        count: missing.length,
        reason: metric === 'maj' ? 'some samples have no answer field' : 'some samples have no score field',
        examples: missing.slice(0, 10).map(([id]) => id),
      };
    }
    // Per-task inputs are built once per metric, not once per k.
    const prepared = usable.map(([id, t]) => ({ id, t, c: t.rewards.reduce((a, b) => a + b, 0) }));
    const rows: MetricRow[] = [];
    for (const k of opts.k) {
      let sum = 0;
      let used = 0;
      const tooFew: TooFew = { count: 0, examples: [] };
      prepared.forEach(({ id, t, c }) => {
        const n = t.n;
        if (n < k) {
          tooFew.count++;
          if (tooFew.examples.length < 10) tooFew.examples.push(id);
          return;
        }
        let value: number;
        try {
          if (metric === 'pass') value = isBinary(t.rewards) ? passAtK(n, c, k) : maxAtK(t.rewards, k);
          else if (metric === 'maj') value = majorityAtK(majAnswers(t), t.rewards, k);
          else value = bestOfNAtK(t.scores, t.rewards, k);
        } catch (err) {
          if (err instanceof InferenceAwareRLError) {
            throw new DataError(`${METRIC_LABEL[metric].replace('k', String(k))} of task ${JSON.stringify(id)}: ${err.message}`);
          }
          throw err;
        }
        sum += value;
        used++;
      });
      rows.push({ k, value: used > 0 ? sum / used : null, tasks: used, tooFew });
    }
    report.metrics[metric] = rows;
  }
  return report;
}

function label(metric: CliMetric, report: EvalReport): string {
  return metric === 'pass' && report.rewards === 'continuous' ? 'max@k' : METRIC_LABEL[metric];
}

/** Renders the report as aligned text tables (the CLI's default output). */
export function formatReport(report: EvalReport): string {
  const out: string[] = [];
  const spt = report.samplesPerTask;
  const per = spt.min === spt.max ? `${plural(spt.min, 'sample')} each` : `${spt.min}–${spt.max} samples, mean ${spt.mean.toFixed(1)}`;
  out.push(
    `${plural(report.samples, 'sample')}, ${plural(report.tasks, 'task')} (${per}) from ${plural(report.files.length, 'file')}` +
      (report.skipped.count > 0 ? `; ${plural(report.skipped.count, 'invalid line')} skipped` : ''),
  );
  const metrics = METRICS.filter((m) => report.metrics[m] !== undefined);
  const header = ['k', ...metrics.map((m) => label(m, report)), 'tasks', 'tasks with n < k'];
  const body: string[][] = [];
  const ks = report.metrics[metrics[0] ?? 'pass']?.map((r) => r.k) ?? [];
  ks.forEach((k, i) => {
    const cells = metrics.map((m) => {
      const row = report.metrics[m]?.[i];
      return row?.value === null || row === undefined ? '—' : row.value.toFixed(4);
    });
    const counts = metrics.map((m) => report.metrics[m]?.[i]?.tasks ?? 0);
    const tasksCell = counts.every((c) => c === counts[0]) ? String(counts[0] ?? 0) : counts.join(' / ');
    const few = report.metrics[metrics[0] ?? 'pass']?.[i]?.tooFew;
    const fewCell =
      few === undefined || few.count === 0
        ? '0'
        : `${few.count} (${few.examples.slice(0, 3).join(', ')}${few.count > 3 ? ', …' : ''})`;
    body.push([String(k), ...cells, tasksCell, fewCell]);
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  out.push('', line(header), line(widths.map((w) => '-'.repeat(w))));
  for (const row of body) out.push(line(row));
  for (const m of metrics) {
    const ex = report.excluded[m];
    if (ex !== undefined) {
      out.push(`note: ${label(m, report)} leaves out ${ex.count} task${ex.count === 1 ? '' : 's'} (${ex.reason}), e.g. ${ex.examples.slice(0, 3).join(', ')}`);
    }
  }
  if (metrics.length > 1 && body.some((r) => r[metrics.length + 1]?.includes('/'))) {
    out.push(`tasks column: ${metrics.map((m) => label(m, report)).join(' / ')}`);
  }
  for (const ex of report.skipped.examples) out.push(`skipped ${ex}`);
  return out.join('\n') + '\n';
}

/** Renders the report's metrics against k as an SVG chart. */
export function plotReport(report: EvalReport, title = 'metrics vs k'): string {
  const metrics = METRICS.filter((m) => report.metrics[m] !== undefined);
  const ks = report.metrics[metrics[0] ?? 'pass']?.map((r) => r.k) ?? [];
  return lineChart({
    title,
    xLabel: 'k',
    yLabel: 'mean over tasks',
    logX: ks.length > 1 && (ks[ks.length - 1] ?? 1) / (ks[0] ?? 1) >= 10,
    series: metrics.map((m) => ({
      name: label(m, report),
      points: (report.metrics[m] ?? []).map((r) => [r.k, r.value ?? Number.NaN] as const),
    })),
  });
}

/** Where the CLI writes; tests pass string collectors. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is an interactive terminal (live progress line). */
  stderrIsTTY: boolean;
}

function progressSink(io: CliIO): ProgressSink {
  let last = 0;
  let shown = false;
  return {
    update(file, lines, fraction) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      io.stderr(`\r\x1b[K${file}: ${lines.toLocaleString('en-US')} lines (${(fraction * 100).toFixed(0)}%)`);
    },
    done() {
      if (shown) io.stderr('\r\x1b[K');
    },
  };
}

/** Runs `eval` with its arguments; returns the exit code (0 ok, 1 bad data, 2 bad command line). */
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
  const acc = new SampleAccumulator();
  const progress = opts.progress === 'auto' && io.stderrIsTTY ? progressSink(io) : undefined;
  try {
    for (const file of opts.files) await readSampleFile(file, acc, opts, progress);
    progress?.done();
    const report = computeReport(acc, opts);
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    io.stderr(
      `read ${plural(acc.lines, 'line')} (${plural(acc.samples, 'sample')}, ${plural(acc.tasks.size, 'task')}` +
        `${acc.skipped > 0 ? `, ${acc.skipped} invalid skipped` : ''}) from ${plural(opts.files.length, 'file')} in ${seconds} s\n`,
    );
    if (opts.plot !== undefined) writeFileSync(opts.plot, plotReport(report, opts.files.join(', ')));
    io.stdout(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return 0;
  } catch (err) {
    progress?.done();
    if (err instanceof DataError) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
