// The dataset: the generator's labelled access logs, and nginx's error log for the same requests,
// indexed into the lab's Elasticsearch: the access index under the cohort's prefix, the error index
// under its error prefix (`lab-<cohort>-error`, the generator's errorIndexPrefixFor), same digest.
//
// create -> GET / until Elasticsearch answers on its published port (bounded), then
//           planDataset (generator library), then indexDataset: for each of the two indices
//           PUT _index_template, _bulk with deterministic ids, _refresh, _count. Half-written indices
//           are deleted before the error is rethrown, with the generator's message. Progress goes to
//           the injected log every 10 s; the output `timing` holds the create's start, end and docs/s
//           (lab/timings.ts).
// read   -> GET /<index>/_mapping (_meta.lab) and GET /<index>/_count, for each of the two indices:
//           the dataset as refresh sees it. Gone (absent, not the lab's, unfinished, or a count or
//           truth other than the state's, or no error index in the state) reads as gone, so the next
//           `up` writes both again; a server that does not answer is an error, never "gone" (or
//           "unchecked" in the Docker lab: see refresh.ts).
// update -> only connection details changed (URL, credentials): nothing to do
// diff   -> days, seed, scenario, rate, a requested end, the index prefix or live mode replace the dataset
// delete -> DELETE /<index> and DELETE /<error index>; absent counts as done. Then
//           DELETE /_index_template/<prefix> (and <error prefix>) once no dataset index of the prefix
//           is left. An unreachable server is reported, not fatal.
//
// The index name (the sink's indexNameFor: prefix, scenario, end date and a digest of the plan) differs
// whenever the data differs, so a replacement (created before the old one is deleted) writes a new index
// and the old one's delete can never remove the new data.
//
// In live mode (lab:live) create and read are dataset-live.ts's: the backfill of a follow-mode
// stream, which the traffic generator resumes; delete is the same. Follow mode writes the access log
// only, so a live dataset has no error index.

import { LabError, isExpectedFailure } from "../../generator/errors";
import type { GroundTruth, InjectedAnomaly } from "../../generator/types";
import { planDataset } from "../../generator/plan";
import { originAt, planFollow } from "../../generator/follow-plan";
import { expectedEventCount } from "../../generator/progress";
import {
  checkConnection,
  deleteDataset,
  deleteUnusedTemplate,
  errorIndexNameFor,
  errorIndexPrefixFor,
  indexDataset,
  indexNameFor,
  inspectDataset,
} from "../../generator/sinks/elasticsearch";
import { HttpError, createElasticsearchClient, endpointAt, esCall, retryUntil, type Credentials } from "../http";
import { backfillTruth, backfillWindows, followOptionsOf, liveIndexOf, prepareFollowIndex, whyLiveGone, type PrepareFollowIndex } from "./dataset-live";
import { deepEqual } from "./equal";
import { failedRead, type RefreshPolicy, type Refreshed } from "./refresh";
import { datasetTiming, indexedLine, progressLogger, type NowMs, type StepTiming } from "../timings";

// For the provider's read, which loads only this module (see load.ts).
export { readResult } from "./refresh";

export interface DatasetInputs extends Credentials, RefreshPolicy {
  elasticsearchUrl: string;
  indexPrefix: string;
  days: number;
  seed: number;
  scenario: string;
  /** Absent: the generator's default rate */
  meanRatePerSecond?: number;
  /** ISO-8601; absent: the current hour, fixed at creation and kept from then on */
  requestedEnd?: string;
  /** How long to wait for Elasticsearch to answer on its published port before giving up */
  timeoutSeconds: number;
  /** lab:live: the backfill of a follow-mode stream, ending when it is first created; absent: a plain dataset */
  live?: boolean;
  /** lab:liveAnomaly: the live window that replaces the live scenario's (live mode only) */
  liveAnomaly?: string;
}

