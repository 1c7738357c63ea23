/**
 * `npm run bench` runs every bench/*.bench.ts in sequence; `npm run bench -- pass-max` runs one (several
 * names allowed); `--quick` runs them on tiny sizes as a smoke test. See docs/benchmarks.md.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

type BenchModule = { default: (opts: { quick: boolean }) => Promise<void> };

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const unknownFlags = args.filter((a) => a.startsWith('-') && a !== '--quick');
if (unknownFlags.length > 0) {
  console.error(`unknown flag ${unknownFlags.join(' ')}; usage: npm run bench -- [name …] [--quick]`);
  process.exit(2);
}
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const wanted = args.filter((a) => !a.startsWith('-')).map((a) => a.replace(/(\.bench)?(\.ts)?$/, ''));
const missing = wanted.filter((w) => !available.includes(w));
if (missing.length > 0) {
  console.error(`no bench named ${missing.join(', ')}; available: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}

for (const name of wanted.length > 0 ? wanted : available) {
  const mod = (await import(pathToFileURL(`${dir}${name}.bench.ts`).href)) as BenchModule;
  if (typeof mod.default !== 'function') {
    console.error(`bench/${name}.bench.ts must export a default async function (opts: { quick: boolean })`);
    process.exit(1);
  }
  await mod.default({ quick });
}
