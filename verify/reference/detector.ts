// The offline reference detector: what a careful analyst would flag in the generator's output,
// computed without Elasticsearch. Pass one folds events into per-bucket summaries (aggregate.ts);
// pass two scores every bucket against a baseline learned from the data itself, one tail test per
// signal, the same signals the lab's ML jobs model:
//
// - count_high / count_low (jobs lab_request_rate_high/low): the bucket's request count against a
//   seasonal baseline, the median count at the same time of day over every day, scaled by the local
//   level of the surrounding hours (which carries the weekday/weekend difference and its ramps).
//   Quasi-Poisson tails: counts and mean are divided by the dispersion of the Pearson residuals.
// - latency (lab_latency): the mean ln(duration) of one host or URL in the bucket, as a z-score
//   against the entity's overall mean and pooled within-bucket spread.
// - errors (lab_server_errors, lab_response_code_rates): 5xx responses of one host or URL against
//   its 5xx share outside the surrounding hours, Poisson tail, over the bucket and up to the two
//   before it (ML's multi-bucket impact does the same for a burst spanning buckets).
// - distinct (lab_url_scanning): distinct URLs of one client in the bucket against its peers (a high
//   quantile of every client's distinct count, over every bucket), Poisson tail.
// - rare (lab_rare_user_agent): requests with one user agent against that agent's share outside the
//   surrounding hours (an agent never seen elsewhere gets a share of half a request), Poisson tail.
//
//
// Two more signals are scored only when asked for (DetectorOptions.signals), for the datasets whose
// windows call for them (signalsFor in evaluate.ts):
//
// - level (lab_request_rate_level): the bucket's request count against the past only: the same time
//   yesterday, scaled by how the last hour compares with the same hour yesterday; high tail,
//   quasi-Poisson with its own dispersion. Knowing only the past, it flags a lasting step when it comes and stops
//   once the last hour is all at the new level, as ML learns a new level. On other datasets a
//   return to normal after a drop would look like a step, so it is not scored there.
// - category (lab_error_categories): error-log lines of one category (the text before ", client: ",
//   which is what ML's categorization keeps of an nginx error line) against that category's share
//   of the error log outside the surrounding hours, Poisson tail, like rare; it reads the error log,
//   which the run gives along with the access events.
//
// A score is -log10 of the tail probability; a bucket alarms when any score reaches the threshold.

import type { NginxErrorEvent } from "../../generator/error-log";
import type { AccessLogEvent } from "../../generator/types";
import { BucketAggregator, isErrorEvent, type BucketSummary, type EntityStats } from "./aggregate";
import { median, normalUpperLog10, poissonLowerLog10, poissonUpperLog10 } from "./stats";

export type Signal = "count_high" | "count_low" | "latency" | "errors" | "distinct" | "rare" | "level" | "category";

/** The signals scored on every dataset. */
export const CLASSIC_SIGNALS: readonly Signal[] = ["count_high", "count_low", "latency", "errors", "distinct", "rare"];

export interface Alarm {
  /** Bucket start, epoch ms */
  bucketStart: number;
  signal: Signal;
  /** The entity the score is about, null for the whole service */
  entity: { field: string; value: string } | null;
  /** -log10 of the tail probability */
  score: number;
  actual: number;
  typical: number;
}

export interface DetectorOptions {
  bucketMinutes?: number;
  /** Alarm when -log10(p) reaches this (default 8: one chance in 10^8 per test) */
  threshold?: number;
  /** The dataset's range; buckets not wholly inside it are not scored (they hold a partial count) */
  range?: { start: number; end: number };
  /** The signals to score (default CLASSIC_SIGNALS); "category" needs the error log among the events */
  signals?: readonly Signal[];
}

export interface DetectorResult {
  alarms: Alarm[];
  bucketCount: number;
  eventCount: number;
  bucketMs: number;
}

