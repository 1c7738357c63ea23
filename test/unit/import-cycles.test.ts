/**
 * No import cycles in src/: every relative import, type-only import, re-export and dynamic import of
 * every src/**\/*.ts file is an edge, and the graph must be acyclic (a cycle, even a type-only one,
 * ties two modules' load order and bundling together). A failure lists each cycle as a path.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, importSpecifiers, showCycle, tsFiles } from '../support/import-graph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = fileURLToPath(new URL('../../src', import.meta.url));

describe('import graph of src/', () => {
  const files = tsFiles(src);
  const { graph, unresolved } = importGraph(files);

  it('reads every file and resolves every relative specifier', () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...graph.values()].reduce((s, d) => s + d.length, 0)).toBeGreaterThan(100);
    expect(unresolved).toEqual([]);
  });

  it('has no cycle', () => {
    const cycles = findCycles(graph).map((c) => showCycle(c, root));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('sees type-only imports, re-exports, multi-line and dynamic imports, and skips packages and comments', () => {
    const text = [
      "import type { A } from './a.js';",
      "import {\n  b,\n  c,\n} from '../b.js';",
      "export { d } from './d.js';",
      "export type { E } from './e.js';",
      "export * from './f.js';",
      "import './g.js';",
      "const h = await import('./h.js');",
      "import { x } from 'node:fs';",
      "// import { y } from './commented.js';",
      "/** import { z } from './doc.js'; */",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(['../b.js', './a.js', './d.js', './e.js', './f.js', './g.js', './h.js']);
  });

  it('reports a planted cycle as a closed path, and nothing for a DAG', () => {
    const g = new Map<string, string[]>([
      ['/r/a.ts', ['/r/b.ts']],
      ['/r/b.ts', ['/r/c.ts', '/r/d.ts']],
      ['/r/c.ts', ['/r/a.ts']],
      ['/r/d.ts', []],
      ['/r/e.ts', ['/r/e.ts']],
    ]);
    expect(findCycles(g).map((c) => showCycle(c, '/r')).sort()).toEqual(['a.ts → b.ts → c.ts → a.ts', 'e.ts → e.ts']);
    g.set('/r/c.ts', []);
    g.set('/r/e.ts', ['/r/d.ts']);
    expect(findCycles(g)).toEqual([]);
  });
});
