/**
 * The harness readers on fixture files written from each harness's own output code
 * (test/fixtures/formats/), the input handling (gzip, stdin, BOM, CRLF, empty files), the output
 * options (--merge, --per-task, --require-all, --ci) and every bad input with its exact message.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runEval, type EvalReport } from '../../src/cli/eval.js';
import { DEFAULT_FIELDS, SampleAccumulator, parseSampleLine } from '../../src/cli/formats.js';
import { KeySlots, scanObject } from '../../src/cli/scan.js';

const FIX = 'test/fixtures/formats';
const dir = mkdtempSync(join(tmpdir(), 'iarl-formats-'));
let count = 0;
function tmp(name: string, content: string | Buffer): string {
  const path = join(dir, `${count++}-${name}`);
  writeFileSync(path, content);
  return path;
}

async function run(args: string[], stdin?: string | Buffer): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: (t: string) => void (out += t),
    stderr: (t: string) => void (err += t),
    stderrIsTTY: false,
    ...(stdin !== undefined ? { stdin: Readable.from([typeof stdin === 'string' ? Buffer.from(stdin) : stdin]) } : {}),
  };
  const code = await runEval(args, io);
  return { code, out, err };
}

async function tables(args: string[], stdin?: string | Buffer): Promise<EvalReport[]> {
  const r = await run([...args, '--json'], stdin);
  expect(r.err, r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  return (JSON.parse(r.out) as { tables: EvalReport[] }).tables;
}

const values = (t: EvalReport, m: keyof EvalReport['metrics']) => t.metrics[m]?.map((r) => r.value);

/**
 * human-eval's estimate_pass_at_k (human_eval/evaluation.py), which EvalPlus (evalplus/eval/__init__.py)
 * and LiveCodeBench (lcb_runner/evaluation/pass_k_utils.py) copy: 1 − Π_{i=n−c+1..n} (1 − k/i).
 */
function toolPassAtK(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}
const toolMean = (counts: [number, number][], k: number) => counts.reduce((s, [n, c]) => s + toolPassAtK(n, c, k), 0) / counts.length;

