/**
 * `npm pack` from a clean checkout: the committed tree (`git archive HEAD`, so no dist/ and nothing
 * uncommitted) packs into a tarball that contains the build, because `prepack` runs `npm run build`.
 * The tarball is installed into an empty project and every entry is loaded there: the root (ESM and
 * CJS), /tfjs, /eval, and the `inference-aware-rl` bin (--version, eval on stdin).
 *
 * The checkout's node_modules is a symlink to this repository's (nothing is downloaded); the build
 * runs once in the checkout, not in this worktree, so it never touches the dist/ other tests use.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './dist.js';

const PKG = 'inference-aware-rl';
let tmp: string;
let checkout: string;
let project: string;
let files: string[];
let version: string;

function run(cmd: string, args: string[], cwd: string, input?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, ...(input !== undefined ? { input } : {}) });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'iarl-clone-'));
  checkout = join(tmp, 'checkout');
  mkdirSync(checkout);
  // The committed tree only: what a fresh `git clone` holds.
  const archive = execFileSync('git', ['archive', '--format=tar', 'HEAD'], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', checkout], { input: archive });
  expect(existsSync(join(checkout, 'dist'))).toBe(false);
  symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'), 'dir');
  // stdout holds the prepack build's output, then the JSON report of npm pack.
  const stdout = run('npm', ['pack', '--json', '--pack-destination', tmp], checkout);
  const at = stdout.search(/^\[\s*\{\s*"id"/m);
  expect(at, stdout).toBeGreaterThanOrEqual(0);
  const packed = JSON.parse(stdout.slice(at)) as { filename: string; files: { path: string }[] }[];
  files = packed[0]!.files.map((f) => f.path);
  version = (JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as { version: string }).version;
  project = join(tmp, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', join(tmp, packed[0]!.filename)], project);
  symlinkSync(join(root, 'node_modules', '@tensorflow'), join(project, 'node_modules', '@tensorflow'), 'dir');
}, 600_000);

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('npm pack from a clean checkout', () => {
  it('runs prepack (the build): the tarball holds dist/ for every entry and the bin', () => {
    for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/tfjs.js', 'dist/eval.js', 'dist/eval.cjs', 'dist/eval.d.ts', 'dist/cli.js', 'eval/package.json', 'dist/backends.js', 'dist/backends.cjs', 'backends/package.json']) {
      expect(files, f).toContain(f);
    }
  });

  it('installs into an empty project where the root, /tfjs and /eval load (ESM and CJS)', () => {
    const esm = `
      const root = await import('${PKG}');
      const ev = await import('${PKG}/eval');
      const tf = await import('@tensorflow/tfjs-core');
      await import('@tensorflow/tfjs-backend-cpu');
      await tf.ready();
      const tfjs = await import('${PKG}/tfjs');
      const w = tfjs.passAtKWeights(tf.tensor2d([[1, 0, 0, 1]]), 2, { baseline: 'loo' });
      console.log(JSON.stringify({
        pass: root.passAtK(8, 2, 4),
        trials: ev.trialsPassAtK([true, false, false, true, false], 2).value,
        weights: Array.from(w.dataSync()),
        js: Array.from(root.passAtKAdvantage([1, 0, 0, 1], 2, { baseline: 'loo' })),
      }));`;
    const out = JSON.parse(run(process.execPath, ['--input-type=module', '-e', esm], project)) as { pass: number; trials: number; weights: number[]; js: number[] };
    expect(out.pass).toBeCloseTo(1 - 15 / 70, 15);
    expect(out.trials).toBeCloseTo(0.7, 15);
    out.weights.forEach((x, i) => expect(x).toBeCloseTo(out.js[i]!, 6));
    const cjs = `const ev = require('${PKG}/eval'); const root = require('${PKG}'); console.log(ev.trialsPassHatK([1, 1, 0, 1], 2).value, typeof root.passAtK);`;
    expect(run(process.execPath, ['-e', cjs], project).trim()).toBe('0.5 function');
  });

  it('installs the bin: --version and eval on stdin', () => {
    const bin = join(project, 'node_modules', '.bin', PKG);
    expect(run(bin, ['--version'], project)).toBe(`${version}\n`);
    const out = run(bin, ['eval', '-', '--k', '1'], project, '{"task_id":"a","passed":true}\n{"task_id":"a","passed":false}\n');
    expect(out).toMatch(/^1\s+0\.5000/m);
  });
});
