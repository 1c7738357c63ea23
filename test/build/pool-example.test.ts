/**
 * docs/examples/pool.mjs, the runnable example of docs/pool.md, run against the built package (it
 * imports `inference-aware-rl` and `inference-aware-rl/pool` by name, resolved through the exports map).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ensureBuilt, root } from './dist.js';

beforeAll(async () => {
  await ensureBuilt();
}, 300_000);

it('docs/examples/pool.mjs prints equal bits, a call on the workers and the typed error', () => {
  const r = spawnSync(process.execPath, [join(root, 'docs', 'examples', 'pool.mjs'), '2000'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^2000 groups × 64, k = 8: direct \d+ ms, 2 workers \d+ ms$/m);
  expect(r.stdout).toContain('same bits: true; calls on the workers: 2');
  expect(r.stdout).toContain('DomainError: k must be ≤ n (got k=65, n=64 in group 0)');
});
