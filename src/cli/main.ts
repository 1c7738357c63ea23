#!/usr/bin/env node
/**
 * The `inference-aware-rl` command (the package's `bin`). Subcommands: `eval`. Logic lives in
 * ./eval.ts so tests can call it without spawning a process.
 */
import { EVAL_HELP, runEval } from './eval.js';

const HELP = `Usage: inference-aware-rl <command> [options]

Commands:
  eval <file.jsonl>...   pass@k, maj@k and BoN@k of scored samples (unbiased estimators)

Run "inference-aware-rl eval --help" for the options of eval.

${EVAL_HELP}`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'eval') {
    process.stderr.write(`error: unknown command ${JSON.stringify(command)} (commands: eval)\n\n${HELP}\n`);
    return 2;
  }
  return runEval(rest, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
