/**
 * Table-driven: every public function × every bad-input class (wrong array types, BigInt and detached
 * arrays, absurd lengths, non-finite or non-number elements, unsafe and non-integer counts, opts that
 * are not plain objects, unknown keys, bad layouts and offsets beyond 2^31, bad or aliased `out`), on
 * both backends. Each call must throw a typed InferenceAwareRLError whose `argument` is the argument the
 * user passed (positional name or `opts.x`) and whose message names it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  getEstimator,
  InferenceAwareRLError,
  loadWasmBackend,
  registerBackend,
  setBackend,
} from '../../src/index.js';
import { BAD_INTEGERS, BAD_LAYOUTS, BAD_OPTS, badArrays, badOuts, FUNCTIONS, type FnSpec } from '../support/hostile.js';

beforeAll(async () => {
  await loadWasmBackend();
});

interface Row {
  readonly label: string;
  readonly argument: string;
  readonly run: () => unknown;
}

/** True when `message` mentions `name` as a word of its own (`k` in "k must be", not in "kernel"). */
function names(message: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w.])${escaped}($|[^\\w])`).test(message);
}

/** Why `row` fails (returned, untyped error, wrong argument, message not naming it), or undefined. */
function failure(row: Row): string | undefined {
  let error: unknown;
  let returned: unknown;
  try {
    returned = row.run();
  } catch (e) {
    error = e;
  }
  if (error === undefined) return `${row.label}: returned ${String(returned)} instead of throwing`;
  if (!(error instanceof InferenceAwareRLError)) return `${row.label}: untyped ${String(error)}`;
  if (error.argument !== row.argument) return `${row.label}: argument ${error.argument} (${error.message}), expected ${row.argument}`;
  if (!names(error.message, row.argument)) return `${row.label}: message does not name ${row.argument}: ${error.message}`;
  return undefined;
}

/** Every row must fail correctly; all offenders are listed at once. */
function expectAllNamed(rows: readonly Row[]): void {
  const failures = rows.map(failure).filter((f) => f !== undefined);
  expect(failures, `${failures.length} of ${rows.length} rows failed:\n${failures.join("\n")}`).toEqual([]);
}

/** The batched options of a valid call on `backend`. */
function validOpts(f: FnSpec, backend: string, args: readonly unknown[]): Record<string, unknown> | undefined {
  if (f.opts === 'none') return undefined;
  const base = { ...(f.baseOpts?.(args) ?? {}), ...(f.backend ? { backend } : {}) };
  if (f.opts !== 'batched') return base;
  return { groupSize: 3, ...base };
}

/** The kinds of per-sample array arguments (an `out` can alias them; a shorter one is a length error). */
const PER_SAMPLE = new Set(['binary', 'finite', 'answers', 'probs']);

function rowsOf(f: FnSpec, backend: string): Row[] {
  const rows: Row[] = [];
  const valid = f.args.map((x) => x.valid);
  const opts = validOpts(f, backend, valid);
  const at = (i: number, v: unknown): unknown[] => valid.map((x, j) => (j === i ? v : x));
  const optsFor = (args: readonly unknown[]): Record<string, unknown> | undefined => validOpts(f, backend, args);
  f.args.forEach((arg, i) => {
    if (arg.kind === 'int') {
      for (const bad of BAD_INTEGERS) {
        rows.push({ label: `${f.name}: ${arg.name} = ${bad.label}`, argument: arg.name, run: () => f.call(at(i, bad.value()), opts) });
      }
      return;
    }
    for (const bad of badArrays(arg.kind)) {
      rows.push({
        label: `${f.name}: ${arg.name} = ${bad.label}`,
        argument: bad.argument ?? arg.name,
        run: () => {
          const args = at(i, bad.value());
          return f.call(args, optsFor(args));
        },
      });
    }
  });
  // k > n (or N > n where N must not exceed n), c > n.
  const k = f.args.findIndex((x) => x.name === 'k' || (x.name === 'N' && f.name !== 'bestOfNDistribution' && f.name !== 'bestOfNKL'));
  if (k >= 0 && f.opts === 'batched' && f.kAboveN !== false) {
    rows.push({ label: `${f.name}: ${f.args[k]!.name} > n`, argument: f.args[k]!.name, run: () => f.call(at(k, 4), opts) });
  }
  if (f.name === 'passAtK' || f.name === 'logFailAtK' || f.counts === true) {
    rows.push({ label: `${f.name}: c > n`, argument: 'c', run: () => f.call([8, 9, 2], undefined) });
    rows.push({ label: `${f.name}: k > n`, argument: 'k', run: () => f.call([8, 3, 9], undefined) });
    rows.push({ label: `${f.name}: n = 2**53`, argument: 'n', run: () => f.call([2 ** 53, 3, 2], undefined) });
    rows.push({ label: `${f.name}: n array with a 1e300`, argument: 'n', run: () => f.call([[8, 1e300], 3, 2], undefined) });
    rows.push({ label: `${f.name}: n a BigInt64Array`, argument: 'n', run: () => f.call([BigInt64Array.of(8n), 3, 2], undefined) });
    rows.push({ label: `${f.name}: c of another length`, argument: 'c', run: () => f.call([[8, 8], [1, 2, 3], 2], undefined) });
  }
  // The last array argument of another length.
  const arrays = f.args.map((x, i) => [x, i] as const).filter(([x]) => PER_SAMPLE.has(x.kind));
  if (arrays.length >= 2) {
    const [last, i] = arrays[arrays.length - 1]!;
    rows.push({
      label: `${f.name}: ${last.name} of length 5`,
      argument: last.name,
      run: () => f.call(at(i, (last.valid as unknown[]).slice(0, 5)), opts),
    });
  }
  // A per-group argument of the wrong length (one value per group, two groups).
  f.args.forEach((arg, i) => {
    if (arg.kind === 'perGroup' && f.opts === 'batched') {
      rows.push({ label: `${f.name}: ${arg.name} of length 3`, argument: arg.name, run: () => f.call(at(i, [0.1, 0.2, 0.3]), opts) });
    }
  });
  if (f.opts === 'none') return rows;
  for (const bad of BAD_OPTS) {
    rows.push({ label: `${f.name}: opts = ${bad.label}`, argument: 'opts', run: () => f.call(valid, bad.value()) });
  }
  for (const bad of f.badOptions ?? []) {
    rows.push({
      label: `${f.name}: ${bad.label}`,
      argument: bad.argument,
      run: () => f.call(valid, { ...(f.backend ? { backend } : {}), ...(bad.value() as object) }),
    });
  }
  if (f.opts === 'plain') {
    rows.push({ label: `${f.name}: opts.groupSize (unknown)`, argument: 'opts.groupSize', run: () => f.call(valid, { groupSize: 3 }) });
    return rows;
  }
  if (f.opts === 'unbatched') {
    rows.push({ label: `${f.name}: opts.groupSize (unknown)`, argument: 'opts.groupSize', run: () => f.call(valid, { ...opts, groupSize: 3 }) });
  }
  if (f.opts === 'ties-only') {
    rows.push({ label: `${f.name}: opts.ties = "coin"`, argument: 'opts.ties', run: () => f.call(valid, { ties: 'coin' }) });
    rows.push({ label: `${f.name}: opts.groupSize (unknown)`, argument: 'opts.groupSize', run: () => f.call(valid, { groupSize: 3 }) });
    return rows;
  }
  for (const bad of f.opts === 'batched' ? BAD_LAYOUTS : []) {
    const extra = f.backend ? { backend } : {};
    rows.push({
      label: `${f.name}: ${bad.label}`,
      argument: bad.argument,
      run: () => f.call(valid, { ...extra, ...(bad.value() as object) }),
    });
  }
  for (const bad of badOuts(f.outLength, f.float32Out === true)) {
    rows.push({ label: `${f.name}: ${bad.label}`, argument: 'opts.out', run: () => f.call(valid, { ...opts, out: bad.value() }) });
  }
  // out aliasing the first per-sample array argument (as a Float64Array of numbers), or the function's own input.
  if (f.aliasArgs !== null && (f.aliasArgs !== undefined || arrays.length > 0)) {
    const first = arrays[0]?.[1] ?? -1;
    const numeric = first < 0 ? [0.1, 0.5, 0.3, 0.9, 0.2, 0.7] : f.args[first]!.kind === 'answers' ? [1, 2, 1, 3, 3, 4] : (f.args[first]!.valid as number[]);
    rows.push({
      label: `${f.name}: out aliasing ${first < 0 ? 'its input' : f.args[first]!.name}`,
      argument: 'opts.out',
      run: () => {
        const input = Float64Array.from(numeric);
        const args = f.aliasArgs?.(input) ?? at(first, input);
        return f.call(args, { ...optsFor(args), out: input.subarray(0, f.outLength) });
      },
    });
  }
  if (f.opts !== 'batched') return rows;
  // Unbatched: a bad out is refused too (metrics return a number but must not ignore out).
  const single = f.unbatchedArgs ?? valid;
  rows.push({
    label: `${f.name}: unbatched out "garbage"`,
    argument: 'opts.out',
    run: () => f.call(single, f.backend ? { backend, out: 'garbage' } : { out: 'garbage' }),
  });
  return rows;
}

describe.each(['js', 'wasm'])('argument names on the %s backend', (backend) => {
  for (const f of FUNCTIONS) {
    if (backend === 'wasm' && !f.backend) continue;
    it(`${f.name}: every bad-input class names the argument`, () => {
      const rows = rowsOf(f, backend);
      expect(rows.length).toBeGreaterThan(10);
      expectAllNamed(rows);
    });
  }
});

describe('argument names of the registries and the loader', () => {
  const rows: Row[] = [
    { label: 'getEstimator(3)', argument: 'name', run: () => getEstimator(3 as never) },
    { label: 'getEstimator("pass@k").weights(null)', argument: 'inputs', run: () => getEstimator('pass@k').weights(null as never) },
    { label: 'getEstimator("pass@k").weights({ k: 2 })', argument: 'inputs.rewards', run: () => getEstimator('pass@k').weights({ k: 2 } as never) },
    { label: 'getEstimator("pass@k").metric with a 0.5 reward', argument: 'rewards', run: () => getEstimator('pass@k').metric?.({ rewards: [1, 0.5, 0], k: 2 }) },
    { label: 'getEstimator("chen-pass@k").metric with a 2 reward', argument: 'rewards', run: () => getEstimator('chen-pass@k').metric?.({ rewards: [1, 2, 0], k: 2 }) },
    { label: 'getEstimator("bon-rl-binary").metric with NaN', argument: 'rewards', run: () => getEstimator('bon-rl-binary').metric?.({ rewards: [1, NaN, 0], k: 2 }) },
    { label: 'getEstimator("max@k").weights with a Map as opts', argument: 'opts', run: () => getEstimator('max@k').weights({ rewards: [1, 0, 0.5], k: 2 }, new Map() as never) },
    { label: 'registerBackend(null)', argument: 'backend', run: () => registerBackend(null as never) },
    { label: 'registerBackend("x")', argument: 'backend', run: () => registerBackend('x' as never) },
    { label: 'registerBackend({})', argument: 'backend.name', run: () => registerBackend({} as never) },
    { label: 'registerBackend({ name: "js" })', argument: 'backend.name', run: () => registerBackend({ name: 'js', kernels: {} }) },
    { label: 'registerBackend({ name: "wasm" })', argument: 'backend.name', run: () => registerBackend({ name: 'wasm', kernels: {} }) },
    { label: 'registerBackend({ name: "" })', argument: 'backend.name', run: () => registerBackend({ name: '', kernels: {} }) },
    { label: 'registerBackend({ name: 3 })', argument: 'backend.name', run: () => registerBackend({ name: 3, kernels: {} } as never) },
    { label: 'registerBackend without kernels', argument: 'backend.kernels', run: () => registerBackend({ name: 'x' } as never) },
    { label: 'registerBackend with kernels a Map', argument: 'backend.kernels', run: () => registerBackend({ name: 'x', kernels: new Map() } as never) },
    { label: 'registerBackend with a non-function kernel', argument: 'backend.kernels.binaryCounts', run: () => registerBackend({ name: 'x', kernels: { binaryCounts: 3 } } as never) },
    { label: 'registerBackend with an unknown kernel', argument: 'backend.kernels.fastSort', run: () => registerBackend({ name: 'x', kernels: { fastSort: () => 0 } } as never) },
    { label: 'registerBackend with an unknown key', argument: 'backend.version', run: () => registerBackend({ name: 'x', kernels: {}, version: 2 } as never) },
    { label: 'setBackend("gpu")', argument: 'backend', run: () => setBackend('gpu') },
  ];
  it('every bad call names its argument', () => {
    expectAllNamed(rows);
  });

  it('loadWasmBackend refuses bad options with a typed error naming them', async () => {
    for (const [opts, argument] of [
      ['yes', 'opts'],
      [new Map(), 'opts'],
      [{ fallbackToJS: true }, 'opts.fallbackToJS'],
      [{ setDefault: 'yes' }, 'opts.setDefault'],
      [{ fallbackToJs: 1 }, 'opts.fallbackToJs'],
    ] as const) {
      const error = await loadWasmBackend(opts as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(opts)).toBeInstanceOf(InferenceAwareRLError);
      expect((error as InferenceAwareRLError).argument).toBe(argument);
      expect(names((error as Error).message, argument), (error as Error).message).toBe(true);
    }
  });
});
