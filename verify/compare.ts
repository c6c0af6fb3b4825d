// Pure comparison of ML results with the ground truth: which injected anomalies a job found, how
// fast, and which high-scoring records fall outside every window (false alarms). No I/O here, so
// every rule is tested on hand-built results (test/verify/compare.test.ts).

import type { AnomalyKind, GroundTruth, InjectedAnomaly } from "../generator/types";

/** What `lab-verify verify` needs of one ML record (a subset of estypes.MlAnomaly). */
export interface RecordResult {
  /** Bucket start, epoch ms */
  timestamp: number;
  /** Bucket span in seconds */
  bucketSpanSeconds: number;
  recordScore: number;
  detectorIndex: number;
  function?: string;
  /** Every entity value the record names: partition, by and over values, then influencer values */
  entities: { field: string; value: string }[];
}

/** What `lab-verify verify` knows about one job's run (from job stats and the buckets API). */
export interface JobRun {
  jobId: string;
  detects: AnomalyKind[];
  /** False when the job does not exist */
  exists: boolean;
  /** Job state from job stats, e.g. "opened", "closed" */
  state?: string;
  processedRecordCount: number;
  /** Latest event time the job has analysed, epoch ms */
  latestRecordTime?: number;
  bucketCount: number;
  records: RecordResult[];
}

export interface CompareOptions {
  /** A record at or above this score finds an anomaly or, outside every window, is a false alarm. */
  scoreThreshold?: number;
  /** Records this many bucket spans after a window's end still count for it (ML scores a bucket once it closes). */
  graceBuckets?: number;
}

export type AnomalyStatus = "found" | "late" | "missed" | "not-covered" | "not-analysed";

export interface AnomalyVerdict {
  id: string;
  kind: AnomalyKind;
  start: string;
  end: string;
  entity: string | null;
  /** Jobs asked to verify whose `detects` includes this kind */
  jobs: string[];
  status: AnomalyStatus;
  /** Highest record score on the anomaly's entity in its window (plus grace), over its jobs; 0 when none */
  maxRecordScore: number;
  /** The job, bucket time (ISO), score and bucket span of the first record at or above the threshold */
  firstHighScore: { jobId: string; timestamp: string; secondsFromStart: number; recordScore: number; bucketSpanSeconds: number } | null;
  /** Why, in words, for anything but "found" */
  reason?: string;
}

export type JobStatus = "ok" | "missing" | "not-run" | "no-results";

export interface JobVerdict {
  jobId: string;
  detects: AnomalyKind[];
  status: JobStatus;
  state?: string;
  processedRecordCount: number;
  bucketCount: number;
  recordCount: number;
  falseAlarms: { timestamp: string; recordScore: number; detectorIndex: number; entity: string | null }[];
  reason?: string;
}

export interface VerifyReport {
  scenario: string;
  seed: number;
  scoreThreshold: number;
  anomalies: AnomalyVerdict[];
  jobs: JobVerdict[];
  /** True only when every injected anomaly was found (or found late) and every job ran */
  allFound: boolean;
  falseAlarmCount: number;
}

const DEFAULT_THRESHOLD = 50;
const DEFAULT_GRACE_BUCKETS = 1;

function recordEnd(record: RecordResult): number {
  return record.timestamp + record.bucketSpanSeconds * 1000;
}

function namesEntity(record: RecordResult, anomaly: InjectedAnomaly): boolean {
  if (anomaly.entity === null) return true;
  const { field, value } = anomaly.entity;
  return record.entities.some((e) => e.field === field && e.value === value);
}

function describeEntity(record: RecordResult): string | null {
  const first = record.entities[0];
  return first === undefined ? null : `${first.field}=${first.value}`;
}

function jobVerdict(run: JobRun, windows: { start: number; end: number }[], threshold: number, graceBuckets: number): JobVerdict {
  const base = {
    jobId: run.jobId,
    detects: run.detects,
    state: run.state,
    processedRecordCount: run.processedRecordCount,
    bucketCount: run.bucketCount,
    recordCount: run.records.length,
  };
  if (!run.exists) return { ...base, status: "missing", falseAlarms: [], reason: `job "${run.jobId}" does not exist` };
  if (run.processedRecordCount === 0) {
    return { ...base, status: "not-run", falseAlarms: [], reason: `job "${run.jobId}" has not analysed any data yet (processed_record_count 0); start its datafeed and wait for it to finish` };
  }
  if (run.bucketCount === 0) {
    return { ...base, status: "no-results", falseAlarms: [], reason: `job "${run.jobId}" has analysed ${run.processedRecordCount} documents but written no bucket results yet; wait for the datafeed to finish or flush the job` };
  }
  const falseAlarms = run.records
    .filter((record) => record.recordScore >= threshold)
    .filter((record) => {
      const grace = graceBuckets * record.bucketSpanSeconds * 1000;
      return !windows.some((w) => record.timestamp < w.end + grace && recordEnd(record) > w.start);
    })
    .sort((a, b) => a.timestamp - b.timestamp)
    .map((record) => ({
      timestamp: new Date(record.timestamp).toISOString(),
      recordScore: record.recordScore,
      detectorIndex: record.detectorIndex,
      entity: describeEntity(record),
    }));
  return { ...base, status: "ok", falseAlarms };
}

