// What `lab-verify verify --live` found for one live window: did ML score it, did an alert arrive,
// and how long after the window's start. Pure: the wait loop (live.ts) reads the results, the truth
// and the alerts, and hands them here.
//
// Two delays, measured from the window's start:
//   to the record  the record's bucket start plus its bucket span: the earliest instant the record
//                  can exist, since ML scores a bucket only once it closes. When ML actually wrote
//                  it is not in the results, so the real delay is this or more.
//   to the alert   the alert document's @timestamp: when the rule's action ran.

import type { GroundTruth, InjectedAnomaly, LiveTruth } from "../generator/types";
import { alertsForWindow } from "./alert-match";
import type { AlertsRead } from "./alerts";
import { compareResults, type AnomalyStatus, type JobRun } from "./compare";

/** What kept the check from passing, for machines; the human report says it in words. */
export type Missing = "window-not-planted" | "window-not-over" | "no-record" | "no-alert";

export interface RecordObservation {
  /** A record at or above the threshold, on the window's entity, in the window or the bucket after it */
  found: boolean;
  /** verify's verdict for the window ("found", "late", "missed", "not-analysed", ...) */
  status: AnomalyStatus;
  maxScore: number;
  first: {
    jobId: string;
    /** ISO start of the record's bucket */
    bucket: string;
    score: number;
    /** ISO end of that bucket: the earliest instant the record can exist */
    availableAt: string;
    secondsFromStart: number;
  } | null;
  /** Why, in words, when not found */
  reason: string | null;
}

export interface AlertObservation {
  found: boolean;
  /** False while the alerts index does not exist (the first alert creates it) */
  indexExists: boolean;
  /** Alerts sent since the window began, about this window or not */
  sentSinceStart: number;
  /** Documents without a readable @timestamp or ml.anomaly_timestamp */
  unreadable: number;
  first: {
    /** ISO @timestamp: when the rule's action ran */
    sentAt: string;
    /** ISO ml.anomaly_timestamp */
    anomalyAt: string;
    jobIds: string[];
    score: number | null;
    ruleName: string | null;
    isInterim: boolean;
    secondsFromStart: number;
  } | null;
}

export interface LiveWindowSummary {
  id: string;
  kind: InjectedAnomaly["kind"];
  start: string;
  end: string;
  entity: string | null;
  /** The selected jobs that detect its kind */
  jobs: string[];
}

export interface LiveReport {
  index: string;
  alertsIndex: string;
  scoreThreshold: number;
  marginSeconds: number;
  waitSeconds: number;
  startedAt: string;
  finishedAt: string;
  /** The generator's progress as the truth last said; null when it had not been read */
  generator: { status: LiveTruth["status"]; through: string; nextWindowStart: string | null; updatedAt: string } | null;
  /** null until a live window is planted */
  window: LiveWindowSummary | null;
  /** null until the window is over plus the margin, when the results are first read */
  record: RecordObservation | null;
  alert: AlertObservation | null;
  /** Empty exactly when ok */
  missing: Missing[];
  ok: boolean;
  /** Anything else the reader should know, in words */
  notes: string[];
}

export interface WindowJobs {
  jobId: string;
  bucketSpanSeconds?: number;
}

/** ML's bucket span for the lab's jobs (ml-jobs/), for a job whose own is not known. */
export const DEFAULT_BUCKET_SPAN_SECONDS = 900;

export function summarizeWindow(window: InjectedAnomaly, jobs: readonly WindowJobs[]): LiveWindowSummary {
  return {
    id: window.id,
    kind: window.kind,
    start: window.start,
    end: window.end,
    entity: window.entity === null ? null : `${window.entity.field}=${window.entity.value}`,
    jobs: jobs.map((job) => job.jobId),
  };
}

/** verify's own verdict for this one window, with the earliest instant its first high record can exist. */
export function observeRecord(truth: GroundTruth, window: InjectedAnomaly, runs: JobRun[], scoreThreshold: number): RecordObservation {
  const report = compareResults({ ...truth, anomalies: [window] }, runs, { scoreThreshold });
  const verdict = report.anomalies[0];
  const found = verdict.status === "found" || verdict.status === "late";
  const high = verdict.firstHighScore;
  const jobReasons = report.jobs.filter((job) => job.reason !== undefined).map((job) => job.reason as string);
  let first: RecordObservation["first"] = null;
  if (high !== null) {
    const availableAt = Date.parse(high.timestamp) + high.bucketSpanSeconds * 1000;
    first = {
      jobId: high.jobId,
      bucket: high.timestamp,
      score: high.recordScore,
      availableAt: new Date(availableAt).toISOString(),
      secondsFromStart: Math.round((availableAt - Date.parse(window.start)) / 1000),
    };
  }
  return { found, status: verdict.status, maxScore: verdict.maxRecordScore, first, reason: found ? null : (verdict.reason ?? jobReasons.join("; ")) };
}

export function observeAlert(window: InjectedAnomaly, jobs: readonly WindowJobs[], read: AlertsRead): AlertObservation {
  const start = Date.parse(window.start);
  const bucketSpanMs = Math.max(...jobs.map((job) => job.bucketSpanSeconds ?? DEFAULT_BUCKET_SPAN_SECONDS)) * 1000;
  const matching = alertsForWindow(read.alerts, { start, end: Date.parse(window.end), jobIds: jobs.map((job) => job.jobId), bucketSpanMs });
  const alert = matching[0];
  return {
    found: alert !== undefined,
    indexExists: read.indexExists,
    sentSinceStart: read.alerts.length,
    unreadable: read.unreadable,
    first:
      alert === undefined
        ? null
        : {
            sentAt: new Date(alert.sentAt).toISOString(),
            anomalyAt: new Date(alert.anomalyAt).toISOString(),
            jobIds: alert.jobIds,
            score: alert.score,
            ruleName: alert.ruleName,
            isInterim: alert.isInterim,
            secondsFromStart: Math.round((alert.sentAt - start) / 1000),
          },
  };
}

/** What is still missing, in the order it blocks: a window, its end, then the record and the alert. */
export function missingFor(stage: "pending" | "planted" | "over", record: RecordObservation | null, alert: AlertObservation | null): Missing[] {
  if (stage === "pending") return ["window-not-planted"];
  if (stage === "planted") return ["window-not-over"];
  return [...(record?.found === true ? [] : ["no-record" as const]), ...(alert?.found === true ? [] : ["no-alert" as const])];
}
