/**
 * Writes docs/figures/best-of-n.svg: a base policy π over 41 outcomes (scored 0..40) against the exact
 * best-of-N distribution π_BoN (bestOfNDistribution) for N = 1, 4, 16, and prints the table that
 * docs/estimators/best-of-n.md quotes (KL and its bound per N). No dependencies: the SVG is written
 * by hand. Run: `npx tsx scripts/best-of-n-figure.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestOfNDistribution, bestOfNKL } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'docs', 'figures', 'best-of-n.svg');

// A skewed, two-bump base policy: most mass on mediocre outcomes, a small bump of good ones.
const M = 41;
const scores = Array.from({ length: M }, (_, i) => i);
const raw = scores.map((s) => Math.exp(-(((s - 12) / 6) ** 2)) + 0.25 * Math.exp(-(((s - 30) / 4) ** 2)));
const z = raw.reduce((a, b) => a + b, 0);
const pi = raw.map((x) => x / z);
const NS = [1, 4, 16] as const;
const series = NS.map((N) => ({ N, p: Array.from(bestOfNDistribution(pi, scores, N)) }));

const W = 640;
const H = 320;
const pad = { l: 56, r: 16, t: 28, b: 44 };
const ymax = Math.max(...series.flatMap((s) => s.p)) * 1.08;
const x = (s: number): number => pad.l + (s / (M - 1)) * (W - pad.l - pad.r);
const y = (p: number): number => H - pad.b - (p / ymax) * (H - pad.t - pad.b);
const colours = ['#444444', '#1f77b4', '#d62728'];
const parts: string[] = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  `<rect width="${W}" height="${H}" fill="white"/>`,
  `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">π (N = 1) vs exact π_BoN for N = 4, 16 (bestOfNDistribution)</text>`,
  `<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="black"/>`,
  `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="black"/>`,
];
for (let s = 0; s < M; s += 10) {
  parts.push(`<line x1="${x(s)}" y1="${H - pad.b}" x2="${x(s)}" y2="${H - pad.b + 4}" stroke="black"/>`);
  parts.push(`<text x="${x(s)}" y="${H - pad.b + 17}" text-anchor="middle">${s}</text>`);
}
const ticks = 4;
for (let t = 0; t <= ticks; t++) {
  const p = (ymax / 1.08) * (t / ticks);
  parts.push(`<line x1="${pad.l - 4}" y1="${y(p).toFixed(1)}" x2="${pad.l}" y2="${y(p).toFixed(1)}" stroke="black"/>`);
  parts.push(`<text x="${pad.l - 7}" y="${(y(p) + 4).toFixed(1)}" text-anchor="end">${p.toFixed(2)}</text>`);
}
parts.push(`<text x="${W / 2}" y="${H - 8}" text-anchor="middle">outcome score (verifier ranks outcomes by it)</text>`);
parts.push(`<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">probability</text>`);
series.forEach((s, i) => {
  const pts = s.p.map((p, j) => `${x(j).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
  parts.push(`<polyline fill="none" stroke="${colours[i]}" stroke-width="2" points="${pts}"/>`);
  parts.push(`<line x1="${pad.l + 16}" y1="${pad.t + 14 + 18 * i}" x2="${pad.l + 40}" y2="${pad.t + 14 + 18 * i}" stroke="${colours[i]}" stroke-width="2"/>`);
  parts.push(`<text x="${pad.l + 46}" y="${pad.t + 18 + 18 * i}">${s.N === 1 ? 'π (N = 1)' : `π_BoN, N = ${s.N}`}</text>`);
});
parts.push('</svg>');
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${parts.join('\n')}\n`);

console.log(`wrote ${OUT}\n`);
console.log('| N | KL(π_BoN ‖ π) | log N − (N−1)/N | P(score ≥ 25) under π_BoN | mean score under π_BoN |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
for (const N of [1, 2, 4, 8, 16, 32]) {
  const p = bestOfNDistribution(pi, scores, N);
  const kl = bestOfNKL(pi, scores, N);
  const tail = p.reduce((a, q, j) => a + (j >= 25 ? q : 0), 0);
  const mean = p.reduce((a, q, j) => a + q * j, 0);
  console.log(`| ${N} | ${kl.toFixed(4)} | ${(Math.log(N) - (N - 1) / N).toFixed(4)} | ${tail.toFixed(4)} | ${mean.toFixed(2)} |`);
}
