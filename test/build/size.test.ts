/**
 * The bundle-size budget of package.json "sizeLimit", measured by scripts/size.mjs (the same script as
 * `npm run size`) on the built package.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root } from './dist.js';

interface Row {
  name: string;
  minified: number;
  gzip: number;
  minLimit: number;
  gzipLimit: number;
  tfjs: boolean;
  wasmPayload: boolean;
  pool: boolean;
  inputs: string[];
  problems: string[];
}

let rows: Row[];
beforeAll(async () => {
  await ensureBuilt();
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'size.mjs'), '--json'], { cwd: root, encoding: 'utf8' });
  if (r.stdout === '') throw new Error(`scripts/size.mjs failed:\n${r.stderr}`);
  rows = JSON.parse(r.stdout) as Row[];
}, 300_000);

describe('scripts/size.mjs', () => {
  it('measures every import named in package.json "sizeLimit", passAtKAdvantage among them', () => {
    const limits = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { sizeLimit: Record<string, unknown> }).sizeLimit;
    expect(rows.map((r) => r.name)).toEqual(Object.keys(limits));
    expect(rows.map((r) => r.name)).toContain('passAtKAdvantage');
  });

  it("bundling `import { passAtKAdvantage } from 'inference-aware-rl'` stays within the budget", () => {
    for (const r of rows) {
      expect(r.minified, `${r.name} minified`).toBeLessThanOrEqual(r.minLimit);
      expect(r.gzip, `${r.name} gzip`).toBeLessThanOrEqual(r.gzipLimit);
      // A bundle that small still has to be the real thing: it contains the built entry and more than a stub.
      expect(r.inputs).toContain('dist/index.js');
      expect(r.gzip).toBeGreaterThan(500);
    }
  });

  it('pulls in neither tfjs nor the wasm payload', () => {
    for (const r of rows) {
      expect(r.tfjs, r.name).toBe(false);
      expect(r.wasmPayload, r.name).toBe(false);
      // The tfjs entry is never reached. (The wasm payload chunk is parsed, as the target of the dynamic
      // import in loadWasmBackend, but tree-shaken away: the check that matters is on the output above.)
      expect(r.inputs.filter((p) => p.includes('tfjs')), r.name).toEqual([]);
    }
  });

  it('detects the wasm payload when it is imported (loadWasmBackend), so the check above can fail', () => {
    const src = readFileSync(join(root, 'src', 'index.ts'), 'utf8');
    if (!src.includes('loadWasmBackend')) return;
    const script = `import { measure } from ${JSON.stringify(join(root, 'scripts', 'size.mjs'))};
      process.stdout.write(JSON.stringify(await measure('loadWasmBackend')));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const m = JSON.parse(r.stdout) as Row;
    expect(m.wasmPayload).toBe(true);
    expect(m.tfjs).toBe(false);
  });

  it('pulls in no worker-pool code: the /pool subpath is never reached from the root entry', () => {
    for (const r of rows) {
      expect(r.pool, r.name).toBe(false);
      expect(r.inputs.filter((p) => p.includes('pool')), r.name).toEqual([]);
    }
  });

  it('detects the worker pool when it is imported (createWorkerPool from /pool), so the check above can fail', () => {
    const script = `import { measure } from ${JSON.stringify(join(root, 'scripts', 'size.mjs'))};
      process.stdout.write(JSON.stringify([await measure('createWorkerPool', '/pool'), await measure('maxAtKAdvantage')]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const [pooled, direct] = JSON.parse(r.stdout) as [Row, Row];
    expect(pooled.pool).toBe(true);
    expect(pooled.inputs).toContain('dist/pool.js');
    expect(direct.pool).toBe(false);
    expect(direct.inputs).toContain('dist/index.js');
  });

  it('reports no problem (its exit status is what `npm run size` returns)', () => {
    expect(rows.flatMap((r) => r.problems)).toEqual([]);
  });
});
