/**
 * The one benchmark harness. Warms up every case of a group, then times several samples of each
 * (round-robin over the cases, each sample a batch of iterations) and reports the median time per
 * iteration, its spread and the ratio to the group's baseline case. Every iteration's result is
 * consumed (by `check`, and always by a checksum) so the JIT cannot delete the work. Prints a markdown
 * table per group and writes `bench/results/<name>.json`. How to read the output: docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

/** One thing to time. */
export interface BenchCase {
  name: string;
  /** Runs the work once and returns its result (consumed by the harness). */
  fn: () => unknown;
  /**
   * The case returns a Promise (e.g. a worker-pool call): each iteration awaits it before the next
   * starts, and `check` gets the resolved value. Synchronous cases are timed without any await.
   */
  async?: boolean;
  /** Validates the result; runs inside the timed loop on every iteration. Throw to fail the bench. */
  check?: (result: unknown) => void;
  /** Bytes one iteration moves (input + output); gives a GB/s column. Overrides the group's. */
  bytes?: number;
  /** Elements one iteration processes; gives a Melem/s column. Overrides the group's. */
  elements?: number;
  /** A short remark printed under the table. */
  note?: string;
}

/** Cases compared against one another; ratios are relative to the `baseline` case. */
export interface BenchGroup {
  title: string;
  /** Name of the case the others are compared to. */
  baseline: string;
  cases: BenchCase[];
  /** Default `bytes` for every case of the group. */
  bytes?: number;
  /** Default `elements` for every case of the group. */
  elements?: number;
}

/** Options of {@link runBench}. */
export interface BenchOptions {
  /**
   * Smoke-test mode: one warm-up iteration, two samples of one iteration each.
   * @defaultValue `false`
   */
  quick?: boolean;
  /**
   * Where `<name>.json` (`<name>.quick.json` in quick mode) is written.
   * @defaultValue `bench/results`
   */
  outDir?: string;
  /**
   * Print the markdown tables to stdout.
   * @defaultValue `true`
   */
  print?: boolean;
  /**
   * Samples per case (fewer, but at least `minSamples`, when one iteration is too slow for `maxCaseMs`).
   * @defaultValue `9` (`2` in quick mode)
   */
  samples?: number;
  /**
   * Floor on the samples of a slow case, even if it overruns `maxCaseMs`.
   * @defaultValue `3` (`1` in quick mode)
   */
  minSamples?: number;
  /**
   * Warm-up time per case (at least one iteration).
   * @defaultValue `200`
   */
  warmupMs?: number;
  /**
   * Time budget of the timed samples of one case.
   * @defaultValue `2500`
   */
  maxCaseMs?: number;
}

/** Statistics of one case, per iteration, in milliseconds. */
export interface CaseResult {
  name: string;
  samples: number;
  iterationsPerSample: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  q1Ms: number;
  q3Ms: number;
  /** Median absolute deviation divided by the median. */
  relMad: number;
  /** median / baseline median: 2 means twice as slow as the baseline, 0.5 twice as fast. */
  ratio: number;
  /** baseline median / median: how many times faster than the baseline. */
  speedup: number;
  bytes?: number;
  elements?: number;
  gbPerS?: number;
  melemPerS?: number;
  note?: string;
  /** Every sample's per-iteration time, in order. */
  sampleMs: number[];
}

export interface GroupResult {
  title: string;
  baseline: string;
  cases: CaseResult[];
  markdown: string;
}

export interface MachineInfo {
  node: string;
  platform: string;
  release: string;
  arch: string;
  cpu: string;
  cores: number;
  totalMemGiB: number;
  loadAvg: number[];
  date: string;
  gitCommit: string | null;
}

export interface BenchReport {
  name: string;
  quick: boolean;
  machine: MachineInfo;
  settings: { samples: number; minSamples: number; warmupMs: number; maxCaseMs: number };
  groups: GroupResult[];
  /** Sum of every result this run consumed; printed so nothing is dead code. */
  checksum: number;
  file: string;
}

const DEFAULT_OUT_DIR = fileURLToPath(new URL('./results/', import.meta.url));

let sink = 0;

/** Folds a result into the checksum cheaply (a few reads), so the work that made it must happen. */
function consume(result: unknown): void {
  if (typeof result === 'number') {
    sink += result;
  } else if (ArrayBuffer.isView(result) && 'length' in result) {
    const a = result as unknown as ArrayLike<number | bigint>;
    const n = a.length;
    if (n > 0) sink += Number(a[0]) + Number(a[n >> 1]) + Number(a[n - 1]) + n;
  } else if (Array.isArray(result)) {
    sink += result.length;
  } else if (result !== undefined && result !== null) {
    sink += 1;
  }
}

/** Runs `iterations` calls of the case and returns the elapsed milliseconds. */
function timeBatch(c: BenchCase, iterations: number): number | Promise<number> {
  if (c.async === true) return timeAsyncBatch(c, iterations);
  const { fn, check } = c;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = fn();
    if (check !== undefined) check(r);
    consume(r);
  }
  return performance.now() - t0;
}

