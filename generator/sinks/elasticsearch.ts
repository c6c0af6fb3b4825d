// The Elasticsearch sink: a planned dataset streamed into one index through the official client's
// helpers.bulk. The steps and their order are in ./elasticsearch-index.ts; connection handling and
// error messages in ./elasticsearch-client.ts. This module ties them to the generator's plan.

import { createHash } from "node:crypto";
import { documentId, generateEvents } from "../events";
import type { DatasetPlan } from "../plan";
import {
  DEFAULT_INDEX_PREFIX,
  checkIndexPrefix,
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
  LAB_GENERATOR,
  LAB_INDEX_MAPPINGS,
  LAB_ERROR_INDEX_MAPPINGS,
  checkBulkSettings,
  checkIndexName,
  checkIndexPrefix,
  datasetIndexPattern,
  deleteDataset,
  deleteUnusedTemplate,
  indexTemplateFor,
  inspectDataset,
  readDatasetMeta,
  type IndexDatasetOptions,
  type IndexDatasetResult,
  type LabIndexMeta,
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
 * Generates the planned events and indexes them (template, index with the ground truth in its
 * `_meta.lab`, helpers.bulk with deterministic ids, refresh, exact count check). Throws a LabError
 * naming the numbers when documents are rejected or the count differs, a UsageError for bad options.
 */
export function indexDataset(plan: DatasetPlan, options: IndexDatasetOptions): Promise<IndexDatasetResult> {
  const prefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const index = options.index ?? indexNameFor(prefix, plan);
  return indexEvents(
    { events: generateEvents(plan), documentId: (sequence) => documentId(plan, sequence), truth: plan.truth },
    index,
    { ...options, indexPrefix: prefix },
  );
}
