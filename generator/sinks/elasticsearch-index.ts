// Loading a stream of events into one Elasticsearch index, the way an operator would want it done:
//
//   1. GET /                          check URL and credentials first: a refusal writes nothing
//   2. PUT _index_template/<prefix>   explicit mappings for `<prefix>-*`, before any document exists
//   3. PUT <index>                    create the index with the ground truth in its mapping `_meta`
//                                     (or, on a re-run, check that the existing index is the lab's)
//   4. PUT <index>/_settings          no refresh and no replicas while loading (./load-settings.ts)
//      POST _bulk (helpers.bulk)      `index` operations with deterministic ids, so a re-run overwrites
//                                     instead of duplicating; rejected documents are counted (onDrop)
//      PUT <index>/_settings, POST <index>/_refresh
//                                     the index's own settings back and one refresh, also after a
//                                     failure or an interruption, so nothing is left half-tuned
//   5. GET <index>/_count             the index must hold exactly the number of events generated
//   6. PUT <index>/_mapping           `_meta.lab.status` becomes "complete" with the final event count
//
// `_meta.lab` is how `lab-verify` and the Pulumi dataset step find the ground truth without a file,
// and how they tell a complete dataset from an interrupted one.
//
// nginx's error log goes through the same steps into an index of its own (`<error prefix>-...`,
// errorIndexPrefixFor), under a template of its own (LAB_ERROR_INDEX_MAPPINGS), with the same
// ground truth: the integration keeps the two logs in separate data streams, and the access log's
// count jobs and `_count` check would count error lines as requests.

import type { Client, estypes, errors } from "@elastic/elasticsearch";
import { esLibrary } from "./es-library";
import { LabError, UsageError } from "../errors";
import type { AccessLogEvent, GroundTruth } from "../types";
import type { NginxErrorEvent } from "../error-log";
import {
  checkWithClient,
  createClient,
  describeErrorCause,
  describeRequestFailure,
  type ElasticsearchConnection,
} from "./elasticsearch-client";
import { withLoadSettings } from "./load-settings";

export const DEFAULT_INDEX_PREFIX = "lab-access";
/** The error log's index prefix when the access prefix is the default: see errorIndexPrefixFor. */
export const DEFAULT_ERROR_INDEX_PREFIX = "lab-error";
/** Which of nginx's two logs an index holds: each has its own mapping and its own index template. */
export type LabLog = "access" | "error";
/** A document of either log. */
export type LabDocument = AccessLogEvent | NginxErrorEvent;
/** Marks the indices and templates this lab owns, so it never writes into or deletes anything else. */
export const LAB_GENERATOR = "elastic-ml-lab";
/**
 * Bulk settings measured against the real 8.19 server on this project's two-core machine (the
 * generator sinks readme has the table): 1 MiB x 4 and 5 MB x 2 tied within noise and beat the
 * rest; Elastic's "Tune for indexing speed" says to err towards smaller requests in a tie, and
 * 4 MiB in flight weighs less on a small heap than 10 MB.
 */
export const DEFAULT_FLUSH_BYTES = 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;
/** helpers.bulk retries documents answered with 429 (server busy) this many times, waiting between tries. */
const BUSY_RETRIES = 3;
const BUSY_WAIT_MS = 2_000;
/** At most this many distinct rejection reasons are quoted in the error. */
const REASONS_SHOWN = 3;
const PROGRESS_INTERVAL_MS = 250;

/** What `_meta.lab` of a dataset index holds. */
export interface LabIndexMeta {
  generator: typeof LAB_GENERATOR;
  /** "indexing" until every document is in and counted; "complete" after. */
  status: "indexing" | "complete";
  /** The ground truth; `eventCount` is set once the status is "complete". */
  truth: GroundTruth;
  /** ISO-8601 UTC time the status last changed. */
  updatedAt: string;
}

