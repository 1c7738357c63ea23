/**
 * `inference-aware-rl verify`: reads a trainer's dump of per-sample advantages (JSONL: a group id, the
 * reward and the advantage the trainer used), recomputes the exact weights of the named estimator under
 * every convention trainers use (baseline, sum or mean scale, std normalisation), and reports per group
 * the largest absolute and relative error against the expected convention and which convention, if
 * any, explains the whole dump. Exit 1 when the dump does not match. Usage: docs/cli.md.
 */
import { parseArgs } from 'node:util';
import { passAtKWeights } from '../estimators/pass-at-k.js';
import { maxAtKWeights } from '../estimators/max-at-k.js';
import { BASELINES, type Baseline } from '../estimators/weights.js';
import { grpoWeights, rlooWeights } from '../estimators/grpo.js';
import { InferenceAwareRLError } from '../errors.js';
import { DataError, forEachLine, inputChunks, inputName } from './input.js';
import { UsageError, type CliIO } from './eval.js';

/** Estimators `verify` recomputes. */
export type VerifyEstimator = 'pass@k' | 'max@k' | 'grpo' | 'rloo';
const ESTIMATORS: readonly VerifyEstimator[] = ['pass@k', 'max@k', 'grpo', 'rloo'];

/** One way a trainer may have scaled the exact weights. */
export interface Convention {
  /** k-sample estimators only. */
  baseline: Baseline | null;
  /** 'mean' = the sum-form weights times n (trainers that average the loss over the group). */
  scale: 'sum' | 'mean';
  /** Divide by the group's reward std plus eps (GRPO-style normalisation), or not. */
  normalize: { ddof: 0 | 1; eps: number } | null;
}

/** Presets: the field names and the convention of popular trainers. */
export const VERIFY_PRESETS = {
  /** verl: groups by `uid`; GRPO-style normalisation by (std + 1e-6), torch's std (ddof 1); mean scale. */
  verl: { groupBy: 'uid', reward: 'score', advantage: 'advantage', scale: 'mean', normalize: { ddof: 1, eps: 1e-6 } },
  /** TRL: groups of `num_generations` consecutive rows (--group-size); (std + 1e-4), ddof 1; mean scale. */
  trl: { groupBy: null, reward: 'reward', advantage: 'advantage', scale: 'mean', normalize: { ddof: 1, eps: 1e-4 } },
} as const;

export const VERIFY_HELP = `Usage: inference-aware-rl verify <dump.jsonl> --estimator <name> [--k <k>] [options]

Recomputes the exact per-sample weights of a k-sample estimator for every group of a trainer's dump
(one JSON object per sample: group id, reward, advantage) and compares them with the dumped advantages.
Prints per-group max absolute / relative errors and which convention explains the dump. Exit 1 when the
dump does not match the expected convention (or no convention at all when none is given).

Options:
  --estimator <name>    ${ESTIMATORS.join(', ')}
  --k <k>               the budget (k-sample estimators); "n" = the group size
  --preset <name>       verl or trl: their field names and convention (below)
  --group-by <field>    group id field (default: first of uid, group, prompt_id, task_id)
  --group-size <n>      no group field: every n consecutive rows form a group (TRL's num_generations)
  --reward-field <f>    default: first of reward, score
  --advantage-field <f> default: first of advantage, advantages (a number, or per-token values that are all equal)
  --baseline <b>        expected baseline: ${BASELINES.join(', ')}
  --scale <s>           expected scale: sum or mean (mean = sum × n)
  --normalize <n>       expected normalisation: none or std
  --ddof <0|1>          std's delta degrees of freedom (default 1, torch's std)
  --eps <e>             added to the std (default: the preset's, else 1e-6)
  --atol <a>            absolute tolerance (default 1e-5)
  --rtol <r>            relative tolerance (default 1e-3: float32 / bf16 dumps)
  --json                print a JSON report
  -h, --help            this text

Presets:  verl: --group-by uid --reward-field score --scale mean --normalize std --ddof 1 --eps 1e-6
          trl:  --group-size N --reward-field reward --scale mean --normalize std --ddof 1 --eps 1e-4`;

