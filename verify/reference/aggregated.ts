// The reference detector's pass one on aggregated input: bucket summaries built from the rows the
// lab's aggregated datafeeds return (./datafeed.ts), not from the events. Each signal reads the rows
// of the job that models it, summed from the datafeed's interval (5 or 15 minutes) to the 15-minute
// bucket span:
//
// - count_high / count_low: doc_count of lab_request_rate_high's rows (lab_request_rate_low's are
//   the same aggregation);
// - latency and the requests behind the errors share: lab_latency's rows, one per host, URL and
//   5 minutes, each with its doc_count and avg(event.duration). The bucket mean of ln(duration)
//   becomes the doc_count-weighted mean of ln(avg) over the rows, and the spread is learned from
//   how the rows' ln(avg) vary inside a bucket (a row of n requests varies as one of n, so the
//   weighted sum of squares over rows has rows - 1 degrees of freedom: EntityStats.cells);
// - errors: doc_count of lab_server_errors' rows (5xx only) per URL and host;
// - rare: doc_count of lab_rare_user_agent's rows per agent.
//
// distinct stays on the events: lab_url_scanning keeps a raw datafeed (see its job description); so
// does category, on the error log's lines: lab_error_categories' datafeed is raw, because
// categorization reads each message's text, which no aggregation returns.

import type { NginxErrorEvent } from "../../generator/error-log";
import type { AccessLogEvent } from "../../generator/types";
import { loadJobDefinitions, type LabJobDefinition } from "../../ml-jobs";
import { BucketAggregator, isErrorEvent, type BucketSummary, type EntityStats } from "./aggregate";
import { DatafeedRowBuilder, type DatafeedRow } from "./datafeed";

/** The job whose datafeed rows feed each signal. */
export const SIGNAL_JOBS = {
  count: "lab_request_rate_high",
  latency: "lab_latency",
  errors: "lab_server_errors",
  rare: "lab_rare_user_agent",
} as const;

export interface AggregatedSummaries {
  buckets: BucketSummary[];
  eventCount: number;
  /** Rows each job's datafeed returned: how much less ML reads than the events */
  rowsByJob: Record<string, number>;
}

function entity(map: Map<string, EntityStats>, key: string): EntityStats {
  let stats = map.get(key);
  if (stats === undefined) {
    stats = { n: 0, sumLog: 0, sumLogSq: 0, errors: 0, cells: 0 };
    map.set(key, stats);
  }
  return stats;
}

/** Folds the events through the datafeeds' aggregations, then into bucket summaries. */
export function summariseFromDatafeeds(
  events: Iterable<AccessLogEvent | NginxErrorEvent>,
  bucketMinutes = 15,
  definitions: readonly LabJobDefinition[] = loadJobDefinitions(),
  /** The stream holds the error log's lines too (generateNginxLogs); they go to the raw pass only. */
  readsErrorLog = false,
): AggregatedSummaries {
  const bucketMs = bucketMinutes * 60_000;
  const builders = Object.fromEntries(
    Object.values(SIGNAL_JOBS).map((name) => {
      const definition = definitions.find((def) => def.name === name);
      if (definition === undefined) throw new Error(`no job "${name}" in the library`);
      const builder = new DatafeedRowBuilder(definition.datafeed);
      if (bucketMs % builder.plan.intervalMs !== 0) throw new Error(`${name}: interval does not divide ${bucketMinutes}m`);
      return [name, builder];
    }),
  );
  const rows: Record<string, DatafeedRow[]> = Object.fromEntries(Object.keys(builders).map((name) => [name, []]));
  // The raw pass gives the gap-filled list of buckets and the distinct signal's client tallies.
  const raw = new BucketAggregator(bucketMinutes, readsErrorLog, false);
  const buckets: BucketSummary[] = [];
  let eventCount = 0;
  // Entries taken once: this loop runs for every event.
  const feeds = Object.entries(builders).map(([name, builder]) => ({ builder, rows: rows[name] }));
  for (const event of events) {
    const time = raw.parseTime(event["@timestamp"]);
    const completed = raw.add(event, time);
    if (completed.length > 0) buckets.push(...completed);
    if (isErrorEvent(event)) continue;
    eventCount += 1;
    for (const feed of feeds) {
      const done = feed.builder.add(event, time);
      for (let i = 0; i < done.length; i++) feed.rows.push(done[i]);
    }
  }
  buckets.push(...raw.finish());
  for (const feed of feeds) feed.rows.push(...feed.builder.finish());

  const index = new Map(buckets.map((bucket, i) => [bucket.start, i]));
  const bucketOf = (row: DatafeedRow) => {
    const i = index.get(row.bucketStart - (((row.bucketStart % bucketMs) + bucketMs) % bucketMs));
    if (i === undefined) throw new Error(`a datafeed row at ${new Date(row.bucketStart).toISOString()} outside the events' buckets`);
    return buckets[i];
  };
  for (const bucket of buckets) {
    bucket.count = 0;
    bucket.hosts = new Map();
    bucket.urls = new Map();
    bucket.agents = new Map();
  }
  for (const row of rows[SIGNAL_JOBS.count]) bucketOf(row).count += row.docCount;
  for (const row of rows[SIGNAL_JOBS.latency]) {
    const bucket = bucketOf(row);
    const logAvg = Math.log(Math.max(row.metrics["event.duration"], 1) / 1e6);
    for (const stats of [entity(bucket.hosts, row.keys["host.name"]), entity(bucket.urls, row.keys["url.path"])]) {
      stats.n += row.docCount;
      stats.sumLog += row.docCount * logAvg;
      stats.sumLogSq += row.docCount * logAvg * logAvg;
      stats.cells! += 1;
    }
  }
  for (const row of rows[SIGNAL_JOBS.errors]) {
    const bucket = bucketOf(row);
    // Every request, 5xx or not, is in lab_latency's rows; an entity with errors has requests.
    entity(bucket.hosts, row.keys["host.name"]).errors += row.docCount;
    entity(bucket.urls, row.keys["url.path"]).errors += row.docCount;
  }
  for (const row of rows[SIGNAL_JOBS.rare]) {
    const bucket = bucketOf(row);
    const agent = row.keys["user_agent.original"];
    bucket.agents.set(agent, (bucket.agents.get(agent) ?? 0) + row.docCount);
  }
  return { buckets, eventCount, rowsByJob: Object.fromEntries(Object.entries(rows).map(([name, list]) => [name, list.length])) };
}
