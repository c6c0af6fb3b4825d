// The Elasticsearch sink: a planned dataset streamed into one index through the official client's
// helpers.bulk. The steps and their order are in ./elasticsearch-index.ts; connection handling and
// error messages in ./elasticsearch-client.ts. This module ties them to the generator's plan.

import { createHash } from "node:crypto";
import { documentId, errorDocumentId, generateEvents } from "../events";
import { generateErrorEvents } from "../error-log";
import type { DatasetPlan } from "../plan";
import {
  DEFAULT_INDEX_PREFIX,
  checkIndexName,
  checkIndexPrefix,
  errorIndexPrefixFor,
  indexEvents,
  type IndexDatasetOptions,
  type IndexDatasetResult,
} from "./elasticsearch-index";

export {
  checkConnection,
  checkWithClient,
  createClient,
  describeConnectionFailure,
  describeRequestFailure,
  redactUrl,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ElasticsearchConnection,
} from "./elasticsearch-client";
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_FLUSH_BYTES,
  DEFAULT_INDEX_PREFIX,
  DEFAULT_ERROR_INDEX_PREFIX,
  LAB_GENERATOR,
  LAB_INDEX_MAPPINGS,
  LAB_ERROR_INDEX_MAPPINGS,
  checkBulkSettings,
  checkIndexName,
  checkIndexPrefix,
  datasetIndexPattern,
  deleteDataset,
  deleteUnusedTemplate,
  errorIndexPrefixFor,
  indexTemplateFor,
  inspectDataset,
  readDatasetMeta,
  type IndexDatasetOptions,
  type IndexDatasetResult,
  type LabDocument,
  type LabIndexMeta,
  type LabLog,
} from "./elasticsearch-index";

/**
 * The index a dataset goes to: `<prefix>-<scenario>-<yyyy.mm.dd of the end>-<8 hex digits>`, e.g.
 * `lab-access-spike-2026.11.24-1f0c9a3e`. The hex digits are the start of a SHA-256 over the plan's
 * ground truth (seed, scenario, start, end, days, rate, every placed anomaly) and its dataset name,
 * so the same plan always lands in the same index (a re-run overwrites by id, never duplicates)
 * and two different plans never share one. The scenario is lowercased and anything outside
 * [a-z0-9_] becomes "-", which keeps the name valid.
 */
export function indexNameFor(prefix: string, plan: DatasetPlan): string {
  checkIndexPrefix(prefix);
  const { eventCount: _ignored, ...truth } = plan.truth;
  const digest = createHash("sha256").update(JSON.stringify({ dataset: plan.dataset, truth })).digest("hex").slice(0, 8);
  const scenario = plan.scenario.toLowerCase().replace(/[^a-z0-9_]+/g, "-").replace(/^-+|-+$/g, "") || "custom";
  const day = plan.end.toISOString().slice(0, 10).replace(/-/g, ".");
  return `${prefix}-${scenario}-${day}-${digest}`;
}

/**
 * The index a dataset's error log goes to: indexNameFor under the error prefix (errorIndexPrefixFor),
 * so it ends in the same digest as its access index, e.g. `lab-error-spike-2026.11.24-1f0c9a3e`
 * beside `lab-access-spike-2026.11.24-1f0c9a3e`.
 */
export function errorIndexNameFor(accessPrefix: string, plan: DatasetPlan): string {
  return indexNameFor(errorIndexPrefixFor(accessPrefix), plan);
}

/**
 * Generates the planned events and indexes them (template, index with the ground truth in its
 * `_meta.lab`, helpers.bulk with deterministic ids, refresh, exact count check), then, unless
 * `errorLog` is false, nginx's error log the same way into its own index. Throws a LabError naming
 * the numbers when documents are rejected or a count differs, a UsageError for bad options (before
 * anything is written).
 *
 * The error log is a second pass over the plan rather than a split of one stream: generating the
 * events again costs less than serialising them, memory stays flat, and each index keeps the one
 * bulk load, count check and `_meta` of its own.
 */
export async function indexDataset(plan: DatasetPlan, options: IndexDatasetOptions): Promise<IndexDatasetResult> {
  const started = Date.now();
  const prefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const index = options.index ?? indexNameFor(prefix, plan);
  const errorPrefix = options.errorLog === false ? undefined : errorIndexPrefixFor(prefix);
  const errorIndex = errorPrefix === undefined ? undefined : (options.errorIndex ?? indexNameFor(errorPrefix, plan));
  if (errorPrefix !== undefined && errorIndex !== undefined) checkIndexName(errorIndex, errorPrefix);
  const access = await indexEvents(
    { events: generateEvents(plan), documentId: (sequence) => documentId(plan, sequence), truth: plan.truth },
    index,
    { ...options, indexPrefix: prefix },
  );
  if (errorPrefix === undefined || errorIndex === undefined) return access;
  // The progress bar counts requests; the error lines are a few per hundred and follow quickly.
  const { onProgress: _requestsOnly, ...errorOptions } = options;
  const errors = await indexEvents(
    { events: generateErrorEvents(plan), documentId: (sequence) => errorDocumentId(plan, sequence), truth: access.truth },
    errorIndex,
    { ...errorOptions, indexPrefix: errorPrefix },
    "error",
  );
  return { ...access, errorLog: { index: errors.index, count: errors.count }, tookMs: Date.now() - started };
}
