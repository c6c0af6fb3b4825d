// A picture of a dataset for instructors: request rate over time with the injected anomaly windows
// shaded and labelled, and, when verifying, one strip per ML job beneath it coloured by bucket
// anomaly score (Kibana's severity colours). Plain SVG text; no browser, no chart library.
//
// The rate arrives as a stream of buckets (from the generator's events or from an Elasticsearch
// date histogram); only per-bucket counts are kept, never events.

import type { AccessLogEvent, InjectedAnomaly } from "../generator/types";

export interface RateBucket {
  /** Bucket start, epoch ms */
  time: number;
  count: number;
}

export interface ScoreStrip {
  jobId: string;
  buckets: { timestamp: number; anomalyScore: number }[];
}

export interface RatePlotInput {
  series: Iterable<RateBucket> | AsyncIterable<RateBucket>;
  bucketMinutes: number;
  anomalies: readonly InjectedAnomaly[];
  scores?: readonly ScoreStrip[];
  title?: string;
  /** Total width in pixels (default 1200) */
  width?: number;
}

/** Counts a time-ordered event stream into buckets of `bucketMinutes`, yielding each bucket once it is complete (gaps as zeros). */
export function* countPerBucket(events: Iterable<Pick<AccessLogEvent, "@timestamp">>, bucketMinutes = 15): Generator<RateBucket> {
  const size = bucketMinutes * 60_000;
  let current: RateBucket | undefined;
  for (const event of events) {
    const start = Math.floor(Date.parse(event["@timestamp"]) / size) * size;
    if (current === undefined) current = { time: start, count: 0 };
    while (start > current.time) {
      yield current;
      current = { time: current.time + size, count: 0 };
    }
    current.count += 1;
  }
  if (current !== undefined) yield current;
}

