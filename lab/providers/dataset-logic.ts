// The dataset: the generator's labelled access logs, indexed into the lab's Elasticsearch.
//
// create -> GET / until Elasticsearch answers on its published port (bounded), then
//           planDataset (generator library), then indexDataset: PUT _index_template, _bulk with
//           deterministic ids, _refresh, _count. A half-written index is deleted before the error
//           is rethrown, with the generator's message.
// update -> only connection details changed (URL, credentials): nothing to do
// diff   -> days, seed, scenario, rate, a requested end or the index prefix replace the dataset
// delete -> DELETE /<index>; absent counts as done
//
// The index name (the sink's indexNameFor: prefix, scenario, end date and a digest of the plan) differs
// whenever the data differs, so a replacement (created before the old one is deleted) writes a new index
// and the old one's delete can never remove the new data.

import { LabError, isExpectedFailure } from "../../generator/errors";
import type { GroundTruth, InjectedAnomaly } from "../../generator/types";
import { planDataset } from "../../generator/plan";
import { checkConnection, deleteDataset, indexDataset, indexNameFor } from "../../generator/sinks/elasticsearch";
import { HttpError, retryUntil } from "../http";

export interface DatasetInputs {
  elasticsearchUrl: string;
  username: string;
  password: string;
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
}

export interface DatasetOutputs extends DatasetInputs {
  index: string;
  count: number;
  /** ISO-8601, inclusive */
  start: string;
  /** ISO-8601, exclusive */
  end: string;
  anomalies: InjectedAnomaly[];
  truth: GroundTruth;
}

/** The inputs whose change means different data, hence a new index. */
export const DATASET_REPLACING_INPUTS = ["indexPrefix", "days", "seed", "scenario", "meanRatePerSecond", "requestedEnd"] as const;

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
    return olds[key] !== news[key];
  });
  const changes = replaces.length > 0 || olds.elasticsearchUrl !== news.elasticsearchUrl || olds.username !== news.username || olds.password !== news.password;
  return { changes, replaces: [...replaces] };
}

function connectionOf(inputs: DatasetInputs) {
  return { url: inputs.elasticsearchUrl, username: inputs.username, password: inputs.password, requestTimeoutMs: 120_000 };
}

export async function createDataset(inputs: DatasetInputs, now: Date = new Date()): Promise<DatasetOutputs> {
  const end = inputs.requestedEnd === undefined ? defaultEnd(now) : new Date(inputs.requestedEnd);
  const plan = planDataset({ days: inputs.days, seed: inputs.seed, end, scenario: inputs.scenario, meanRatePerSecond: inputs.meanRatePerSecond });
  const index = indexNameFor(inputs.indexPrefix, plan);
  const connection = connectionOf(inputs);
  // The container is healthy inside Docker; its published port (Docker Desktop's proxy, an SSH
  // engine) can lag behind. Wait for it, bounded, before writing anything.
  await retryUntil(() => checkConnection(connection), {
    what: `Elasticsearch at ${inputs.elasticsearchUrl} to answer`,
    timeoutMs: inputs.timeoutSeconds * 1000,
    intervalMs: 2000,
    retryable: isUnreachable,
  });
  try {
    const result = await indexDataset(plan, { connection, indexPrefix: inputs.indexPrefix, index });
    return {
      ...inputs,
      index: result.index,
      count: result.count,
      start: new Date(plan.start).toISOString(),
      end: new Date(plan.end).toISOString(),
      anomalies: result.truth.anomalies,
      truth: result.truth,
    };
  } catch (error) {
    // Transactional create: leave no half-written index behind.
    try {
      await deleteDataset(connection, index);
    } catch {
      // the original failure is the one worth reporting
    }
    const message = error instanceof Error ? error.message : String(error);
    throw isExpectedFailure(error) ? error : new LabError(`the dataset for index ${index} could not be written: ${message}`);
  }
}

/** Deletes the dataset's index. An unreachable server gets a few quick tries, then counts as gone: the index lives in the lab's own volume. */
export async function deleteDatasetIndex(outputs: DatasetOutputs): Promise<"deleted" | "absent" | "unreachable"> {
  try {
    return await retryUntil(() => deleteDataset(connectionOf(outputs), outputs.index), {
      what: `Elasticsearch at ${outputs.elasticsearchUrl} to delete ${outputs.index}`,
      timeoutMs: 10_000,
      intervalMs: 2_000,
      retryable: (error) => isUnreachable(error),
    });
  } catch (error) {
    if (isUnreachable(error) || (error instanceof LabError && /gave up waiting/.test(error.message))) return "unreachable";
    throw error;
  }
}

function isUnreachable(error: unknown): boolean {
  if (error instanceof HttpError) return error.status === undefined;
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /ECONNREFUSED|ConnectionError|EHOSTUNREACH|ENOTFOUND|cannot reach/i.test(text);
}