const DAY_MS = 86_400_000;
/** Buckets each side that define the local level (3 hours of 15-minute buckets) ... */
const LEVEL_HALF_WIDTH_MS = 2 * 3_600_000;
/** ... leaving out the nearest ones, which may belong to the same anomaly. */
const LEVEL_GAP_MS = 30 * 60_000;
/** Around a bucket, this much time is left out of a user agent's or an entity's error share. */
const EXCLUSION_MS = 2 * 3_600_000;
/** Error bursts are judged over up to this many consecutive buckets (45 minutes) ... */
const ERROR_SPAN_BUCKETS = 3;
/** ... ending in a bucket whose own errors are already unusual (p <= 0.01). */
const OWN_EXCESS_SCORE = 2;
/** Latency needs this many requests of the entity in the bucket for its mean to mean something. */
const MIN_LATENCY_REQUESTS = 3;
/** The peer quantile a client's distinct URL count is compared with. */
const DISTINCT_PEER_QUANTILE = 0.999;
export const DEFAULT_THRESHOLD = 8;
/**
 * Days of data a signal needs before it can say anything. The count signals compare a bucket with
 * the median count at the same time of day on the other days, and a median of fewer than three
 * values is pulled towards an anomaly's own count. The level signal compares with yesterday and
 * learns its spread from the range's one-sided predictions: on 2 or 2.5 days it missed 5 and 2 of
 * 20 steps, on 3 days none. Other signals learn per entity over the whole range and need no whole
 * days.
 */
export const MIN_DAYS_FOR_SIGNAL: Readonly<Partial<Record<Signal, number>>> = { count_high: 3, count_low: 3, level: 3 };
/** The level signal's memory: the buckets of the last hour before the one it scores. */
export const LEVEL_MEMORY_BUCKETS = 4;
/**
 * Count tests alarm at twice the threshold: their baseline is itself an estimate (a few days per
 * time-of-day slot, and weekday/weekend ramps across midnight that a local line follows only
 * roughly), an error the Poisson tail does not know about. Spikes and drops score far above it.
 */
export const COUNT_THRESHOLD_FACTOR = 2;

/**
 * Folds the event stream into bucket summaries (pass one). With readsErrorLog, the stream holds the
 * error log's lines too (generateNginxLogs); eventCount counts the requests only.
 */
export function summarise(events: Iterable<AccessLogEvent | NginxErrorEvent>, bucketMinutes = 15, readsErrorLog = false): { buckets: BucketSummary[]; eventCount: number } {
  const aggregator = new BucketAggregator(bucketMinutes, readsErrorLog);
  const buckets: BucketSummary[] = [];
  let eventCount = 0;
  for (const event of events) {
    if (!readsErrorLog || !isErrorEvent(event)) eventCount += 1;
    for (const bucket of aggregator.add(event)) buckets.push(bucket);
  }
  buckets.push(...aggregator.finish());
  return { buckets, eventCount };
}