describe('harness fixtures: detected format, hand-checked tables, the harness\'s own estimator', () => {
  it('human-eval samples.jsonl_results.jsonl: 2/5, 0/5, 4/5 pass', async () => {
    const [t] = await tables([`${FIX}/samples.jsonl_results.jsonl`, '--k', '1,2,5']);
    expect(t!.format).toBe('human-eval');
    expect(t!.tasks).toBe(3);
    // pass@1 = (2/5 + 0 + 4/5)/3 = 0.4; pass@2 = (1 − C(3,2)/C(5,2) + 0 + 1)/3 = (0.7 + 1)/3; pass@5 = 2/3.
    expect(values(t!, 'pass')).toEqual([expect.closeTo(0.4, 15), expect.closeTo(1.7 / 3, 15), expect.closeTo(2 / 3, 15)]);
    // pass^2 = (C(2,2)/C(5,2) + 0 + C(4,2)/C(5,2))/3 = (0.1 + 0.6)/3; pass^5 = 0.
    expect(values(t!, 'pass-hat')).toEqual([expect.closeTo(0.4, 15), expect.closeTo(0.7 / 3, 15), 0]);
    for (const row of t!.metrics.pass!) expect(row.value).toBeCloseTo(toolMean([[5, 2], [5, 0], [5, 4]], row.k), 14);
  });

  it('lm-eval samples_gsm8k: one filter (the first, reported), grouped by doc_id, reward = exact_match', async () => {
    const file = `${FIX}/samples_gsm8k_2026-01-01T00-00-00.000000.jsonl`;
    const [strict] = await tables([file, '--k', '1']);
    expect(strict!.format).toBe('lm-eval');
    expect(strict!.tasks).toBe(4);
    expect(strict!.samples).toBe(4); // not 8: the flexible-extract rows are left out, not merged
    expect(strict!.notes[0]).toBe('lm-eval filter "strict-match" (the first in the file; choose with --filter); other filters left out: "flexible-extract"');
    expect(values(strict!, 'pass')).toEqual([0.25]);
    const [flex] = await tables([file, '--k', '1', '--filter', 'flexible-extract']);
    expect(values(flex!, 'pass')).toEqual([0.75]);
    expect(flex!.notes[0]).toMatch(/^lm-eval filter "flexible-extract" \(chosen with --filter\)/);
    const bad = await run([file, '--filter', 'maj@8']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('error: --filter "maj@8" matches no line (filters in the file: "strict-match", "flexible-extract")\n');
  });

  it('lm-eval self-consistency: filtered_resps lists give one sample per answer, scored against target', async () => {
    const [t] = await tables([`${FIX}/samples_gsm8k_cot_self_consistency_2026-01-01T00-00-00.000000.jsonl`, '--k', '1,4']);
    expect(t!.samples).toBe(12);
    // Answers 18,18,17,18 | 3,4,4,5 | 70000,7000,70000,70000 against targets 18, 3, 70000.
    expect(values(t!, 'pass')).toEqual([expect.closeTo(7 / 12, 15), 1]);
    // maj@4: 18 wins (1), 4 wins (0), 70000 wins (1).
    expect(values(t!, 'maj')?.[1]).toBeCloseTo(2 / 3, 15);
  });

  it('EvalPlus eval_results.json: plus = base and plus both "pass"; equals the pass_at_k EvalPlus stored', async () => {
    const file = `${FIX}/humaneval_samples_eval_results.json`;
    const stored = (JSON.parse(readFileSync(file, 'utf8')) as { pass_at_k: Record<'base' | 'plus', Record<string, number>> }).pass_at_k;
    const [plus] = await tables([file, '--k', '1,2,4']);
    expect(plus!.format).toBe('evalplus');
    // plus passes: 2/4, 0/4, 3/4; base passes: 3/4, 1/4, 4/4.
    expect(values(plus!, 'pass')?.[0]).toBeCloseTo(5 / 12, 15);
    expect(values(plus!, 'pass')?.[0]).toBeCloseTo(stored.plus['pass@1']!, 15);
    for (const row of plus!.metrics.pass!) expect(row.value).toBeCloseTo(toolMean([[4, 2], [4, 0], [4, 3]], row.k), 14);
    const [base] = await tables([file, '--k', '1,2', '--dataset', 'base']);
    expect(values(base!, 'pass')?.[0]).toBeCloseTo(stored.base['pass@1']!, 15);
    expect(values(base!, 'pass')?.[1]).toBeCloseTo(toolMean([[4, 3], [4, 1], [4, 4]], 2), 14);
    expect(base!.notes[0]).toBe('EvalPlus dataset "base": a sample passes when base_status is "pass"');
  });

  it('LiveCodeBench *_eval_all.json (indent=4): graded_list per question_id', async () => {
    const [t] = await tables([`${FIX}/Scenario.codegeneration_5_0.2_eval_all.json`, '--k', '1,5']);
    expect(t!.format).toBe('livecodebench');
    // 4/5, 1/5, 0/5 — pass@1 = 1/3 = the mean of the file's own "pass@1" fields.
    expect(values(t!, 'pass')).toEqual([expect.closeTo(1 / 3, 15), expect.closeTo(2 / 3, 15)]);
    for (const row of t!.metrics.pass!) expect(row.value).toBeCloseTo(toolMean([[5, 4], [5, 1], [5, 0]], row.k), 14);
  });

  it('verl <step>.jsonl: grouped by input, reward = score (or --reward-field), answers from pred', async () => {
    const file = `${FIX}/100.jsonl`;
    const [t] = await tables([file, '--k', '1,2']);
    expect(t!.format).toBe('verl');
    expect(t!.tasks).toBe(3);
    // 2/4, 3/4, 0/4 correct.
    expect(values(t!, 'pass')?.[0]).toBeCloseTo(5 / 12, 15);
    expect(Object.keys(t!.metrics)).toEqual(['pass', 'pass-hat', 'maj']);
    const [acc] = await tables([file, '--k', '1', '--reward-field', 'acc']);
    expect(values(acc!, 'pass')?.[0]).toBeCloseTo(5 / 12, 15);
  });

  it('--format overrides detection; several files give one table each, --merge pools one format', async () => {
    const he = `${FIX}/samples.jsonl_results.jsonl`;
    const [asJsonl] = await tables([he, '--format', 'jsonl', '--k', '1']);
    expect(asJsonl!.format).toBe('jsonl');
    expect(asJsonl!.detected).toBe(false);
    const two = await tables([he, `${FIX}/100.jsonl`, '--k', '1']);
    expect(two.map((t) => [t.files, t.format])).toEqual([[[he], 'human-eval'], [[`${FIX}/100.jsonl`], 'verl']]);
    const merged = await tables([he, he, '--merge', '--k', '1']);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.samples).toBe(30);
    expect(values(merged[0]!, 'pass')?.[0]).toBeCloseTo(0.4, 15);
    const text = await run([he, `${FIX}/100.jsonl`, '--k', '1']);
    expect(text.out).toContain(`== ${he}: human-eval (detected) ==`);
    expect(text.out).toContain(`== ${FIX}/100.jsonl: verl (detected) ==`);
    // Then side by side: one column per file for each metric both have.
    expect(text.out).toContain(`== side by side ==\nA = ${he} (3 tasks)\nB = ${FIX}/100.jsonl (3 tasks)\n`);
    expect(text.out).toMatch(/^k\s+pass@k A\s+pass@k B\s+pass\^k A\s+pass\^k B$/m);
    expect(text.out).toMatch(/^1\s+0\.4000\s+0\.4167\s+0\.4000\s+0\.4167$/m);
  });
});

