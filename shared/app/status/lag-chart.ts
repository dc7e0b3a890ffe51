import type { Stores } from '../../store';
import { forEachBounded } from '../../store/bounded';
import type { Kind } from '../../sync/types';
import { count, duration, escapeHtml } from './html';
import { median } from './user-view';

/**
 * Propagation lag over the last 24 hours, per kind, as an inline SVG (no script, nothing loaded from elsewhere).
 * The lag is what write rows record (a create or update carried from a delta listing: from the change on its side
 * to our write, shared/sync/audit-rows.ts). Reads: per kind and hour, the newest PER_HOUR rows of that hour that
 * hold a lag, one query of a key range of one day partition each (24 × kinds queries, 48 with two kinds), 8 at a
 * time; so the figures are the median of a sample of each busy hour, whatever the organisation's size.
 */
export const PER_HOUR = 50;
const HOURS = 24;
const HOUR_MS = 3600_000;
const CONCURRENCY = 8;

export interface LagPoint {
  hourStart: number;
  /** Median and the 90th percentile of the sampled rows; undefined for an hour without writes. */
  medianMs?: number;
  p90Ms?: number;
  rows: number;
}

export interface LagSeries {
  kind: Kind;
  points: LagPoint[];
}

export async function readLagSeries(
  audit: Pick<Stores['audit'], 'lagWindow'>,
  kinds: readonly Kind[],
  now: number,
): Promise<LagSeries[]> {
  const lastHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const hours = Array.from({ length: HOURS }, (_, i) => lastHour - (HOURS - 1 - i) * HOUR_MS);
  const series = kinds.map((kind) => ({
    kind,
    points: hours.map((hourStart) => ({ hourStart, rows: 0 }) as LagPoint),
  }));
  const jobs = series.flatMap((s) => s.points.map((point) => ({ kind: s.kind, point })));
  await forEachBounded(jobs, CONCURRENCY, async ({ kind, point }) => {
    const end = Math.min(point.hourStart + HOUR_MS, now + 1);
    const rows = await audit.lagWindow(point.hourStart, end, kind, PER_HOUR);
    const lags = rows.map((r) => r.lagMs!).filter((n) => Number.isFinite(n));
    point.rows = lags.length;
    point.medianMs = median(lags);
    point.p90Ms = percentile(lags, 0.9);
  });
  return series;
}

function percentile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const COLOURS = ['#0f6cbd', '#c50f1f', '#107c10', '#8764b8', '#ca5010'];
const W = 760;
const H = 260;
const LEFT = 70;
const RIGHT = 20;
const TOP = 20;
const BOTTOM = 40;

/** The picture, with the figures again in a table under it for whoever cannot see it. */
export function lagChart(series: LagSeries[]): string {
  const all = series.flatMap((s) =>
    s.points.map((p) => p.medianMs).filter((v): v is number => v !== undefined),
  );
  const heading = '<section id="lag"><h2>Propagation lag, last 24 hours</h2>';
  if (all.length === 0) {
    return `${heading}<p>No write with a recorded lag in the last 24 hours.</p></section>`;
  }
  const max = niceCeiling(Math.max(...all));
  const x = (i: number) => LEFT + (i * (W - LEFT - RIGHT)) / (HOURS - 1);
  const y = (ms: number) => TOP + (H - TOP - BOTTOM) * (1 - ms / max);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const yy = y(max * f).toFixed(1);
      return (
        `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${yy}" y2="${yy}" stroke="#ddd"/>` +
        `<text x="${LEFT - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle" font-size="11">${escapeHtml(duration(max * f))}</text>`
      );
    })
    .join('');
  const hoursAxis = series[0].points
    .map((p, i) =>
      i % 3 === 0
        ? `<text x="${x(i).toFixed(1)}" y="${H - BOTTOM + 16}" text-anchor="middle" font-size="11">${new Date(p.hourStart).toISOString().slice(11, 16)}</text>`
        : '',
    )
    .join('');
  const lines = series
    .map((s, k) => {
      const colour = COLOURS[k % COLOURS.length];
      const points = s.points
        .map((p, i) =>
          p.medianMs === undefined ? undefined : `${x(i).toFixed(1)},${y(p.medianMs).toFixed(1)}`,
        )
        .filter(Boolean);
      const dots = s.points
        .map((p, i) =>
          p.medianMs === undefined
            ? ''
            : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.medianMs).toFixed(1)}" r="3" fill="${colour}"><title>` +
              `${escapeHtml(`${s.kind} ${new Date(p.hourStart).toISOString().slice(11, 16)} UTC: median ${duration(p.medianMs)} of ${p.rows} writes`)}</title></circle>`,
        )
        .join('');
      const legend =
        `<rect x="${LEFT + 10 + k * 110}" y="${H - 14}" width="10" height="10" fill="${colour}"/>` +
        `<text x="${LEFT + 24 + k * 110}" y="${H - 5}" font-size="12">${escapeHtml(s.kind)}</text>`;
      return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>${dots}${legend}`;
    })
    .join('');
  const svg =
    `<svg id="lag-chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `role="img" aria-label="Median propagation lag per hour and kind, last 24 hours (UTC)">${grid}${hoursAxis}${lines}</svg>`;
  const rows = series
    .map((s) => {
      const withRows = s.points.filter((p) => p.rows > 0);
      const med = median(withRows.map((p) => p.medianMs!));
      const worst = Math.max(0, ...withRows.map((p) => p.p90Ms ?? 0));
      const sampled = withRows.reduce((n, p) => n + p.rows, 0);
      return `<tr><td>${escapeHtml(s.kind)}</td><td class="n">${escapeHtml(count(sampled))}</td><td>${med === undefined ? '' : escapeHtml(duration(med))}</td><td>${withRows.length ? escapeHtml(duration(worst)) : ''}</td></tr>`;
    })
    .join('');
  return (
    `${heading}${svg}<table id="lag-table"><thead><tr><th>kind</th><th>writes sampled</th><th>median of the hourly medians</th>` +
    `<th>worst hourly 90th percentile</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="muted">From change to copy, for creates and updates carried from a change (not first syncs or deletes); ` +
    `at most ${PER_HOUR} writes sampled per kind and hour (docs/status-page.md).</p></section>`
  );
}

/** 1, 2 or 5 times a power of ten at or above the value, so the axis reads in round figures. */
function niceCeiling(ms: number): number {
  const value = Math.max(ms, 1000);
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