function scoreCounts(buckets: BucketSummary[], bucketMs: number, scored: boolean[], emit: (alarm: Alarm) => void, threshold: number): void {
  const slotOf = (start: number) => Math.floor((((start % DAY_MS) + DAY_MS) % DAY_MS) / bucketMs);
  const halfWidth = Math.round(LEVEL_HALF_WIDTH_MS / bucketMs);
  const gap = Math.round(LEVEL_GAP_MS / bucketMs);
  const needEachSide = 2;
  // The local level of a bucket: a robust straight line (Theil-Sen: the median of pairwise slopes,
  // then the median intercept) through the ratios of count to shape over the surrounding hours,
  // read at the bucket itself. The nearest buckets are left out, as they may belong to the same
  // anomaly. A line rather than a median follows the weekday/weekend ramps across midnight.
  const localLevel = (ratio: number[], bothSides: boolean) =>
    buckets.map((_, i) => {
      const xs: number[] = [];
      const ys: number[] = [];
      let before = 0;
      let after = 0;
      for (let j = i - halfWidth; j <= i + halfWidth; j++) {
        if (j < 0 || j >= buckets.length || Math.abs(j - i) <= gap || Number.isNaN(ratio[j])) continue;
        xs.push(j - i);
        ys.push(ratio[j]);
        if (j < i) before += 1;
        else after += 1;
      }
      if (xs.length === 0 || (bothSides && (before < needEachSide || after < needEachSide))) return NaN;
      if (before === 0 || after === 0) return median(ys);
      const slopes: number[] = [];
      for (let a = 0; a < xs.length; a++) for (let b = a + 1; b < xs.length; b++) slopes.push((ys[b] - ys[a]) / (xs[b] - xs[a]));
      const slope = median(slopes);
      return median(ys.map((y, k) => y - slope * xs[k]));
    });
  // Buckets left out of the shape and the levels: in the second round, those the first round found
  // clearly anomalous, so that a drop does not drag down its neighbours' level (and then make them
  // look like spikes), nor a spike lift it.
  const fit = (masked: boolean[]) => {
    const usable = (i: number) => scored[i] && !masked[i];
    const shapeOf = (level: number[]) => {
      const bySlot = new Map<number, number[]>();
      buckets.forEach((bucket, i) => {
        if (!usable(i) || !(level[i] > 0)) return;
        const slot = slotOf(bucket.start);
        const list = bySlot.get(slot) ?? [];
        list.push(bucket.count / level[i]);
        bySlot.set(slot, list);
      });
      const shape = new Map([...bySlot].map(([slot, values]) => [slot, median(values)]));
      return buckets.map((bucket) => shape.get(slotOf(bucket.start)) ?? NaN);
    };
    const ratioTo = (shape: number[]) => buckets.map((bucket, i) => (usable(i) && shape[i] > 0 ? bucket.count / shape[i] : NaN));
    // The time-of-day shape, learned in two rounds: the median count per slot, then the median per
    // slot of counts divided by their local level. With few days, a raw median could land on the
    // other kind of day (weekday or weekend) when an anomaly sits in the same slot on a third day;
    // level-adjusted counts are alike on every day. One-sided levels are fine for learning the
    // shape, but scoring needs both sides: one-sided, the level lags behind the ramps (so the
    // range's first and last hours, where ML is still learning too, are not scored).
    const firstShape = shapeOf(buckets.map(() => 1));
    const shape = shapeOf(localLevel(ratioTo(firstShape), false));
    const level = localLevel(ratioTo(shape), true);
    const expected = buckets.map((_, i) => level[i] * shape[i]);
    const residuals = buckets.map((b, i) => (usable(i) && expected[i] > 0 ? (b.count - expected[i]) / Math.sqrt(expected[i]) : NaN)).filter((r) => !Number.isNaN(r));
    const centre = median(residuals);
    const mad = median(residuals.map((r) => Math.abs(r - centre)));
    const dispersion = Math.max(1, (1.4826 * mad) ** 2);
    const scores = buckets.map((bucket, i) => {
      if (!scored[i] || !(expected[i] > 0)) return { high: 0, low: 0 };
      const k = bucket.count / dispersion;
      const mean = expected[i] / dispersion;
      return { high: bucket.count > expected[i] ? -poissonUpperLog10(k, mean) : 0, low: bucket.count < expected[i] ? -poissonLowerLog10(k, mean) : 0 };
    });
    return { expected, scores };
  };
  const first = fit(buckets.map(() => false));
  const { expected, scores } = fit(first.scores.map((s) => Math.max(s.high, s.low) >= threshold / 2));
  buckets.forEach((bucket, i) => {
    const { high, low } = scores[i];
    if (high >= threshold) emit({ bucketStart: bucket.start, signal: "count_high", entity: null, score: high, actual: bucket.count, typical: expected[i] });
    if (low >= threshold) emit({ bucketStart: bucket.start, signal: "count_low", entity: null, score: low, actual: bucket.count, typical: expected[i] });
  });
}

/**
 * The level signal: each bucket's count against the same time yesterday (the mean of yesterday's
 * three buckets around it, which carries the daily cycle), scaled by how the hour before compares
 * with the same hour yesterday (the median of the last four buckets' ratios, which carries the
 * weekday/weekend level). Only the past counts, so a lasting step alarms when it comes and stops
 * once the whole of the last hour is at the new level. It alarms at the plain threshold, not the
 * count signals' doubled one: its dispersion is measured on its own one-sided predictions, so it
 * already holds the error of a baseline drawn from yesterday and four buckets. A time-of-day shape
 * learned from the whole range would not do: the step's own day bends it around the step.
 */