export interface IndexDatasetOptions {
  connection: ElasticsearchConnection;
  /** Indices are named `<prefix>-...` and the index template covers `<prefix>-*`. Default "lab-access". */
  indexPrefix?: string;
  /** Exact index name; must start with `<prefix>-` so the template applies. Default: see indexNameFor. */
  index?: string;
  /**
   * Also write nginx's error log (generator/error-log.ts) into an index of its own, beside the
   * access index. Default true; the follow-mode sink writes the access log only.
   */
  errorLog?: boolean;
  /** Exact name of the error log's index; must start with `<error prefix>-` (errorIndexPrefixFor). Default: see indexNameFor. */
  errorIndex?: string;
  /** Bytes of NDJSON per bulk request (helpers.bulk flushBytes). */
  flushBytes?: number;
  /** Bulk requests in flight at once (helpers.bulk concurrency). */
  concurrency?: number;
  /** Called a few times a second with the number of documents Elasticsearch has acknowledged. */
  onProgress?: (indexed: number) => void;
  /** Aborting stops sending; the index is left with status "indexing". */
  signal?: AbortSignal;
}

export interface IndexDatasetResult {
  index: string;
  /** Documents in the index, equal to the events generated. */
  count: number;
  /** Ground truth with `eventCount`. */
  truth: GroundTruth;
  /** The error log's index and its documents, equal to the error lines generated; absent with `errorLog: false`. */
  errorLog?: { index: string; count: number };
  tookMs: number;
}

/** The events of one dataset, how to name each document, and its ground truth (without eventCount). */
export interface EventSource {
  events: Iterable<LabDocument>;
  /** Deterministic id of the event at `sequence` (0 for the first event). */
  documentId: (sequence: number) => string;
  truth: GroundTruth;
}

const KEYWORD = { type: "keyword" } as const;
const LONG = { type: "long" } as const;
/** What the integration's templates give most strings: ECS's keyword with ignore_above 1024. */
const ECS_KEYWORD = { type: "keyword", ignore_above: 1024 } as const;
/** A keyword that is also searchable word by word, as ECS maps user_agent.original and url.original. */
const KEYWORD_AND_TEXT = { type: "keyword", ignore_above: 1024, fields: { text: { type: "text", norms: false } } } as const;

/**
 * The mapping of every lab index: the field types of Elastic's nginx integration (its access data
 * stream's ECS field definitions, https://www.elastic.co/docs/reference/integrations/nginx), so the
 * lab's indices sit beside real nginx data in one data view without type conflicts. Numbers take the
 * types ECS declares (all `long`); Lucene packs doc values by the actual range of values, so a
 * narrower type would save no space.
 *
 * Two deliberate differences, so that every Elasticsearch the lab meets accepts the template (the
 * test suite's distribution has neither the mapper-extras nor the constant-keyword module):
 * `message` is `text` where ECS says `match_only_text` (the same queries and categorization, a few
 * bytes more per document for positions), and `data_stream.*`, `event.dataset` and `event.module` are
 * `keyword` where the integration says `constant_keyword` (one value per index either way).
 *
 * `dynamic: strict` rejects any field not listed, so a change in the generator's documents surfaces
 * as rejected documents instead of silently mapped fields.
 */