/** {@link timeBatch} for a case that returns a Promise: one call in flight at a time. */
async function timeAsyncBatch(c: BenchCase, iterations: number): Promise<number> {
  const { fn, check } = c;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = await fn();
    if (check !== undefined) check(r);
    consume(r);
  }
  return performance.now() - t0;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

interface Settings {
  samples: number;
  minSamples: number;
  warmupMs: number;
  maxCaseMs: number;
  quick: boolean;
}

interface Plan {
  samples: number;
  iterationsPerSample: number;
}

/** Warms a case up and sizes its samples. */
async function calibrate(c: BenchCase, s: Settings): Promise<Plan> {
  if (s.quick) {
    await timeBatch(c, 1);
    return { samples: s.samples, iterationsPerSample: 1 };
  }
  // Warm-up doubles the batch until warmupMs is spent, which also measures the cost per iteration.
  // At least one batch runs, so warmupMs: 0 still measures the cost per iteration (no 0/0).
  let spent = 0;
  let done = 0;
  let batch = 1;
  while (done === 0 || spent < s.warmupMs) {
    spent += await timeBatch(c, batch);
    done += batch;
    batch *= 2;
  }
  const perIteration = spent / done;
  const perSample = s.maxCaseMs / s.samples;
  if (perIteration > perSample) {
    return { samples: Math.max(s.minSamples, Math.min(s.samples, Math.floor(s.maxCaseMs / perIteration))), iterationsPerSample: 1 };
  }
  return { samples: s.samples, iterationsPerSample: Math.max(1, Math.floor(perSample / perIteration)) };
}

function summarise(name: string, plan: Plan, sampleMs: number[]): Omit<CaseResult, 'ratio' | 'speedup'> {
  const sorted = [...sampleMs].sort((a, b) => a - b);
  const medianMs = quantile(sorted, 0.5);
  const deviations = sorted.map((x) => Math.abs(x - medianMs)).sort((a, b) => a - b);
  return {
    name,
    samples: plan.samples,
    iterationsPerSample: plan.iterationsPerSample,
    medianMs,
    minMs: sorted[0] as number,
    maxMs: sorted[sorted.length - 1] as number,
    q1Ms: quantile(sorted, 0.25),
    q3Ms: quantile(sorted, 0.75),
    relMad: medianMs > 0 ? quantile(deviations, 0.5) / medianMs : 0,
    sampleMs,
  };
}

/**
 * Samples the cases of a group round-robin (sample 1 of every case, then sample 2, …) rather than case
 * after case, so a change in machine load during the group hits every case alike and the ratios
 * stay meaningful on a shared machine.
 */
async function measureGroup(cases: BenchCase[], s: Settings): Promise<Omit<CaseResult, 'ratio' | 'speedup'>[]> {
  const plans: Plan[] = [];
  for (const c of cases) plans.push(await calibrate(c, s));
  const samples: number[][] = cases.map(() => []);
  const rounds = Math.max(...plans.map((p) => p.samples));
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      const plan = plans[i] as Plan;
      if (round < plan.samples) (samples[i] as number[]).push((await timeBatch(c, plan.iterationsPerSample)) / plan.iterationsPerSample);
    }
  }
  return cases.map((c, i) => summarise(c.name, plans[i] as Plan, samples[i] as number[]));
}

function fmtMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(3);
}

function fmtRatio(r: number): string {
  return `${r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

function markdownTable(g: { title: string; baseline: string; cases: CaseResult[] }): string {
  const hasGb = g.cases.some((c) => c.gbPerS !== undefined);
  const hasMelem = g.cases.some((c) => c.melemPerS !== undefined);
  const head = ['case', 'median ms', 'min–max ms', '±MAD', ...(hasMelem ? ['Melem/s'] : []), ...(hasGb ? ['GB/s'] : []), `time ÷ ${g.baseline}`];
  const lines = [`### ${g.title}`, '', `| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  const notes: string[] = [];
  for (const c of g.cases) {
    const row = [
      c.name === g.baseline ? `**${c.name}**` : c.name,
      fmtMs(c.medianMs),
      `${fmtMs(c.minMs)}–${fmtMs(c.maxMs)}`,
      `${(c.relMad * 100).toFixed(1)}%`,
      ...(hasMelem ? [c.melemPerS === undefined ? '' : c.melemPerS.toFixed(0)] : []),
      ...(hasGb ? [c.gbPerS === undefined ? '' : c.gbPerS.toFixed(2)] : []),
      fmtRatio(c.ratio),
    ];
    lines.push(`| ${row.join(' | ')} |`);
    if (c.note !== undefined) notes.push(`- ${c.name}: ${c.note}`);
  }
  const sampleInfo = g.cases.map((c) => `${c.name} ${c.samples}×${c.iterationsPerSample}`).join(', ');
  lines.push('', `samples × iterations: ${sampleInfo}`);
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Node version, OS, CPU, memory, load, date and git commit of this run. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAvg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
    gitCommit: gitCommit(),
  };
}

