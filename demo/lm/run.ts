/**
 * `npm run demo -- --lm`: the language-model demo (docs/demo.md, "The language-model demo"). Pretrains a
 * small transformer on a synthetic arithmetic corpus, fine-tunes it from that checkpoint under each
 * objective, evaluates every fine-tuned model on held-out prompts with the library's unbiased
 * estimators, and prints (or writes) the table and figures. `--lm --help` lists the flags.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { intFlag } from '../shared.js';
import { setupTfjs } from './backend.js';
import { BON_SFT_LABEL, bonSftUpdate } from './bon-sft.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { LM_CONFIG, TinyLM, parameterCount, type Checkpoint } from './model.js';
import { OBJECTIVES } from './objectives.js';
import { fineTune, ppoUpdate, type PpoConfig, type RunResult } from './ppo.js';
import { pretrain } from './pretrain.js';
import { progressBar, summarise, writeDocs, writeFigures, markdownTable, type Summary } from './report.js';
import { mulberry32 } from './rng.js';
import { splitPrompts } from './task.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const LM_HELP = `Usage: npm run demo -- --lm [options]

Pretrains a small causal transformer (tfjs, ≈ 45k parameters) on a synthetic arithmetic corpus, then
fine-tunes it with PPO + KL from the same checkpoint for mean reward (GRPO, RLOO), pass@k, maj@k,
best-of-N with a biased verifier, a pass@1 + pass@k mixture, and BoN-SFT from expert demonstrations.
Evaluates on held-out prompts with the library's unbiased estimators. See docs/demo.md.

Options:
  --quick          small run for tests: 1 seed, a shorter pretraining and fine-tuning, RLOO and pass@k only;
                   writes no figures
  --seed <s>       first seed (default 1); seeds s, s+1, … are used
  --seeds <m>      number of seeds (default 3, quick 1)
  --steps <t>      fine-tuning steps per run (default 50, quick 40)
  --only <ids>     comma-separated objectives: grpo,rloo,passk,maj,bon,mix,bonsft
  --workers <w>    seeds run in up to w parallel processes (default 3, quick 1); same numbers
  --cpu            use the tfjs cpu backend instead of wasm
  --json           print the results as JSON instead of the table
  --no-figures     do not write the SVG figures into docs/figures/
  --write-docs     write the table into docs/demo.md (between the demo-lm:results markers)
  -h, --help       this text`;

export interface LmOptions {
  quick: boolean;
  seed: number;
  seeds: number;
  steps: number;
  only: string[] | undefined;
  backend: 'wasm' | 'cpu';
  workers: number;
  /** Internal: run one seed and print its raw result (used by the parallel runner). */
  worker: boolean;
  json: boolean;
  figures: boolean;
  writeDocs: boolean;
}

export const ROW_IDS = ['grpo', 'rloo', 'passk', 'maj', 'bon', 'mix', 'bonsft'] as const;
const QUICK_ROWS = ['rloo', 'passk'];

export function parseLmArgs(argv: string[]): LmOptions | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      steps: { type: 'string' },
      only: { type: 'string' },
      cpu: { type: 'boolean' },
      workers: { type: 'string' },
      worker: { type: 'boolean' },
      json: { type: 'boolean' },
      'no-figures': { type: 'boolean' },
      'write-docs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help === true) return 'help';
  const quick = v.quick === true;
  let only: string[] | undefined = quick ? QUICK_ROWS : undefined;
  if (v.only !== undefined) {
    only = v.only.split(',').filter((s) => s.length > 0);
    for (const id of only) {
      if (!(ROW_IDS as readonly string[]).includes(id)) throw new Error(`--only: unknown objective ${JSON.stringify(id)} (known: ${ROW_IDS.join(', ')})`);
    }
  }
  return {
    quick,
    seed: intFlag('seed', v.seed, 1, 0),
    seeds: intFlag('seeds', v.seeds, quick ? 1 : 3, 1),
    steps: intFlag('steps', v.steps, quick ? 40 : 50, 1),
    only,
    backend: v.cpu === true ? 'cpu' : 'wasm',
    workers: intFlag('workers', v.workers, quick ? 1 : 3, 1),
    worker: v.worker === true,
    json: v.json === true,
    figures: v['no-figures'] !== true && !quick,
    writeDocs: v['write-docs'] === true,
  };
}

/** Everything that sets the size of a run. */
export interface LmConfig {
  pretrainSteps: number;
  pretrainBatch: number;
  pretrainLearningRate: number;
  testPairs: number;
  ppo: PpoConfig;
}

