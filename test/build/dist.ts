/**
 * Shared by the build tests (package, size, browser): make sure dist/ holds a build of the current
 * sources, building it at most once per test run.
 *
 * Why not a `pretest` script: CI already runs `npm run build` (wasm + tsup) right before `npm test`, so
 * a pretest hook would build twice; and `npx vitest run test/build/…` would not trigger it. Why not a
 * vitest globalSetup: it would run for every vitest invocation, including a single unit-test file, and
 * rebuild dist/ under the feet of whoever else is using it. Here only the tests that need the built
 * package pay for it, and a fresh dist/ (newer than every build input) is reused as is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');
export const dist = join(root, 'dist');

/** Files whose change makes dist/ stale. */
const INPUT_FILES = ['package.json', 'tsup.config.ts', 'tsconfig.json'];
/** Directories of build inputs (TypeScript sources, and wherever the wasm sources live if present). */
const INPUT_DIRS = ['src', 'assembly', 'asm', 'wasm'];
/** The files every build must produce: both formats and both type declarations of the root entry. */
const OUTPUTS = ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts'];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when every output exists and is newer than every input. */
export function distIsFresh(): boolean {
  const outputs = OUTPUTS.map((f) => join(dist, f));
  if (!outputs.every((f) => existsSync(f))) return false;
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const inputs = [...INPUT_FILES, ...INPUT_DIRS].map((f) => join(root, f)).filter((f) => existsSync(f));
  return Math.max(...inputs.map(newestMtime)) < oldestOutput;
}

const lockDir = join(root, 'node_modules', '.cache', 'inference-aware-rl-build.lock');

/**
 * Builds with `npm run build` unless dist/ is fresh. Test files run in parallel workers, so a lock
 * directory (mkdir is atomic) makes the others wait for the one that builds.
 */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock older than the deadline is left over from a killed run.
      const lock = statSync(lockDir, { throwIfNoEntry: false });
      if (lock !== undefined && Date.now() - lock.mtimeMs > 5 * 60_000) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lockDir}`);
      await sleep(250);
    }
  }
  try {
    if (!distIsFresh()) {
      execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    }
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
