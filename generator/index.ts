// The generator as a library, for the Pulumi dataset step and for anyone scripting the lab:
//
//   const plan = planDataset({ days: 7, seed: 1, end: new Date("2026-11-24T00:00:00Z") });
//   for (const event of generateEvents(plan)) ...                      // the events, lazily
//   await writeNdjson(generateEvents(plan), "events.ndjson");          // or a sink
//   await indexDataset(plan, { connection: { url, username, password } });   // and the error log's index
//   await writeNdjson(generateErrorEvents(plan), "errors.ndjson");     // nginx's error log, to a file
//
// or all at once, returning the ground truth with the event count:
//
//   const { truth } = await generateDataset({ days: 7, seed: 1, end }, { kind: "ndjson", path: "-" });

import { generateEvents } from "./events";
import { generateErrorEvents } from "./error-log";
import { planDataset, type DatasetOptions, type DatasetPlan } from "./plan";
import type { GroundTruth } from "./types";
import { UsageError } from "./errors";
import { writeCsv } from "./sinks/csv";
import { writeNdjson } from "./sinks/ndjson";
import { indexDataset, type IndexDatasetOptions } from "./sinks/elasticsearch";

export * from "./types";
export { LabError, UsageError, isExpectedFailure } from "./errors";
export {
  planDataset,
  CUSTOM_SCENARIO,
  DEFAULT_DATASET,
  DEFAULT_MEAN_RATE_PER_SECOND,
  MAX_DAYS,
  MAX_MEAN_RATE_PER_SECOND,
  type DatasetOptions,
  type DatasetPlan,
} from "./plan";
export { generateEvents, documentId, errorDocumentId } from "./events";
export { generateErrorEvents, generateNginxLogs, ErrorLogDeriver, type NginxErrorEvent } from "./error-log";
export { nginxEscape, ACCESS_DATASET, ERROR_DATASET, ECS_VERSION, SITE_DOMAIN } from "./nginx";
export { SCENARIOS, SCENARIO_NAMES, DEFAULT_SCENARIO, type Scenario } from "./scenarios";
export { writeNdjson, formatNdjsonLine } from "./sinks/ndjson";
export { writeCsv, formatCsvRow, CSV_COLUMNS, CSV_HEADER } from "./sinks/csv";
export { STDOUT, OutputClosedError, checkWritableDestination, type FileSinkOptions, type FileSinkResult } from "./sinks/file-output";
export * from "./sinks/elasticsearch";
export { expectedEventCount } from "./progress";
export { systemClock, VirtualClock, type Clock } from "./clock";
export { planFollow, liveIndexNameFor, nextLiveWindow, originAt, type FollowOptions, type FollowPlan } from "./follow-plan";
export { generateLiveEvents, type LiveEvent } from "./events";
export {
  followLive,
  StreamFailed,
  TransientWriteError,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_OUTAGE_TIMEOUT_MS,
  DEFAULT_MAX_CATCH_UP_MS,
  type FollowSink,
  type FollowStart,
  type FollowStats,
  type FollowResult,
} from "./follow";
export { prepareFollowIndex, followSinkFor, type PreparedFollow } from "./sinks/elasticsearch-follow";

/**
 * Where generateDataset sends the events. A file sink writes nginx's error log only when given an
 * `errorPath` (always NDJSON, also beside a CSV); the Elasticsearch sink writes it unless `errorLog` is false.
 */
export type DatasetSink =
  | { kind: "ndjson"; path: string; errorPath?: string }
  | { kind: "csv"; path: string; errorPath?: string }
  | ({ kind: "elasticsearch" } & Omit<IndexDatasetOptions, "onProgress" | "signal">);

export interface GenerateDatasetHooks {
  /** Events written (files) or acknowledged by Elasticsearch so far. */
  onProgress?: (done: number) => void;
  signal?: AbortSignal;
}

export interface GenerateDatasetResult {
  plan: DatasetPlan;
  /** The ground truth with eventCount. */
  truth: GroundTruth;
  count: number;
  /** The file path ("-" for stdout) or the index name. */
  destination: string;
  /** Bytes written, for file sinks. */
  bytes?: number;
  /** nginx's error log: the file or index it went to and its lines; absent when it was not written. */
  errorLog?: { destination: string; count: number; bytes?: number };
  tookMs: number;
}

/** Plans (throwing a UsageError before anything is written), generates and writes one dataset. */
export async function generateDataset(options: DatasetOptions, sink: DatasetSink, hooks: GenerateDatasetHooks = {}): Promise<GenerateDatasetResult> {
  const plan = planDataset(options);
  return writeDataset(plan, sink, hooks);
}

/** Generates and writes an already planned dataset. */
export async function writeDataset(plan: DatasetPlan, sink: DatasetSink, hooks: GenerateDatasetHooks = {}): Promise<GenerateDatasetResult> {
  const started = Date.now();
  if (sink.kind === "elasticsearch") {
    const { kind: _kind, ...options } = sink;
    const result = await indexDataset(plan, { ...options, ...hooks });
    const errorLog = result.errorLog === undefined ? undefined : { destination: result.errorLog.index, count: result.errorLog.count };
    return { plan, truth: result.truth, count: result.count, destination: result.index, errorLog, tookMs: result.tookMs };
  }
  if (sink.kind !== "csv" && sink.kind !== "ndjson") {
    throw new UsageError(`sink kind ${JSON.stringify((sink as { kind?: unknown }).kind)} is not allowed; allowed: ndjson, csv, elasticsearch`);
  }
  const write = sink.kind === "csv" ? writeCsv : writeNdjson;
  const result = await write(generateEvents(plan), sink.path, hooks);
  // A second pass over the plan, as the Elasticsearch sink does (see indexDataset): flat memory, one file at a time.
  const errors = sink.errorPath === undefined ? undefined : await writeNdjson(generateErrorEvents(plan), sink.errorPath, { signal: hooks.signal });
  return {
    plan,
    truth: { ...plan.truth, eventCount: result.count },
    count: result.count,
    destination: result.destination,
    bytes: result.bytes,
    errorLog: errors === undefined ? undefined : { destination: errors.destination, count: errors.count, bytes: errors.bytes },
    tookMs: Date.now() - started,
  };
}
