// Datafeed aggregations: what one job file's `datafeed.aggregations` body means, read once into a
// small plan (the histogram, the grouping fields, the metrics), and the rules Elastic documents for
// such a datafeed, checked against the job's detectors. The plan is also what the real-server tests
// and the reference detector use to compute the same rows the datafeed hands to ML.
//
// The rules are those of "Aggregating data for faster performance"
// (https://www.elastic.co/guide/en/machine-learning/current/ml-configuring-aggregation.html):
// - the top level is a `date_histogram`, or a `composite` with exactly one `date_histogram` source
//   (not sorted descending), on the time field, in UTC;
// - it contains a `max` aggregation on the time field (the timestamp of each row it yields);
// - every aggregation is named after the field it operates on;
// - the job's bucket span, and the datafeed's frequency if set, are whole multiples of the
//   histogram's interval;
// - `size` of a terms aggregation must cover the field's cardinality (composite pages instead);
// and of the put-job API (https://www.elastic.co/guide/en/elasticsearch/reference/current/ml-put-job.html):
// aggregated input is pre-summarised, so the job names the count field, `summary_count_field_name:
// "doc_count"`, and the `metric` function cannot take pre-summarised input. Elastic's own nginx module
// (visitor_rate_nginx) names a cardinality aggregation instead, so that each bucket's count is its
// number of distinct visitors; that one aggregation, at the histogram's level, is the count field
// and is named for what it counts rather than after its field.

import { parseTimeValue } from "./time";

export type MetricType = "max" | "min" | "avg" | "sum" | "cardinality" | "value_count";
const METRIC_TYPES: readonly MetricType[] = ["max", "min", "avg", "sum", "cardinality", "value_count"];

export interface AggregationMetric {
  /** The aggregation's name: always the field's name */
  name: string;
  type: MetricType;
  field: string;
  /** cardinality only: the precision threshold asked for */
  precisionThreshold?: number;
  /** Where it is defined, for messages */
  path: string;
}

