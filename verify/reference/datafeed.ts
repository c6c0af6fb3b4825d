// The rows an aggregated datafeed hands to ML, computed two ways: from the generator's events in
// memory (DatafeedRowBuilder), and from Elasticsearch's answer to the datafeed's `aggregations`
// body (rowsFromHistogram, rowsFromComposite). The real-server tests check that both give the same
// rows; the reference detector then scores the rows (summariseFromDatafeeds), so that its quality
// figures hold for the aggregated series, not only for the raw events.
//
// A row is one combination of histogram bucket and terms values: its doc_count, the max of the
// time field (the row's timestamp for ML) and the metrics. Empty buckets yield no row, as the
// datafeed sends none.

import type { AccessLogEvent } from "../../generator/types";
import { readAggregationPlan, type AggregationMetric, type AggregationPlan } from "../../ml-jobs/aggregations";

export interface DatafeedRow {
  /** The histogram bucket's start, epoch ms */
  bucketStart: number;
  /** The max of @timestamp over the row's documents, epoch ms */
  time: number;
  /** The terms values, by field, as strings */
  keys: Record<string, string>;
  docCount: number;
  /** The metric aggregations' values, by name */
  metrics: Record<string, number>;
}

/**
 * The plan of a datafeed's aggregations; throws on a body the job validation would reject. A job
 * whose summary count is a metric (Elastic's visitor_rate_nginx: a cardinality) names it, and its
 * rows carry that metric beside doc_count.
 */
export function planOf(aggregations: unknown, summaryCountFieldName: unknown = "doc_count"): AggregationPlan {
  const problems: string[] = [];
  const plan = readAggregationPlan(aggregations, "@timestamp", (path, what) => problems.push(`${path}: ${what}`), undefined, summaryCountFieldName);
  if (plan === undefined || problems.length > 0) throw new Error(`not a datafeed aggregation: ${problems.join("; ")}`);
  return plan;
}

/** The metrics a row carries: the plan's, and the summary count's when it is a metric. */
function rowMetrics(plan: AggregationPlan): AggregationMetric[] {
  return plan.summaryCount === undefined ? plan.metrics : [...plan.metrics, plan.summaryCount];
}

/** A reader of one field of an event by its dotted name ("http.response.status_code"). */
export function fieldReader(field: string): (event: AccessLogEvent) => unknown {
  if (field === "@timestamp") return (event) => event["@timestamp"];
  const parts = field.split(".");
  return (event) => {
    let value: unknown = event;
    for (const part of parts) value = (value as Record<string, unknown> | undefined)?.[part];
    return value;
  };
}

/** The datafeed queries the lab uses: match_all, a numeric range, and Elastic's bool filter of terms. */
export function queryFilter(query: unknown): (event: AccessLogEvent) => boolean {
  if (query === undefined || (typeof query === "object" && query !== null && "match_all" in query)) return () => true;
  const filters = (query as { bool?: { filter?: unknown } }).bool?.filter;
  if (Array.isArray(filters) && Object.keys((query as { bool: object }).bool).length === 1) {
    const tests = filters.map((clause) => {
      const term = (clause as { term?: Record<string, unknown> }).term;
      if (term === undefined || Object.keys(clause as object).length !== 1 || Object.keys(term).length !== 1) return queryFilter(clause);
      const [[field, wanted]] = Object.entries(term);
      const read = fieldReader(field);
      return (event: AccessLogEvent) => String(read(event)) === String(wanted);
    });
    return (event) => tests.every((test) => test(event));
  }
  const range = (query as { range?: Record<string, { gte?: number; lte?: number; gt?: number; lt?: number }> }).range;
  if (range !== undefined && Object.keys(range).length === 1) {
    const [field] = Object.keys(range);
    const { gte, lte, gt, lt } = range[field];
    const read = fieldReader(field);
    return (event) => {
      const value = read(event) as number;
      return (gte === undefined || value >= gte) && (lte === undefined || value <= lte) && (gt === undefined || value > gt) && (lt === undefined || value < lt);
    };
  }
  throw new Error(`unsupported datafeed query ${JSON.stringify(query)}: only match_all and a range are computed in memory`);
}

interface Accumulator {
  keys: Record<string, string>;
  docCount: number;
  time: number;
  metrics: { sum: number; count: number; min: number; max: number; distinct: Set<string> | undefined }[];
}

/** Folds time-ordered events into the rows a datafeed's aggregations would return, bucket by bucket. */
export class DatafeedRowBuilder {
  readonly plan: AggregationPlan;
  private readonly filter: (event: AccessLogEvent) => boolean;
  private currentStart: number | undefined;
  private current = new Map<string, Accumulator>();
  private readonly groupReaders: ((event: AccessLogEvent) => unknown)[];
  private readonly metricReaders: ((event: AccessLogEvent) => unknown)[];

  private readonly metrics: AggregationMetric[];

  constructor(datafeed: { aggregations?: unknown; query?: unknown }, summaryCountFieldName: unknown = "doc_count") {
    this.plan = planOf(datafeed.aggregations, summaryCountFieldName);
    this.filter = queryFilter(datafeed.query);
    this.metrics = rowMetrics(this.plan);
    this.groupReaders = this.plan.groupBy.map((group) => fieldReader(group.field));
    this.metricReaders = this.metrics.map((metric) => fieldReader(metric.field));
  }