function scoreLevel(buckets: BucketSummary[], bucketMs: number, scored: boolean[], emit: (alarm: Alarm) => void, threshold: number): void {
  const day = Math.round(DAY_MS / bucketMs);
  const yesterday = buckets.map((_, i) => {
    const j = i - day;
    if (j - 1 < 0 || !scored[j - 1] || !scored[j] || !scored[j + 1]) return NaN;
    return (buckets[j - 1].count + buckets[j].count + buckets[j + 1].count) / 3;
  });
  const ratio = buckets.map((bucket, i) => (scored[i] && yesterday[i] > 0 ? bucket.count / yesterday[i] : NaN));
  const expected = buckets.map((_, i) => {
    if (!scored[i] || !(yesterday[i] > 0)) return NaN;
    const past: number[] = [];
    for (let j = i - LEVEL_MEMORY_BUCKETS; j < i; j++) if (j >= 0 && !Number.isNaN(ratio[j])) past.push(ratio[j]);
    return past.length === LEVEL_MEMORY_BUCKETS ? median(past) * yesterday[i] : NaN;
  });
  const residuals = buckets.map((b, i) => (expected[i] > 0 ? (b.count - expected[i]) / Math.sqrt(expected[i]) : NaN)).filter((r) => !Number.isNaN(r));
  const centre = median(residuals);
  const dispersion = Math.max(1, (1.4826 * median(residuals.map((r) => Math.abs(r - centre)))) ** 2);
  buckets.forEach((bucket, i) => {
    if (!(expected[i] > 0) || bucket.count <= expected[i]) return;
    const score = -poissonUpperLog10(bucket.count / dispersion, expected[i] / dispersion);
    if (score >= threshold) emit({ bucketStart: bucket.start, signal: "level", entity: null, score, actual: bucket.count, typical: expected[i] });
  });
}

function scoreEntities(buckets: BucketSummary[], bucketMs: number, scored: boolean[], field: "host.name" | "url.path", emit: (alarm: Alarm) => void, threshold: number): void {
  const exclusion = Math.round(EXCLUSION_MS / bucketMs);
  const pick = (bucket: BucketSummary) => (field === "host.name" ? bucket.hosts : bucket.urls);
  const totals = new Map<string, { n: number; sumLog: number; errors: number; within: number; withinDf: number }>();
  buckets.forEach((bucket, i) => {
    if (!scored[i]) return;
    for (const [key, stats] of pick(bucket)) {
      const total = totals.get(key) ?? { n: 0, sumLog: 0, errors: 0, within: 0, withinDf: 0 };
      total.n += stats.n;
      total.sumLog += stats.sumLog;
      total.errors += stats.errors;
      // A latency anomaly shifts ln(duration) within its buckets but leaves the spread inside each
      // bucket alone, so the pooled within-bucket variance is a baseline the anomaly cannot inflate.
      const cells = stats.cells ?? stats.n;
      if (cells >= 2) {
        total.within += stats.sumLogSq - (stats.sumLog * stats.sumLog) / stats.n;
        total.withinDf += cells - 1;
      }
      totals.set(key, total);
    }
  });
  buckets.forEach((bucket, i) => {
    if (!scored[i]) return;
    for (const [key, stats] of pick(bucket) as Map<string, EntityStats>) {
      const total = totals.get(key)!;
      const entity = { field, value: key };
      if (stats.n >= MIN_LATENCY_REQUESTS && total.withinDf > 0) {
        const mean = total.sumLog / total.n;
        const sd = Math.sqrt(total.within / total.withinDf);
        const z = (stats.sumLog / stats.n - mean) / (sd / Math.sqrt(stats.n));
        const score = -normalUpperLog10(z);
        if (z > 0 && score >= threshold) emit({ bucketStart: bucket.start, signal: "latency", entity, score, actual: Math.exp(stats.sumLog / stats.n), typical: Math.exp(mean) });
      }
      if (stats.errors > 0) {
        // The share comes from outside the surrounding hours, so an error burst does not raise its
        // own baseline; one pseudo-error keeps an entity that never failed from a share of zero.
        let nearErrors = 0;
        let nearN = 0;
        for (let j = Math.max(0, i - exclusion); j <= Math.min(buckets.length - 1, i + exclusion); j++) {
          const near = scored[j] ? pick(buckets[j]).get(key) : undefined;
          if (near === undefined) continue;
          nearErrors += near.errors;
          nearN += near.n;
        }
        const share = (total.errors - nearErrors + 1) / (total.n - nearN + 2);
        // Like ML's multi-bucket impact, a burst is also judged over this bucket and the one or
        // two before it: a 30-minute burst on a quiet URL at night is two or three errors per
        // bucket, which no single bucket can tell from chance, but three buckets together can.
        // The bucket itself must be in excess too, or the buckets after a burst would inherit it.
        const own = -poissonUpperLog10(stats.errors, stats.n * share);
        let best = { score: 0, errors: 0, expected: 0 };
        let errors = 0;
        let requests = 0;
        for (let span = 0; span < (own >= OWN_EXCESS_SCORE ? ERROR_SPAN_BUCKETS : 1) && i - span >= 0; span++) {
          const earlier = scored[i - span] ? pick(buckets[i - span]).get(key) : undefined;
          errors += earlier?.errors ?? 0;
          requests += earlier?.n ?? 0;
          const expected = requests * share;
          const score = -poissonUpperLog10(errors, expected);
          if (score > best.score) best = { score, errors, expected };
        }
        if (best.score >= threshold) emit({ bucketStart: bucket.start, signal: "errors", entity, score: best.score, actual: best.errors, typical: best.expected });
      }
    }
  });
}

