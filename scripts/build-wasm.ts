/**
 * Builds the SIMD WebAssembly kernels and the files generated from them and for them, all committed (so
 * type-checking and tests work before a build). Run: `npm run build:wasm`. Docs: docs/backends.md.
 *
 * - src/backends/wasm/assembly/constants.generated.ts: the constants the AssemblyScript shares with the
 *   js kernels: the baseline codes of `BaselineCode` (src/backends/types.ts) and every export of
 *   src/backends/constants.ts, so neither side writes a bare `baseline == 3` or its own copy of 2^990.
 * - src/backends/wasm/module.generated.ts: the .wasm compiled from src/backends/wasm/assembly/index.ts
 *   (with the constants above), base64-encoded.
 * - src/backends/wasm/exports.generated.ts: `KernelExports`, the TypeScript interface of the module's raw
 *   exports, read from the AssemblyScript export signatures (asc's `--bindings raw` declarations:
 *   i32/u32/usize/f64 → number, bool → boolean, i64/u64 → bigint), so the JS-side wrappers in
 *   src/backends/wasm/backend.ts are type-checked against what the kernels really take.
 *
 * `generateWasmFiles()` returns every generated file's source without writing; the test
 * test/backends/wasm-build.test.ts compares each to the committed file, so a stale one fails CI.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import * as shared from '../src/backends/constants.js';
import { BaselineCode } from '../src/backends/types.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const ASSEMBLY_ENTRY = 'src/backends/wasm/assembly/index.ts';
export const GENERATED_MODULE = 'src/backends/wasm/module.generated.ts';
export const GENERATED_EXPORTS = 'src/backends/wasm/exports.generated.ts';
export const GENERATED_CONSTANTS = 'src/backends/wasm/assembly/constants.generated.ts';
/** The exact compiler flags; changing them changes the committed payload. */
export const ASC_FLAGS = ['-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--importMemory', '--noExportMemory'] as const;

/** What one compilation gives: the .wasm bytes and asc's declarations of the raw exports. */
export interface WasmBuild {
  wasm: Uint8Array;
  declarations: string;
}

/**
 * Compiles the kernels. `overrides` maps repository paths to the source to compile instead of the file
 * on disk (the generator compiles against the constants it just generated, not the committed copy).
 */
