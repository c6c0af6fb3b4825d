// Follow mode into Elasticsearch: one index per stream, named from the stream's identity
// (liveIndexNameFor), so running the same command again finds it and goes on where it stopped.
//
//   prepareFollowIndex
//     GET /, GET <index>/_mapping           absent: origin = now, write the backfill (indexEvents)
//                                            backfill incomplete: write it again, same origin, same ids
//                                            complete: resume from the minute of the latest event
//     POST <index>/_refresh, _search (max @timestamp), _count (events before that minute)
//   followSinkFor -> FollowSink
//     write:     POST /_bulk (helpers.bulk, one request at a time, deterministic ids: a resent
//                batch overwrites itself); a lost connection, a timeout, 429 or 5xx is transient
//     saveTruth: PUT <index>/_mapping  {_meta: {lab: {status: "complete", truth}}}
//
// prepareFollowIndex has checked the URL and the credentials; a refusal after that (401, 403) is
// not an outage and fails at once. One request at a time keeps "every event before the latest one is written" true, which is what a
// resume relies on.

import type { Client } from "@elastic/elasticsearch";
import { esLibrary } from "./es-library";
import { LabError } from "../errors";
import type { AccessLogEvent, GroundTruth } from "../types";
import { documentId, generateEvents, type LiveEvent } from "../events";
import { liveIndexNameFor, originAt, planFollow, type FollowOptions, type FollowPlan } from "../follow-plan";
import { TransientWriteError, type FollowSink } from "../follow";
import { MINUTE_MS } from "../traffic";
import { checkWithClient, createClient, describeErrorCause, describeRequestFailure, redactUrl, type ElasticsearchConnection } from "./elasticsearch-client";
import { DEFAULT_INDEX_PREFIX, LAB_GENERATOR, checkIndexName, checkIndexPrefix, indexEvents, inspectDataset, type LabIndexMeta } from "./elasticsearch-index";

/** Follow mode's bound on each request: shorter than a backfill's, so an outage is noticed within the outage timeout. */
export const FOLLOW_REQUEST_TIMEOUT_MS = 30_000;
const BUSY_STATUSES = new Set([429, 502, 503, 504]);

export interface FollowTarget {
  connection: ElasticsearchConnection;
  /** Default "lab-access" */
  indexPrefix?: string;
  /** Default liveIndexNameFor(prefix, options) */
  index?: string;
}

export interface PreparedFollow {
  index: string;
  plan: FollowPlan;
  /** Epoch ms where live traffic resumes: the origin after a backfill, else the minute of the latest event */
  resumeFromMs: number;
  /** Events in the index before resumeFromMs */
  count: number;
  truth: GroundTruth;
  /** True when this call wrote the backfill */
  backfilled: boolean;
}

export interface PrepareHooks {
  /** Epoch ms; the origin of a new stream is this minute. Default Date.now */
  now?: () => number;
  signal?: AbortSignal;
  /** Backfill progress: documents acknowledged */
  onProgress?: (indexed: number) => void;
}

/** The initial live part of a stream's truth, before any live event. */
function initialTruth(plan: FollowPlan, nowMs: number): GroundTruth {
  const since = plan.origin.toISOString();
  return {
    ...plan.backfill.truth,
    live: { since, through: since, nextWindowStart: plan.liveWindows[0]?.start ?? null, status: "running", skipped: [], updatedAt: new Date(nowMs).toISOString() },
  };
}

/**
 * Finds or creates the stream's index and says where live traffic resumes. Writes the backfill
 * (template, index, bulk, count) when the index is new or its backfill was interrupted.
 */
