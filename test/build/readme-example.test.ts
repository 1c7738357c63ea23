/**
 * The README's first example is scripts/readme-example.ts verbatim (but for the import path and its first comment line), and running
 * that script prints exactly the output the README shows under it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './dist.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const example = /## Example\n\n```ts\n([\s\S]*?)```\n\nprints[^\n]*\n\n```\n([\s\S]*?)```/.exec(readme);

describe('README example', () => {
  it('is scripts/readme-example.ts, and makes the wasm backend the default in its first statement', () => {
    expect(example).not.toBeNull();
    const script = readFileSync(join(root, 'scripts/readme-example.ts'), 'utf8')
      .replace(/^\/\/ The README's example[^\n]*\n/, '')
      .replace("'../src/index.js'", "'inference-aware-rl'");
    expect(script.trim()).toBe(example![1]!.trim());
    expect(example![1]).toMatch(/\nawait loadWasmBackend\(\{ setDefault: true \}\);/);
  });

  it('prints what the README shows', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/readme-example.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(example![2]!.trim());
  });
});
