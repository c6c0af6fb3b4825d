// One ML anomaly-detection job and its datafeed, run once over the dataset's time range, or (live
// mode, no end) from the dataset's start on, in real time after its lookback.
//
// create -> PUT  /_ml/anomaly_detectors/<job>                      (put job)
//             400 resource_already_exists (a leftover of an earlier run): tear it down, put again
//           PUT  /_ml/datafeeds/datafeed-<job>                     (put datafeed)
//           POST /_ml/anomaly_detectors/<job>/_open
//           POST /_ml/datafeeds/datafeed-<job>/_start {start, end}  an end time makes it a
//                lookback: the datafeed stops by itself when it reaches the end; without one
//                (live mode) it runs on in real time
//           GET  /_ml/datafeeds/datafeed-<job>/_stats               when asked to wait: until
//                "stopped", or in live mode until running_state.real_time_running (the lookback
//                has caught up; see lab/live-datafeed.ts)
//           any failure: the teardown below runs, then the error is rethrown
//           the output `timing` holds the create's start and end (lab/timings.ts)
// read   -> GET  /_ml/anomaly_detectors/<job>/_stats and GET /_ml/datafeeds/<id>/_stats: both must
//           exist (404 or a missing one: gone, so the next `up` makes them again); the state takes the
//           datafeed's state and the job's processed record count (in live mode the lookback's count
//           is kept: the live one grows every minute). Unreachable is an error.
// delete -> POST /_ml/datafeeds/<id>/_stop?force=true, POST /_ml/anomaly_detectors/<job>/_close?force=true,
//           DELETE /_ml/datafeeds/<id>?force=true, DELETE /_ml/anomaly_detectors/<job>?force=true;
//           404 at any step means that part is already gone
//
// https://www.elastic.co/docs/api/doc/elasticsearch/group/endpoint-ml-anomaly

import type { Client, estypes } from "@elastic/elasticsearch";
import { LabError } from "../../generator/errors";
import { HttpError, createElasticsearchClient, endpointAt, esCall, retryUntil, statusOf, type Credentials } from "../http";
import { lookbackProgress } from "../live-datafeed";
import { deepEqual } from "./equal";
import { failedRead, type RefreshPolicy, type Refreshed } from "./refresh";
import { stepTiming, type NowMs, type StepTiming } from "../timings";

// For the provider's read, which loads only this module (see load.ts).
export { readResult } from "./refresh";

export interface MlJobInputs extends Credentials, RefreshPolicy {
  elasticsearchUrl: string;
  jobId: string;
  job: estypes.MlPutJobRequest;
  datafeed: estypes.MlPutDatafeedRequest;
  /** ISO-8601: the dataset's start */
  start: string;
  /** ISO-8601: the dataset's end; absent (live mode): no end, the datafeed runs on in real time */
  end?: string;
  waitForCompletion: boolean;
  timeoutSeconds: number;
}

export interface MlJobOutputs extends MlJobInputs {
  datafeedId: string;
  /** "stopped" after a completed lookback, "started" when not waited for or in live mode */
  datafeedState: string;
  processedRecordCount: number | null;
  /** The create's start and end (lab/timings.ts); absent in a state made before timings were recorded */
  timing?: StepTiming;
}

/**
 * The timeline's name for a job's create: its datafeed done, caught up with live traffic, or only
 * started (lab:waitForDatafeeds false), which is when the create ends.
 */
export function datafeedStep(inputs: Pick<MlJobInputs, "jobId" | "end" | "waitForCompletion">): string {
  if (!inputs.waitForCompletion) return `datafeed ${inputs.jobId} (started)`;
  return inputs.end === undefined ? `datafeed ${inputs.jobId} (lookback)` : `datafeed ${inputs.jobId}`;
}

export const ML_JOB_REPLACING_INPUTS = ["jobId", "job", "datafeed", "start", "end"] as const;

export function diffMlJob(olds: MlJobOutputs, news: MlJobInputs): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces = ML_JOB_REPLACING_INPUTS.filter((key) => !deepEqual(olds[key], news[key]));
  const changes =
    replaces.length > 0 || (["elasticsearchUrl", "username", "password", "apiKey", "caFingerprint", "waitForCompletion", "timeoutSeconds"] as const).some((key) => (olds[key] ?? "") !== (news[key] ?? ""));
  // Job ids are fixed per cohort: the old job must be gone before its replacement is put.
  return { changes, replaces: [...replaces], deleteBeforeReplace: true };
}

