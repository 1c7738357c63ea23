/**
 * The "family → files" table of CONTRIBUTING.md, parsed: one row per estimator family with the files of
 * each column, and the table of shared pieces. Used by the layout guard (test/unit/layout.test.ts) and
 * the bundle guard (test/build/bundle.test.ts), so both follow the table instead of a copy of it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CONTRIBUTING = fileURLToPath(new URL('../../CONTRIBUTING.md', import.meta.url));

/** The columns of the family table, in order. */
export const FAMILY_COLUMNS = ['family', 'estimator', 'js', 'wasm', 'tests', 'bench', 'docs'] as const;
export type FamilyColumn = (typeof FAMILY_COLUMNS)[number];

export interface FamilyRow {
  /** The family's basename, e.g. `max-at-k` (the first word of the first cell). */
  name: string;
  /** The repository paths named in each column (a cell like `—` or `(pass-at-k's)` names none). */
  files: Record<Exclude<FamilyColumn, 'family'>, string[]>;
  /** The raw cells, for messages. */
  cells: string[];
}

/** Repository paths in a cell: anything with a slash that looks like a path (files and folders/). */
export function pathsIn(cell: string): string[] {
  return [...cell.matchAll(/(?:^|[\s,(`])((?:[\w.-]+\/)+[\w.*-]*)/g)].map((m) => (m[1] as string).replace(/[.,]$/, ''));
}

/** The rows of the markdown table that follows the heading `heading` (without the header and rule). */
function tableAfter(text: string, heading: RegExp): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) throw new Error(`CONTRIBUTING.md has no heading matching ${heading}`);
  let i = start + 1;
  while (i < lines.length && !lines[i]!.startsWith('|')) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(lines[i]!.replace(/^\||\|$/g, '').split('|').map((c) => c.trim()));
  }
  // Drop the header row and the |---| rule.
  return rows.slice(2);
}

/** The family table and the shared-pieces table of CONTRIBUTING.md. */
export function readLayout(path = CONTRIBUTING): { families: FamilyRow[]; shared: { what: string; files: string[] }[] } {
  const text = readFileSync(path, 'utf8');
  const families = tableAfter(text, /^## Family → files/).map((cells) => {
    if (cells.length !== FAMILY_COLUMNS.length) {
      throw new Error(`CONTRIBUTING.md family row has ${cells.length} cells, not ${FAMILY_COLUMNS.length}: ${cells.join(' | ')}`);
    }
    const name = /^[\w^@-]+/.exec(cells[0]!)?.[0];
    if (name === undefined) throw new Error(`CONTRIBUTING.md family row without a name: ${cells.join(' | ')}`);
    const [, estimator, js, wasm, tests, bench, docs] = cells.map(pathsIn);
    return { name, cells, files: { estimator: estimator!, js: js!, wasm: wasm!, tests: tests!, bench: bench!, docs: docs! } };
  });
  const sharedStart = text.indexOf('Shared pieces');
  if (sharedStart < 0) throw new Error('CONTRIBUTING.md has no "Shared pieces" table');
  const shared = tableAfter(text.slice(sharedStart), /^Shared pieces/).map((cells) => ({
    what: cells[0] ?? '',
    files: pathsIn(cells.slice(1).join(' ')),
  }));
  return { families, shared };
}
