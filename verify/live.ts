// `lab-verify verify --live`: wait for the live window the generator plants in follow mode, then look
// for ML's record of it and the alert it raised, within one bound:
//
//   1. read the truth from the index _meta until a live window is in it (its traffic has started);
//   2. wait until the window's end plus the margin, when a normal pipeline has scored it and alerted;
//   3. read the window's jobs' results and the alerts index until both are found, so a slow
//      datafeed or rule is not a false negative.
//
// The bound (--wait) counts from the start. Every read goes through `sources` and every wait through
// `clock`, so the tests drive hours of waiting with stand-ins in milliseconds.

import { LabError } from "../generator/errors";
import type { AnomalyKind, GroundTruth, InjectedAnomaly, LiveTruth } from "../generator/types";
import type { AlertsRead } from "./alerts";
import type { Clock } from "../generator/clock";
import type { JobRun } from "./compare";
import { formatDuration } from "../generator/duration";
import {
  DEFAULT_BUCKET_SPAN_SECONDS, missingFor, observeAlert, observeRecord, summarizeWindow,
  type AlertObservation, type LiveReport, type RecordObservation,
} from "./live-report";
import { liveWindowState } from "./live-window";
import { utcMinute } from "./plot";

export interface LiveJob {
  jobId: string;
  detects: AnomalyKind[];
  bucketSpanSeconds?: number;
}

/** Where the loop reads from; the CLI binds these to one Elasticsearch client. */
export interface LiveSources {
  readTruth(): Promise<GroundTruth>;
  /** The jobs' results from `sinceMs` on */
  readRuns(jobs: LiveJob[], sinceMs: number): Promise<JobRun[]>;
  /** The alerts sent from `sinceMs` on */
  readAlerts(sinceMs: number): Promise<AlertsRead>;
}

export interface LiveSettings {
  /** The dataset index or pattern, as given */
  index: string;
  alertsIndex: string;
  jobs: LiveJob[];
  /** A window id to judge instead of the first live window */
  windowId?: string;
  scoreThreshold: number;
  marginMs: number;
  waitMs: number;
  /** Between reads; default POLL_MS */
  pollMs?: number;
}

/**
 * One read a minute: the truth's `through` moves every few seconds, but the things waited for move by
 * the bucket (15 minutes) and the rule's interval, so a minute late costs little and keeps the load
 * of a long wait to a few small requests a minute.
 */
export const POLL_MS = 60_000;

type Stage = "pending" | "planted" | "over";

function generatorOf(live: LiveTruth | undefined): LiveReport["generator"] {
  return live === undefined ? null : { status: live.status, through: live.through, nextWindowStart: live.nextWindowStart, updatedAt: live.updatedAt };
}

/** Says a line when the loop's state (`key`) changes, not at every read: a long wait stays a few lines. */
function onChange(log: (line: string) => void): (key: string, line: string) => void {
  let last: string | undefined;
  return (key, line) => {
    if (key !== last) log(line);
    last = key;
  };
}

export async function watchLiveWindow(sources: LiveSources, settings: LiveSettings, clock: Clock, log: (line: string) => void): Promise<LiveReport> {
  const pollMs = settings.pollMs ?? POLL_MS;
  const startedAt = clock.now();
  const deadline = startedAt + settings.waitMs;
  const say = onChange(log);
  const what = settings.windowId === undefined ? "a live window" : `live window ${settings.windowId}`;

  let live: LiveTruth | undefined;
  let window: InjectedAnomaly | undefined;
  let jobs: LiveJob[] = [];
  let record: RecordObservation | null = null;
  let alert: AlertObservation | null = null;
  const notes: string[] = [];

  const finish = (stage: Stage): LiveReport => {
    const missing = missingFor(stage, record, alert);
    if (alert !== null && alert.unreadable > 0) {
      notes.push(`${alert.unreadable} document(s) in ${settings.alertsIndex} have no readable @timestamp or ml.anomaly_timestamp and were left out`);
    }
    return {
      index: settings.index,
      alertsIndex: settings.alertsIndex,
      scoreThreshold: settings.scoreThreshold,
      marginSeconds: settings.marginMs / 1000,
      waitSeconds: settings.waitMs / 1000,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(clock.now()).toISOString(),
      generator: generatorOf(live),
      window: window === undefined ? null : summarizeWindow(window, jobs),
      record,
      alert,
      missing,
      ok: missing.length === 0,
      notes,
    };
  };

  for (;;) {
    const now = clock.now();
    const truth = await sources.readTruth();
    const state = liveWindowState(truth, settings.index, settings.windowId);
    live = state.live;

    if (state.state === "pending") {
      say(`pending ${live.nextWindowStart}`, `waiting for ${what} in ${settings.index}: the next starts at ${utcMinute(live.nextWindowStart as string)} (generator ${live.status}, events written through ${utcMinute(live.through)})`);
      if (now >= deadline) return finish("pending");
      await clock.sleep(Math.min(pollMs, deadline - now));
      continue;
    }

    if (window === undefined) {
      window = state.window;
      const kind = window.kind;
      jobs = settings.jobs.filter((job) => job.detects.includes(kind));
      if (jobs.length === 0) {
        throw new LabError(`${window.id}: no selected job detects "${kind}" (jobs: ${settings.jobs.map((j) => j.jobId).join(", ")}); select one with --job or --job-prefix`);
      }
    }
    const start = Date.parse(window.start);
    const lookFrom = Date.parse(window.end) + settings.marginMs;
    if (lookFrom > deadline) {
      notes.push(
        `${window.id} ends at ${utcMinute(window.end)}; with --margin ${formatDuration(settings.marginMs)} its record and alert are looked for from ${utcMinute(lookFrom)}, after --wait ${formatDuration(settings.waitMs)} runs out at ${utcMinute(deadline)}; raise --wait`,
      );
      return finish("planted");
    }
    if (now < lookFrom) {
      say("planted", `${window.id} (${window.kind}) planted, ${utcMinute(window.start)} to ${utcMinute(window.end)}; looking for its record and alert from ${utcMinute(lookFrom)} (its end + --margin ${formatDuration(settings.marginMs)})`);
      await clock.sleep(Math.min(pollMs, lookFrom - now));
      continue;
    }

    say("over", `looking for ${window.id}'s ML record and alert in ${settings.alertsIndex} until ${utcMinute(deadline)} (--wait ${formatDuration(settings.waitMs)})`);
    // A bucket that starts up to one span before the window still overlaps it.
    const spanMs = Math.max(...jobs.map((job) => job.bucketSpanSeconds ?? DEFAULT_BUCKET_SPAN_SECONDS)) * 1000;
    record = observeRecord(truth, window, await sources.readRuns(jobs, start - spanMs), settings.scoreThreshold);
    alert = observeAlert(window, jobs, await sources.readAlerts(start));
    if ((record.found && alert.found) || now >= deadline) return finish("over");
    await clock.sleep(Math.min(pollMs, deadline - now));
  }
}
