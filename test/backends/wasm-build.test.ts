/**
 * The committed generated files are the build of the committed sources: asc 0.28 output is
 * deterministic (same source and flags → same bytes), so a stale module.generated.ts, a stale
 * exports.generated.ts (an AssemblyScript export whose signature changed without a rebuild) or a stale
 * constants.generated.ts (a baseline code or shared constant changed on the js side only) fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GENERATED_CONSTANTS,
  GENERATED_EXPORTS,
  GENERATED_MODULE,
  constantsSource,
  exportsSource,
  generateWasmFiles,
  parseExportDeclarations,
} from '../../scripts/build-wasm.js';
import * as shared from '../../src/backends/constants.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('scripts/build-wasm.ts', () => {
  it('reproduces every committed generated file byte for byte', async () => {
    const files = await generateWasmFiles();
    expect(Object.keys(files).sort()).toEqual([GENERATED_CONSTANTS, GENERATED_EXPORTS, GENERATED_MODULE].sort());
    const stale = Object.entries(files)
      .filter(([path, rebuilt]) => rebuilt !== read(path))
      .map(([path]) => path);
    expect(stale, `stale generated files (run \`npm run build:wasm\`): ${stale.join(', ')}`).toEqual([]);
  }, 120_000);

  it('types the raw exports from the AssemblyScript signatures (bool → boolean, usize → number)', () => {
    const declarations = [
      '/**',
      ' * src/x/f',
      ' * @param p `usize`',
      ' * @param flag `bool`',
      ' * @param n `i32`',
      ' * @returns `f64`',
      ' */',
      'export function f(p: number, flag: boolean, n: number): number;',
      '/** Exported memory */',
      'export const memory: WebAssembly.Memory;',
    ].join('\n');
    expect(parseExportDeclarations(declarations)).toEqual([
      {
        name: 'f',
        source: 'src/x/f',
        params: [
          { name: 'p', type: 'usize' },
          { name: 'flag', type: 'bool' },
          { name: 'n', type: 'i32' },
        ],
        result: 'f64',
      },
    ]);
    expect(exportsSource(declarations)).toContain('  f(p: number, flag: boolean, n: number): number;');
    // A type the generator cannot map is an error, not an `any`.
    expect(() => parseExportDeclarations(declarations.replace('`f64`', '`Array<i32>`'))).toThrow(/unsupported AssemblyScript type/);
  });

  it('writes the baseline codes and shared constants the AssemblyScript imports, f64 by exact bits', () => {
    const source = constantsSource();
    expect(source).toContain('export const BASELINE_LOO_1: i32 = 3;');
    expect(source).toContain('export const BASELINE_NONE: i32 = 0;');
    expect(source).toContain('export const BIG_REWARD: f64 = reinterpret<f64>(0x7dd0000000000000); // 2^990');
    expect(source).toContain('export const SAFE_MAGNITUDE: f64 = reinterpret<f64>(0x7fc0000000000000); // 2^1021');
  });

  it('src/backends/constants.ts writes its powers of two as literals that equal 2 ** e exactly', () => {
    const text = read('src/backends/constants.ts');
    const powers = [...text.matchAll(/export const (\w+) = [-\d.e+]+; \/\/ 2 \*\* (-?\d+)/g)];
    expect(powers.map((m) => m[1])).toEqual(['BIG_REWARD', 'BIG_SCALE', 'SAFE_MAGNITUDE']);
    for (const [, name, e] of powers) expect((shared as Record<string, number>)[name!], name).toBe(2 ** Number(e));
  });

  it('the AssemblyScript kernels compare baselines by name, never by a bare code', () => {
    const dir = 'src/backends/wasm/assembly';
    const files = readdirSync(new URL(`../../${dir}`, import.meta.url)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = read(`${dir}/${file}`);
      expect(text, file).not.toMatch(/baseline\s*[!=]=\s*\d/);
    }
  });
});