describe('input handling', () => {
  const lines = ['{"task_id":"a","passed":true}', '{"task_id":"a","passed":false}', '{"task_id":"b","passed":true}'];
  const expected = [0.75];

  it('reads gzip by extension and by magic bytes, stdin (-), a BOM and CRLF line ends', async () => {
    const body = lines.join('\n') + '\n';
    for (const args of [
      [tmp('a.jsonl.gz', gzipSync(body))],
      [tmp('gz-without-extension.jsonl', gzipSync(body))],
      [tmp('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n')]))],
      [tmp('no-final-newline.jsonl', lines.join('\n'))],
    ]) {
      const [t] = await tables([...args, '--k', '1']);
      expect(values(t!, 'pass'), args[0]).toEqual(expected);
    }
    const [s] = await tables(['-', '--k', '1'], body);
    expect(s!.files).toEqual(['<stdin>']);
    expect(values(s!, 'pass')).toEqual(expected);
    const [sgz] = await tables(['-', '--k', '1'], gzipSync(Buffer.from('\ufeff' + body)));
    expect(values(sgz!, 'pass')).toEqual(expected);
  });

  it('reads the same values on the fast path and through JSON.parse (escapes, duplicates, numbers, unicode)', async () => {
    const tricky = [
      '{"task_id":"t\\u00e9","passed":true}', // escaped id: JSON.parse path
      '{"task_id":"t\u00e9","passed":false}', // the same id as raw UTF-8: fast path
      '{"passed":false,"task_id":"x","passed":true}', // duplicate key: the last wins, as in JSON.parse
      '{"task_id":7,"reward":1e0}',
      '{"task_id":"7","reward":0}',
      ' \t{ "task_id" : "s" , "passed" : true , "extra" : [1, {"a": "}"}, "\\"" ] }  ',
    ];
    const [t] = await tables([tmp('tricky.jsonl', tricky.join('\n')), '--k', '1']);
    expect(t!.tasks).toBe(4);
    expect(values(t!, 'pass')?.[0]).toBeCloseTo((0.5 + 1 + 0.5 + 1) / 4, 15);
  });

  it('the line template, the byte scanner and JSON.parse read every line alike (property test over whole files)', async () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '"', '\\', '\n', '\t', '\u0001', '😀', ' ', '}'), fc.string({ maxLength: 1 })) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ id: fc.constantFrom('A', 'B', 'C/é', 'D"q'), completion: text, passed: fc.oneof(fc.boolean(), fc.constantFrom(0, 1, 2, 0.5, null)), mangle: fc.integer({ min: 0, max: 9 }) }), { minLength: 1, maxLength: 40 }),
        async (rows) => {
          const lines = rows.map(({ id, completion, passed, mangle }) => {
            let line = JSON.stringify({ task_id: id, completion, result: 'passed', passed });
            if (mangle === 1) line = line.replace('"completion": "', '"completion": "\u0001').replace('"completion":"', '"completion":"\t'); // raw control char
            if (mangle === 2) line = line.replace(',"result"', ',"passed":true,"result"'); // duplicate key
            if (mangle === 3) line = line.replace('"result":"passed"', '"result":"\\x"'); // invalid escape
            if (mangle === 4) line = line.replace('{', '{ ').replace(/,/g, ', '); // other whitespace
            if (mangle === 5) line = line.slice(0, -1); // truncated
            return line;
          });
          // Reference: JSON.parse of every line.
          const counts = new Map<string, [number, number]>();
          let invalid = 0;
          for (const line of lines) {
            let o: { task_id: string; passed: unknown };
            try {
              o = JSON.parse(line) as typeof o;
            } catch {
              invalid++;
              continue;
            }
            const r = o.passed;
            if (typeof r !== 'boolean' && !(typeof r === 'number' && Number.isFinite(r))) {
              invalid++;
              continue;
            }
            const v = counts.get(o.task_id) ?? [0, 0];
            counts.set(o.task_id, [v[0] + 1, v[1] + Number(r)]);
          }
          const file = tmp('prop.jsonl', lines.join('\n') + '\n');
          const per = join(dir, `prop-${count++}.jsonl`);
          const r = await run([file, '--skip-invalid', '--k', '1', '--format', 'jsonl', '--metric', 'max', '--per-task', per, '--json']);
          if (counts.size === 0) {
            expect(r.code).toBe(1);
            return;
          }
          expect(r.code, r.err).toBe(0);
          const t = (JSON.parse(r.out) as { tables: EvalReport[] }).tables[0]!;
          expect(t.skipped.count).toBe(invalid);
          const got = new Map(readFileSync(per, 'utf8').trim().split('\n').map((l) => {
            const o = JSON.parse(l) as { task: string; n: number; reward_sum: number };
            return [o.task, [o.n, o.reward_sum]] as const;
          }));
          expect(got).toEqual(counts);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('scanObject agrees with JSON.parse on every line it accepts (property test)', () => {
    const slots = new KeySlots(['task_id', 'passed', 'reward', 'answer', 'score']);
    const value = fc.oneof(fc.string(), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('task_id', 'passed', 'reward', 'answer', 'score', 'completion', 'x'), value),
        fc.integer({ min: 0, max: 3 }),
        (obj, mangle) => {
          let text = JSON.stringify(obj);
          if (mangle === 1) text = text.slice(0, -1); // truncated
          if (mangle === 2) text = text.replace(':', ' : ');
          const buf = Buffer.from(text);
          const r = scanObject(buf, 0, buf.length, slots);
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            expect(r).not.toBe(1); // never accepts what JSON.parse rejects
            return;
          }
          if (r !== 1) return; // a fallback is always allowed
          const o = parsed as Record<string, unknown>;
          slots.keys.forEach((k, i) => {
            const name = k.toString();
            if (!Object.hasOwn(o, name)) expect(slots.kind[i]).toBe(0);
            else if (typeof o[name] === 'string' && slots.kind[i] === 1) expect(buf.toString('utf8', slots.start[i], slots.end[i])).toBe(o[name]);
            else if (typeof o[name] === 'number') expect(Number(buf.toString('latin1', slots.start[i], slots.end[i]))).toBe(o[name]);
          });
        },
      ),
      { numRuns: 2000 },
    );
    for (const bad of ['{"a":tru}', '{"a":01}', '{"a":"\u0001"}', '{"a":"\\x"}', '{"a":1,}', '{"a" 1}', '{"a":[1,]}', '{"a":1}x', '{"a":-}', '{"a":1.}', '{"a":1e}']) {
      const b = Buffer.from(bad);
      expect(scanObject(b, 0, b.length, slots), bad).toBe(-1);
    }
    const acc = new SampleAccumulator();
    expect(acc.samples).toBe(0);
    expect(parseSampleLine('{"task_id":"a","passed":true}', DEFAULT_FIELDS)).toEqual({ taskId: 'a', reward: 1, answer: undefined, score: undefined });
  });
});