export interface DatasetOutputs extends DatasetInputs {
  index: string;
  count: number;
  /** nginx's error log for the same requests; absent in live mode and in states made before the lab wrote it */
  errorIndex?: string;
  /** Lines in errorIndex */
  errorCount?: number;
  /** ISO-8601, inclusive */
  start: string;
  /** ISO-8601, exclusive */
  end: string;
  anomalies: InjectedAnomaly[];
  truth: GroundTruth;
  /** When the create ran, with docs/s (lab/timings.ts); absent in a state made before timings were recorded */
  timing?: StepTiming;
}

/** The create's clock and its progress lines (the provider passes Pulumi's log; tests their own). */
export interface CreateHooks {
  nowMs?: NowMs;
  log?: (line: string) => void;
}

/** The inputs whose change means different data, hence a new index. */
export const DATASET_REPLACING_INPUTS = ["indexPrefix", "days", "seed", "scenario", "meanRatePerSecond", "requestedEnd", "live", "liveAnomaly"] as const;

/** The dataset's end when none is requested: the start of the current hour, so reruns within the hour agree. */
export function defaultEnd(now: Date): Date {
  const end = new Date(now.getTime());
  end.setUTCMinutes(0, 0, 0);
  return end;
}

export function diffDataset(olds: DatasetOutputs, news: DatasetInputs): { changes: boolean; replaces: string[] } {
  const replaces = DATASET_REPLACING_INPUTS.filter((key) => {
    // An absent requested end means "keep the one fixed at creation".
    if (key === "requestedEnd" && news.requestedEnd === undefined) return false;
    if (key === "requestedEnd") return new Date(news.requestedEnd as string).toISOString() !== olds.end;
    // Absent and false both mean a plain dataset (a stack made before live mode has no such input).
    if (key === "live") return (olds.live ?? false) !== (news.live ?? false);
    return olds[key] !== news[key];
  });
  const changes = replaces.length > 0 || (["elasticsearchUrl", "username", "password", "apiKey", "caFingerprint"] as const).some((key) => (olds[key] ?? "") !== (news[key] ?? ""));
  return { changes, replaces: [...replaces] };
}

function connectionOf(inputs: DatasetInputs, requestTimeoutMs = 120_000) {
  return endpointAt(inputs.elasticsearchUrl, inputs, requestTimeoutMs);
}

/**
 * The container is healthy inside Docker; its published port (Docker Desktop's proxy, an SSH
 * engine) can lag behind. Wait for it, bounded, before writing anything.
 */
async function waitForElasticsearch(inputs: DatasetInputs, connection: ReturnType<typeof connectionOf>): Promise<void> {
  await retryUntil(() => checkConnection(connection), {
    what: `Elasticsearch at ${inputs.elasticsearchUrl} to answer`,
    timeoutMs: inputs.timeoutSeconds * 1000,
    intervalMs: 2000,
    retryable: isUnreachable,
  });
}