  /** Adds one event (in time order; `time` is its @timestamp in epoch ms if known); returns the rows of the buckets it completed. */
  add(event: AccessLogEvent, time: number = Date.parse(event["@timestamp"])): DatafeedRow[] {
    if (!this.filter(event)) return [];
    const interval = this.plan.intervalMs;
    const start = time - (((time % interval) + interval) % interval);
    const done = this.currentStart !== undefined && start !== this.currentStart ? this.flush() : [];
    this.currentStart = start;
    // The hot loop of the reference detector's aggregated path: plain loops, no closures per event.
    const readers = this.groupReaders;
    let key = "";
    for (let i = 0; i < readers.length; i++) key += (i === 0 ? "" : "\u0000") + String(readers[i](event));
    let row = this.current.get(key);
    if (row === undefined) {
      const values = readers.map((read) => String(read(event)));
      row = {
        keys: Object.fromEntries(this.plan.groupBy.map((group, i) => [group.field, values[i]])),
        docCount: 0,
        time: -Infinity,
        metrics: this.metrics.map((metric) => ({ sum: 0, count: 0, min: Infinity, max: -Infinity, distinct: metric.type === "cardinality" ? new Set() : undefined })),
      };
      this.current.set(key, row);
    }
    row.docCount += 1;
    row.time = Math.max(row.time, time);
    for (let i = 0; i < this.metricReaders.length; i++) {
      const value = this.metricReaders[i](event);
      const acc = row.metrics[i];
      acc.count += 1;
      if (acc.distinct !== undefined) acc.distinct.add(String(value));
      else {
        const number = Number(value);
        acc.sum += number;
        if (number < acc.min) acc.min = number;
        if (number > acc.max) acc.max = number;
      }
    }
    return done;
  }

  /** Closes the last bucket. */
  finish(): DatafeedRow[] {
    return this.flush();
  }

  private flush(): DatafeedRow[] {
    const start = this.currentStart;
    if (start === undefined) return [];
    // The histogram-level max of @timestamp: every row of a date_histogram bucket carries it (the
    // datafeed reads it once per bucket); a composite bucket has its own.
    const bucketTime = Math.max(...[...this.current.values()].map((row) => row.time));
    const rows = [...this.current.values()].map((row) => ({
      bucketStart: start,
      time: this.plan.kind === "date_histogram" ? bucketTime : row.time,
      keys: row.keys,
      docCount: row.docCount,
      metrics: Object.fromEntries(
        this.metrics.map((metric, i) => {
          const acc = row.metrics[i];
          const value = {
            avg: acc.sum / acc.count, sum: acc.sum, min: acc.min, max: acc.max, value_count: acc.count, cardinality: acc.distinct?.size ?? 0,
          }[metric.type];
          return [metric.name, value];
        }),
      ),
    }));
    this.current = new Map();
    this.currentStart = undefined;
    return rows;
  }
}

/** Every row of an event stream, in one array (for tests and small datasets). */
export function datafeedRows(events: Iterable<AccessLogEvent>, datafeed: { aggregations?: unknown; query?: unknown }, summaryCountFieldName: unknown = "doc_count"): DatafeedRow[] {
  const builder = new DatafeedRowBuilder(datafeed, summaryCountFieldName);
  const rows: DatafeedRow[] = [];
  for (const event of events) rows.push(...builder.add(event));
  rows.push(...builder.finish());
  return rows;
}

type Bucket = Record<string, any>;

/** The rows in Elasticsearch's answer to a date_histogram plan (`response.aggregations`). */
export function rowsFromHistogram(plan: AggregationPlan, aggregations: Record<string, any>): DatafeedRow[] {
  const rows: DatafeedRow[] = [];
  const walk = (bucket: Bucket, depth: number, keys: Record<string, string>, start: number, time: number) => {
    if (bucket.doc_count === 0) return;
    if (depth === plan.groupBy.length) {
      rows.push({
        bucketStart: start, time, keys, docCount: bucket.doc_count,
        metrics: Object.fromEntries(rowMetrics(plan).map((metric) => [metric.name, bucket[metric.name].value as number])),
      });
      return;
    }
    const field = plan.groupBy[depth].field;
    const terms = bucket[field];
    if (terms.sum_other_doc_count > 0) throw new Error(`terms "${field}" dropped ${terms.sum_other_doc_count} documents: its size is below the field's cardinality`);
    for (const inner of terms.buckets as Bucket[]) walk(inner, depth + 1, { ...keys, [field]: String(inner.key) }, start, time);
  };
  for (const bucket of aggregations[plan.name].buckets as Bucket[]) walk(bucket, 0, {}, bucket.key, bucket["@timestamp"].value);
  return rows;
}

/** The rows in one page of Elasticsearch's answer to a composite plan (`aggregations[name].buckets`). */
export function rowsFromComposite(plan: AggregationPlan, buckets: Bucket[]): DatafeedRow[] {
  return buckets
    .filter((bucket) => bucket.doc_count > 0)
    .map((bucket) => ({
      bucketStart: bucket.key[plan.histogramSource!],
      time: bucket["@timestamp"].value,
      keys: Object.fromEntries(plan.groupBy.map((group) => [group.field, String(bucket.key[group.field])])),
      docCount: bucket.doc_count,
      metrics: Object.fromEntries(rowMetrics(plan).map((metric) => [metric.name, bucket[metric.name].value as number])),
    }));
}

/** Rows in a canonical order, for comparing two computations. */
export function sortRows(rows: DatafeedRow[]): DatafeedRow[] {
  const keyed = rows.map((row) => ({ row, key: `${String(row.bucketStart).padStart(15, "0")}\u0000${Object.values(row.keys).join("\u0000")}` }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ row }) => row);
}