describe('bad inputs: exact message, exit code 1, nothing on stdout', () => {
  const cases: [string, () => string[], string | RegExp][] = [
    ['an empty file', () => [tmp('empty.jsonl', '')], /^error: .*empty\.jsonl: empty input \(no samples\)\n$/],
    ['a file of blank lines', () => [tmp('blank.jsonl', '\n\n  \n')], /^error: .*blank\.jsonl: empty input \(no samples\)\n$/],
    ['a BOM-only file', () => [tmp('bom-only.jsonl', Buffer.from([0xef, 0xbb, 0xbf]))], /^error: .*bom-only\.jsonl: empty input \(no samples\)\n$/],
    ['a .gz file that is not gzip', () => [tmp('fake.jsonl.gz', '{"task_id":"a","passed":true}\n')], /^error: cannot read .*fake\.jsonl\.gz: not valid gzip data \(incorrect header check\)\n$/],
    ['a truncated gzip file', () => [tmp('cut.jsonl.gz', gzipSync('{"task_id":"a","passed":true}\n'.repeat(50)).subarray(0, 30))], /^error: cannot read .*cut\.jsonl\.gz: not valid gzip data \(unexpected end of file\)\n$/],
    ['a missing file', () => [join(dir, 'nope.jsonl')], /^error: cannot read .*nope\.jsonl: ENOENT\n$/],
    ['a directory', () => [dir], /^error: cannot read .*: EISDIR\n$/],
    ['a JSON document of no known format', () => [tmp('doc.json', '{\n  "results": {}\n}\n')], /^error: .*doc\.json: cannot tell the format of this JSON document \(not an EvalPlus eval_results\.json with "eval", nor a LiveCodeBench eval_all\.json array with "graded_list"\); give --format\n$/],
    ['--format evalplus on JSONL', () => [tmp('he.jsonl', '{"task_id":"a","passed":true}\n{"task_id":"a","passed":true}\n'), '--format', 'evalplus'], /^error: .*he\.jsonl: invalid JSON \(.*\)\n$/],
    ['EvalPlus without plus_status', () => [tmp('base-only.json', JSON.stringify({ eval: { t: [{ task_id: 't', base_status: 'pass', plus_status: null }] } }))], /^error: .*base-only\.json: eval\["t"\]\[0\] has no plus_status \(evaluated with --base-only\?\); use --dataset base\n$/],
    ['LiveCodeBench with a non-boolean grade', () => [tmp('lcb.json', JSON.stringify([{ question_id: 'q', graded_list: [true, 1] }]))], /^error: .*lcb\.json: problem 0 \("q"\) graded_list\[1\] must be true\/false, got 1\n$/],
    ['mixed formats with --merge', () => [`${FIX}/samples.jsonl_results.jsonl`, `${FIX}/100.jsonl`, '--merge'], `error: --merge needs files of one format, got ${FIX}/samples.jsonl_results.jsonl: human-eval, ${FIX}/100.jsonl: verl\n`],
    ['lm-eval line without doc_id', () => [tmp('lm.jsonl', '{"doc_id":0,"filtered_resps":["1"],"metrics":["acc"],"acc":1}\n{"filtered_resps":["1"],"metrics":["acc"],"acc":1}\n')], /^error: .*lm\.jsonl:2: no "doc_id" field \(an lm-eval samples line has doc_id\)\n$/],
    ['pass@k asked of continuous rewards', () => [tmp('cont.jsonl', '{"task_id":"a","reward":0.5}\n'), '--metric', 'pass'], /^error: .*cont\.jsonl: pass@k needs 0\/1 rewards, but some rewards are not 0 or 1 \(use --metric max for continuous rewards\)\n$/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await run(args());
    expect(r.code).toBe(1);
    if (typeof message === 'string') expect(r.err).toBe(message);
    else expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('an unwritable --plot or --per-task path: the results are printed, then the error, exit 1', async () => {
    const ro = join(dir, 'readonly');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const canWrite = spawnSync('sh', ['-c', `touch ${ro}/x`]).status === 0; // root ignores permissions
    const target = canWrite ? join(dir, 'no-such-dir', 'plot.svg') : join(ro, 'plot.svg');
    const r = await run([`${FIX}/samples.jsonl_results.jsonl`, '--k', '1', '--plot', target]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^1\s+0\.4000/m);
    expect(r.err).toContain(`error: cannot write the plot ${target}: ${canWrite ? 'ENOENT' : 'EACCES'} (the results above are complete)\n`);
    const p = await run([`${FIX}/samples.jsonl_results.jsonl`, '--k', '1', '--per-task', join(dir, 'missing', 'x.csv')]);
    expect(p.code).toBe(1);
    expect(p.out).toMatch(/0\.4000/);
    expect(p.err).toContain(`error: cannot write the per-task file ${join(dir, 'missing', 'x.csv')}: ENOENT`);
  });

  it('the process: exit codes 0 / 1 / 2 only, --version prints package.json\'s version', () => {
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(cli(['--version']).stdout).toBe(`${version}\n`);
    expect(cli(['frobnicate']).status).toBe(2);
    expect(cli(['eval']).status).toBe(2);
    expect(cli(['eval', join(dir, 'nope.jsonl')]).status).toBe(1);
    const viaStdin = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'eval', '-', '--k', '1'], {
      input: gzipSync('{"task_id":"a","passed":true}\n{"task_id":"a","passed":false}\n'),
      encoding: 'utf8',
    });
    expect(viaStdin).toMatch(/^1\s+0\.5000/m);
  });
});

