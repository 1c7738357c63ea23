import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runEval, type EvalReport } from '../../src/cli/eval.js';
import { binom, subsets } from '../oracle/rational.js';

const dir = mkdtempSync(join(tmpdir(), 'iarl-cli-'));
let fileCount = 0;
function file(lines: readonly (string | object)[]): string {
  const path = join(dir, `f${fileCount++}.jsonl`);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runEval(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), stderrIsTTY: false });
  return { code, out, err };
}

async function json(args: string[]): Promise<EvalReport> {
  const r = await run([...args, '--json']);
  expect(r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.out) as { tables: EvalReport[] };
  expect(parsed.tables).toHaveLength(1);
  return parsed.tables[0]!;
}

/** human-eval's estimate_pass_at_k, transcribed: 1 − Π_{i=n−c+1..n} (1 − k/i), or 1 when n − c < k. */
function humanEvalPassAtK(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** The definition by exact integers: 1 − C(n−c, k)/C(n, k). */
function exactPassAtK(n: number, c: number, k: number): number {
  return 1 - Number((binom(n - c, k) * 10n ** 18n) / binom(n, k)) / 1e18;
}

/** Mean over all k-subsets of f(subset) (float brute force, small n only). */
function bruteMean(n: number, k: number, f: (s: number[]) => number): number {
  let sum = 0;
  let count = 0;
  for (const s of subsets(n, k)) {
    sum += f(s);
    count++;
  }
  return sum / count;
}

/** maj@k by definition: reward of the most frequent non-null answer; ties split. */
function bruteMaj(answers: (string | null)[], rewards: number[], k: number): number {
  return bruteMean(answers.length, k, (s) => {
    const counts = new Map<string, number>();
    for (const i of s) {
      const a = answers[i];
      if (a !== null && a !== undefined) counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    if (counts.size === 0) return 0;
    const top = Math.max(...counts.values());
    const winners = [...counts.entries()].filter(([, c]) => c === top).map(([a]) => a);
    const rewardOf = (a: string): number => rewards[answers.indexOf(a)] ?? Number.NaN;
    return winners.reduce((acc, a) => acc + rewardOf(a), 0) / winners.length;
  });
}

/** BoN@k by definition: reward of the highest-score sample; ties split. */
function bruteBon(scores: number[], rewards: number[], k: number): number {
  return bruteMean(scores.length, k, (s) => {
    const top = Math.max(...s.map((i) => scores[i] ?? -Infinity));
    const best = s.filter((i) => scores[i] === top);
    return best.reduce((acc, i) => acc + (rewards[i] ?? 0), 0) / best.length;
  });
}

// A results file written the way human-eval's evaluate_functional_correctness writes it: one line per
// sample, in task order, with the sample's completion, its result string and the passed flag.
const HE_TASKS: [string, number, number][] = [
  ['HumanEval/0', 20, 0],
  ['HumanEval/1', 20, 3],
  ['HumanEval/2', 20, 11],
  ['HumanEval/3', 20, 20],
  ['HumanEval/4', 12, 5],
];
function humanEvalLines(): string[] {
  const lines: string[] = [];
  for (const [taskId, n, c] of HE_TASKS) {
    for (let i = 0; i < n; i++) {
      const passed = (i * 7) % n < c; // c passing samples, spread over the file
      lines.push(
        JSON.stringify({
          task_id: taskId,
          completion: `    return x + ${i}\n`,
          result: passed ? 'passed' : i % 2 === 0 ? 'failed: AssertionError' : 'timed out',
          passed,
        }),
      );
    }
  }
  return lines;
}

describe('inference-aware-rl eval', () => {
  it('runEval(human-eval results file) equals the human-eval formula averaged over tasks', async () => {
    const path = file(humanEvalLines());
    const report = await json([path, '--k', '1,5,10,15']);
    expect(report.tasks).toBe(5);
    expect(report.samples).toBe(92);
    expect(report.rewards).toBe('binary');
    expect(Object.keys(report.metrics)).toEqual(['pass', 'pass-hat']);
    for (const row of report.metrics.pass ?? []) {
      const eligible = HE_TASKS.filter(([, n]) => n >= row.k);
      const expected = eligible.reduce((s, [, n, c]) => s + humanEvalPassAtK(n, c, row.k), 0) / eligible.length;
      const exact = eligible.reduce((s, [, n, c]) => s + exactPassAtK(n, c, row.k), 0) / eligible.length;
      expect(row.value).toBeCloseTo(expected, 12);
      expect(row.value).toBeCloseTo(exact, 12);
      expect(row.tasks).toBe(eligible.length);
    }
  });

  it('runEval(--k larger than some tasks) reports the tasks with fewer than k samples', async () => {
    const path = file(humanEvalLines());
    const report = await json([path, '--k', '10,15,25']);
    const rows = report.metrics.pass ?? [];
    expect(rows.map((r) => r.tooFew.count)).toEqual([0, 1, 5]);
    expect(rows[1]?.tooFew.examples).toEqual(['HumanEval/4']);
    expect(rows[1]?.tasks).toBe(4);
    expect(rows[2]?.value).toBeNull();
    const text = await run([path, '--k', '15']);
    expect(text.out).toMatch(/1 \(HumanEval\/4\)/);
  });

  it('runEval(generic rewards, answers, scores) gives pass@k, maj@k and BoN@k by their definitions', async () => {
    const tasks = [
      { id: 'a', answers: ['4', '4', '5', null, '4', '7', '5', '4'], correct: '4', scores: [0.9, 0.1, 0.8, 0.3, 0.5, 0.95, 0.2, 0.5] },
      { id: 'b', answers: ['x', 'y', 'y', 'z', 'x', 'y'], correct: 'x', scores: [0.2, 0.7, 0.7, 0.1, 0.6, 0.3] },
      { id: 'c', answers: ['1', '2', '3', '1', '2', '3', '1'], correct: '9', scores: [1, 2, 3, 4, 5, 6, 7] },
    ];
    const lines: object[] = [];
    // Interleave tasks: grouping must not depend on line order.
    for (let i = 0; i < 8; i++) {
      for (const t of tasks) {
        const a = t.answers[i];
        if (a === undefined) continue;
        lines.push({ prompt_id: t.id, answer: a, correct: a === t.correct, score: t.scores[i] });
      }
    }
    const report = await json([file(lines), '--k', '1,3,6']);
    expect(Object.keys(report.metrics)).toEqual(['pass', 'pass-hat', 'maj', 'bon']);
    for (const [metric, brute] of [
      ['pass', (t: (typeof tasks)[number], k: number) => humanEvalPassAtK(t.answers.length, t.answers.filter((a) => a === t.correct).length, k)],
      ['maj', (t: (typeof tasks)[number], k: number) => bruteMaj(t.answers, t.answers.map((a) => (a === t.correct ? 1 : 0)), k)],
      ['bon', (t: (typeof tasks)[number], k: number) => bruteBon(t.scores.slice(0, t.answers.length), t.answers.map((a) => (a === t.correct ? 1 : 0)), k)],
    ] as const) {
      for (const row of report.metrics[metric] ?? []) {
        const eligible = tasks.filter((t) => t.answers.length >= row.k);
        const expected = eligible.reduce((s, t) => s + brute(t, row.k), 0) / eligible.length;
        expect(row.value, `${metric}@${row.k}`).toBeCloseTo(expected, 12);
      }
    }
  });

  it('runEval(continuous rewards) reports max@k, the mean over k-subsets of the max', async () => {
    const g = [0.1, 0.7, 0.3, 0.9, 0.5];
    const report = await json([file(g.map((reward) => ({ task_id: 't', reward }))), '--k', '1,2,5']);
    expect(report.rewards).toBe('continuous');
    expect(Object.keys(report.metrics)).toEqual(['max']);
    const values = report.metrics.max?.map((r) => r.value) ?? [];
    for (const [i, k] of [1, 2, 5].entries()) {
      expect(values[i]).toBeCloseTo(bruteMean(5, k, (s) => Math.max(...s.map((j) => g[j] ?? 0))), 12);
    }
    expect((await run([file([{ task_id: 't', reward: 0.5 }])])).out).toMatch(/max@k/);
  });

  it('runEval(--group-by, --reward-field, --answer-field, --score-field) reads renamed fields', async () => {
    const lines = [
      { problem: 1, ok: 1, final: 'A', rm: 2 },
      { problem: 1, ok: 0, final: 'B', rm: 3 },
      { problem: 2, ok: 0, final: 'C', rm: 1 },
      { problem: 2, ok: 0, final: 'C', rm: 1 },
    ];
    const args = [file(lines), '--group-by', 'problem', '--reward-field', 'ok', '--answer-field', 'final', '--score-field', 'rm', '--k', '1,2'];
    const report = await json(args);
    expect(report.tasks).toBe(2);
    expect(report.metrics.pass?.map((r) => r.value)).toEqual([0.25, 0.5]);
    // Task 1 at k=2: answers tie 1–1 → split (0.5); BoN picks score 3, which is wrong → 0.
    expect(report.metrics.maj?.[1]?.value).toBeCloseTo(0.25, 15);
    expect(report.metrics.bon?.[1]?.value).toBe(0);
  });

  it('runEval(file with a malformed line) fails naming file:line and what was wrong', async () => {
    const cases: [unknown[], RegExp][] = [
      [[{ task_id: 'a', passed: true }, '{"task_id": "a", "passed": tru'], /:2: invalid JSON/],
      [[{ task_id: 'a', passed: true }, { task_id: 'a', passed: 'yes' }], /:2: reward field "passed" must be true\/false or a finite number, got "yes"/],
      [[{ task_id: 'a', passed: true }, {}, { passed: true }], /:2: no task id field \(looked for task_id, prompt_id, id\)/],
      [[{ task_id: 'a' }], /:1: no reward field \(looked for reward, correct, passed\)/],
      [[[1, 2]], /:1: expected a JSON object, got an array/],
      [[{ task_id: 'a', reward: 1, score: 'high' }], /:1: score field "score" must be a finite number, got "high"/],
      [[{ task_id: { x: 1 }, reward: 1 }], /:1: task id field "task_id" must be a string or a number, got an object/],
    ];
    for (const [lines, pattern] of cases) {
      const path = file(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))));
      const r = await run([path]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(pattern);
      expect(r.err).toContain(`error: ${path}:`);
      expect(r.out).toBe('');
    }
  });

  it('runEval(--skip-invalid) skips malformed lines, counts them and uses the rest', async () => {
    const path = file([
      { task_id: 'a', passed: true },
      'not json',
      { task_id: 'a', passed: false },
      { task_id: 'a', passed: 2 > 1 },
      { task_id: 'b' },
      '',
      { task_id: 'b', passed: false },
    ]);
    const report = await json([path, '--skip-invalid', '--k', '1']);
    expect(report.skipped.count).toBe(2);
    expect(report.skipped.examples[0]).toBe(`${path}:2: invalid JSON (${jsonError('not json')})`);
    expect(report.samples).toBe(4);
    expect(report.lines).toBe(7);
    expect(report.metrics.pass?.[0]?.value).toBeCloseTo((2 / 3 + 0) / 2, 15);
    const text = await run([path, '--skip-invalid', '--k', '1']);
    expect(text.out).toMatch(/2 invalid lines skipped/);
    expect(text.err).toMatch(/2 invalid skipped/);
  });

  it('runEval(--json) prints one object with files, counts, per-metric rows and tooFew', async () => {
    const path = file([
      { task_id: 't1', reward: 1, answer: 3, score: 0.2 },
      { task_id: 't1', reward: 0, answer: 4, score: 0.9 },
      { task_id: 't2', reward: 0, answer: 4, score: 0.1 },
    ]);
    const report = await json([path, '--k', '1,2', '--metric', 'pass,bon']);
    expect(report).toEqual({
      files: [path],
      format: 'jsonl',
      detected: true,
      notes: [],
      kRule: 'subsets',
      ci: null,
      lines: 3,
      samples: 3,
      skipped: { count: 0, examples: [] },
      tasks: 2,
      samplesPerTask: { min: 1, max: 2, mean: 1.5 },
      rewards: 'binary',
      metrics: {
        pass: [
          { k: 1, value: 0.25, tasks: 2, tooFew: { count: 0, examples: [] } },
          { k: 2, value: 1, tasks: 1, tooFew: { count: 1, examples: ['t2'] } },
        ],
        bon: [
          { k: 1, value: 0.25, tasks: 2, tooFew: { count: 0, examples: [] } },
          { k: 2, value: 0, tasks: 1, tooFew: { count: 1, examples: ['t2'] } },
        ],
      },
      excluded: {},
    });
  });

  it('runEval(--metric maj on a file without answers) is an error that says which field to give', async () => {
    const r = await run([file([{ task_id: 'a', passed: true }]), '--metric', 'maj']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/maj@k needs an answer per sample.*--answer-field/);
  });

  it('runEval(--plot out.svg) writes an SVG with one line per metric', async () => {
    const out = join(dir, 'plot.svg');
    await run([file(humanEvalLines()), '--k', '1,2,5,10', '--plot', out]);
    const svg = readFileSync(out, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline/g)?.length).toBe(2);
    expect(svg).toContain('pass@k');
    expect(svg).toContain('pass^k');
  });

  it('runEval(bad command line) exits 2 with the reason and the usage', async () => {
    for (const [args, pattern] of [
      [[], /needs at least one input file \(- for stdin\)/],
      [['x.jsonl', '--k', '0'], /--k must be a comma-separated list of integers ≥ 1 \(got "0"\)/],
      [['x.jsonl', '--k', '1,a'], /got "a"/],
      [['x.jsonl', '--metric', 'pass,best'], /--metric must be .* \(got "best"\)/],
      [['x.jsonl', '--format', 'csv'], /--format must be one of auto, human-eval, lm-eval, evalplus, livecodebench, verl, jsonl \(got "csv"\)/],
      [['x.jsonl', '--ci', '95'], /--ci must be a confidence level in \(0, 1\), e.g. 0.95 \(got "95"\)/],
      [['x.jsonl', '--dataset', 'extra'], /--dataset must be base or plus \(got "extra"\)/],
      [['x.jsonl', '--frobnicate'], /Unknown option '--frobnicate'/],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(pattern);
      expect(r.err).toMatch(/Usage: inference-aware-rl eval/);
    }
    expect((await run(['--help'])).out).toMatch(/--skip-invalid/);
    const missing = await run([join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read .*nope\.jsonl: ENOENT/);
  });

  it('inference-aware-rl eval (the entry point, as a process) prints the table and a summary on stderr', () => {
    const path = file(humanEvalLines());
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'eval', path, '--k', '1,10'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const expected1 = HE_TASKS.reduce((s, [, n, c]) => s + humanEvalPassAtK(n, c, 1), 0) / HE_TASKS.length;
    expect(stdout).toContain(expected1.toFixed(4));
    expect(stdout).toMatch(/^k\s+pass@k\s+pass\^k\s+tasks\s+tasks with n < k$/m);
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}