/** The start-datafeed request: a lookback over exactly the dataset's range, or from its start on in real time (no end). */
export function startDatafeedRequest(datafeedId: string, start: string, end: string | undefined): estypes.MlStartDatafeedRequest {
  return end === undefined ? { datafeed_id: datafeedId, start } : { datafeed_id: datafeedId, start, end };
}

function clientOf(inputs: MlJobInputs): Client {
  return createElasticsearchClient(endpointAt(inputs.elasticsearchUrl, inputs, 60_000));
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof HttpError && error.status === 400 && /resource_already_exists/.test(error.reason);
}

/** Stop, close and delete with force; 404 at a step means that part is gone already. */
export async function teardownJob(client: Client, jobId: string, datafeedId: string): Promise<void> {
  const tolerate404 = async (request: { method: string; path: string }, call: () => Promise<unknown>) => {
    try {
      await esCall(request, call);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  };
  await tolerate404({ method: "POST", path: `/_ml/datafeeds/${datafeedId}/_stop` }, () => client.ml.stopDatafeed({ datafeed_id: datafeedId, force: true }));
  await tolerate404({ method: "POST", path: `/_ml/anomaly_detectors/${jobId}/_close` }, () => client.ml.closeJob({ job_id: jobId, force: true }));
  await tolerate404({ method: "DELETE", path: `/_ml/datafeeds/${datafeedId}` }, () => client.ml.deleteDatafeed({ datafeed_id: datafeedId, force: true }));
  await tolerate404({ method: "DELETE", path: `/_ml/anomaly_detectors/${jobId}` }, () => client.ml.deleteJob({ job_id: jobId, force: true, wait_for_completion: true }));
}

export async function createMlJob(inputs: MlJobInputs, pace: { intervalMs?: number; nowMs?: NowMs } = {}): Promise<MlJobOutputs> {
  const nowMs = pace.nowMs ?? Date.now;
  const startMs = nowMs();
  const client = clientOf(inputs);
  const jobId = inputs.jobId;
  const datafeedId = inputs.datafeed.datafeed_id;
  const jobPath = `/_ml/anomaly_detectors/${jobId}`;
  const feedPath = `/_ml/datafeeds/${datafeedId}`;
  try {
    try {
      await esCall({ method: "PUT", path: jobPath }, () => client.ml.putJob({ ...inputs.job, job_id: jobId }));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // Ours by name (lab-<cohort>-…), left by a run whose state was lost: replace it.
      await teardownJob(client, jobId, datafeedId);
      await esCall({ method: "PUT", path: jobPath }, () => client.ml.putJob({ ...inputs.job, job_id: jobId }));
    }
    try {
      await esCall({ method: "PUT", path: feedPath }, () => client.ml.putDatafeed({ ...inputs.datafeed, job_id: jobId }));
      await esCall({ method: "POST", path: `${jobPath}/_open` }, () => client.ml.openJob({ job_id: jobId }));
      await esCall({ method: "POST", path: `${feedPath}/_start` }, () => client.ml.startDatafeed(startDatafeedRequest(datafeedId, inputs.start, inputs.end)));
      let datafeedState = "started";
      let processedRecordCount: number | null = null;
      if (inputs.waitForCompletion) {
        datafeedState =
          inputs.end === undefined
            ? await waitForLookback(client, datafeedId, inputs.timeoutSeconds, pace.intervalMs ?? 5000)
            : await waitForDatafeedToStop(client, datafeedId, inputs.timeoutSeconds, pace.intervalMs ?? 5000);
        const stats = await esCall({ method: "GET", path: `${jobPath}/_stats` }, () => client.ml.getJobStats({ job_id: jobId }));
        processedRecordCount = stats.jobs[0]?.data_counts.processed_record_count ?? null;
      }
      return { ...inputs, datafeedId, datafeedState, processedRecordCount, timing: stepTiming(datafeedStep(inputs), startMs, nowMs()) };
    } catch (error) {
      // Transactional create: a half-made job would block the next run's PUT.
      try {
        await teardownJob(client, jobId, datafeedId);
      } catch {
        // report the original failure
      }
      throw error;
    }
  } finally {
    await client.close();
  }
}

async function waitForDatafeedToStop(client: Client, datafeedId: string, timeoutSeconds: number, intervalMs: number): Promise<string> {
  const path = `/_ml/datafeeds/${datafeedId}/_stats`;
  return retryUntil(
    async () => {
      const stats = await esCall({ method: "GET", path }, () => client.ml.getDatafeedStats({ datafeed_id: datafeedId }));
      const state = stats.datafeeds[0]?.state;
      if (state === undefined) throw new HttpError("GET", path, 200, `no statistics for datafeed ${datafeedId}`);
      if (state !== "stopped") throw new StillRunning(`datafeed ${datafeedId} is ${state}`);
      return state;
    },
    { what: `datafeed ${datafeedId} to process the dataset (set lab:waitForDatafeeds false to not wait)`, timeoutMs: timeoutSeconds * 1000, intervalMs, retryable: (error) => error instanceof StillRunning },
  );
}

/**
 * Live mode: a datafeed without an end never stops, so waiting means waiting until its lookback over
 * the backfill has caught up and it runs in real time. One that stops instead fails at once.
 */
async function waitForLookback(client: Client, datafeedId: string, timeoutSeconds: number, intervalMs: number): Promise<string> {
  const path = `/_ml/datafeeds/${datafeedId}/_stats`;
  return retryUntil(
    async () => {
      const stats = await esCall({ method: "GET", path }, () => client.ml.getDatafeedStats({ datafeed_id: datafeedId }));
      const feed = stats.datafeeds.find((f) => f.datafeed_id === datafeedId) ?? stats.datafeeds[0];
      const progress = lookbackProgress(feed, datafeedId);
      if ("stopped" in progress) throw new LabError(progress.reason);
      if (!progress.caughtUp) throw new StillRunning(progress.reason);
      return feed!.state;
    },
    {
      what: `datafeed ${datafeedId} to catch up with live traffic (set lab:waitForDatafeeds false to not wait)`,
      timeoutMs: timeoutSeconds * 1000,
      intervalMs,
      retryable: (error) => error instanceof StillRunning,
    },
  );
}

class StillRunning extends LabError {}

/**
 * The job and datafeed as `pulumi refresh` sees them (see refresh.ts): gone when either is missing,
 * else present with the datafeed's current state and the job's processed record count. A server
 * that does not answer, or any other failure, is an error, or "unchecked" for a container of this stack.
 */
export async function readMlJob(state: MlJobOutputs): Promise<Refreshed<MlJobOutputs>> {
  const client = clientOf(state);
  const jobPath = `/_ml/anomaly_detectors/${state.jobId}/_stats`;
  const feedPath = `/_ml/datafeeds/${state.datafeedId}/_stats`;
  const gone: Refreshed<MlJobOutputs> = { state: "gone", reason: `ML job ${state.jobId} or its datafeed ${state.datafeedId} is gone` };
  try {
    const jobs = await esCall({ method: "GET", path: jobPath }, () => client.ml.getJobStats({ job_id: state.jobId, allow_no_match: true }));
    const job = jobs.jobs.find((j) => j.job_id === state.jobId);
    if (job === undefined) return gone;
    const feeds = await esCall({ method: "GET", path: feedPath }, () => client.ml.getDatafeedStats({ datafeed_id: state.datafeedId, allow_no_match: true }));
    const feed = feeds.datafeeds.find((f) => f.datafeed_id === state.datafeedId);
    if (feed === undefined) return gone;
    // A live job's count grows every minute; the state keeps the lookback's, so refresh shows no change.
    const processedRecordCount = state.end === undefined ? state.processedRecordCount : (job.data_counts.processed_record_count ?? state.processedRecordCount);
    return { state: "present", outputs: { ...state, datafeedState: feed.state, processedRecordCount } };
  } catch (error) {
    if (statusOf(error) === 404) return gone;
    return failedRead(`ML job ${state.jobId}`, state, error, error instanceof HttpError && error.status === undefined, `Elasticsearch at ${state.elasticsearchUrl}`);
  } finally {
    await client.close();
  }
}

/** Deletes job and datafeed. An unreachable server counts as gone: ML state lives in the lab's own volume. */
export async function deleteMlJob(outputs: MlJobOutputs): Promise<"deleted" | "unreachable"> {
  const client = clientOf(outputs);
  try {
    await teardownJob(client, outputs.jobId, outputs.datafeedId);
    return "deleted";
  } catch (error) {
    if (error instanceof HttpError && error.status === undefined) return "unreachable";
    throw error;
  } finally {
    await client.close();
  }
}
