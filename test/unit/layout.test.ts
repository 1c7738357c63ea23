/**
 * The layout by estimator family (CONTRIBUTING.md, "Family → files"): every file the family table or
 * the shared-pieces table names exists, and every estimator and kernel source file is named by a family
 * row or by the shared table, so the table cannot drift from the tree in either direction.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLayout } from '../support/contributing.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { families, shared } = readLayout();

/** The .ts files of one folder (not recursive), as repository paths. */
const tsIn = (dir: string): string[] =>
  readdirSync(`${root}${dir}`)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f}`)
    .sort();

describe('CONTRIBUTING.md family table', () => {
  it('has a row per family, each with an estimator file and a docs page', () => {
    expect(families.length).toBeGreaterThanOrEqual(10);
    expect(new Set(families.map((f) => f.name)).size).toBe(families.length);
    for (const f of families) {
      expect(f.files.estimator.length, f.name).toBeGreaterThan(0);
      expect(f.files.docs.length, f.name).toBeGreaterThan(0);
    }
  });

  it('names only files and folders that exist', () => {
    const named = [...families.flatMap((f) => Object.values(f.files).flat()), ...shared.flatMap((s) => s.files)];
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter((p) => !existsSync(`${root}${p}`))).toEqual([]);
  });

  it('names every estimator, js kernel and AssemblyScript kernel file (in a family row or the shared table)', () => {
    const listed = new Set([...families.flatMap((f) => Object.values(f.files).flat()), ...shared.flatMap((s) => s.files)]);
    const sources = [...tsIn('src/estimators'), ...tsIn('src/backends/js'), ...tsIn('src/backends/wasm/assembly')];
    expect(sources.length).toBeGreaterThan(20);
    expect(sources.filter((p) => !listed.has(p))).toEqual([]);
  });

  it('gives every family file in src/estimators and the kernel folders the family basename', () => {
    const misnamed: string[] = [];
    for (const f of families) {
      for (const p of [...f.files.estimator, ...f.files.js, ...f.files.wasm, ...f.files.docs]) {
        const base = p.slice(p.lastIndexOf('/') + 1).replace(/\.(ts|md)$/, '');
        // best-of-n-sft shares best-of-n's docs page: a family may point at its parent family's page.
        if (base !== f.name && !f.name.startsWith(`${base}-`)) misnamed.push(`${f.name}: ${p}`);
      }
    }
    expect(misnamed).toEqual([]);
  });
});
