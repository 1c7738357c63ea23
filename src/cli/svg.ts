/**
 * A dependency-free SVG line chart, used by the CLI's `--plot` and by the demo's figures. Deliberately
 * small: one or more series of (x, y) points, linear or log x axis, a legend, nothing else.
 */

/** One line of a chart. */
export interface ChartSeries {
  /** Legend label. */
  name: string;
  /** Points in drawing order. Non-finite y values are skipped (a gap, not a zero). */
  points: ReadonlyArray<readonly [number, number]>;
  /** Optional ±band drawn around the line (same length as `points`), e.g. a std over seeds. */
  band?: readonly number[];
  /** CSS colour; the default cycles through a fixed palette by series index. */
  color?: string;
  /** Draw the line dashed (e.g. a run that should coincide with another). */
  dashed?: boolean;
}

/** What {@link lineChart} draws. */
export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /**
   * Log-scale x axis (base 10 ticks at the data's x values when there are few).
   * @defaultValue false
   */
  logX?: boolean;
  /**
   * y range; the default fits the data and always includes 0 and 1 for metrics in [0, 1].
   * @defaultValue [0, 1]
   */
  yRange?: readonly [number, number];
  /** Width of the plot area plus axes; the legend's width is added to it. @defaultValue 480 */
  width?: number;
  /** @defaultValue 400 */
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * span; t += step) ticks.push(Number(t.toFixed(10)));
  return ticks;
}

/**
 * Renders a line chart as a standalone SVG document.
 *
 * @example
 * ```ts
 * lineChart({ title: 'pass@k', xLabel: 'k', yLabel: 'pass@k', logX: true,
 *   series: [{ name: 'model', points: [[1, 0.3], [10, 0.6], [100, 0.8]] }] });
 * // '<svg xmlns="http://www.w3.org/2000/svg" width="…" height="400" …'
 * ```
 */
export function lineChart(spec: ChartSpec): string {
  const height = spec.height ?? 400;
  // The legend sits right of the plot; its width follows the longest label (≈ 6.5 px a character).
  const legendWidth = Math.round(50 + 6.5 * Math.max(8, ...spec.series.map((s) => s.name.length)));
  const width = (spec.width ?? 480) + legendWidth;
  const m = { left: 60, right: legendWidth, top: 36, bottom: 48 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const logX = spec.logX ?? false;
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0])).filter((x) => Number.isFinite(x) && (!logX || x > 0));
  const tx = (x: number): number => (logX ? Math.log10(x) : x);
  let xLo = xs.length > 0 ? Math.min(...xs.map(tx)) : 0;
  let xHi = xs.length > 0 ? Math.max(...xs.map(tx)) : 1;
  if (xHi === xLo) {
    xLo -= 0.5;
    xHi += 0.5;
  }
  const [yLo, yHi] = spec.yRange ?? [0, 1];
  const X = (x: number): number => m.left + ((tx(x) - xLo) / (xHi - xLo)) * pw;
  const Y = (y: number): number => m.top + (1 - (y - yLo) / (yHi - yLo || 1)) * ph;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${m.left + pw / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(spec.title)}</text>`,
  );
  // Grid and ticks. On a log axis with few distinct x values, tick exactly at the data (k = 1, 10, 100).
  const distinctX = [...new Set(xs)].sort((a, b) => a - b);
  const xTicks = logX
    ? distinctX.length <= 12
      ? distinctX
      : niceTicks(xLo, xHi, 6).map((t) => 10 ** t)
    : distinctX.length <= 12 && distinctX.every(Number.isInteger)
      ? distinctX
      : niceTicks(xLo, xHi, 8);
  for (const t of xTicks) {
    const x = X(t).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + ph}" stroke="#eee"/>`,
      `<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle">${esc(fmt(t))}</text>`,
    );
  }
  for (const t of niceTicks(yLo, yHi, 5)) {
    const y = Y(t).toFixed(1);
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fmt(t))}</text>`,
    );
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${m.left + pw / 2}" y="${height - 10}" text-anchor="middle">${esc(spec.xLabel)}${logX ? ' (log scale)' : ''}</text>`,
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length] ?? '#000';
    const pts = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!logX || p[0] > 0));
    if (s.band !== undefined && pts.length > 1) {
      const upper: string[] = [];
      const lower: string[] = [];
      s.points.forEach((p, i) => {
        const b = s.band?.[i] ?? 0;
        if (!Number.isFinite(p[1]) || !Number.isFinite(b)) return;
        upper.push(`${X(p[0]).toFixed(1)},${Y(Math.min(yHi, p[1] + b)).toFixed(1)}`);
        lower.unshift(`${X(p[0]).toFixed(1)},${Y(Math.max(yLo, p[1] - b)).toFixed(1)}`);
      });
      out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"/>`);
    }
    const d = pts.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ');
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : '';
    out.push(`<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    if (pts.length <= 20) {
      for (const p of pts) out.push(`<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = m.top + 8 + si * 18;
    out.push(
      `<line x1="${m.left + pw + 12}" x2="${m.left + pw + 32}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${m.left + pw + 38}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