export function lmConfig(opts: Pick<LmOptions, 'quick' | 'steps'>): LmConfig {
  return {
    pretrainSteps: opts.quick ? 500 : 600,
    pretrainBatch: 64,
    pretrainLearningRate: 3e-3,
    testPairs: 24,
    ppo: {
      steps: opts.steps,
      promptsPerStep: 8,
      samplesPerPrompt: 16,
      k: 8,
      epochs: 2,
      learningRate: 5e-4,
      clipEpsilon: 0.2,
      klCoef: 0.05,
      evalEvery: Math.max(1, Math.round(opts.steps / 4)),
      curveSamples: 16,
      finalSamples: 32,
    },
  };
}

export interface LmResult {
  backend: string;
  parameters: number;
  k: number;
  seeds: number[];
  steps: number;
  seconds: number;
  /** Peak RSS of this process. */
  maxRssMB: number;
  /** Peak RSS of each seed's process when seeds ran in parallel (empty otherwise). */
  workerRssMB: number[];
  /** CPU seconds of this process and every seed's process: the run's work, whatever the machine's load. */
  cpuSeconds: number;
  loadAverage: number[];
  summaries: Summary[];
  runs: Record<string, Evaluation[]>;
  curves: Record<string, RunResult['curve'][]>;
}

interface Row {
  id: string;
  label: string;
  run: (base: Checkpoint, seed: number, split: ReturnType<typeof splitPrompts>, cfg: PpoConfig) => RunResult;
}

function rows(): Row[] {
  const rl: Row[] = OBJECTIVES.map((o) => ({
    id: o.id,
    label: o.label,
    run: (base, seed, split, cfg) => fineTune(LM_CONFIG, base, o.label, split.train, split.test, seed, cfg, ppoUpdate(o, cfg)),
  }));
  rl.push({
    id: 'bonsft',
    label: BON_SFT_LABEL,
    run: (base, seed, split, cfg) =>
      fineTune(LM_CONFIG, base, BON_SFT_LABEL, split.train, split.test, seed, cfg, bonSftUpdate(cfg, mulberry32(seed * 7 + 3))),
  });
  return rl;
}

/** One seed, in this process: pretraining, the base model's evaluation and every selected row. */
interface SeedResult {
  backend: string;
  parameters: number;
  base: Evaluation;
  runs: [string, RunResult][];
  /** Peak RSS of the child process that ran this seed (parallel runs only). */
  maxRssMB?: number;
  /** CPU seconds (user + system) of the child process that ran this seed (parallel runs only). */
  cpuSeconds?: number;
}

async function runSeed(opts: LmOptions, seed: number, tick: (label: string) => void, log: (s: string) => void): Promise<SeedResult> {
  const backend = await setupTfjs(opts.backend, (m) => log(`${m}\n`));
  const cfg = lmConfig(opts);
  const selected = rows().filter((r) => opts.only === undefined || opts.only.includes(r.id));
  const ckpt = pretrain(LM_CONFIG, seed, {
    steps: cfg.pretrainSteps,
    batch: cfg.pretrainBatch,
    learningRate: cfg.pretrainLearningRate,
    onStep: (step) => tick(`pretraining, seed ${seed}, step ${step}/${cfg.pretrainSteps}`),
  });
  const split = splitPrompts(mulberry32(seed * 7_777 + 1), cfg.testPairs);
  const baseModel = new TinyLM(LM_CONFIG, ckpt, false);
  const base = evaluate(baseModel, baseModel, split.test, cfg.ppo.finalSamples, cfg.ppo.k, mulberry32(seed * 131 + 7));
  baseModel.dispose();
  const runs: [string, RunResult][] = [];
  for (const row of selected) {
    runs.push([row.label, row.run(ckpt, seed, split, { ...cfg.ppo, onStep: (step) => tick(`${row.label}, seed ${seed}, step ${step}/${cfg.ppo.steps}`) })]);
  }
  return { backend, parameters: parameterCount(ckpt), base, runs };
}

const TICK = '@@lm-tick ';

/** Runs one seed in a child process (`--worker`), forwarding its progress ticks; resolves to its result. */
function runSeedInChild(opts: LmOptions, seed: number, tick: (label: string) => void): Promise<SeedResult> {
  const args = ['--import', 'tsx', join(ROOT, 'scripts', 'demo.ts'), '--lm', '--worker', '--seed', String(seed), '--steps', String(opts.steps)];
  if (opts.quick) args.push('--quick');
  if (opts.only !== undefined) args.push('--only', opts.only.join(','));
  if (opts.backend === 'cpu') args.push('--cpu');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errBuf = '';
    let errText = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      errBuf += d;
      let nl: number;
      while ((nl = errBuf.indexOf('\n')) >= 0) {
        const line = errBuf.slice(0, nl);
        errBuf = errBuf.slice(nl + 1);
        if (line.startsWith(TICK)) tick(line.slice(TICK.length));
        else errText += `${line}\n`;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`seed ${seed} failed (exit ${code}):\n${errText}`));
      else {
        if (errText.length > 0) process.stderr.write(errText);
        resolve(JSON.parse(out) as SeedResult);
      }
    });
  });
}