export async function createDataset(inputs: DatasetInputs, now: Date = new Date(), hooks: CreateHooks = {}): Promise<DatasetOutputs> {
  if (inputs.live === true) return createLiveDataset(inputs, now, prepareFollowIndex, hooks);
  const nowMs = hooks.nowMs ?? Date.now;
  const startMs = nowMs();
  const end = inputs.requestedEnd === undefined ? defaultEnd(now) : new Date(inputs.requestedEnd);
  const plan = planDataset({ days: inputs.days, seed: inputs.seed, end, scenario: inputs.scenario, meanRatePerSecond: inputs.meanRatePerSecond });
  const index = indexNameFor(inputs.indexPrefix, plan);
  const errorIndex = errorIndexNameFor(inputs.indexPrefix, plan);
  const connection = connectionOf(inputs);
  await waitForElasticsearch(inputs, connection);
  const deleteBoth = async () => {
    await deleteDataset(connection, index);
    await deleteDataset(connection, errorIndex);
  };
  try {
    const indexingStartMs = nowMs();
    const log = hooks.log ?? (() => undefined);
    // A create writes the whole dataset: an index of the same name left behind (state lost, or a
    // refresh that found it damaged) is the lab's own, and is rewritten from scratch rather than
    // patched, so that its count is exact whatever happened to it.
    await deleteBoth();
    const onProgress = progressLogger(`dataset ${index}`, expectedEventCount(plan), indexingStartMs, nowMs, log);
    const result = await indexDataset(plan, { connection, indexPrefix: inputs.indexPrefix, index, errorIndex, onProgress });
    if (result.errorLog === undefined) throw new LabError(`the error log of index ${index} was not written`);
    const timing = datasetTiming({ startMs, indexingStartMs, endMs: nowMs() }, result.count);
    log(indexedLine(`dataset ${index}`, timing));
    return {
      ...inputs,
      index: result.index,
      count: result.count,
      errorIndex: result.errorLog.index,
      errorCount: result.errorLog.count,
      start: new Date(plan.start).toISOString(),
      end: new Date(plan.end).toISOString(),
      anomalies: result.truth.anomalies,
      truth: result.truth,
      timing,
    };
  } catch (error) {
    // Transactional create: leave no half-written index behind.
    try {
      await deleteBoth();
    } catch {
      // the original failure is the one worth reporting
    }
    const message = error instanceof Error ? error.message : String(error);
    throw isExpectedFailure(error) ? error : new LabError(`the dataset for index ${index} could not be written: ${message}`);
  }
}

/**
 * Live mode: the backfill, through the generator's prepareFollowIndex, which creates or finds the
 * stream's index and writes what is missing. On a first run the origin is `now` (to the minute).
 */
export async function createLiveDataset(inputs: DatasetInputs, now: Date, prepare: PrepareFollowIndex = prepareFollowIndex, hooks: CreateHooks = {}): Promise<DatasetOutputs> {
  const nowMs = hooks.nowMs ?? Date.now;
  const startMs = nowMs();
  const index = liveIndexOf(inputs);
  const connection = connectionOf(inputs);
  await waitForElasticsearch(inputs, connection);
  // A stream's index is resumed, never rewritten: only one this create made is removed on failure.
  const existedBefore = (await inspectDataset(connection, index)).state !== "absent";
  try {
    const indexingStartMs = nowMs();
    const log = hooks.log ?? (() => undefined);
    // A fresh stream's backfill, as prepare plans it: a resumed one ends elsewhere but is as long.
    const options = followOptionsOf(inputs);
    const expected = expectedEventCount(planFollow(options, originAt(now.getTime())).backfill);
    const onProgress = progressLogger(`backfill ${index}`, expected, indexingStartMs, nowMs, log);
    const prepared = await prepare(options, { connection, indexPrefix: inputs.indexPrefix, index }, { now: () => now.getTime(), onProgress });
    const origin = prepared.plan.origin;
    // Fresh, the count is the backfill's. Resumed (a state lost while the stream ran on), the index
    // also holds live events: the backfill is what lies before the origin.
    const count = prepared.backfilled ? prepared.count : await countBefore(inputs, prepared.index, origin);
    const timing = datasetTiming({ startMs, indexingStartMs, endMs: nowMs() }, count);
    if (prepared.backfilled) log(indexedLine(`backfill ${index}`, timing));
    const truth = backfillTruth(prepared.plan.backfill.truth, count);
    return {
      ...inputs,
      index: prepared.index,
      count,
      start: new Date(prepared.plan.backfill.start).toISOString(),
      end: origin.toISOString(),
      anomalies: backfillWindows(truth.anomalies),
      truth,
      timing,
    };
  } catch (error) {
    if (!existedBefore) {
      try {
        await deleteDataset(connection, index);
      } catch {
        // the original failure is the one worth reporting
      }
    }
    const message = error instanceof Error ? error.message : String(error);
    throw isExpectedFailure(error) ? error : new LabError(`the backfill of live index ${index} could not be written: ${message}`);
  }
}