function scoreDistinct(buckets: BucketSummary[], scored: boolean[], emit: (alarm: Alarm) => void, threshold: number): void {
  const histogram = new Map<number, number>();
  let clients = 0;
  buckets.forEach((bucket, i) => {
    if (!scored[i]) return;
    for (const [distinct, n] of bucket.distinctHistogram) {
      histogram.set(distinct, (histogram.get(distinct) ?? 0) + n);
      clients += n;
    }
  });
  if (clients === 0) return;
  let seen = 0;
  let peerTypical = 1;
  for (const distinct of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(distinct)!;
    if (seen >= DISTINCT_PEER_QUANTILE * clients) {
      peerTypical = Math.max(1, distinct);
      break;
    }
  }
  buckets.forEach((bucket, i) => {
    if (!scored[i]) return;
    for (const client of bucket.topClients) {
      const score = -poissonUpperLog10(client.distinctUrls, peerTypical);
      if (score >= threshold) emit({ bucketStart: bucket.start, signal: "distinct", entity: { field: "source.ip", value: client.ip }, score, actual: client.distinctUrls, typical: peerTypical });
    }
  });
}

function scoreRareAgents(buckets: BucketSummary[], bucketMs: number, scored: boolean[], emit: (alarm: Alarm) => void, threshold: number): void {
  const totals = new Map<string, number>();
  let all = 0;
  buckets.forEach((bucket, i) => {
    if (!scored[i]) return;
    all += bucket.count;
    for (const [agent, n] of bucket.agents) totals.set(agent, (totals.get(agent) ?? 0) + n);
  });
  const exclusion = Math.round(EXCLUSION_MS / bucketMs);
  buckets.forEach((bucket, i) => {
    if (!scored[i] || bucket.count === 0) return;
    let nearAll = 0;
    const nearAgent = new Map<string, number>();
    for (let j = Math.max(0, i - exclusion); j <= Math.min(buckets.length - 1, i + exclusion); j++) {
      if (!scored[j]) continue;
      nearAll += buckets[j].count;
      for (const agent of bucket.agents.keys()) nearAgent.set(agent, (nearAgent.get(agent) ?? 0) + (buckets[j].agents.get(agent) ?? 0));
    }
    const elsewhere = all - nearAll;
    if (elsewhere <= 0) return;
    for (const [agent, n] of bucket.agents) {
      const history = (totals.get(agent) ?? 0) - (nearAgent.get(agent) ?? 0);
      const share = Math.max(history, 0.5) / elsewhere;
      const expected = share * bucket.count;
      const score = -poissonUpperLog10(n, expected);
      if (score >= threshold) emit({ bucketStart: bucket.start, signal: "rare", entity: { field: "user_agent.original", value: agent }, score, actual: n, typical: expected });
    }
  });
}