export interface AggregationPlan {
  kind: "date_histogram" | "composite";
  /** The cardinality or value_count that stands for each row's count instead of doc_count (see the header) */
  summaryCount?: AggregationMetric;
  /** The top-level aggregation's name */
  name: string;
  timeField: string;
  intervalMs: number;
  /** Where the interval is set, for messages */
  intervalPath: string;
  /** For a composite: the name of its date_histogram source */
  histogramSource?: string;
  /** For a composite: its page size */
  compositeSize?: number;
  /** Terms fields, outermost first (nested terms) or in source order (composite) */
  groupBy: { field: string; size?: number; path: string }[];
  /** Metrics at the innermost level (beside the max of the time field) */
  metrics: AggregationMetric[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The one key of an aggregation object that names its type (ignoring "aggs"/"aggregations"/"meta"). */
function typeOf(body: Record<string, unknown>): string | undefined {
  const types = Object.keys(body).filter((key) => key !== "aggs" && key !== "aggregations" && key !== "meta");
  return types.length === 1 ? types[0] : undefined;
}

function children(body: Record<string, unknown>): Record<string, unknown> {
  const sub = body.aggregations ?? body.aggs;
  return isObject(sub) ? sub : {};
}

/**
 * Reads an aggregations body into a plan, reporting every departure from the documented shape
 * through `at(path, what)`. Returns undefined when the shape is too broken to plan.
 */
export function readAggregationPlan(
  aggregations: unknown,
  timeField: string,
  at: (path: string, what: string) => void,
  path = "datafeed.aggregations",
  summaryCountFieldName: unknown = "doc_count",
): AggregationPlan | undefined {
  if (!isObject(aggregations)) {
    at(path, "must be an object of named aggregations");
    return undefined;
  }
  const names = Object.keys(aggregations);
  if (names.length !== 1) {
    at(path, `must hold exactly one top-level aggregation, a date_histogram or a composite; got ${names.length} (${names.join(", ")})`);
    return undefined;
  }
  const name = names[0];
  const top = aggregations[name];
  const topPath = `${path}.${name}`;
  if (!isObject(top)) {
    at(topPath, "must be an aggregation object");
    return undefined;
  }
  const kind = typeOf(top);
  if (kind !== "date_histogram" && kind !== "composite") {
    at(topPath, `the top-level aggregation must be a date_histogram or a composite, got ${JSON.stringify(kind ?? Object.keys(top))}`);
    return undefined;
  }

  const readHistogram = (histogram: unknown, where: string): number | undefined => {
    if (!isObject(histogram)) {
      at(where, "must be an object");
      return undefined;
    }
    if (histogram.field !== timeField) at(`${where}.field`, `must be the job's time field "${timeField}", got ${JSON.stringify(histogram.field)}`);
    if (histogram.time_zone !== undefined && histogram.time_zone !== "UTC") {
      at(`${where}.time_zone`, `must be "UTC" (the default), got ${JSON.stringify(histogram.time_zone)}`);
    }
    if (histogram.calendar_interval !== undefined) {
      at(`${where}.calendar_interval`, "use fixed_interval: a calendar interval has no fixed length that could divide the bucket span");
      return undefined;
    }
    const interval = parseTimeValue(histogram.fixed_interval);
    if (interval === undefined || interval <= 0) {
      at(`${where}.fixed_interval`, `${JSON.stringify(histogram.fixed_interval)} is not a time value such as "5m"`);
      return undefined;
    }
    return interval;
  };

  const plan: AggregationPlan = { kind, name, timeField, intervalMs: 0, intervalPath: topPath, groupBy: [], metrics: [] };
  let level: Record<string, unknown>;
  let levelPath: string;
  if (kind === "date_histogram") {
    plan.intervalMs = readHistogram(top.date_histogram, `${topPath}.date_histogram`) ?? 0;
    plan.intervalPath = `${topPath}.date_histogram.fixed_interval`;
    level = children(top);
    levelPath = `${topPath}.aggregations`;
  } else {
    const composite = top.composite;
    if (!isObject(composite) || !Array.isArray(composite.sources)) {
      at(`${topPath}.composite.sources`, "must be an array of sources");
      return undefined;
    }
    if (composite.size !== undefined && !(Number.isInteger(composite.size) && (composite.size as number) > 0)) {
      at(`${topPath}.composite.size`, `must be a positive integer, got ${JSON.stringify(composite.size)}`);
    } else if (composite.size !== undefined) {
      plan.compositeSize = composite.size as number;
    }
    let histograms = 0;
    composite.sources.forEach((source: unknown, index: number) => {
      const where = `${topPath}.composite.sources[${index}]`;
      if (!isObject(source) || Object.keys(source).length !== 1) return at(where, "must be an object with one named source");
      const [sourceName] = Object.keys(source);
      const spec = source[sourceName];
      const sourceType = isObject(spec) ? typeOf(spec) : undefined;
      if (!isObject(spec) || (sourceType !== "date_histogram" && sourceType !== "terms")) {
        return at(`${where}.${sourceName}`, `a datafeed's composite takes date_histogram and terms sources, got ${JSON.stringify(sourceType)}`);
      }
      const inner = spec[sourceType] as Record<string, unknown>;
      if (isObject(inner) && inner.order === "desc") at(`${where}.${sourceName}.${sourceType}.order`, "must not be \"desc\": the datafeed reads the composite in ascending time");
      if (sourceType === "date_histogram") {
        histograms += 1;
        plan.histogramSource = sourceName;
        plan.intervalMs = readHistogram(inner, `${where}.${sourceName}.date_histogram`) ?? 0;
        plan.intervalPath = `${where}.${sourceName}.date_histogram.fixed_interval`;
      } else {
        const field = isObject(inner) ? inner.field : undefined;
        if (typeof field !== "string") return at(`${where}.${sourceName}.terms.field`, "must be a field name");
        if (sourceName !== field) at(`${where}.${sourceName}`, `must be named after its field "${field}"`);
        plan.groupBy.push({ field, path: `${where}.${sourceName}` });
      }
    });
    if (histograms !== 1) at(`${topPath}.composite.sources`, `must hold exactly one date_histogram source on "${timeField}", got ${histograms}`);
    level = children(top);
    levelPath = `${topPath}.aggregations`;
  }

  // Walk down: at each level a max of the time field may sit (it must at the histogram's level),
  // at most one terms aggregation to nest into, and metrics at the innermost level.
  let depth = 0;
  for (;;) {
    let next: { body: Record<string, unknown>; path: string } | undefined;
    for (const [aggName, body] of Object.entries(level)) {
      const where = `${levelPath}.${aggName}`;
      if (!isObject(body)) {
        at(where, "must be an aggregation object");
        continue;
      }
      const type = typeOf(body);
      const spec = type === undefined ? undefined : body[type];
      const field = isObject(spec) ? spec.field : undefined;
      if (type === "terms") {
        if (kind === "composite") {
          at(where, "a composite groups by its terms sources; a terms aggregation under it is not read by the datafeed");
          continue;
        }
        if (next !== undefined) {
          at(where, "only one terms aggregation per level: the datafeed nests them, one field per level");
          continue;
        }
        if (typeof field !== "string") {
          at(`${where}.terms.field`, "must be a field name");
          continue;
        }
        if (aggName !== field) at(where, `must be named after its field "${field}"`);
        const size = isObject(spec) ? spec.size : undefined;
        if (!(Number.isInteger(size) && (size as number) > 0)) {
          at(`${where}.terms.size`, `must be set to cover the field's cardinality (the default, 10, silently drops the other values), got ${JSON.stringify(size)}`);
        }
        plan.groupBy.push({ field, size: size as number | undefined, path: where });
        next = { body, path: `${where}.aggregations` };
      } else if (type !== undefined && (METRIC_TYPES as readonly string[]).includes(type)) {
        if (typeof field !== "string") {
          at(`${where}.${type}.field`, "must be a field name");
          continue;
        }
        if (depth === 0 && aggName === summaryCountFieldName && aggName !== "doc_count") {
          if (type !== "cardinality" && type !== "value_count") at(where, `the job's summary count must be a cardinality or value_count per bucket, got ${type}`);
          else plan.summaryCount = { name: aggName, type: type as MetricType, field, path: where };
          continue;
        }
        if (aggName !== field) at(where, `must be named after its field "${field}" (the datafeed passes the aggregation's name to the job as the field)`);
        if (field === timeField) {
          if (type !== "max") at(where, `the time field's aggregation must be a max, got ${type}`);
          else if (depth === 0) plan.metrics.push({ name: aggName, type, field, path: where });
          continue;
        }
        const precision = isObject(spec) ? spec.precision_threshold : undefined;
        plan.metrics.push({ name: aggName, type: type as MetricType, field, path: where, ...(typeof precision === "number" ? { precisionThreshold: precision } : {}) });
        if (Object.keys(children(body)).length > 0) at(where, "a metric aggregation takes no sub-aggregations");
      } else {
        at(where, `unsupported aggregation ${JSON.stringify(type ?? Object.keys(body))} in a lab datafeed; use terms, ${METRIC_TYPES.join(", ")}`);
      }
    }
    if (next === undefined) break;
    const early = plan.metrics.find((metric) => metric.field !== timeField && metric.path.startsWith(`${levelPath}.`) && !metric.path.slice(levelPath.length + 1).includes(".aggregations"));
    if (early !== undefined) at(early.path, "a metric goes at the innermost level, beside the last terms' rows, where the datafeed reads it");
    level = children(next.body);
    levelPath = next.path;
    depth += 1;
  }
  if (!plan.metrics.some((metric) => metric.type === "max" && metric.field === timeField)) {
    at(`${topPath}.aggregations.${timeField}`, `missing: the ${kind} must contain a max aggregation on the time field "${timeField}", named "${timeField}"`);
  }
  // The time field's max is bookkeeping, not a metric the job analyses.
  plan.metrics = plan.metrics.filter((metric) => metric.field !== timeField);
  return plan;
}


/** Which metric aggregation gives a detector function its input on aggregated rows. */
const METRIC_FOR_FUNCTION: Readonly<Record<string, MetricType>> = {
  mean: "avg", high_mean: "avg", low_mean: "avg", avg: "avg", high_avg: "avg", low_avg: "avg",
  min: "min", max: "max",
  sum: "sum", high_sum: "sum", low_sum: "sum", non_null_sum: "sum", high_non_null_sum: "sum", low_non_null_sum: "sum",
};

/** The most rows a terms aggregation may return: beyond it, the docs advise a composite or the raw datafeed. */
export const MAX_TERMS_SIZE = 1000;

export interface AggregatedJobParts {
  bucketSpanMs: number | undefined;
  detectors: Record<string, unknown>[];
  influencers: unknown[];
  summaryCountFieldName: unknown;
  frequency: unknown;
}

/**
 * Checks an aggregated datafeed against its job: the plan's documented shape (readAggregationPlan)
 * and that the rows it yields are what the detectors and influencers read, no more and no less.
 * `checkField` checks a field against the lab's index mapping.
 */
export function checkAggregatedJob(
  aggregations: unknown,
  job: AggregatedJobParts,
  at: (path: string, what: string) => void,
  checkField: (path: string, field: unknown) => void,
  path = "datafeed.aggregations",
): AggregationPlan | undefined {
  const plan = readAggregationPlan(aggregations, "@timestamp", at, path, job.summaryCountFieldName);
  if (job.summaryCountFieldName !== "doc_count" && plan?.summaryCount === undefined) {
    at(
      "job.analysis_config.summary_count_field_name",
      `must be "doc_count" when the datafeed has aggregations (each row stands for doc_count documents), or the name of a cardinality or value_count aggregation beside the histogram's max of the time field; got ${JSON.stringify(job.summaryCountFieldName)}`,
    );
  }
  if (plan === undefined) return undefined;
  if (plan.summaryCount !== undefined) checkField(plan.summaryCount.path, plan.summaryCount.field);
  if (plan.intervalMs > 0 && job.bucketSpanMs !== undefined && job.bucketSpanMs % plan.intervalMs !== 0) {
    at(plan.intervalPath, `${plan.intervalMs / 1000}s does not divide the job's bucket span (${job.bucketSpanMs / 1000}s) with no remainder`);
  }
  if (job.frequency !== undefined) {
    const frequency = parseTimeValue(job.frequency);
    if (frequency === undefined) at("datafeed.frequency", `${JSON.stringify(job.frequency)} is not a time value such as "5m"`);
    else if (plan.intervalMs > 0 && frequency % plan.intervalMs !== 0) {
      at("datafeed.frequency", `${JSON.stringify(job.frequency)} is not a whole multiple of the aggregation interval (${plan.intervalMs / 1000}s)`);
    }
  }
  const grouped = new Set(plan.groupBy.map((group) => group.field));
  const metrics = new Map(plan.metrics.map((metric) => [metric.field, metric]));
  plan.groupBy.forEach((group) => {
    checkField(group.path, group.field);
    if (group.size !== undefined && group.size > MAX_TERMS_SIZE) {
      at(group.path, `size ${group.size} is above ${MAX_TERMS_SIZE}: for a field this varied use a composite aggregation, or the raw datafeed`);
    }
  });
  for (const metric of plan.metrics) checkField(metric.path, metric.field);

  const used = new Set<string>();
  job.detectors.forEach((detector, index) => {
    const where = `job.analysis_config.detectors[${index}]`;
    const fn = String(detector.function);
    if (fn === "metric") at(`${where}.function`, `"metric" cannot take pre-summarised input (summary_count_field_name); use mean, min or max detectors`);
    for (const key of ["by_field_name", "over_field_name", "partition_field_name"] as const) {
      const field = detector[key];
      if (typeof field !== "string") continue;
      used.add(field);
      if (!grouped.has(field)) at(`${where}.${key}`, `"${field}" is not produced by the datafeed's aggregations: add a terms aggregation (or composite terms source) named "${field}"`);
    }
    const field = detector.field_name;
    if (typeof field === "string") {
      used.add(field);
      const wanted = METRIC_FOR_FUNCTION[fn];
      const metric = metrics.get(field);
      if (wanted === undefined) {
        at(`${where}.function`, `"${fn}" of "${field}" cannot be computed from aggregated rows here; keep this job's datafeed raw`);
      } else if (metric === undefined) {
        at(`${where}.field_name`, `"${field}" is not produced by the datafeed's aggregations: add a ${wanted} aggregation named "${field}"`);
      } else if (metric.type !== wanted) {
        at(`${where}.field_name`, `"${fn}" needs the ${wanted} of "${field}" per row, but the aggregation "${field}" is a ${metric.type}`);
      }
    }
  });
  job.influencers.forEach((field, index) => {
    if (typeof field !== "string") return;
    used.add(field);
    if (!grouped.has(field) && !metrics.has(field)) {
      at(`job.analysis_config.influencers[${index}]`, `"${field}" is not produced by the datafeed's aggregations: add a terms aggregation named "${field}", or drop the influencer`);
    }
  });
  for (const group of plan.groupBy) {
    if (!used.has(group.field)) {
      at(group.path, `"${group.field}" is not a partition, by or over field nor an influencer of the job; each of its values multiplies the rows for nothing`);
    }
  }
  for (const metric of plan.metrics) {
    if (!used.has(metric.field)) at(metric.path, `no detector or influencer of the job reads "${metric.field}"`);
  }
  return plan;
}