describe('output options', () => {
  it('a live progress line on a TTY stderr, cleared before the summary; none with --no-progress', async () => {
    const file = tmp('progress.jsonl', '{"task_id":"a","passed":true}\n'.repeat(10));
    const collect = async (args: string[]) => {
      let err = '';
      const code = await runEval(args, { stdout: () => undefined, stderr: (t) => void (err += t), stderrIsTTY: true });
      return { code, err };
    };
    const on = await collect([file, '--k', '1']);
    expect(on.code).toBe(0);
    expect(on.err).toMatch(/^\r\x1b\[K.*progress\.jsonl: \d+ lines, 0 MB\r\x1b\[Kread 10 lines/);
    const off = await collect([file, '--k', '1', '--no-progress']);
    expect(off.err).toMatch(/^read 10 lines/);
  });

  it('--per-task writes one row per task and metric column (CSV and JSONL)', async () => {
    const csv = join(dir, 'per-task.csv');
    const r = await run([`${FIX}/samples.jsonl_results.jsonl`, '--k', '1,2', '--per-task', csv]);
    expect(r.code).toBe(0);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('file,task,n,reward_sum,pass@1,pass@2,pass^1,pass^2');
    const cells = rows[1]!.split(',');
    expect(cells.slice(0, 7)).toEqual([`${FIX}/samples.jsonl_results.jsonl`, 'HumanEval/0', '5', '2', '0.4', '0.7', '0.4']);
    expect(Number(cells[7])).toBeCloseTo(0.1, 15); // C(2,2)/C(5,2)
    expect(rows).toHaveLength(4);
    const jsonl = join(dir, 'per-task.jsonl');
    await run([`${FIX}/samples.jsonl_results.jsonl`, '--k', '2', '--per-task', jsonl]);
    const first = JSON.parse(readFileSync(jsonl, 'utf8').split('\n')[0]!) as Record<string, unknown>;
    expect(first).toEqual({ file: `${FIX}/samples.jsonl_results.jsonl`, task: 'HumanEval/0', n: 5, reward_sum: 2, 'pass@2': 0.7, 'pass^2': expect.closeTo(0.1, 15) });
  });

  it('--require-all reports a k only when every task has n ≥ k (human-eval / EvalPlus rule)', async () => {
    const lines = [...Array(6)].map((_, i) => JSON.stringify({ task_id: 'a', passed: i < 2 })).concat([...Array(3)].map(() => JSON.stringify({ task_id: 'b', passed: true })));
    const file = tmp('ragged.jsonl', lines.join('\n'));
    const [subsets] = await tables([file, '--k', '1,3,5']);
    expect(subsets!.metrics.pass!.map((r) => r.tasks)).toEqual([2, 2, 1]);
    const [all] = await tables([file, '--k', '1,3,5', '--require-all']);
    expect(all!.kRule).toBe('require-all');
    expect(values(all!, 'pass')?.[2]).toBeNull();
    expect(values(all!, 'pass')?.[1]).toBeCloseTo((1 - 4 / 20 + 1) / 2, 15);
    const text = await run([file, '--k', '5', '--require-all']);
    expect(text.out).toContain('—: not reported, some tasks have n < k (--require-all reports a k only when every task has n ≥ k)');
  });

  it('--ci 0.95 gives the Wilson interval with the effective number of tasks, and names the method', async () => {
    const [t] = await tables([`${FIX}/samples.jsonl_results.jsonl`, '--k', '1', '--ci', '0.95']);
    const row = t!.metrics.pass![0]!;
    // Per-task pass@1: 0.4, 0, 0.8 → mean 0.4, s = 0.4, se = 0.4/√3; m* = 0.4·0.6/se² = 4.5;
    // z = t(0.975, 2) = 4.302652729911275; Wilson: (μ + z²/2m*)/(1 + z²/m*) ± z/(1 + z²/m*)·√(μ(1−μ)/m* + z²/4m*²).
    const se = 0.4 / Math.sqrt(3);
    const m = (0.4 * 0.6) / se ** 2;
    const z = 4.302652729911275;
    const center = (0.4 + (z * z) / (2 * m)) / (1 + (z * z) / m);
    const half = (z / (1 + (z * z) / m)) * Math.sqrt((0.4 * 0.6) / m + (z * z) / (4 * m * m));
    expect(row.ci!.stderr).toBeCloseTo(se, 14);
    expect(row.ci!.lower).toBeCloseTo(center - half, 10);
    expect(row.ci!.upper).toBeCloseTo(center + half, 10);
    expect(t!.ci!.method).toMatch(/^Wilson score interval over tasks/);
  });
});