/**
 * The category signal: error-log lines of one category in the bucket against the category's share of
 * the error log outside the surrounding hours (a category never seen elsewhere gets half a line).
 */
function scoreCategories(buckets: BucketSummary[], bucketMs: number, scored: boolean[], emit: (alarm: Alarm) => void, threshold: number): void {
  const linesOf = (bucket: BucketSummary) => {
    let lines = 0;
    for (const n of bucket.categories?.values() ?? []) lines += n;
    return lines;
  };
  const totals = new Map<string, number>();
  let all = 0;
  buckets.forEach((bucket, i) => {
    if (!scored[i]) return;
    for (const [category, n] of bucket.categories ?? []) {
      totals.set(category, (totals.get(category) ?? 0) + n);
      all += n;
    }
  });
  const exclusion = Math.round(EXCLUSION_MS / bucketMs);
  buckets.forEach((bucket, i) => {
    const lines = linesOf(bucket);
    if (!scored[i] || lines === 0) return;
    let nearAll = 0;
    const nearCategory = new Map<string, number>();
    for (let j = Math.max(0, i - exclusion); j <= Math.min(buckets.length - 1, i + exclusion); j++) {
      if (!scored[j]) continue;
      nearAll += linesOf(buckets[j]);
      for (const category of bucket.categories!.keys()) nearCategory.set(category, (nearCategory.get(category) ?? 0) + (buckets[j].categories?.get(category) ?? 0));
    }
    const elsewhere = all - nearAll;
    if (elsewhere <= 0) return;
    for (const [category, n] of bucket.categories!) {
      const history = (totals.get(category) ?? 0) - (nearCategory.get(category) ?? 0);
      const expected = (Math.max(history, 0.5) / elsewhere) * lines;
      const score = -poissonUpperLog10(n, expected);
      if (score >= threshold) emit({ bucketStart: bucket.start, signal: "category", entity: { field: "mlcategory", value: category }, score, actual: n, typical: expected });
    }
  });
}

/** Scores bucket summaries (pass two). */
export function scoreBuckets(buckets: BucketSummary[], options: DetectorOptions = {}): Alarm[] {
  const bucketMs = (options.bucketMinutes ?? 15) * 60_000;
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const range = options.range;
  const scored = buckets.map((b) => range === undefined || (b.start >= range.start && b.start + bucketMs <= range.end));
  const signals = options.signals ?? CLASSIC_SIGNALS;
  const alarms: Alarm[] = [];
  const emit = (alarm: Alarm) => {
    if (signals.includes(alarm.signal)) alarms.push(alarm);
  };
  scoreCounts(buckets, bucketMs, scored, emit, threshold * COUNT_THRESHOLD_FACTOR);
  if (signals.includes("level")) scoreLevel(buckets, bucketMs, scored, emit, threshold);
  scoreEntities(buckets, bucketMs, scored, "host.name", emit, threshold);
  scoreEntities(buckets, bucketMs, scored, "url.path", emit, threshold);
  if (signals.includes("distinct")) scoreDistinct(buckets, scored, emit, threshold);
  if (signals.includes("rare")) scoreRareAgents(buckets, bucketMs, scored, emit, threshold);
  if (signals.includes("category")) scoreCategories(buckets, bucketMs, scored, emit, threshold);
  return alarms.sort((a, b) => a.bucketStart - b.bucketStart || b.score - a.score);
}

/** Runs both passes over an event stream; with the "category" signal, the stream holds the error log too. */
export function detect(events: Iterable<AccessLogEvent | NginxErrorEvent>, options: DetectorOptions = {}): DetectorResult {
  const bucketMinutes = options.bucketMinutes ?? 15;
  const { buckets, eventCount } = summarise(events, bucketMinutes, options.signals?.includes("category") ?? false);
  return { alarms: scoreBuckets(buckets, options), bucketCount: buckets.length, eventCount, bucketMs: bucketMinutes * 60_000 };
}