export async function runLm(opts: LmOptions, log: (s: string) => void = (s) => process.stderr.write(s)): Promise<LmResult> {
  const started = Date.now();
  const cfg = lmConfig(opts);
  const seeds = Array.from({ length: opts.seeds }, (_, i) => opts.seed + i);
  const selected = rows().filter((r) => opts.only === undefined || opts.only.includes(r.id));
  const total = seeds.length * (cfg.pretrainSteps + selected.length * cfg.ppo.steps);
  const bar = progressBar(total, process.stderr.isTTY === true, log);
  const perSeed: SeedResult[] = new Array<SeedResult>(seeds.length);
  if (opts.workers <= 1 || seeds.length === 1) {
    for (const [i, seed] of seeds.entries()) perSeed[i] = await runSeed(opts, seed, bar.tick, log);
  } else {
    // Seeds are independent (each has its own streams), so they run in parallel processes: the same
    // numbers as in one process, in less wall time on a multi-core machine.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < seeds.length) {
        const i = next++;
        perSeed[i] = await runSeedInChild(opts, seeds[i] as number, bar.tick);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.workers, seeds.length) }, worker));
  }
  bar.done();
  const seconds = (Date.now() - started) / 1000;
  const results = new Map<string, RunResult[]>();
  for (const s of perSeed) for (const [label, run] of s.runs) results.set(label, [...(results.get(label) ?? []), run]);
  const base = perSeed.map((s) => s.base);
  return {
    backend: perSeed[0]?.backend ?? 'none',
    parameters: perSeed[0]?.parameters ?? 0,
    k: cfg.ppo.k,
    seeds,
    steps: cfg.ppo.steps,
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    workerRssMB: perSeed.map((s) => s.maxRssMB ?? Number.NaN).filter(Number.isFinite),
    cpuSeconds: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e6 + perSeed.reduce((a, s) => a + (s.cpuSeconds ?? 0), 0),
    loadAverage: loadavg(),
    summaries: [summarise('base model (pretrained)', base), ...[...results].map(([label, runs]) => summarise(label, runs.map((r) => r.final)))],
    runs: Object.fromEntries([['base model (pretrained)', base], ...[...results].map(([label, runs]) => [label, runs.map((r) => r.final)])]),
    curves: Object.fromEntries([...results].map(([label, runs]) => [label, runs.map((r) => r.curve)])),
  };
}

/** Peak memory in words: this process, and each seed's process when they ran in parallel. */
export function rssText(r: LmResult): string {
  const workers = r.workerRssMB.length === 0 ? '' : ` (parent) + ${r.workerRssMB.map((x) => x.toFixed(0)).join(' / ')} MB (one process per seed, in parallel)`;
  return `peak RSS ${r.maxRssMB.toFixed(0)} MB${workers}`;
}

export async function runLmDemo(argv: string[]): Promise<number> {
  let opts: LmOptions | 'help';
  try {
    opts = parseLmArgs(argv);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${LM_HELP}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${LM_HELP}\n`);
    return 0;
  }
  if (opts.worker) {
    const result = await runSeed(opts, opts.seed, (label) => process.stderr.write(`${TICK}${label}\n`), (m) => process.stderr.write(m));
    // Peak RSS of this process, for the parent's report.
    const usage = process.resourceUsage();
    process.stdout.write(`${JSON.stringify({ ...result, maxRssMB: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 })}\n`);
    return 0;
  }
  const result = await runLm(opts);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  const table = markdownTable(result);
  process.stdout.write(`\n${table}\n`);
  if (opts.figures) for (const f of writeFigures(result)) process.stdout.write(`wrote ${f}\n`);
  if (opts.writeDocs) {
    writeDocs(table, opts, result);
    process.stdout.write('wrote the table into docs/demo.md\n');
  }
  process.stdout.write(
    `done in ${result.seconds.toFixed(1)} s (${result.cpuSeconds.toFixed(0)} CPU-seconds) on the tfjs ${result.backend} backend; ${rssText(result)}; load average ${result.loadAverage.map((x) => x.toFixed(2)).join(' ')}\n`,
  );
  return 0;
}