export async function prepareFollowIndex(options: FollowOptions, target: FollowTarget, hooks: PrepareHooks = {}): Promise<PreparedFollow> {
  const prefix = target.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  checkIndexPrefix(prefix);
  const index = target.index ?? liveIndexNameFor(prefix, options);
  checkIndexName(index, prefix);
  const nowMs = (hooks.now ?? Date.now)();
  // Plan once with a provisional origin, so bad options fail before the server is asked anything.
  planFollow(options, originAt(nowMs));
  const connection = { ...target.connection, requestTimeoutMs: target.connection.requestTimeoutMs ?? FOLLOW_REQUEST_TIMEOUT_MS };

  const found = await inspectDataset(connection, index);
  if (found.state === "foreign") throw new LabError(`index ${index} exists and was not created by the lab (its mapping has no _meta.lab); refusing to write into it`);
  if (found.state === "lab" && found.meta.truth.live === undefined) {
    throw new LabError(`index ${index} holds a dataset written without --follow, so live traffic cannot continue it; delete the index or choose another --index`);
  }
  const origin = found.state === "lab" ? new Date(found.meta.truth.live!.since) : originAt(nowMs);
  const plan = planFollow(options, origin);

  if (found.state === "lab" && found.meta.status === "complete") {
    const client = createClient(connection);
    try {
      const latestMs = await latestEventMs(client, connection, index);
      const resumeFromMs = Math.max(origin.getTime(), Math.floor(latestMs / MINUTE_MS) * MINUTE_MS);
      const count = await countBefore(client, connection, index, resumeFromMs);
      return { index, plan, resumeFromMs, count, truth: found.meta.truth, backfilled: false };
    } finally {
      await client.close();
    }
  }

  const truth = found.state === "lab" ? { ...initialTruth(plan, nowMs), live: { ...found.meta.truth.live!, status: "running" as const } } : initialTruth(plan, nowMs);
  const result = await indexEvents(
    { events: generateEvents(plan.backfill), documentId: (sequence) => documentId(plan.backfill, sequence), truth },
    index,
    { connection, indexPrefix: prefix, signal: hooks.signal, onProgress: hooks.onProgress },
  );
  return { index, plan, resumeFromMs: origin.getTime(), count: result.count, truth: result.truth, backfilled: true };
}

async function latestEventMs(client: Client, connection: ElasticsearchConnection, index: string): Promise<number> {
  try {
    await client.indices.refresh({ index });
    const response = await client.search({ index, size: 0, aggs: { latest: { max: { field: "@timestamp" } } } });
    const value = (response.aggregations?.latest as { value?: number | null } | undefined)?.value;
    return typeof value === "number" ? value : 0;
  } catch (error) {
    throw describeRequestFailure(error, connection, `POST /${index}/_search`);
  }
}

async function countBefore(client: Client, connection: ElasticsearchConnection, index: string, beforeMs: number): Promise<number> {
  try {
    return (await client.count({ index, query: { range: { "@timestamp": { lt: new Date(beforeMs).toISOString() } } } })).count;
  } catch (error) {
    throw describeRequestFailure(error, connection, `GET /${index}/_count`);
  }
}

/** The sink followLive writes to. Call close() when done. */
export function followSinkFor(connection: ElasticsearchConnection, index: string): FollowSink & { close(): Promise<void> } {
  const bounded = { ...connection, requestTimeoutMs: connection.requestTimeoutMs ?? FOLLOW_REQUEST_TIMEOUT_MS };
  const client = createClient(bounded);
  const where = `index ${index} at ${redactUrl(connection.url)}`;

  const transientOrNot = (error: unknown, request: string): Error => {
    const { errors } = esLibrary();
    const described = describeRequestFailure(error, bounded, request);
    const transient =
      error instanceof errors.ConnectionError ||
      error instanceof errors.TimeoutError ||
      error instanceof errors.NoLivingConnectionsError ||
      (error instanceof errors.ResponseError && BUSY_STATUSES.has(error.statusCode ?? 0));
    return transient ? new TransientWriteError(described.message) : described;
  };

  return {
    description: where,
    async write(batch: readonly LiveEvent[]) {
      let position = 0;
      let rejected = 0;
      const reasons = new Set<string>();
      try {
        await client.helpers.bulk<AccessLogEvent>({
          datasource: batch.map((live) => live.event),
          onDocument: () => ({ index: { _index: index, _id: batch[position++].id } }),
          concurrency: 1,
          retries: 3,
          wait: 1_000,
          refreshOnCompletion: false,
          onDrop: (dropped) => {
            rejected += 1;
            if (reasons.size < 3) reasons.add(dropped.error === null ? `status ${dropped.status}` : describeErrorCause(dropped.error));
          },
        });
      } catch (error) {
        throw transientOrNot(error, "POST /_bulk");
      }
      return { rejected, reasons: [...reasons] };
    },
    async saveTruth(truth: GroundTruth) {
      const meta: LabIndexMeta = { generator: LAB_GENERATOR, status: "complete", truth, updatedAt: truth.live?.updatedAt ?? new Date().toISOString() };
      try {
        await client.indices.putMapping({ index, _meta: { lab: meta } });
      } catch (error) {
        throw transientOrNot(error, `PUT /${index}/_mapping`);
      }
    },
    close: () => client.close(),
  };
}