export async function compileWasm(overrides: Readonly<Record<string, string>> = {}): Promise<WasmBuild> {
  let binary: Uint8Array | undefined;
  let declarations: string | undefined;
  let stderr = '';
  const argv = [ASSEMBLY_ENTRY, ...ASC_FLAGS, '--outFile', 'kernels.wasm', '--bindings', 'raw', '--baseDir', root];
  const normalised = new Map(Object.entries(overrides).map(([path, text]) => [path.replace(/\\/g, '/'), text]));
  const { error } = await asc.main(argv, {
    readFile(name: string, baseDir: string) {
      const rel = `${baseDir}/${name}`.replace(/\\/g, '/').replace(root.replace(/\\/g, '/'), '').replace(/^\/+/, '');
      const override = normalised.get(rel) ?? normalised.get(name.replace(/\\/g, '/'));
      if (override !== undefined) return override;
      return readFile(`${baseDir}/${name}`, 'utf8').catch(() => null);
    },
    writeFile(name: string, contents: string | Uint8Array) {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
      if (name.endsWith('.d.ts') && typeof contents === 'string') declarations = contents;
    },
    stdout: { write: () => true } as never,
    stderr: { write: (s: string) => ((stderr += s), true) } as never,
  });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr}`);
  if (binary === undefined) throw new Error(`asc produced no binary\n${stderr}`);
  if (declarations === undefined) throw new Error(`asc produced no export declarations\n${stderr}`);
  return { wasm: binary, declarations };
}

/** Reads an unsigned LEB128 integer at `at`: [value, next position]. */
function uleb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new Error('truncated LEB128 in the wasm binary');
    const b = bytes[at++] as number;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, at];
  }
}

/**
 * The minimum pages of the memory the module imports (`env.memory`), from its import section: the
 * backend creates that memory itself, so it must know the size the module declares.
 */
export function importedMemoryPages(wasm: Uint8Array): number {
  let at = 8; // magic and version
  while (at < wasm.length) {
    const id = wasm[at++] as number;
    let size: number;
    [size, at] = uleb(wasm, at);
    const end = at + size;
    if (id === 2) {
      let count: number;
      [count, at] = uleb(wasm, at);
      for (let i = 0; i < count; i++) {
        const names: string[] = [];
        for (let j = 0; j < 2; j++) {
          let len: number;
          [len, at] = uleb(wasm, at);
          names.push(new TextDecoder().decode(wasm.subarray(at, at + len)));
          at += len;
        }
        const kind = wasm[at++] as number;
        if (kind === 0) [, at] = uleb(wasm, at); // function: type index
        else if (kind === 1) {
          at++; // table: element type, then limits
          const flags = wasm[at++] as number;
          [, at] = uleb(wasm, at);
          if (flags & 1) [, at] = uleb(wasm, at);
        } else if (kind === 2) {
          const flags = wasm[at++] as number;
          const [min] = uleb(wasm, at);
          if (names.join('.') !== 'env.memory' || (flags & ~1) !== 0) {
            throw new Error(`the kernels must import a plain memory as env.memory (got ${names.join('.')}, flags ${flags})`);
          }
          return min;
        } else if (kind === 3) at += 2; // global: value type, mutability
        else throw new Error(`unknown import kind ${kind} in the wasm binary`);
      }
    }
    at = end;
  }
  throw new Error('the wasm binary imports no memory (the build needs --importMemory)');
}

/** The source of module.generated.ts for the given bytes: base64 in 100-character lines. */
export function moduleSource(wasm: Uint8Array): string {
  const b64 = Buffer.from(wasm).toString('base64');
  const pages = importedMemoryPages(wasm);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 100) lines.push(`  '${b64.slice(i, i + 100)}'`);
  return [
    '// Generated by scripts/build-wasm.ts from src/backends/wasm/assembly/index.ts: do not edit.',
    `// asc ${ASC_FLAGS.join(' ')}; ${wasm.length} bytes. Rebuild: npm run build:wasm`,
    '',
    '/** The SIMD kernels module (.wasm), base64. Imported only by loadWasmBackend(), dynamically. */',
    'export const wasmBase64 =',
    lines.join(' +\n') + ';',
    '',
    '/** The pages (64 KiB each) of the memory the module imports as `env.memory`, at least. */',
    `export const wasmMemoryPages = ${pages};`,
    '',
  ].join('\n');
}

/** TypeScript type of an AssemblyScript value type, as the raw wasm export takes or returns it. */
const TS_TYPE: Readonly<Record<string, string>> = {
  i8: 'number',
  u8: 'number',
  i16: 'number',
  u16: 'number',
  i32: 'number',
  u32: 'number',
  isize: 'number',
  usize: 'number',
  f32: 'number',
  f64: 'number',
  bool: 'boolean',
  i64: 'bigint',
  u64: 'bigint',
  void: 'void',
};

/** One exported function: its AssemblyScript source, parameters and result (AssemblyScript types). */
export interface ExportSignature {
  name: string;
  source: string;
  params: { name: string; type: string }[];
  result: string;
}

/**
 * The exported functions of asc's `--bindings raw` declarations, with their AssemblyScript types (read
 * from the `@param x \`type\`` / `@returns \`type\`` lines asc writes above each). Fails on anything it
 * does not understand (a reference type, an export that is not a function), so a new kind of export
 * cannot slip through untyped.
 */