/**
 * Times every case of every group, prints a markdown table per group and writes
 * `<outDir>/<name>.json`. Never asserts speed; a failing `check` rejects.
 *
 * @example
 * ```ts
 * await runBench('copy', [{ title: 'copy 1e6', baseline: 'set', bytes: 16e6, cases: [
 *   { name: 'set', fn: () => (dst.set(src), dst) },
 *   { name: 'loop', fn: () => { for (let i = 0; i < n; i++) dst[i] = src[i]; return dst; } },
 * ] }], { quick });
 * ```
 */
export async function runBench(name: string, groups: BenchGroup[], opts: BenchOptions = {}): Promise<BenchReport> {
  const quick = opts.quick ?? false;
  const settings: Settings = {
    quick,
    samples: opts.samples ?? (quick ? 2 : 9),
    minSamples: opts.minSamples ?? (quick ? 1 : 3),
    warmupMs: opts.warmupMs ?? 200,
    maxCaseMs: opts.maxCaseMs ?? 2500,
  };
  const print = opts.print ?? true;
  const machine = machineInfo();
  const sinkAtStart = sink;
  if (print) {
    console.log(`\n## ${name}${quick ? ' (quick)' : ''}\n`);
    console.log(`node ${machine.node}, ${machine.platform} ${machine.arch}, ${machine.cpu} × ${machine.cores}, load ${machine.loadAvg.join(' ')}\n`);
  }
  const results: GroupResult[] = [];
  for (const g of groups) {
    if (!g.cases.some((c) => c.name === g.baseline)) {
      throw new Error(`bench ${name}: group "${g.title}" has no case named its baseline "${g.baseline}"`);
    }
    const measured = await measureGroup(g.cases, settings);
    const base = measured.find((m) => m.name === g.baseline) as { medianMs: number };
    const cases: CaseResult[] = measured.map((m, i) => {
      const c = g.cases[i] as BenchCase;
      const bytes = c.bytes ?? g.bytes;
      const elements = c.elements ?? g.elements;
      const r: CaseResult = { ...m, ratio: m.medianMs / base.medianMs, speedup: base.medianMs / m.medianMs };
      if (bytes !== undefined) {
        r.bytes = bytes;
        r.gbPerS = bytes / (m.medianMs * 1e6);
      }
      if (elements !== undefined) {
        r.elements = elements;
        r.melemPerS = elements / (m.medianMs * 1e3);
      }
      if (c.note !== undefined) r.note = c.note;
      return r;
    });
    const markdown = markdownTable({ title: g.title, baseline: g.baseline, cases });
    if (print) console.log(`${markdown}\n`);
    results.push({ title: g.title, baseline: g.baseline, cases, markdown });
  }
  const outDir = opts.outDir ?? DEFAULT_OUT_DIR;
  mkdirSync(outDir, { recursive: true });
  // A smoke run must not overwrite the recorded numbers.
  const file = join(outDir, quick ? `${name}.quick.json` : `${name}.json`);
  const report: BenchReport = {
    name,
    quick,
    machine,
    settings: { samples: settings.samples, minSamples: settings.minSamples, warmupMs: settings.warmupMs, maxCaseMs: settings.maxCaseMs },
    groups: results,
    checksum: sink - sinkAtStart,
    file,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  if (print) console.log(`checksum ${report.checksum}; wrote ${file}`);
  return report;
}

/**
 * One line per group: how many times the memory floor the `base` case takes, and how many times slower
 * the `reference` case is than `base`. Groups lacking one of the three cases are skipped.
 */
export function floorAndReferenceSummary(
  report: BenchReport,
  names: { base: string; floor: string; reference: string },
): string {
  const lines: string[] = [];
  for (const g of report.groups) {
    const base = g.cases.find((c) => c.name === names.base);
    const floor = g.cases.find((c) => c.name === names.floor);
    const ref = g.cases.find((c) => c.name === names.reference);
    if (base === undefined || floor === undefined || ref === undefined) continue;
    lines.push(
      `- ${g.title}: ${names.base} takes ${(base.medianMs / floor.medianMs).toFixed(2)}× the memory floor; ` +
        `the O(n²) reference takes ${(ref.medianMs / base.medianMs).toFixed(1)}× ${names.base}`,
    );
  }
  return lines.join('\n');
}

/** Name of the case {@link memcpyFloor} returns: the memory floor every kernel is measured against. */
export const MEMCPY_FLOOR = 'memory floor (Float64Array.set)';

/**
 * The memory floor of a workload: a `Float64Array.prototype.set` of `source` into a buffer of the same
 * length (the same bytes a kernel must at least read once and write once), as a case to put in the
 * same group, so every ratio to it is measured in the same run.
 */
export function memcpyFloor(source: Float64Array): BenchCase {
  const dst = new Float64Array(source.length);
  const last = source.length - 1;
  return {
    name: MEMCPY_FLOOR,
    fn: () => (dst.set(source), dst),
    check: (r) => {
      if (last >= 0 && (r as Float64Array)[last] !== source[last]) throw new Error('floor copy wrong');
    },
  };
}