/** GET /<index>/_count of the events before `time`. */
async function countBefore(inputs: DatasetInputs, index: string, time: Date): Promise<number> {
  const client = createElasticsearchClient(connectionOf(inputs, 30_000));
  const request = { method: "GET", path: `/${index}/_count` };
  try {
    return (await esCall(request, () => client.count({ index, query: { range: { "@timestamp": { lt: time.toISOString() } } } }))).count;
  } finally {
    await client.close();
  }
}

/** Why refresh no longer finds the dataset the state describes; undefined when it is there, whole. */
export function whyGone(state: DatasetOutputs, found: Awaited<ReturnType<typeof inspectDataset>>): string | undefined {
  if (found.state === "absent") return `index ${state.index} does not exist`;
  if (found.state === "foreign") return `index ${state.index} is not the lab's (no _meta.lab)`;
  if (found.meta.status !== "complete") return `index ${state.index} is unfinished (status ${found.meta.status})`;
  if (found.count !== state.count) return `index ${state.index} holds ${found.count} documents, not ${state.count}`;
  if (!deepEqual(found.meta.truth, state.truth)) return `index ${state.index} holds another ground truth`;
  return undefined;
}

/**
 * Why refresh no longer finds the error log the state describes (a plain dataset only); undefined
 * when it is there, whole. A state without an error index was made before the lab wrote one: it
 * reads as gone, so the next `up` writes the dataset again with both logs.
 */
export function whyErrorLogGone(state: DatasetOutputs, found: Awaited<ReturnType<typeof inspectDataset>> | undefined): string | undefined {
  if (state.errorIndex === undefined || found === undefined) return `index ${state.index} has no error log beside it (made before the lab wrote one)`;
  if (found.state === "absent") return `the error log's index ${state.errorIndex} does not exist`;
  if (found.state === "foreign") return `the error log's index ${state.errorIndex} is not the lab's (no _meta.lab)`;
  if (found.meta.status !== "complete") return `the error log's index ${state.errorIndex} is unfinished (status ${found.meta.status})`;
  if (found.count !== state.errorCount) return `the error log's index ${state.errorIndex} holds ${found.count} documents, not ${state.errorCount}`;
  if (!deepEqual(found.meta.truth, state.truth)) return `the error log's index ${state.errorIndex} holds another ground truth`;
  return undefined;
}

/**
 * The dataset as `pulumi refresh` sees it (see refresh.ts): present and unchanged when both indices
 * are there and whole, gone when either is missing or damaged (so the next `up` writes it again). A
 * server that does not answer is an error, or "unchecked" when it is a container of this stack.
 */
export async function readDataset(state: DatasetOutputs): Promise<Refreshed<DatasetOutputs>> {
  let found: Awaited<ReturnType<typeof inspectDataset>>;
  let foundErrors: Awaited<ReturnType<typeof inspectDataset>> | undefined;
  try {
    found = await inspectDataset(connectionOf(state, 30_000), state.index);
    if (state.live !== true && state.errorIndex !== undefined) foundErrors = await inspectDataset(connectionOf(state, 30_000), state.errorIndex);
  } catch (error) {
    return failedRead(`dataset index ${state.index}`, state, error, isUnreachable(error), `Elasticsearch at ${state.elasticsearchUrl}`);
  }
  const reason = state.live === true ? whyLiveGone(state, found) : (whyGone(state, found) ?? whyErrorLogGone(state, foundErrors));
  return reason === undefined ? { state: "present", outputs: state } : { state: "gone", reason: `the dataset is gone: ${reason}` };
}

/** What a delete did with each thing it owns; "unreachable" ones are still on the server. */
export interface DatasetDeletion {
  index: "deleted" | "absent" | "unreachable";
  template: "deleted" | "absent" | "kept" | "unreachable";
  /** The error log's index and template; absent for a dataset without one (live mode) */
  errorIndex?: "deleted" | "absent" | "unreachable";
  errorTemplate?: "deleted" | "absent" | "kept" | "unreachable";
}

/**
 * Deletes the dataset's index, then its index template once no dataset of the prefix is left, and
 * the same for the error log. An unreachable server gets a few quick tries and is then reported in
 * the result, not thrown, so that `destroy` completes; the caller names what is left.
 */