export function parseExportDeclarations(declarations: string): ExportSignature[] {
  const out: ExportSignature[] = [];
  const re = /\/\*\*([\s\S]*?)\*\/\s*export (function|const) (\w+)([^;]*);/g;
  for (const m of declarations.matchAll(re)) {
    const [, doc = '', kind, name = '', rest = ''] = m;
    if (kind === 'const') {
      if (name === 'memory' && rest.trim() === ': WebAssembly.Memory') continue;
      throw new Error(`unsupported wasm export: const ${name}${rest}`);
    }
    const source = /^\s*\*\s*(\S+)\s*$/m.exec(doc)?.[1] ?? '';
    const params = [...doc.matchAll(/@param (\w+) `([^`]+)`/g)].map(([, p = '', t = '']) => ({ name: p, type: t }));
    const result = /@returns `([^`]+)`/.exec(doc)?.[1] ?? 'void';
    const declared = /^\(([^)]*)\)/.exec(rest)?.[1] ?? '';
    const declaredNames = declared.trim() === '' ? [] : declared.split(',').map((p) => p.trim().split(':')[0]?.trim());
    if (declaredNames.join(',') !== params.map((p) => p.name).join(',')) {
      throw new Error(`wasm export ${name}: parameters (${declaredNames.join(', ')}) do not match their documented types`);
    }
    for (const t of [...params.map((p) => p.type), result]) {
      if (TS_TYPE[t] === undefined) throw new Error(`wasm export ${name}: unsupported AssemblyScript type ${t}`);
    }
    out.push({ name, source, params, result });
  }
  if (out.length === 0) throw new Error('no wasm exports found in the bindings declarations');
  return out;
}

/** The source of exports.generated.ts: the `KernelExports` interface of the raw module exports. */
export function exportsSource(declarations: string): string {
  const lines = [
    '// Generated by scripts/build-wasm.ts from the AssemblyScript export signatures: do not edit.',
    '// Rebuild: npm run build:wasm',
    '',
    '/**',
    ' * The raw exports of the kernels module built from src/backends/wasm/assembly/index.ts (pointers are',
    ' * byte addresses into the memory the module imports as `env.memory`). `bool` parameters take a boolean',
    ' * (wasm receives 0 or 1).',
    ' */',
    'export interface KernelExports {',
  ];
  for (const e of parseExportDeclarations(declarations)) {
    const params = e.params.map((p) => `${p.name}: ${TS_TYPE[p.type]}`).join(', ');
    const asTypes = e.params.map((p) => `${p.name}: ${p.type}`).join(', ');
    lines.push(`  /** ${e.source}(${asTypes}): ${e.result} */`);
    lines.push(`  ${e.name}(${params}): ${TS_TYPE[e.result]};`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

/** SCREAMING_SNAKE_CASE of a baseline name: 'loo-pkpo' → LOO_PKPO. */
const snake = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

/** One AssemblyScript constant: i32 for an integer below 2^31 in magnitude, else f64 by its exact bits. */
function asConstant(name: string, value: number): string {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`constant ${name} is not a number`);
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 31) return `export const ${name}: i32 = ${value};`;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const hex = view.getBigUint64(0).toString(16).padStart(16, '0');
  const exp = Math.log2(Math.abs(value));
  const shown = Number.isInteger(exp) ? `${value < 0 ? '-' : ''}2^${exp}` : String(value);
  return `export const ${name}: f64 = reinterpret<f64>(0x${hex}); // ${shown}`;
}

/** The source of constants.generated.ts, from BaselineCode and src/backends/constants.ts. */
export function constantsSource(): string {
  const lines = [
    '// Generated by scripts/build-wasm.ts from src/backends/types.ts (BaselineCode) and',
    '// src/backends/constants.ts, which the js kernels import: do not edit. Rebuild: npm run build:wasm',
    '',
    '// Baseline codes, as the kernels receive them.',
  ];
  for (const [name, code] of Object.entries(BaselineCode)) lines.push(asConstant(`BASELINE_${snake(name)}`, code));
  lines.push('', '// Shared thresholds and scratch sizes (documented in src/backends/constants.ts).');
  for (const [name, value] of Object.entries(shared).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`src/backends/constants.ts exports ${name}: names must be SCREAMING_SNAKE_CASE`);
    lines.push(asConstant(name, value as number));
  }
  lines.push('');
  return lines.join('\n');
}

/** Every generated file (repository path → source), compiled against the freshly generated constants. */
export async function generateWasmFiles(): Promise<Record<string, string>> {
  const constants = constantsSource();
  const { wasm, declarations } = await compileWasm({ [GENERATED_CONSTANTS]: constants });
  return {
    [GENERATED_CONSTANTS]: constants,
    [GENERATED_MODULE]: moduleSource(wasm),
    [GENERATED_EXPORTS]: exportsSource(declarations),
  };
}

/** Compiles and returns what module.generated.ts must contain. */
export async function generateWasmModule(): Promise<string> {
  return (await generateWasmFiles())[GENERATED_MODULE] as string;
}

async function main(): Promise<void> {
  for (const [file, source] of Object.entries(await generateWasmFiles())) {
    const path = `${root}${file}`;
    const old = await readFile(path, 'utf8').catch(() => '');
    if (old === source) {
      console.log(`${file} is up to date`);
      continue;
    }
    await writeFile(path, source);
    console.log(`wrote ${file}`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
