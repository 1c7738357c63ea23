#!/usr/bin/env node
/**
 * The `inference-aware-rl` command (the package's `bin`). Subcommands: `eval`, `verify`. Logic lives in
 * ./eval.ts and ./verify.ts so tests can call it without spawning a process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEval } from './eval.js';
import { VERIFY_HELP, runVerify } from './verify.js';

const HELP = `Usage: inference-aware-rl <command> [options]

Commands:
  eval <file>...     pass@k, pass^k, maj@k, BoN@k and max@k of eval results (unbiased estimators)
  verify <dump>      check a trainer's dumped advantages against the exact k-sample weights

Options:
  --version          print the version
  -h, --help         this text

Run "inference-aware-rl eval --help" or "inference-aware-rl verify --help" for their options.
Exit codes: 0 ok, 1 bad input or a failed check, 2 bad command line.`;

/** The version in the package.json next to this module (dist/ or src/cli/ in a checkout). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'inference-aware-rl' && typeof pkg.version === 'string') return pkg.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = {
    stdout: (text: string) => void process.stdout.write(text),
    stderr: (text: string) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
  };
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command === undefined ? process.stderr : process.stdout).write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === 'eval') return runEval(rest, io);
  if (command === 'verify') return runVerify(rest, io);
  process.stderr.write(`error: unknown command ${JSON.stringify(command)} (commands: eval, verify)\n\n${HELP}\n`);
  return 2;
}

// Exit codes are 0, 1 and 2 only: an unexpected error is reported and exits 1.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
