/**
 * The import graph of a source tree: every relative `import … from`, `import type … from`,
 * `export … from`, side-effect `import '…'` and dynamic `import('…')` specifier of every .ts file,
 * resolved to a file (`.js` → `.ts`, extensionless → `.ts` or `/index.ts`). Used by the no-cycle guard.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Every .ts file under `dir`, recursively, as absolute paths. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

/** The relative module specifiers of one source text (comments removed first). */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  const patterns = [
    /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|[\s;}])import\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) specs.push(m[1] as string);
  return specs.filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** Resolves a relative specifier from `file` to an existing .ts file, or undefined. */
export function resolveSpecifier(file: string, spec: string): string | undefined {
  const base = resolve(dirname(file), spec);
  const candidates = spec.endsWith('.js')
    ? [base.slice(0, -3) + '.ts']
    : spec.endsWith('.ts')
      ? [base]
      : [`${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c));
}

/** file → the files it imports; `unresolved` lists specifiers that name no file. */
export function importGraph(files: readonly string[]): { graph: Map<string, string[]>; unresolved: string[] } {
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const deps: string[] = [];
    for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
      const target = resolveSpecifier(file, spec);
      if (target === undefined) unresolved.push(`${file}: ${spec}`);
      else if (!deps.includes(target)) deps.push(target);
    }
    graph.set(file, deps);
  }
  return { graph, unresolved };
}

/**
 * The import cycles of a graph: one cycle (as a closed path a → b → … → a) per strongly connected
 * component with more than one file, or a file importing itself.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's strongly connected components, iterative-free recursion is fine at this size.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(comp);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  // One concrete closed path per component: a shortest path from its first file back to itself.
  return components.map((comp) => {
    const inComp = new Set(comp);
    const start = [...comp].sort()[0] as string;
    const prev = new Map<string, string>();
    const queue = [start];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const v = queue.shift() as string;
      for (const w of graph.get(v) ?? []) {
        if (!inComp.has(w)) continue;
        if (w === start) {
          const path = [start];
          for (let u = v; u !== start; u = prev.get(u) as string) path.splice(1, 0, u);
          return [...path, start];
        }
        if (!seen.has(w)) {
          seen.add(w);
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}

/** A cycle as repository-relative text: `src/a.ts → src/b.ts → src/a.ts`. */
export function showCycle(cycle: readonly string[], root: string): string {
  return cycle.map((f) => relative(root, f).replace(/\\/g, '/')).join(' → ');
}