export const LAB_INDEX_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: "strict",
  properties: {
    "@timestamp": { type: "date" },
    message: { type: "text" },
    event: {
      properties: {
        dataset: KEYWORD,
        module: KEYWORD,
        kind: KEYWORD,
        category: KEYWORD,
        type: KEYWORD,
        outcome: KEYWORD,
        duration: LONG,
        created: { type: "date" },
      },
    },
    http: {
      properties: {
        version: ECS_KEYWORD,
        request: { properties: { method: ECS_KEYWORD, referrer: ECS_KEYWORD } },
        response: { properties: { status_code: LONG, body: { properties: { bytes: LONG } } } },
      },
    },
    url: { properties: { original: KEYWORD_AND_TEXT, path: ECS_KEYWORD, query: ECS_KEYWORD } },
    source: {
      properties: {
        address: ECS_KEYWORD,
        ip: { type: "ip" },
        geo: {
          properties: {
            continent_name: ECS_KEYWORD,
            country_iso_code: ECS_KEYWORD,
            country_name: ECS_KEYWORD,
            region_name: ECS_KEYWORD,
            city_name: ECS_KEYWORD,
            location: { type: "geo_point" },
          },
        },
        as: { properties: { number: LONG, organization: { properties: { name: KEYWORD_AND_TEXT } } } },
      },
    },
    user_agent: {
      properties: {
        original: KEYWORD_AND_TEXT,
        name: ECS_KEYWORD,
        version: ECS_KEYWORD,
        os: { properties: { name: KEYWORD_AND_TEXT, version: ECS_KEYWORD, full: KEYWORD_AND_TEXT } },
        device: { properties: { name: ECS_KEYWORD } },
      },
    },
    host: { properties: { name: ECS_KEYWORD } },
    service: { properties: { name: ECS_KEYWORD } },
    ecs: { properties: { version: ECS_KEYWORD } },
    data_stream: { properties: { type: KEYWORD, dataset: KEYWORD, namespace: KEYWORD } },
  },
};

/**
 * The mapping of every error-log index (generator/error-log.ts), with the types of the integration's
 * error data stream; the same two deliberate differences as LAB_INDEX_MAPPINGS (`message` is `text`,
 * the constant fields are `keyword`).
 */
export const LAB_ERROR_INDEX_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: "strict",
  properties: {
    "@timestamp": { type: "date" },
    message: { type: "text" },
    log: { properties: { level: ECS_KEYWORD } },
    event: {
      properties: {
        dataset: KEYWORD,
        module: KEYWORD,
        kind: KEYWORD,
        category: KEYWORD,
        type: KEYWORD,
        created: { type: "date" },
        // ECS: kept for reference, neither searched nor aggregated.
        original: { type: "keyword", index: false, doc_values: false },
      },
    },
    process: { properties: { pid: LONG, thread: { properties: { id: LONG } } } },
    nginx: { properties: { error: { properties: { connection_id: LONG } } } },
    url: { properties: { path: ECS_KEYWORD } },
    source: { properties: { ip: { type: "ip" } } },
    host: { properties: { name: ECS_KEYWORD } },
    service: { properties: { name: ECS_KEYWORD } },
    ecs: { properties: { version: ECS_KEYWORD } },
    data_stream: { properties: { type: KEYWORD, dataset: KEYWORD, namespace: KEYWORD } },
  },
};

/**
 * The index template for `<prefix>-*`, with the mapping of the log it holds (the access log unless
 * told otherwise). One shard (a lab dataset is a few GB at most);
 * `auto_expand_replicas: 0-1` keeps a single-node lab green and gives a real cluster a replica.
 * The priority grows with the prefix length, so that templates of nested prefixes ("lab" and
 * "lab-access", whose patterns overlap) get different priorities, which Elasticsearch requires,
 * and the more specific one wins.
 */
export function indexTemplateFor(prefix: string, log: LabLog = "access"): estypes.IndicesPutIndexTemplateRequest {
  checkIndexPrefix(prefix);
  return {
    name: prefix,
    index_patterns: [`${prefix}-*`],
    priority: 200 + prefix.length,
    template: {
      settings: { index: { number_of_shards: 1, auto_expand_replicas: "0-1" } },
      mappings: log === "access" ? LAB_INDEX_MAPPINGS : LAB_ERROR_INDEX_MAPPINGS,
    },
    _meta: {
      managed_by: LAB_GENERATOR,
      description: log === "access"
        ? "HTTP access-log datasets of the Elastic ML lab, with known anomalies"
        : "nginx error-log datasets of the Elastic ML lab, beside their access logs",
    },
  };
}

/**
 * The error log's index prefix for an access prefix: a trailing `-access` becomes `-error`
 * (`lab-access` -> `lab-error`, `lab-cohort-a-access` -> `lab-cohort-a-error`), and any other prefix
 * gets `-error` appended (`web` -> `web-error`). Its template is more specific than the access
 * one's whenever their patterns overlap (`web-*` and `web-error-*`), so it wins by priority.
 */