/** A time as people read it in a title, to the minute: "2026-11-17 00:00 UTC". */
export function utcMinute(time: string | number): string {
  return `${new Date(time).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Narrowest shading of an anomaly window. To scale, a 30-minute window is 0.06 px wide in a year's
 * plot, which no one sees; 3 px is visible on a screen and in print.
 */
export const MIN_WINDOW_WIDTH_PX = 3;

const KIND_COLOURS: Record<string, string> = {
  spike: "#d6604d", drop: "#4393c3", latency: "#b35806", errors: "#c51b7d", scan: "#542788", rare_agent: "#1b7837",
};

/** Kibana's anomaly severity bands: warning < 25 <= minor < 50 <= major < 75 <= critical. */
export function severityColour(score: number): string {
  if (score >= 75) return "#fe5050";
  if (score >= 50) return "#fba740";
  if (score >= 25) return "#fdec25";
  if (score >= 3) return "#8bc8fb";
  return "#eef2f6";
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A round step for about `target` ticks over `span`. */
function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export async function renderRatePlot(input: RatePlotInput): Promise<string> {
  const buckets: RateBucket[] = [];
  for await (const bucket of input.series) buckets.push({ time: bucket.time, count: bucket.count });
  const bucketMs = input.bucketMinutes * 60_000;
  const width = input.width ?? 1200;
  const scores = input.scores ?? [];
  // Job ids label the score strips on the left, so the margin grows to fit the longest.
  const longestJob = Math.max(0, ...scores.map((s) => s.jobId.length));
  const margin = { left: Math.max(70, longestJob * 6 + 16), right: 30, top: 62, bottom: 30 };
  const rateHeight = 280;
  const stripHeight = 22;
  const stripGap = 6;
  const stripsTop = margin.top + rateHeight + 34;
  const height = stripsTop + (scores.length === 0 ? 0 : scores.length * (stripHeight + stripGap) + 24) + margin.bottom - 10;
  const plotWidth = width - margin.left - margin.right;

  const times = [...buckets.map((b) => b.time), ...input.anomalies.map((a) => Date.parse(a.start))];
  const ends = [...buckets.map((b) => b.time + bucketMs), ...input.anomalies.map((a) => Date.parse(a.end))];
  const t0 = times.length > 0 ? Math.min(...times) : 0;
  const t1 = ends.length > 0 ? Math.max(...ends) : t0 + DAY_MS;
  const x = (t: number) => margin.left + ((t - t0) / Math.max(1, t1 - t0)) * plotWidth;
  const maxCount = Math.max(1, ...buckets.map((b) => b.count));
  const yStep = niceStep(maxCount, 5);
  const yMax = Math.ceil(maxCount / yStep) * yStep;
  const y = (count: number) => margin.top + rateHeight - (count / yMax) * rateHeight;

  const svg: string[] = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  svg.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  const title = input.title ?? "Request rate";
  svg.push(`<text x="${margin.left}" y="20" font-size="15" font-weight="bold" fill="#1a1c21">${escapeXml(title)}</text>`);

  // Anomaly windows, shaded over the rate and the score strips.
  const shadeBottom = scores.length === 0 ? margin.top + rateHeight : stripsTop + scores.length * (stripHeight + stripGap);
  input.anomalies.forEach((anomaly, index) => {
    const left = x(Date.parse(anomaly.start));
    const w = Math.max(MIN_WINDOW_WIDTH_PX, x(Date.parse(anomaly.end)) - left);
    const colour = KIND_COLOURS[anomaly.kind] ?? "#888888";
    svg.push(`<rect x="${left.toFixed(1)}" y="${margin.top}" width="${w.toFixed(1)}" height="${shadeBottom - margin.top}" fill="${colour}" fill-opacity="0.18" stroke="${colour}" stroke-opacity="0.6"><title>${escapeXml(`${anomaly.id}: ${anomaly.description}`)}</title></rect>`);
    const labelY = margin.top - 6 - (index % 2) * 12;
    svg.push(`<text x="${(left + w / 2).toFixed(1)}" y="${labelY}" text-anchor="middle" font-weight="bold" fill="${colour}">${escapeXml(anomaly.id)}</text>`);
  });

  // Axes and grid.
  for (let v = 0; v <= yMax; v += yStep) {
    svg.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#d3dae6" stroke-width="0.5"/>`);
    svg.push(`<text x="${margin.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#69707d">${v.toLocaleString("en-US")}</text>`);
  }
  svg.push(`<text transform="translate(${margin.left - 52} ${margin.top + rateHeight / 2}) rotate(-90)" text-anchor="middle" fill="#69707d">requests / ${input.bucketMinutes} min</text>`);
  const spanDays = (t1 - t0) / DAY_MS;
  const dayStep = spanDays > 21 ? 7 : spanDays > 10 ? 2 : 1;
  for (let d = Math.ceil(t0 / DAY_MS) * DAY_MS; d <= t1; d += dayStep * DAY_MS) {
    const dx = x(d).toFixed(1);
    svg.push(`<line x1="${dx}" x2="${dx}" y1="${margin.top}" y2="${shadeBottom}" stroke="#d3dae6" stroke-width="0.5"/>`);
    const date = new Date(d);
    // A label centred on the last tick would run off the right edge.
    const anchor = x(d) > width - margin.right - 30 ? "end" : "middle";
    svg.push(`<text x="${dx}" y="${margin.top + rateHeight + 14}" text-anchor="${anchor}" fill="#69707d">${WEEKDAYS[date.getUTCDay()]} ${date.toISOString().slice(5, 10)}</text>`);
  }
  svg.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + rateHeight}" y2="${margin.top + rateHeight}" stroke="#69707d"/>`);

  // The rate itself.
  if (buckets.length > 0) {
    const points = buckets.map((b) => `${x(b.time + bucketMs / 2).toFixed(1)},${y(b.count).toFixed(1)}`);
    svg.push(`<polyline points="${points.join(" ")}" fill="none" stroke="#006bb4" stroke-width="1.2" stroke-linejoin="round"/>`);
  } else {
    svg.push(`<text x="${margin.left + plotWidth / 2}" y="${margin.top + rateHeight / 2}" text-anchor="middle" fill="#69707d">no events</text>`);
  }

  // One strip per job: bucket anomaly scores.
  if (scores.length > 0) {
    svg.push(`<text x="${margin.left}" y="${stripsTop - 8}" font-weight="bold" fill="#1a1c21">ML bucket anomaly score</text>`);
    scores.forEach((strip, index) => {
      const top = stripsTop + index * (stripHeight + stripGap);
      svg.push(`<rect x="${margin.left}" y="${top}" width="${plotWidth}" height="${stripHeight}" fill="#f5f7fa" stroke="#d3dae6" stroke-width="0.5"/>`);
      const span = strip.buckets.length > 1 ? Math.min(...strip.buckets.slice(1).map((b, i) => b.timestamp - strip.buckets[i].timestamp)) : bucketMs;
      for (const bucket of strip.buckets) {
        if (bucket.anomalyScore < 3) continue;
        const left = x(bucket.timestamp);
        const w = Math.max(1.5, x(bucket.timestamp + span) - left);
        svg.push(`<rect x="${left.toFixed(1)}" y="${top}" width="${w.toFixed(1)}" height="${stripHeight}" fill="${severityColour(bucket.anomalyScore)}"><title>${escapeXml(`${strip.jobId} ${new Date(bucket.timestamp).toISOString()} score ${bucket.anomalyScore.toFixed(1)}`)}</title></rect>`);
      }
      svg.push(`<text x="${margin.left - 6}" y="${top + stripHeight / 2 + 4}" text-anchor="end" fill="#343741" font-size="10">${escapeXml(strip.jobId)}</text>`);
    });
    const legendY = stripsTop + scores.length * (stripHeight + stripGap) + 16;
    const bands: [string, number][] = [["warning 3-25", 3], ["minor 25-50", 25], ["major 50-75", 50], ["critical 75+", 75]];
    bands.forEach(([label, score], i) => {
      const lx = margin.left + i * 120;
      svg.push(`<rect x="${lx}" y="${legendY - 9}" width="12" height="12" fill="${severityColour(score)}"/>`);
      svg.push(`<text x="${lx + 16}" y="${legendY + 1}" fill="#343741">${label}</text>`);
    });
  }
  svg.push("</svg>");
  return svg.join("\n") + "\n";
}
