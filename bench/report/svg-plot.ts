/**
 * A small SVG line-chart writer (no dependency): a grid of panels, each with categorical x
 * positions (thread counts) and one line per series (direct, Sluice, ProxySQL).
 */

export interface Series {
  readonly name: string;
  /** one value per x label; null = not measured */
  readonly values: readonly (number | null)[];
}

export interface Panel {
  readonly title: string;
  readonly xLabels: readonly string[];
  readonly series: readonly Series[];
}

export interface ChartOptions {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly columns: number;
}

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
const PW = 260;
const PH = 190;
const M = { left: 56, right: 12, top: 28, bottom: 36 };

export function lineChartGrid(panels: readonly Panel[], o: ChartOptions): string {
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const rows = Math.ceil(panels.length / o.columns);
  const width = o.columns * (PW + M.left + M.right) + 20;
  const height = rows * (PH + M.top + M.bottom) + 70;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  ];
  names.forEach((name, i) => {
    const x = 20 + i * 130;
    parts.push(
      `<line x1="${x}" y1="36" x2="${x + 24}" y2="36" stroke="${colour(i)}" stroke-width="2.5"/>`,
      `<text x="${x + 30}" y="40">${esc(name)}</text>`,
    );
  });
  panels.forEach((panel, i) => {
    const ox = (i % o.columns) * (PW + M.left + M.right) + 10 + M.left;
    const oy = Math.floor(i / o.columns) * (PH + M.top + M.bottom) + 60 + M.top;
    parts.push(renderPanel(panel, ox, oy, names, o));
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function renderPanel(
  panel: Panel,
  ox: number,
  oy: number,
  names: readonly string[],
  o: ChartOptions,
): string {
  const values = panel.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = niceCeiling(Math.max(1, ...values));
  const n = panel.xLabels.length;
  const xAt = (i: number) => ox + (n <= 1 ? PW / 2 : (i * PW) / (n - 1));
  const yAt = (v: number) => oy + PH - (v / top) * PH;
  const out: string[] = [
    `<text x="${ox + PW / 2}" y="${oy - 10}" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`,
    `<rect x="${ox}" y="${oy}" width="${PW}" height="${PH}" fill="none" stroke="#999"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4;
    const y = yAt(v);
    out.push(
      `<line x1="${ox}" y1="${y}" x2="${ox + PW}" y2="${y}" stroke="#eee"/>`,
      `<text x="${ox - 4}" y="${y + 4}" text-anchor="end">${formatNumber(v)}</text>`,
    );
  }
  panel.xLabels.forEach((label, i) => {
    out.push(`<text x="${xAt(i)}" y="${oy + PH + 14}" text-anchor="middle">${esc(label)}</text>`);
  });
  out.push(
    `<text x="${ox + PW / 2}" y="${oy + PH + 28}" text-anchor="middle" fill="#555">${esc(o.xTitle)}</text>`,
    `<text x="${ox - 44}" y="${oy + PH / 2}" text-anchor="middle" fill="#555" transform="rotate(-90 ${ox - 44} ${oy + PH / 2})">${esc(o.yTitle)}</text>`,
  );
  for (const s of panel.series) {
    const c = colour(names.indexOf(s.name));
    const points = s.values
      .map((v, i) => (v === null ? null : `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`))
      .filter((p): p is string => p !== null);
    if (points.length > 1)
      out.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const p of points) {
      const [x, y] = p.split(",");
      out.push(`<circle cx="${x}" cy="${y}" r="3" fill="${c}"/>`);
    }
  }
  return out.join("\n");
}

function colour(i: number): string {
  return COLOURS[i % COLOURS.length] ?? "#000";
}

/** 1, 2, 2.5 or 5 × 10^k at or above `v`, so the axis has round ticks. */
export function niceCeiling(v: number): number {
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= v) return m * exp;
  return 10 * exp;
}

function formatNumber(v: number): string {
  if (v >= 10_000) return `${Math.round(v / 1000)}k`;
  if (v >= 1000) return `${(v / 1000).toFixed(1)}k`;
  return String(Math.round(v));
}

function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