export async function deleteDatasetIndex(outputs: DatasetOutputs, timeoutMs = 10_000): Promise<DatasetDeletion> {
  const connection = connectionOf(outputs, 30_000);
  const patiently = <T>(what: string, attempt: () => Promise<T>) =>
    retryUntil(attempt, { what: `Elasticsearch at ${outputs.elasticsearchUrl} to ${what}`, timeoutMs, intervalMs: 2_000, retryable: isUnreachable });
  const orUnreachable = async <T>(what: string, attempt: () => Promise<T>): Promise<T | "unreachable"> => {
    try {
      return await patiently(what, attempt);
    } catch (error) {
      if (isUnreachable(error) || (error instanceof LabError && /gave up waiting/.test(error.message))) return "unreachable";
      throw error;
    }
  };
  const index = await orUnreachable(`delete ${outputs.index}`, () => deleteDataset(connection, outputs.index));
  const { errorIndex } = outputs;
  // The template can only go once the index has: a server that did not answer keeps both, and the error log's.
  if (index === "unreachable") return { index, template: "unreachable", ...(errorIndex === undefined ? {} : { errorIndex: index, errorTemplate: index }) };
  const template = await orUnreachable(`delete the index template ${outputs.indexPrefix}`, () => deleteUnusedTemplate(connection, outputs.indexPrefix));
  const deletion: DatasetDeletion = { index, template: typeof template === "string" ? template : "kept" };
  if (errorIndex === undefined) return deletion;
  const errorPrefix = errorIndexPrefixFor(outputs.indexPrefix);
  const errors = await orUnreachable(`delete ${errorIndex}`, () => deleteDataset(connection, errorIndex));
  if (errors === "unreachable") return { ...deletion, errorIndex: errors, errorTemplate: errors };
  const errorTemplate = await orUnreachable(`delete the index template ${errorPrefix}`, () => deleteUnusedTemplate(connection, errorPrefix));
  return { ...deletion, errorIndex: errors, errorTemplate: typeof errorTemplate === "string" ? errorTemplate : "kept" };
}

/** One line per thing a delete had to leave on an unreachable server, saying how to remove it later. */
export function leftBehind(outputs: DatasetOutputs, deletion: DatasetDeletion): string[] {
  const lines: string[] = [];
  if (deletion.index === "unreachable") {
    lines.push(`lab: could not delete index ${outputs.index}: Elasticsearch at ${outputs.elasticsearchUrl} did not answer; it is still there if the server keeps its data (DELETE /${outputs.index} removes it)`);
  }
  if (deletion.template === "unreachable") {
    lines.push(`lab: could not delete index template ${outputs.indexPrefix}: Elasticsearch at ${outputs.elasticsearchUrl} did not answer (DELETE /_index_template/${outputs.indexPrefix} removes it)`);
  }
  if (deletion.errorIndex === "unreachable") {
    lines.push(`lab: could not delete index ${outputs.errorIndex}: Elasticsearch at ${outputs.elasticsearchUrl} did not answer; it is still there if the server keeps its data (DELETE /${outputs.errorIndex} removes it)`);
  }
  if (deletion.errorTemplate === "unreachable") {
    const errorPrefix = errorIndexPrefixFor(outputs.indexPrefix);
    lines.push(`lab: could not delete index template ${errorPrefix}: Elasticsearch at ${outputs.elasticsearchUrl} did not answer (DELETE /_index_template/${errorPrefix} removes it)`);
  }
  return lines;
}

function isUnreachable(error: unknown): boolean {
  if (error instanceof HttpError) return error.status === undefined;
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  // The generator's client reports "cannot reach <url>", "did not answer ... within" (a silent
  // server) and "the connection was lost"; the raw transport errors carry the codes.
  return /ECONNREFUSED|ConnectionError|EHOSTUNREACH|ENOTFOUND|cannot reach|did not answer|connection was lost/i.test(text);
}