function anomalyVerdict(anomaly: InjectedAnomaly, runs: JobRun[], jobStatus: Map<string, JobVerdict>, threshold: number, graceBuckets: number): AnomalyVerdict {
  const start = Date.parse(anomaly.start);
  const end = Date.parse(anomaly.end);
  const covering = runs.filter((run) => run.detects.includes(anomaly.kind));
  const base = {
    id: anomaly.id,
    kind: anomaly.kind,
    start: anomaly.start,
    end: anomaly.end,
    entity: anomaly.entity === null ? null : `${anomaly.entity.field}=${anomaly.entity.value}`,
    jobs: covering.map((run) => run.jobId),
  };
  if (covering.length === 0) {
    return { ...base, status: "not-covered", maxRecordScore: 0, firstHighScore: null, reason: `no selected job detects "${anomaly.kind}"; add one with --job` };
  }
  const usable = covering.filter((run) => jobStatus.get(run.jobId)?.status === "ok");
  if (usable.length === 0) {
    const why = covering.map((run) => jobStatus.get(run.jobId)?.reason).filter((r) => r !== undefined);
    return { ...base, status: "not-analysed", maxRecordScore: 0, firstHighScore: null, reason: why.join("; ") };
  }
  let maxRecordScore = 0;
  let first: { jobId: string; record: RecordResult } | undefined;
  for (const run of usable) {
    for (const record of run.records) {
      const grace = graceBuckets * record.bucketSpanSeconds * 1000;
      if (!(record.timestamp < end + grace && recordEnd(record) > start)) continue;
      if (!namesEntity(record, anomaly)) continue;
      maxRecordScore = Math.max(maxRecordScore, record.recordScore);
      if (record.recordScore >= threshold && (first === undefined || record.timestamp < first.record.timestamp)) first = { jobId: run.jobId, record };
    }
  }
  if (first !== undefined) {
    const late = first.record.timestamp >= end;
    return {
      ...base,
      status: late ? "late" : "found",
      maxRecordScore,
      firstHighScore: {
        jobId: first.jobId,
        timestamp: new Date(first.record.timestamp).toISOString(),
        secondsFromStart: Math.max(0, Math.round((first.record.timestamp - start) / 1000)),
        recordScore: first.record.recordScore,
        bucketSpanSeconds: first.record.bucketSpanSeconds,
      },
      ...(late ? { reason: "first record at or above the threshold came only after the window had ended" } : {}),
    };
  }
  const analysedUpTo = Math.max(...usable.map((run) => run.latestRecordTime ?? 0));
  if (analysedUpTo < end) {
    return { ...base, status: "not-analysed", maxRecordScore, firstHighScore: null, reason: `its jobs have analysed data only up to ${new Date(analysedUpTo).toISOString()}, before this window ends; wait for the datafeeds to finish` };
  }
  return { ...base, status: "missed", maxRecordScore, firstHighScore: null, reason: `no record scored ${threshold} or more${base.entity === null ? "" : ` for ${base.entity}`} in the window` };
}

export function compareResults(truth: GroundTruth, runs: JobRun[], options: CompareOptions = {}): VerifyReport {
  const threshold = options.scoreThreshold ?? DEFAULT_THRESHOLD;
  const graceBuckets = options.graceBuckets ?? DEFAULT_GRACE_BUCKETS;
  const windows = truth.anomalies.map((a) => ({ start: Date.parse(a.start), end: Date.parse(a.end) }));
  const jobs = runs.map((run) => jobVerdict(run, windows, threshold, graceBuckets));
  const byId = new Map(jobs.map((job) => [job.jobId, job]));
  const anomalies = truth.anomalies.map((anomaly) => anomalyVerdict(anomaly, runs, byId, threshold, graceBuckets));
  const allFound =
    runs.length > 0 &&
    jobs.every((job) => job.status === "ok") &&
    anomalies.every((a) => a.status === "found" || a.status === "late");
  return {
    scenario: truth.scenario,
    seed: truth.seed,
    scoreThreshold: threshold,
    anomalies,
    jobs,
    allFound,
    falseAlarmCount: jobs.reduce((sum, job) => sum + job.falseAlarms.length, 0),
  };
}