/** Parsed command line of `verify`. */
export interface VerifyOptions {
  file: string;
  estimator: VerifyEstimator;
  k: number | 'n' | undefined;
  groupBy: string | undefined;
  groupSize: number | undefined;
  rewardField: string | undefined;
  advantageField: string | undefined;
  expected: Partial<Convention>;
  ddof: 0 | 1;
  eps: number;
  atol: number;
  rtol: number;
  json: boolean;
}

function num(name: string, text: string | undefined, fallback: number, check: (v: number) => boolean, rule: string): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim().length === 0 || !check(v)) throw new UsageError(`--${name} must be ${rule} (got ${JSON.stringify(text)})`);
  return v;
}

/** Parses `verify`'s arguments. Returns `'help'` for -h/--help. */
export function parseVerifyArgs(argv: readonly string[]): VerifyOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        estimator: { type: 'string' },
        k: { type: 'string' },
        preset: { type: 'string' },
        'group-by': { type: 'string' },
        'group-size': { type: 'string' },
        'reward-field': { type: 'string' },
        'advantage-field': { type: 'string' },
        baseline: { type: 'string' },
        scale: { type: 'string' },
        normalize: { type: 'string' },
        ddof: { type: 'string' },
        eps: { type: 'string' },
        atol: { type: 'string' },
        rtol: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help === true) return 'help';
  if (parsed.positionals.length !== 1) throw new UsageError(`verify needs exactly one dump file (got ${parsed.positionals.length})`);
  const estimator = v.estimator;
  if (estimator === undefined || !(ESTIMATORS as readonly string[]).includes(estimator)) {
    throw new UsageError(`--estimator must be one of ${ESTIMATORS.join(', ')} (got ${estimator === undefined ? 'none' : JSON.stringify(estimator)})`);
  }
  const kSample = estimator === 'pass@k' || estimator === 'max@k';
  let k: number | 'n' | undefined;
  if (kSample) {
    if (v.k === undefined) throw new UsageError(`--estimator ${estimator} needs --k`);
    k = v.k === 'n' ? 'n' : num('k', v.k, 1, (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1 or "n"');
  } else if (v.k !== undefined) throw new UsageError(`--k applies to pass@k and max@k only (got --estimator ${estimator})`);
  let preset: (typeof VERIFY_PRESETS)[keyof typeof VERIFY_PRESETS] | undefined;
  if (v.preset !== undefined) {
    if (v.preset !== 'verl' && v.preset !== 'trl') throw new UsageError(`--preset must be verl or trl (got ${JSON.stringify(v.preset)})`);
    preset = VERIFY_PRESETS[v.preset];
  }
  const expected: Partial<Convention> = {};
  if (preset !== undefined) {
    expected.scale = preset.scale;
    expected.normalize = { ...preset.normalize };
  }
  if (v.baseline !== undefined) {
    if (!kSample) throw new UsageError(`--baseline applies to pass@k and max@k only`);
    if (!(BASELINES as readonly string[]).includes(v.baseline)) throw new UsageError(`--baseline must be one of ${BASELINES.join(', ')} (got ${JSON.stringify(v.baseline)})`);
    expected.baseline = v.baseline as Baseline;
  }
  if (v.scale !== undefined) {
    if (v.scale !== 'sum' && v.scale !== 'mean') throw new UsageError(`--scale must be sum or mean (got ${JSON.stringify(v.scale)})`);
    expected.scale = v.scale;
  }
  const ddof = num('ddof', v.ddof, preset?.normalize.ddof ?? 1, (x) => x === 0 || x === 1, '0 or 1') as 0 | 1;
  const eps = num('eps', v.eps, preset?.normalize.eps ?? 1e-6, (x) => Number.isFinite(x) && x >= 0, 'a number ≥ 0');
  if (v.normalize !== undefined) {
    if (v.normalize !== 'none' && v.normalize !== 'std') throw new UsageError(`--normalize must be none or std (got ${JSON.stringify(v.normalize)})`);
    expected.normalize = v.normalize === 'none' ? null : { ddof, eps };
  } else if (expected.normalize != null) expected.normalize = { ddof, eps };
  const groupSize = v['group-size'] === undefined ? undefined : num('group-size', v['group-size'], 1, (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
  if (groupSize !== undefined && v['group-by'] !== undefined) throw new UsageError('give at most one of --group-by and --group-size');
  if (v.preset === 'trl' && groupSize === undefined) throw new UsageError('--preset trl needs --group-size (TRL groups num_generations consecutive rows)');
  return {
    file: parsed.positionals[0] as string,
    estimator: estimator as VerifyEstimator,
    k,
    groupBy: v['group-by'] ?? (preset !== undefined && preset.groupBy !== null ? preset.groupBy : undefined),
    groupSize,
    rewardField: v['reward-field'] ?? preset?.reward,
    advantageField: v['advantage-field'] ?? preset?.advantage,
    expected,
    ddof,
    eps,
    atol: num('atol', v.atol, 1e-5, (x) => Number.isFinite(x) && x >= 0, 'a number ≥ 0'),
    rtol: num('rtol', v.rtol, 1e-3, (x) => Number.isFinite(x) && x >= 0, 'a number ≥ 0'),
    json: v.json === true,
  };
}

interface Group {
  id: string;
  rewards: number[];
  advantages: number[];
}

function pickField(rec: Record<string, unknown>, override: string | undefined, defaults: readonly string[]): [string, unknown] | undefined {
  for (const name of override !== undefined ? [override] : defaults) if (Object.hasOwn(rec, name)) return [name, rec[name]];
  return undefined;
}

/** Reads the dump into groups (first-seen order). */
export async function readDump(opts: VerifyOptions, stdin?: NodeJS.ReadableStream): Promise<Group[]> {
  const name = inputName(opts.file);
  const groups = new Map<string, Group>();
  let row = 0;
  await forEachLine(inputChunks(opts.file, stdin as never), (buf, start, end, lineNo) => {
    const text = buf.toString('utf8', start, end);
    if (text.trim().length === 0) return;
    const where = `${name}:${lineNo}`;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (err) {
      throw new DataError(`${where}: invalid JSON (${(err as Error).message})`);
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) throw new DataError(`${where}: expected a JSON object`);
    const r = rec as Record<string, unknown>;
    let id: string;
    if (opts.groupSize !== undefined) id = `rows ${Math.floor(row / opts.groupSize) * opts.groupSize + 1}–${(Math.floor(row / opts.groupSize) + 1) * opts.groupSize}`;
    else {
      const g = pickField(r, opts.groupBy, ['uid', 'group', 'prompt_id', 'task_id']);
      if (g === undefined) throw new DataError(`${where}: no group id field (looked for ${opts.groupBy ?? 'uid, group, prompt_id, task_id'}; or give --group-size)`);
      if (typeof g[1] !== 'string' && typeof g[1] !== 'number') throw new DataError(`${where}: group id field "${g[0]}" must be a string or a number`);
      id = String(g[1]);
    }
    row++;
    const rw = pickField(r, opts.rewardField, ['reward', 'score']);
    if (rw === undefined) throw new DataError(`${where}: no reward field (looked for ${opts.rewardField ?? 'reward, score'})`);
    const reward = typeof rw[1] === 'boolean' ? (rw[1] ? 1 : 0) : rw[1];
    if (typeof reward !== 'number' || !Number.isFinite(reward)) throw new DataError(`${where}: reward field "${rw[0]}" must be a finite number or true/false`);
    const ad = pickField(r, opts.advantageField, ['advantage', 'advantages']);
    if (ad === undefined) throw new DataError(`${where}: no advantage field (looked for ${opts.advantageField ?? 'advantage, advantages'})`);
    let adv = ad[1];
    if (Array.isArray(adv)) {
      const arr: unknown[] = adv;
      if (arr.length === 0 || !arr.every((x) => typeof x === 'number' && x === arr[0])) {
        throw new DataError(`${where}: advantage field "${ad[0]}" is an array whose values differ; verify checks outcome (per-sample) advantages`);
      }
      adv = arr[0];
    }
    if (typeof adv !== 'number' || !Number.isFinite(adv)) throw new DataError(`${where}: advantage field "${ad[0]}" must be a finite number`);
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = { id, rewards: [], advantages: [] }));
    g.rewards.push(reward);
    g.advantages.push(adv);
  });
  if (groups.size === 0) throw new DataError(`${name}: empty input (no rows)`);
  if (opts.groupSize !== undefined && row % opts.groupSize !== 0) {
    throw new DataError(`${name}: ${row} rows is not a multiple of --group-size ${opts.groupSize}`);
  }
  return [...groups.values()];
}

/** Human-readable name of a convention, e.g. "pass@k loo-1 × n / (std + 1e-6, ddof 1)". */
export function conventionName(estimator: VerifyEstimator, c: Convention): string {
  const parts: string[] = [estimator];
  if (c.baseline !== null) parts.push(c.baseline);
  if (c.scale === 'mean') parts.push('× n');
  if (c.normalize !== null) parts.push(`/ (std + ${c.normalize.eps}, ddof ${c.normalize.ddof})`);
  return parts.join(' ');
}

function std(x: readonly number[], ddof: number): number {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const ss = x.reduce((a, b) => a + (b - m) ** 2, 0);
  return Math.sqrt(ss / (x.length - ddof));
}

/** The exact weights of one group under a convention, or a reason it does not apply. */
export function expectedWeights(estimator: VerifyEstimator, k: number | undefined, c: Convention, rewards: readonly number[]): Float64Array | string {
  const n = rewards.length;
  let w: Float64Array;
  try {
    if (estimator === 'pass@k') w = passAtKWeights(rewards, k as number, { baseline: c.baseline as Baseline, scale: c.scale });
    else if (estimator === 'max@k') w = maxAtKWeights(rewards, k as number, { baseline: c.baseline as Baseline, scale: c.scale });
    else if (estimator === 'rloo') {
      w = rlooWeights(rewards);
      if (c.scale === 'sum') w = w.map((x) => x / n);
    } else {
      w = grpoWeights(rewards, { normalize: 'none' });
      if (c.scale === 'sum') w = w.map((x) => x / n);
    }
  } catch (err) {
    if (err instanceof InferenceAwareRLError) return err.message;
    throw err;
  }
  if (c.normalize !== null) {
    if (n - c.normalize.ddof < 1) return `std with ddof ${c.normalize.ddof} needs n ≥ 2`;
    const d = std(rewards, c.normalize.ddof) + c.normalize.eps;
    w = w.map((x) => x / d);
  }
  return w;
}

/** Per-group comparison under one convention. */
export interface GroupCheck {
  group: string;
  n: number;
  maxAbsError: number;
  maxRelError: number;
  ok: boolean;
  /** Why the convention does not apply to this group (e.g. k > n), when it does not. */
  reason?: string;
}

function compare(g: Group, expected: Float64Array | string, atol: number, rtol: number): GroupCheck {
  if (typeof expected === 'string') return { group: g.id, n: g.rewards.length, maxAbsError: Infinity, maxRelError: Infinity, ok: false, reason: expected };
  let maxAbs = 0;
  let maxRel = 0;
  let ok = true;
  g.advantages.forEach((a, i) => {
    const e = expected[i] as number;
    const d = Math.abs(a - e);
    maxAbs = Math.max(maxAbs, d);
    maxRel = Math.max(maxRel, d === 0 ? 0 : d / Math.max(Math.abs(e), Number.MIN_VALUE));
    if (!(d <= atol + rtol * Math.abs(e))) ok = false;
  });
  return { group: g.id, n: g.rewards.length, maxAbsError: maxAbs, maxRelError: maxRel, ok };
}

/** What `verify` finds; `--json` prints exactly this. */
export interface VerifyReport {
  file: string;
  estimator: VerifyEstimator;
  k: number | 'n' | null;
  groups: number;
  samples: number;
  /** The convention the options ask for (fields left out: any). */
  expected: Partial<Convention>;
  /** Conventions that explain every group, best (smallest max abs error) first. */
  matches: { convention: Convention; name: string; maxAbsError: number }[];
  /** Known mistakes that reproduce the dump exactly (tried only when no expected convention matches). */
  mistakes: { name: string; maxAbsError: number }[];
  /** The convention the per-group table uses: the first expected match, else the closest candidate. */
  reported: { convention: Convention; name: string; groupsOk: number; perGroup: GroupCheck[] };
  ok: boolean;
}

/**
 * Mistakes seen in trainers' k-sample advantages, as transforms of correct weights:
 * - mean-centring the `'none'` weights s_i over the group (rllm#743). Since Σ_{S∌i} f(S) =
 *   C(n,k)(ρ − s_i), the 'loo' weights are s_i − (k/n)ρ(g₋ᵢ,k) = n/(n−k)·(s_i − (k/n)ρ(g,k)), so this is
 *   the 'loo' weights times (n − k)/n: a gradient scaled differently per group size, and exactly 0 at k = n.
 * - putting the best sample's weight into the reward tensor without zeroing the others, which keep
 *   their raw reward (EasyR1#585, GRPO_PASSK: max@k at k = n with 'loo-1').
 */
const MISTAKES: { applies: (c: Convention) => boolean; transform: (w: Float64Array, rewards: readonly number[]) => Float64Array; describe: (name: string) => string }[] = [
  {
    applies: (c) => c.baseline === 'none',
    transform: (w) => {
      const m = w.reduce((a, b) => a + b, 0) / w.length;
      return w.map((x) => x - m);
    },
    describe: (name) => `${name}, minus the group mean of those weights (rllm#743's mean-centring: the 'loo' weights × (n − k)/n, all 0 at k = n)`,
  },
  {
    applies: (c) => c.baseline === 'loo-1',
    transform: (w, rewards) => {
      // The weight written at the first best sample (torch.topk's index), the reward left everywhere else.
      let best = 0;
      for (let i = 1; i < rewards.length; i++) if ((rewards[i] as number) > (rewards[best] as number)) best = i;
      const out = Float64Array.from(rewards);
      out[best] = w[best] as number;
      return out;
    },
    describe: (name) => `${name} on the best sample, the raw reward left on all others (EasyR1#585: the other responses not zeroed)`,
  },
];

function candidates(opts: VerifyOptions): Convention[] {
  const kSample = opts.estimator === 'pass@k' || opts.estimator === 'max@k';
  const baselines: (Baseline | null)[] = kSample ? (opts.expected.baseline !== undefined ? [opts.expected.baseline, ...BASELINES.filter((b) => b !== opts.expected.baseline)] : [...BASELINES]) : [null];
  const epsList = [...new Set([opts.eps, 1e-6, 1e-4, 0])];
  const norms: Convention['normalize'][] = [null];
  for (const ddof of [opts.ddof, opts.ddof === 1 ? 0 : 1] as const) for (const eps of epsList) norms.push({ ddof, eps });
  const out: Convention[] = [];
  for (const baseline of baselines) for (const scale of ['sum', 'mean'] as const) for (const normalize of norms) out.push({ baseline, scale, normalize });
  return out;
}

function sameNorm(a: Convention['normalize'], b: Convention['normalize']): boolean {
  return a === null || b === null ? a === b : a.ddof === b.ddof && a.eps === b.eps;
}

function isExpected(c: Convention, e: Partial<Convention>): boolean {
  return (e.baseline === undefined || e.baseline === c.baseline) && (e.scale === undefined || e.scale === c.scale) && (e.normalize === undefined || sameNorm(e.normalize, c.normalize));
}

/** Checks every candidate convention against the dump. */
export function verifyGroups(groups: readonly Group[], opts: VerifyOptions): VerifyReport {
  const checks = candidates(opts).map((convention) => {
    const perGroup = groups.map((g) => compare(g, expectedWeights(opts.estimator, opts.k === 'n' ? g.rewards.length : opts.k, convention, g.rewards), opts.atol, opts.rtol));
    const maxAbs = perGroup.reduce((m, c) => Math.max(m, c.maxAbsError), 0);
    return { convention, perGroup, maxAbs, ok: perGroup.every((c) => c.ok) };
  });
  const matches = checks.filter((c) => c.ok).sort((a, b) => a.maxAbs - b.maxAbs);
  // Known mistakes, tried when nothing expected matches, to say what the trainer did.
  const mistakes: { name: string; maxAbsError: number }[] = [];
  if (!matches.some((c) => isExpected(c.convention, opts.expected))) {
    for (const convention of candidates(opts)) {
      for (const mistake of MISTAKES) {
        if (!mistake.applies(convention)) continue;
        const perGroup = groups.map((g) => {
          const w = expectedWeights(opts.estimator, opts.k === 'n' ? g.rewards.length : opts.k, convention, g.rewards);
          return compare(g, typeof w === 'string' ? w : mistake.transform(w, g.rewards), opts.atol, opts.rtol);
        });
        if (perGroup.every((c) => c.ok)) {
          const name = `${mistake.describe(conventionName(opts.estimator, convention))}`;
          if (!mistakes.some((m) => m.name === name)) mistakes.push({ name, maxAbsError: perGroup.reduce((m, c) => Math.max(m, c.maxAbsError), 0) });
        }
      }
    }
  }
  const expectedMatch = matches.find((c) => isExpected(c.convention, opts.expected));
  const pool = checks.filter((c) => isExpected(c.convention, opts.expected));
  const closest = [...(pool.length > 0 ? pool : checks)].sort((a, b) => a.perGroup.filter((g) => !g.ok).length - b.perGroup.filter((g) => !g.ok).length || a.maxAbs - b.maxAbs)[0]!;
  const rep = expectedMatch ?? closest;
  return {
    file: inputName(opts.file),
    estimator: opts.estimator,
    k: opts.k ?? null,
    groups: groups.length,
    samples: groups.reduce((s, g) => s + g.rewards.length, 0),
    expected: opts.expected,
    matches: matches.map((m) => ({ convention: m.convention, name: conventionName(opts.estimator, m.convention), maxAbsError: m.maxAbs })),
    mistakes,
    reported: { convention: rep.convention, name: conventionName(opts.estimator, rep.convention), groupsOk: rep.perGroup.filter((g) => g.ok).length, perGroup: rep.perGroup },
    ok: expectedMatch !== undefined,
  };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : Number.isNaN(x) ? '—' : 'inf';
}

/** Renders the report as text. */
export function formatVerify(r: VerifyReport): string {
  const out: string[] = [];
  out.push(`verify ${r.file}: ${r.groups} groups, ${r.samples} samples; estimator ${r.estimator}${r.k !== null ? `, k = ${r.k}` : ''}`);
  const exp = r.expected;
  const expText = [exp.baseline, exp.scale === undefined ? undefined : `scale ${exp.scale}`, exp.normalize === undefined ? undefined : exp.normalize === null ? 'no std normalisation' : `/ (std + ${exp.normalize.eps}, ddof ${exp.normalize.ddof})`].filter((x) => x !== undefined);
  out.push(`expected convention: ${expText.length > 0 ? expText.join(', ') : 'any'}`);
  if (r.matches.length > 0) out.push(`explained by: ${r.matches.slice(0, 3).map((m) => `${m.name} (max abs error ${fmt(m.maxAbsError)})`).join('; ')}`);
  else out.push('explained by: no convention (every baseline × sum/mean scale × std normalisation was tried)');
  for (const m of r.mistakes) out.push(`reproduced by a known mistake: ${m.name} (max abs error ${fmt(m.maxAbsError)})`);
  out.push(`${r.ok ? 'MATCH' : 'MISMATCH'}: ${r.reported.groupsOk} of ${r.groups} groups agree with ${r.reported.name}${r.ok ? '' : ' (the closest expected convention)'}`);
  const rows = [...r.reported.perGroup].sort((a, b) => Number(a.ok) - Number(b.ok) || b.maxAbsError - a.maxAbsError).slice(0, 10);
  const header = ['group', 'n', 'max abs error', 'max rel error', 'status'];
  const body = rows.map((g) => [g.group, String(g.n), fmt(g.maxAbsError), fmt(g.maxRelError), g.ok ? 'ok' : g.reason !== undefined ? `n/a: ${g.reason}` : 'MISMATCH']);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => (b[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  out.push('', line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line));
  if (r.reported.perGroup.length > rows.length) out.push(`(worst ${rows.length} of ${r.reported.perGroup.length} groups shown)`);
  return out.join('\n') + '\n';
}

/** Runs `verify`; returns the exit code (0 match, 1 mismatch or bad input, 2 bad command line). */
export async function runVerify(argv: readonly string[], io: CliIO): Promise<number> {
  let opts: VerifyOptions | 'help';
  try {
    opts = parseVerifyArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n\n${VERIFY_HELP}\n`);
      return 2;
    }
    throw err;
  }
  if (opts === 'help') {
    io.stdout(`${VERIFY_HELP}\n`);
    return 0;
  }
  let report: VerifyReport;
  try {
    report = verifyGroups(await readDump(opts, io.stdin), opts);
  } catch (err) {
    if (err instanceof DataError) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  io.stdout(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatVerify(report));
  return report.ok ? 0 : 1;
}
