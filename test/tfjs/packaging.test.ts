/**
 * The package root never imports tfjs: neither the source import graph of src/index.ts nor the built
 * dist/index.{js,cjs} and the chunks they load. The tfjs entry keeps tfjs-core external and shares the
 * core chunk (one backend registry) with the root.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dist, ensureBuilt, root } from '../build/dist.js';

/** Module specifiers of `import … from`, `export … from`, `import '…'`, `import('…')` and `require('…')`. */
function specifiers(code: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"]+)\1/g;
  for (const m of code.matchAll(re)) out.push(m[2]!);
  return out;
}

/** Every file reachable from `entry` through relative imports, and every bare specifier they import. */
function graph(entry: string, resolveFile: (from: string, spec: string) => string): { files: string[]; bare: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) todo.push(resolveFile(file, spec));
      else bare.add(spec);
    }
  }
  return { files: [...files].map((f) => relative(root, f)), bare: [...bare] };
}

const srcResolve = (from: string, spec: string) => {
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) throw new Error(`cannot resolve ${spec} from ${from}`);
  return found;
};
const distResolve = (from: string, spec: string) => resolve(dirname(from), spec);

describe('src/', () => {
  it('the import graph of src/index.ts reaches no tfjs module and no file of src/tfjs/', () => {
    const { files, bare } = graph(join(root, 'src', 'index.ts'), srcResolve);
    expect(files.length).toBeGreaterThan(5);
    expect(files.filter((f) => f.includes('tfjs'))).toEqual([]);
    expect(bare.filter((s) => s.includes('tfjs') || s.includes('@tensorflow'))).toEqual([]);
  });

  it('src/tfjs/ imports the core through relative paths and nothing but tfjs-core from outside', () => {
    const { files, bare } = graph(join(root, 'src', 'tfjs', 'index.ts'), srcResolve);
    expect(files).toContain(join('src', 'registry.ts'));
    expect(bare).toEqual(['@tensorflow/tfjs-core']);
    for (const f of readdirSync(join(root, 'src', 'tfjs'))) {
      const specs = specifiers(readFileSync(join(root, 'src', 'tfjs', f), 'utf8'));
      expect(specs.filter((s) => s.startsWith('inference-aware-rl')), f).toEqual([]);
    }
  });
});

describe('dist/', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 300_000);

  it.each(['index.js', 'index.cjs'])('dist/%s and the chunks it loads never import tfjs', (entry) => {
    const { files, bare } = graph(join(dist, entry), distResolve);
    expect(bare.filter((s) => s.includes('tensorflow') || s.includes('tfjs'))).toEqual([]);
    for (const f of files) expect(readFileSync(join(root, f), 'utf8'), f).not.toMatch(/@tensorflow|tfjs-core/);
  });

  it.each([
    ['tfjs.js', 'index.js'],
    ['tfjs.cjs', 'index.cjs'],
  ])('dist/%s keeps @tensorflow/tfjs-core external and shares its core chunk with dist/%s', (entry, rootEntry) => {
    const tfjs = graph(join(dist, entry), distResolve);
    const core = graph(join(dist, rootEntry), distResolve);
    expect(tfjs.bare).toContain('@tensorflow/tfjs-core');
    // Not bundled: tfjs-core's own engine source would carry its kernel registry.
    for (const f of tfjs.files) expect(readFileSync(join(root, f), 'utf8'), f).not.toContain('getKernelsForBackend');
    const registry = core.files.filter((f) => readFileSync(join(root, f), 'utf8').includes('must name a registered backend'));
    expect(registry).toHaveLength(1);
    expect(tfjs.files).toContain(registry[0]);
  });
});
