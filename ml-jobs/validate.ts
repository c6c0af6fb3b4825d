// Checks one parsed job file before anything reaches Elasticsearch. Every problem is collected, each
// naming the file, the job and the field, so a user fixes a file in one pass.
//
// A file is one element of Kibana's job export format ({ job, datafeed }; Kibana's import accepts a
// single object or an array of them), so it can be imported in Stack Management as it is.

import { ANOMALY_KINDS, type AnomalyKind } from "../generator/types";
import { DETECTOR_FUNCTIONS } from "./functions";
import { LAB_ERROR_INDEX_FIELDS, LAB_INDEX_FIELDS, isNumericField } from "./fields";
import { parseTimeValue } from "./time";
import { checkAggregatedJob } from "./aggregations";

/** Where every job file's datafeed reads by default; `jobRequests` points it elsewhere when asked. */
export const DEFAULT_INDEX_PATTERN = "lab-access-*";
/**
 * Where a job on nginx's error log reads (the categorization job): the sink writes the error lines
 * to `<prefix with -access replaced by -error>-...`, and the lab points such a datafeed there. Its
 * fields are the error log's (LAB_ERROR_INDEX_FIELDS).
 */
export const ERROR_INDEX_PATTERN = "lab-error-*";
/** The field a categorization job splits by: the category ML assigns to each message. */
const ML_CATEGORY = "mlcategory";

export type JobBody = Record<string, unknown> & { analysis_config: { bucket_span: string; detectors: Record<string, unknown>[]; influencers?: string[]; summary_count_field_name?: string } };
export type DatafeedBody = Record<string, unknown>;

/** Where a prebuilt job comes from: Elastic's module id and the published file it was written from. */
export interface PrebuiltOrigin {
  module: string;
  source: string;
}

export interface ValidatedJob {
  name: string;
  description: string;
  detects: AnomalyKind[];
  /** Set for a job written from Elastic's published module (custom_settings.lab.prebuilt) */
  prebuilt?: PrebuiltOrigin;
  /** The job body without job_id */
  job: JobBody;
  /** The datafeed body without datafeed_id, job_id and indices */
  datafeed: DatafeedBody;
  /** The index pattern the file's datafeed names: DEFAULT_INDEX_PATTERN, or ERROR_INDEX_PATTERN for a job on the error log */
  indexPattern: string;
}

const JOB_KEYS = new Set([
  "job_id", "description", "groups", "custom_settings", "analysis_config", "analysis_limits", "data_description",
  "model_plot_config", "results_index_name", "model_snapshot_retention_days", "daily_model_snapshot_retention_after_days",
  "renormalization_window_days", "background_persist_interval", "results_retention_days", "allow_lazy_open",
]);
const ANALYSIS_KEYS = new Set([
  "bucket_span", "detectors", "influencers", "summary_count_field_name", "latency", "model_prune_window",
  "multivariate_by_fields", "categorization_field_name", "categorization_filters", "categorization_analyzer",
  "per_partition_categorization",
]);
const DETECTOR_KEYS = new Set([
  "function", "field_name", "by_field_name", "over_field_name", "partition_field_name", "detector_description",
  "exclude_frequent", "use_null", "custom_rules",
]);
const DATAFEED_KEYS = new Set([
  "datafeed_id", "job_id", "indices", "query", "scroll_size", "chunking_config", "frequency", "query_delay",
  "aggregations", "runtime_mappings", "delayed_data_check_config", "max_empty_searches", "indices_options", "script_fields",
]);

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
/** Elasticsearch's rule for job ids: lowercase alphanumerics, hyphens and underscores, starting and ending alphanumeric. */
const JOB_ID = /^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/;

export { parseTimeValue };

export function parseByteSize(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d+)(b|kb|mb|gb)$/i.exec(value.trim());
  if (match === null) return undefined;
  return Number(match[1]) * BYTE_UNITS[match[2].toLowerCase()];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const KNOWN_FIELDS = Object.keys(LAB_INDEX_FIELDS).join(", ");

/** Leaf queries whose single key under the query type is a field name (term, range, match, ...). */
const FIELD_KEYED_QUERIES = new Set(["term", "terms", "range", "match", "match_phrase", "prefix", "wildcard", "regexp", "fuzzy"]);

/**
 * Every field a datafeed query names, with where: the keys of field-keyed leaf queries and the field
 * of `exists`, walking bool clauses. A filter on a field the index lacks matches nothing, so the
 * datafeed would feed its job no data at all.
 */