export function errorIndexPrefixFor(accessPrefix: string): string {
  checkIndexPrefix(accessPrefix);
  const errorPrefix = accessPrefix.endsWith("-access") ? `${accessPrefix.slice(0, -"-access".length)}-error` : `${accessPrefix}-error`;
  if (errorPrefix.length > 200) {
    throw new UsageError(`index prefix "${accessPrefix}" is too long for its error log's prefix "${errorPrefix}" (over 200 characters); use a shorter prefix, or leave the error log out`);
  }
  return errorPrefix;
}

const INDEX_PREFIX_RULE = /^[a-z0-9][a-z0-9._-]*$/;

/** Throws a UsageError unless `prefix` can start an index name (lowercase, no spaces or special characters). */
export function checkIndexPrefix(prefix: string): void {
  if (!INDEX_PREFIX_RULE.test(prefix) || prefix.length > 200) {
    throw new UsageError(
      `index prefix "${prefix}" is not allowed: use 1 to 200 lowercase letters, digits, "-", "_" or ".", starting with a letter or digit`,
    );
  }
}

/** Throws a UsageError unless `index` is a valid index name under `prefix` (so the lab's template applies to it). */
export function checkIndexName(index: string, prefix: string): void {
  if (!INDEX_PREFIX_RULE.test(index) || Buffer.byteLength(index) > 255) {
    throw new UsageError(
      `index name "${index}" is not allowed: use up to 255 lowercase letters, digits, "-", "_" or ".", starting with a letter or digit`,
    );
  }
  if (!index.startsWith(`${prefix}-`)) {
    throw new UsageError(`index name "${index}" must start with "${prefix}-", so that the lab's index template (${prefix}-*) gives it its mappings`);
  }
}

/** Checks the bulk tuning options; exported so the CLI can validate everything before contacting a server. */
export function checkBulkSettings(options: Pick<IndexDatasetOptions, "flushBytes" | "concurrency">): void {
  const problems: string[] = [];
  if (options.flushBytes !== undefined && !(Number.isInteger(options.flushBytes) && options.flushBytes >= 1024)) {
    problems.push(`flushBytes must be a whole number of bytes, at least 1024, got ${options.flushBytes}`);
  }
  if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1 && options.concurrency <= 64)) {
    problems.push(`concurrency must be a whole number from 1 to 64, got ${options.concurrency}`);
  }
  if (problems.length > 0) throw new UsageError(problems);
}

/**
 * Loads `source` into `index` (see the steps at the top of this file), under the template of `log`
 * for `options.indexPrefix`. An error-log index keeps the access log's ground truth as it is given
 * (its `eventCount` counts requests); its own document count is the result's `count`.
 */
export async function indexEvents(
  source: EventSource,
  index: string,
  options: IndexDatasetOptions,
  log: LabLog = "access",
): Promise<IndexDatasetResult> {
  const started = Date.now();
  const prefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  checkIndexPrefix(prefix);
  checkIndexName(index, prefix);
  checkBulkSettings(options);
  const { connection } = options;
  const client = createClient(connection);
  try {
    await checkWithClient(client, connection);
    await putTemplate(client, connection, prefix, log);
    await prepareIndex(client, connection, index, source.truth);
    const sent = await withLoadSettings(client, connection, index, () => bulkIndex(client, connection, source, index, options));
    const count = await countDocuments(client, connection, index);
    if (count !== sent) {
      throw new LabError(
        `index ${index} holds ${count} documents but ${sent} events were generated; ` +
          `${count > sent ? "it holds documents of another run: delete it and run again" : "some documents went missing"}`,
      );
    }
    const truth: GroundTruth = log === "access" ? { ...source.truth, eventCount: sent } : source.truth;
    await writeMeta(client, connection, index, { generator: LAB_GENERATOR, status: "complete", truth, updatedAt: new Date().toISOString() });
    return { index, count, truth, tookMs: Date.now() - started };
  } finally {
    await client.close();
  }
}

