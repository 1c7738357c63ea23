/**
 * Pieces both demos use (the bandit demo in demo/bandit/run.ts and the language-model demo in demo/lm/):
 * the progress line, integer flags, mean ± std over seeds, and rewriting a marked block of docs/demo.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** A progress line: a redrawn bar on a TTY (at most every 100 ms), else one line per 10 %. */
export function progressBar(total: number, tty: boolean, write: (s: string) => void): { tick: (label: string) => void; done: () => void } {
  const started = Date.now();
  let count = 0;
  let lastPct = -1;
  let lastDraw = 0;
  return {
    tick(label) {
      count++;
      const pct = Math.floor((100 * count) / total);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && count < total) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round((width * count) / total);
        write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${label} ${secs}s`);
      } else if (pct >= lastPct + 10 || count === total) {
        lastPct = pct - (pct % 10);
        write(`${pct}% ${label} ${secs}s\n`);
      }
    },
    done() {
      if (tty) write('\r\x1b[K');
    },
  };
}

/** The integer value of flag `--name` (`fallback` when absent); an error unless it is an integer ≥ min. */
export function intFlag(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const x = Number(text);
  if (!Number.isInteger(x) || x < min) throw new Error(`--${name} must be an integer ≥ ${min} (got ${JSON.stringify(text)})`);
  return x;
}

/** Mean and sample standard deviation (ddof 1; 0 for one value). */
export function meanStd(xs: number[]): [mean: number, std: number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
  return [m, Math.sqrt(v)];
}

/** Replaces what stands between the `start` and `end` markers of the file at `path` with `body`. */
export function replaceBetweenMarkers(path: string, start: string, end: string, body: string): void {
  const doc = readFileSync(path, 'utf8');
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${path} has no ${start} … ${end} markers`);
  writeFileSync(path, doc.slice(0, a + start.length) + body + doc.slice(b));
}