export function queryFields(query: unknown, path = "datafeed.query"): { path: string; field: string }[] {
  if (!isObject(query)) return [];
  const found: { path: string; field: string }[] = [];
  for (const [type, body] of Object.entries(query)) {
    const at = `${path}.${type}`;
    if (type === "bool" && isObject(body)) {
      for (const [occur, clauses] of Object.entries(body)) {
        const list = Array.isArray(clauses) ? clauses : [clauses];
        list.forEach((clause, index) => found.push(...queryFields(clause, Array.isArray(clauses) ? `${at}.${occur}[${index}]` : `${at}.${occur}`)));
      }
    } else if (type === "exists" && isObject(body)) {
      found.push({ path: `${at}.field`, field: String(body.field) });
    } else if (FIELD_KEYED_QUERIES.has(type) && isObject(body)) {
      for (const field of Object.keys(body)) if (field !== "boost") found.push({ path: `${at}.${field}`, field });
    }
  }
  return found;
}

/** Validates one parsed file; returns the definition, or the list of problems (never both). */
export function validateJobFile(
  file: string,
  parsed: unknown,
  indexPattern: string = DEFAULT_INDEX_PATTERN,
): { definition: ValidatedJob; problems: [] } | { definition: undefined; problems: string[] } {
  const problems: string[] = [];
  const jobId = isObject(parsed) && isObject(parsed.job) && typeof parsed.job.job_id === "string" ? parsed.job.job_id : "(no job_id)";
  const at = (path: string, what: string) => problems.push(`${file}: job "${jobId}": ${path}: ${what}`);
  const fail = () => ({ definition: undefined, problems });

  if (!isObject(parsed)) {
    at("(file)", "must be an object { job, datafeed } (Kibana's job export format)");
    return fail();
  }
  for (const key of Object.keys(parsed)) if (key !== "job" && key !== "datafeed") at(key, `unknown field; a job file has only "job" and "datafeed"`);
  const { job, datafeed } = parsed;
  if (!isObject(job)) at("job", "missing or not an object");
  if (!isObject(datafeed)) at("datafeed", "missing or not an object");
  if (!isObject(job) || !isObject(datafeed)) return fail();

  // A datafeed on the error indices names the error log's fields; any other, the access log's.
  const onErrorLog = Array.isArray(datafeed.indices) && datafeed.indices.length === 1 && datafeed.indices[0] === ERROR_INDEX_PATTERN;
  const fields = onErrorLog ? LAB_ERROR_INDEX_FIELDS : LAB_INDEX_FIELDS;
  const known = onErrorLog ? `the error log's index (${ERROR_INDEX_PATTERN}) defines ${Object.keys(LAB_ERROR_INDEX_FIELDS).join(", ")}` : `the lab's index defines ${KNOWN_FIELDS}`;
  const analysisObject = isObject(job.analysis_config) ? job.analysis_config : undefined;
  const categorizes = analysisObject?.categorization_field_name !== undefined;
  const checkField = (path: string, field: unknown, options: { numeric?: boolean; split?: boolean } = {}) => {
    if (typeof field !== "string") return at(path, `must be a field name, got ${JSON.stringify(field)}`);
    if (field === ML_CATEGORY && options.split === true) {
      if (!categorizes) at(path, `"${ML_CATEGORY}" needs job.analysis_config.categorization_field_name`);
      return;
    }
    if (!(field in fields)) return at(path, `unknown field "${field}"; ${known}`);
    if (options.numeric === true && !isNumericField(field, fields)) at(path, `"${field}" is a ${fields[field]} field; this function needs a numeric one`);
  };

  // job
  for (const key of Object.keys(job)) if (!JOB_KEYS.has(key)) at(`job.${key}`, "unknown field of the put-job API");
  if (typeof job.job_id !== "string" || !JOB_ID.test(job.job_id)) {
    at("job.job_id", "must be lowercase letters, digits, '-' or '_', starting and ending with a letter or digit, at most 64 characters");
  }
  if (typeof job.description !== "string" || job.description.trim() === "" || job.description.includes("\n")) {
    at("job.description", "must be one non-empty line: what the job detects and which scenario exercises it");
  }
  const detects: AnomalyKind[] = [];
  const lab = isObject(job.custom_settings) ? job.custom_settings.lab : undefined;
  const declared = isObject(lab) ? lab.detects : undefined;
  if (!Array.isArray(declared) || declared.length === 0) {
    at("job.custom_settings.lab.detects", `must list the anomaly kinds the job detects, from ${ANOMALY_KINDS.join(", ")}`);
  } else {
    for (const kind of declared) {
      if ((ANOMALY_KINDS as readonly unknown[]).includes(kind)) detects.push(kind as AnomalyKind);
      else at("job.custom_settings.lab.detects", `unknown anomaly kind ${JSON.stringify(kind)}; allowed: ${ANOMALY_KINDS.join(", ")}`);
    }
  }

  const prebuilt = isObject(lab) ? lab.prebuilt : undefined;
  if (prebuilt !== undefined && !(isObject(prebuilt) && typeof prebuilt.module === "string" && typeof prebuilt.source === "string" && /^https:\/\//.test(prebuilt.source))) {
    at("job.custom_settings.lab.prebuilt", `must be { "module": <Elastic's module id>, "source": <https URL of the published definition> }, got ${JSON.stringify(prebuilt)}`);
  }

  const analysis = job.analysis_config;
  if (!isObject(analysis)) {
    at("job.analysis_config", "missing or not an object");
  } else {
    for (const key of Object.keys(analysis)) if (!ANALYSIS_KEYS.has(key)) at(`job.analysis_config.${key}`, "unknown field of analysis_config");
    const span = parseTimeValue(analysis.bucket_span);
    if (span === undefined || span <= 0 || span % 1000 !== 0) {
      at("job.analysis_config.bucket_span", `${JSON.stringify(analysis.bucket_span)} is not a time value in whole seconds such as "15m" or "1h"`);
    }
    if (!Array.isArray(analysis.detectors) || analysis.detectors.length === 0) {
      at("job.analysis_config.detectors", "must be a non-empty array");
    } else {
      analysis.detectors.forEach((detector: unknown, index: number) => {
        const path = `job.analysis_config.detectors[${index}]`;
        if (!isObject(detector)) return at(path, "must be an object");
        for (const key of Object.keys(detector)) if (!DETECTOR_KEYS.has(key)) at(`${path}.${key}`, "unknown field of a detector");
        const rule = typeof detector.function === "string" ? DETECTOR_FUNCTIONS[detector.function] : undefined;
        if (rule === undefined) {
          return at(`${path}.function`, `invalid detector function ${JSON.stringify(detector.function)}; allowed: ${Object.keys(DETECTOR_FUNCTIONS).join(", ")}`);
        }
        if (rule.fieldName === "required") {
          if (detector.field_name === undefined) at(`${path}.field_name`, `function "${detector.function}" needs a field_name`);
          else checkField(`${path}.field_name`, detector.field_name, { numeric: rule.numericField });
        } else if (detector.field_name !== undefined) {
          at(`${path}.field_name`, `function "${detector.function}" takes no field_name`);
        }
        if (rule.requiresBy && detector.by_field_name === undefined) at(`${path}.by_field_name`, `function "${detector.function}" needs a by_field_name`);
        if (rule.requiresOver && detector.over_field_name === undefined) at(`${path}.over_field_name`, `function "${detector.function}" needs an over_field_name`);
        for (const key of ["by_field_name", "over_field_name", "partition_field_name"] as const) {
          if (detector[key] !== undefined) checkField(`${path}.${key}`, detector[key], { split: true });
        }
      });
    }
    if (analysis.influencers !== undefined) {
      if (!Array.isArray(analysis.influencers)) at("job.analysis_config.influencers", "must be an array of field names");
      else analysis.influencers.forEach((field: unknown, index: number) => checkField(`job.analysis_config.influencers[${index}]`, field, { split: true }));
    }
    if (categorizes) {
      const field = analysis.categorization_field_name;
      checkField("job.analysis_config.categorization_field_name", field);
      if (typeof field === "string" && fields[field] !== undefined && fields[field] !== "text" && fields[field] !== "keyword") {
        at("job.analysis_config.categorization_field_name", `"${field}" is a ${fields[field]} field; categorization needs a text or keyword field such as "message"`);
      }
    }
  }

  const limits = job.analysis_limits;
  if (!isObject(limits) || limits.model_memory_limit === undefined) {
    at("job.analysis_limits.model_memory_limit", "must be set, e.g. \"32mb\", so the job cannot take more memory than planned");
  } else if (parseByteSize(limits.model_memory_limit) === undefined) {
    at("job.analysis_limits.model_memory_limit", `${JSON.stringify(limits.model_memory_limit)} is not a byte size such as "32mb"`);
  }
  const description = job.data_description;
  if (!isObject(description) || description.time_field !== "@timestamp") {
    at("job.data_description.time_field", `must be "@timestamp", the lab index's time field`);
  }

  // datafeed
  for (const key of Object.keys(datafeed)) if (!DATAFEED_KEYS.has(key)) at(`datafeed.${key}`, "unknown field of the put-datafeed API");
  if (datafeed.job_id !== job.job_id) at("datafeed.job_id", `must be the job's id "${String(job.job_id)}", got ${JSON.stringify(datafeed.job_id)}`);
  if (datafeed.datafeed_id !== `datafeed-${String(job.job_id)}`) {
    at("datafeed.datafeed_id", `must be "datafeed-${String(job.job_id)}", got ${JSON.stringify(datafeed.datafeed_id)}`);
  }
  if (!onErrorLog && (!Array.isArray(datafeed.indices) || datafeed.indices.length !== 1 || datafeed.indices[0] !== indexPattern)) {
    at("datafeed.indices", `must be ["${indexPattern}"], the lab's index pattern, or ["${ERROR_INDEX_PATTERN}"] for a job on the error log, got ${JSON.stringify(datafeed.indices)}`);
  }
  if (datafeed.query !== undefined && !isObject(datafeed.query)) at("datafeed.query", "must be a query object");
  else if (datafeed.query !== undefined) for (const { path, field } of queryFields(datafeed.query)) checkField(path, field);

  // Aggregated or raw: the rules of "Aggregating data for faster performance" (ml-jobs/aggregations.ts).
  const summaryCount = isObject(analysis) ? analysis.summary_count_field_name : undefined;
  if (datafeed.aggs !== undefined) at("datafeed.aggs", `spell it "aggregations", as every lab job does`);
  if (datafeed.aggregations !== undefined && categorizes) {
    // Categorization reads each message's text, and an aggregated datafeed sends only bucket values
    // (a text field cannot even be aggregated): https://www.elastic.co/guide/en/machine-learning/current/ml-configuring-categories.html
    at("datafeed.aggregations", "a categorization job needs a raw datafeed: categorization reads each message's text, which no aggregation returns; remove the aggregations");
  } else if (datafeed.aggregations !== undefined) {
    if (datafeed.scroll_size !== undefined) at("datafeed.scroll_size", "an aggregated datafeed does not scroll; remove it");
    if (isObject(analysis) && Array.isArray(analysis.detectors)) {
      checkAggregatedJob(
        datafeed.aggregations,
        {
          bucketSpanMs: parseTimeValue(analysis.bucket_span),
          detectors: analysis.detectors.filter(isObject),
          influencers: Array.isArray(analysis.influencers) ? analysis.influencers : [],
          summaryCountFieldName: summaryCount,
          frequency: datafeed.frequency,
        },
        at,
        (path, field) => checkField(path, field),
      );
    }
  } else {
    if (summaryCount !== undefined) {
      at("job.analysis_config.summary_count_field_name", "only for a datafeed with aggregations; a raw datafeed's documents count once each");
    }
    if (datafeed.scroll_size !== undefined && !(Number.isInteger(datafeed.scroll_size) && (datafeed.scroll_size as number) >= 1 && (datafeed.scroll_size as number) <= 10_000)) {
      at("datafeed.scroll_size", `must be an integer from 1 to 10000 (index.max_result_window), got ${JSON.stringify(datafeed.scroll_size)}`);
    }
    const chunking = datafeed.chunking_config;
    if (chunking !== undefined) {
      if (!isObject(chunking) || !["auto", "manual", "off"].includes(String(chunking.mode))) {
        at("datafeed.chunking_config.mode", `must be "auto", "manual" or "off", got ${JSON.stringify(isObject(chunking) ? chunking.mode : chunking)}`);
      } else if (chunking.mode === "manual" && parseTimeValue(chunking.time_span) === undefined) {
        at("datafeed.chunking_config.time_span", `a manual chunking_config needs a time_span such as "6h", got ${JSON.stringify(chunking.time_span)}`);
      }
    }
  }

  if (problems.length > 0) return fail();
  const { job_id: _jobId, ...jobBody } = job;
  const { datafeed_id: _datafeedId, job_id: _datafeedJobId, indices: _indices, ...datafeedBody } = datafeed;
  return {
    definition: {
      name: job.job_id as string,
      description: job.description as string,
      detects,
      ...(isObject(prebuilt) ? { prebuilt: { module: String(prebuilt.module), source: String(prebuilt.source) } } : {}),
      job: jobBody as JobBody,
      datafeed: datafeedBody,
      indexPattern: onErrorLog ? ERROR_INDEX_PATTERN : indexPattern,
    },
    problems: [],
  };
}