/**
 * Deletes a dataset index. Refuses an index the lab did not create (no `_meta.lab`) and names
 * with wildcards or lists; an index that does not exist is "absent", not an error, so that
 * teardown can be repeated.
 */
export async function deleteDataset(connection: ElasticsearchConnection, index: string): Promise<"deleted" | "absent"> {
  if (!INDEX_PREFIX_RULE.test(index)) {
    throw new UsageError(`index name "${index}" is not a single index: no wildcards, commas or uppercase letters`);
  }
  const client = createClient(connection);
  try {
    await checkWithClient(client, connection);
    const meta = await readLabMeta(client, connection, index);
    if (meta === "absent") return "absent";
    if (meta === "foreign") throw new LabError(`index ${index} was not created by the lab (its mapping has no _meta.lab); refusing to delete it`);
    try {
      await client.indices.delete({ index });
      return "deleted";
    } catch (error) {
      if (error instanceof esLibrary().errors.ResponseError && error.statusCode === 404) return "absent";
      throw describeRequestFailure(error, connection, `DELETE /${index}`);
    }
  } finally {
    await client.close();
  }
}

/**
 * Reads `_meta.lab` of a dataset index: its status and ground truth. For `lab-verify` and the
 * Pulumi dataset step. Throws a LabError when the index is missing or not the lab's.
 */
export async function readDatasetMeta(connection: ElasticsearchConnection, index: string): Promise<LabIndexMeta> {
  const client = createClient(connection);
  try {
    await checkWithClient(client, connection);
    const meta = await readLabMeta(client, connection, index);
    if (meta === "absent") throw new LabError(`index ${index} does not exist on ${connection.url}`);
    if (meta === "foreign") throw new LabError(`index ${index} was not created by the lab (its mapping has no _meta.lab)`);
    return meta;
  } finally {
    await client.close();
  }
}

/** What an index holds, as far as the lab can tell: nothing, someone else's data, or a lab dataset with its document count. */
export type DatasetInspection = { state: "absent" } | { state: "foreign" } | { state: "lab"; meta: LabIndexMeta; count: number };

/**
 * Looks at a dataset index without changing it: for `pulumi refresh`, which must tell "gone" from
 * "unreachable". Connection failures throw (a LabError naming the URL); a missing index does not.
 */
export async function inspectDataset(connection: ElasticsearchConnection, index: string): Promise<DatasetInspection> {
  const client = createClient(connection);
  try {
    await checkWithClient(client, connection);
    const meta = await readLabMeta(client, connection, index);
    if (meta === "absent" || meta === "foreign") return { state: meta };
    try {
      return { state: "lab", meta, count: await countDocuments(client, connection, index) };
    } catch (error) {
      // Deleted between the two calls.
      if (error instanceof LabError && / 404\b/.test(error.message)) return { state: "absent" };
      throw error;
    }
  } finally {
    await client.close();
  }
}

/**
 * The names the lab gives datasets under `prefix`: `<prefix>-<scenario>-<yyyy.mm.dd>-<8 hex>`
 * (indexNameFor), and `<prefix>-<scenario>-live-<8 hex>` for a follow-mode stream
 * (liveIndexNameFor). The scenario part has no "-", so a longer prefix that starts with this one
 * (cohort "a" and cohort "a-access-x") never matches.
 */
export function datasetIndexPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9_]+-(?:\\d{4}\\.\\d{2}\\.\\d{2}|live)-[0-9a-f]{8}$`);
}

/**
 * Deletes the index template of `prefix` once no dataset index under it is left, so that tearing
 * down the last dataset leaves nothing behind, while a replacement dataset (created before the old
 * one is deleted) keeps its template. "kept" names the indices still using it.
 */
export async function deleteUnusedTemplate(connection: ElasticsearchConnection, prefix: string): Promise<"deleted" | "absent" | { kept: string[] }> {
  checkIndexPrefix(prefix);
  const client = createClient(connection);
  try {
    let names: string[];
    try {
      const found = await client.indices.get({ index: `${prefix}-*`, allow_no_indices: true, expand_wildcards: "all", filter_path: "*.settings.index.provided_name" });
      names = Object.keys(found);
    } catch (error) {
      throw describeRequestFailure(error, connection, `GET /${prefix}-*`);
    }
    const pattern = datasetIndexPattern(prefix);
    const kept = names.filter((name) => pattern.test(name)).sort();
    if (kept.length > 0) return { kept };
    try {
      await client.indices.deleteIndexTemplate({ name: prefix });
      return "deleted";
    } catch (error) {
      if (error instanceof esLibrary().errors.ResponseError && error.statusCode === 404) return "absent";
      throw describeRequestFailure(error, connection, `DELETE /_index_template/${prefix}`);
    }
  } finally {
    await client.close();
  }
}

async function putTemplate(client: Client, connection: ElasticsearchConnection, prefix: string, log: LabLog): Promise<void> {
  try {
    await client.indices.putIndexTemplate(indexTemplateFor(prefix, log));
  } catch (error) {
    throw describeRequestFailure(error, connection, `PUT /_index_template/${prefix}`);
  }
}

async function prepareIndex(client: Client, connection: ElasticsearchConnection, index: string, truth: GroundTruth): Promise<void> {
  const meta: LabIndexMeta = { generator: LAB_GENERATOR, status: "indexing", truth: withoutEventCount(truth), updatedAt: new Date().toISOString() };
  const existing = await readLabMeta(client, connection, index);
  if (existing === "foreign") {
    throw new LabError(`index ${index} exists and was not created by the lab (its mapping has no _meta.lab); refusing to write into it`);
  }
  if (existing !== "absent") {
    await writeMeta(client, connection, index, meta);
    return;
  }
  try {
    await client.indices.create({ index, mappings: { _meta: { lab: meta } } });
  } catch (error) {
    // Another run created it between our check and our create: treat as a re-run.
    if (error instanceof esLibrary().errors.ResponseError && errorType(error) === "resource_already_exists_exception") {
      await prepareIndex(client, connection, index, truth);
      return;
    }
    throw describeRequestFailure(error, connection, `PUT /${index}`);
  }
}

async function readLabMeta(client: Client, connection: ElasticsearchConnection, index: string): Promise<LabIndexMeta | "absent" | "foreign"> {
  let response: estypes.IndicesGetMappingResponse;
  try {
    response = await client.indices.getMapping({ index });
  } catch (error) {
    if (error instanceof esLibrary().errors.ResponseError && error.statusCode === 404) return "absent";
    throw describeRequestFailure(error, connection, `GET /${index}/_mapping`);
  }
  const mapping = Object.values(response)[0]?.mappings;
  const lab = (mapping?._meta as { lab?: LabIndexMeta } | undefined)?.lab;
  return lab?.generator === LAB_GENERATOR ? lab : "foreign";
}

async function writeMeta(client: Client, connection: ElasticsearchConnection, index: string, meta: LabIndexMeta): Promise<void> {
  try {
    await client.indices.putMapping({ index, _meta: { lab: meta } });
  } catch (error) {
    throw describeRequestFailure(error, connection, `PUT /${index}/_mapping`);
  }
}

async function countDocuments(client: Client, connection: ElasticsearchConnection, index: string): Promise<number> {
  try {
    return (await client.count({ index })).count;
  } catch (error) {
    throw describeRequestFailure(error, connection, `GET /${index}/_count`);
  }
}

/** Sends every event through helpers.bulk and returns how many were sent; throws when any was rejected. */
async function bulkIndex(
  client: Client,
  connection: ElasticsearchConnection,
  source: EventSource,
  index: string,
  options: IndexDatasetOptions,
): Promise<number> {
  let sequence = 0;
  let rejected = 0;
  // Rejections grouped by kind (error type and reason without document id or position), each with its first example.
  const reasons = new Map<string, { text: string; times: number }>();
  const { signal, onProgress } = options;
  if (signal?.aborted) throw interrupted(index, 0);

  const bulk = client.helpers.bulk<LabDocument>({
    datasource: asAsyncIterator(source.events),
    // helpers.bulk calls onDocument once per event, in the order the datasource yields them, so a
    // counter gives each event its position in the dataset and thereby its deterministic id.
    onDocument: () => ({ index: { _index: index, _id: source.documentId(sequence++) } }),
    flushBytes: options.flushBytes ?? DEFAULT_FLUSH_BYTES,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    retries: BUSY_RETRIES,
    wait: BUSY_WAIT_MS,
    onDrop: (dropped) => {
      rejected += 1;
      const key = dropped.error === null ? `status ${dropped.status}` : rejectionKind(dropped.error);
      const seen = reasons.get(key);
      if (seen !== undefined) {
        seen.times += 1;
        return;
      }
      const id = (dropped.operation as { index?: { _id?: string } }).index?._id;
      const text = dropped.error === null
        ? `status ${dropped.status} (server busy, still refused after ${BUSY_RETRIES} retries)`
        : withoutPerDocumentDetail(describeErrorCause(dropped.error));
      reasons.set(key, { text: id === undefined ? text : `${text} [first: id ${id}]`, times: 1 });
    },
  });

  const abort = () => bulk.abort();
  signal?.addEventListener("abort", abort, { once: true });
  const ticker = onProgress === undefined
    ? undefined
    : setInterval(() => onProgress(bulk.stats.successful + bulk.stats.failed), PROGRESS_INTERVAL_MS);
  let stats: Awaited<typeof bulk>;
  try {
    stats = await bulk;
  } catch (error) {
    // Only the client's errors are about the request; anything else (from the event source) is passed on as it is.
    if (!(error instanceof esLibrary().errors.ElasticsearchClientError)) throw error;
    throw describeRequestFailure(error, connection, `POST /_bulk`);
  } finally {
    signal?.removeEventListener("abort", abort);
    if (ticker !== undefined) clearInterval(ticker);
  }
  if (signal?.aborted || stats.aborted) throw interrupted(index, stats.successful);
  onProgress?.(stats.successful + stats.failed);

  if (rejected > 0) {
    const shown = [...reasons.values()]
      .slice(0, REASONS_SHOWN)
      .map(({ text, times }) => `${times}x ${text}`)
      .join("; ");
    const more = reasons.size > REASONS_SHOWN ? `; and ${reasons.size - REASONS_SHOWN} other reasons` : "";
    throw new LabError(`${rejected} of ${sequence} documents were rejected by index ${index}; first reasons: ${shown}${more}`);
  }
  return sequence;
}

/** helpers.bulk reads arrays, buffers, streams and async iterators, not plain generators; this adapts one lazily. */
async function* asAsyncIterator<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** The part of a rejection that is the same for every document rejected for the same cause. */
function rejectionKind(error: unknown): string {
  const { type, reason } = (error ?? {}) as { type?: string; reason?: string };
  return `${type ?? ""}: ${withoutPerDocumentDetail(reason ?? "")}`.replace(/Preview of field's value: .*$/, "");
}

/** Drops what differs per document from a bulk item reason: "[1:237]" positions, "in document with id '...'". */
function withoutPerDocumentDetail(text: string): string {
  return text.replace(/\[\d+:\d+\] /g, "").replace(/ in document with id '[^']*'/g, "");
}

function interrupted(index: string, indexed: number): LabError {
  return new LabError(`interrupted after ${indexed} documents; index ${index} is incomplete (its _meta.lab.status stays "indexing")`);
}

function withoutEventCount(truth: GroundTruth): GroundTruth {
  const { eventCount: _ignored, ...rest } = truth;
  return rest;
}

function errorType(error: InstanceType<typeof errors.ResponseError>): string | undefined {
  return (error.body as { error?: { type?: string } } | undefined)?.error?.type;
}
