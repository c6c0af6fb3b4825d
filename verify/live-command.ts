// The `--live` side of `lab-verify verify`: its flags, checked before any connection, and the run
// itself on a connected client (cli.ts connects, checks the server and closes).

import type { Client } from "@elastic/elasticsearch";
import { UsageError } from "../generator/errors";
import { ANOMALY_KINDS } from "../generator/types";
import type { LabJobDefinition } from "../ml-jobs";
import { readAlerts } from "./alerts";
import { alertsIndexFor } from "./alerts-index";
import type { Clock } from "../generator/clock";
import { formatDuration, parseDuration } from "../generator/duration";
import { resolveJobs } from "./jobs";
import { watchLiveWindow, type LiveSources } from "./live";
import { formatLiveReport } from "./live-format";
import type { LiveReport } from "./live-report";
import { liveWindowState } from "./live-window";
import { readJobResults } from "./results";
import { readIndexTruth } from "./truth";

/**
 * From a window's end until its record and alert are first looked for. The last bucket that
 * overlaps a window closes at most one bucket span (15 minutes in the lab's jobs) after the window's
 * end; the datafeed searches it after its query_delay (Elasticsearch picks 1 to 2 minutes) at its
 * next run (every half bucket span by default: 7.5 minutes); the rule sees the record at its next
 * check, a few minutes later: 15 + 2 + 7.5 + 5 is about 30 minutes. A record only in the bucket
 * after the window (verify's "late") comes one span later; the reads go on until --wait for that.
 */
export const DEFAULT_MARGIN_MS = 30 * 60_000;
/**
 * From the start of the command. Long enough to start it before the first live window is planted:
 * up to about an hour of waiting for the window, the longest window (60 minutes), the margin, and
 * room for a slow datafeed; short enough that a broken pipeline is reported within a session.
 */
export const DEFAULT_WAIT_MS = 3 * 3_600_000;
const MAX_MARGIN_MS = 6 * 3_600_000;
const MAX_WAIT_MS = 24 * 3_600_000;

export interface LiveFlags {
  live?: boolean;
  alertsIndex?: string;
  margin?: string;
  wait?: string;
  window?: string;
  truth?: string;
  plot?: string;
}

export interface LiveRun {
  alertsIndex?: string;
  marginMs: number;
  waitMs: number;
  windowId?: string;
}

const WINDOW_ID = new RegExp(`^(${ANOMALY_KINDS.join("|")})-[1-9]\\d*$`);

function duration(flag: string, text: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < min || ms > max) {
    problems.push(`${flag} ${JSON.stringify(text)} is not allowed; allowed: a duration from ${formatDuration(min)} to ${formatDuration(max)} such as 20m, 90m or 1h30m`);
    return fallback;
  }
  return ms;
}

/**
 * Checks the --live flags and how they combine with the rest, every problem at once. Undefined
 * without --live (after checking that no --live-only flag was given).
 */
export function checkLiveFlags(flags: LiveFlags): LiveRun | undefined {
  const problems: string[] = [];
  const liveOnly = [
    ["--alerts-index", flags.alertsIndex],
    ["--margin", flags.margin],
    ["--wait", flags.wait],
    ["--window", flags.window],
  ] as const;
  if (flags.live !== true) {
    for (const [flag, value] of liveOnly) if (value !== undefined) problems.push(`${flag}: is only used with --live; add --live, or drop ${flag}`);
    if (problems.length > 0) throw new UsageError(problems);
    return undefined;
  }
  if (flags.truth !== undefined) {
    problems.push(`--truth: cannot be used with --live, which reads the ground truth from the index _meta, where the generator adds each live window as it plants it; drop --truth`);
  }
  if (flags.plot !== undefined) {
    problems.push(`--plot: cannot be used with --live; once the window is over, draw it with lab-verify verify --plot (without --live)`);
  }
  const marginMs = duration("--margin", flags.margin, DEFAULT_MARGIN_MS, 0, MAX_MARGIN_MS, problems);
  const waitMs = duration("--wait", flags.wait, DEFAULT_WAIT_MS, 1000, MAX_WAIT_MS, problems);
  if (flags.window !== undefined && !WINDOW_ID.test(flags.window)) {
    problems.push(`--window ${JSON.stringify(flags.window)} is not a window id; allowed: <kind>-<n> such as spike-1, with kind one of ${ANOMALY_KINDS.join(", ")}`);
  }
  if (flags.alertsIndex !== undefined && (flags.alertsIndex === "" || /[\s,]/.test(flags.alertsIndex))) {
    problems.push(`--alerts-index ${JSON.stringify(flags.alertsIndex)} is not allowed; allowed: one index name such as lab-cohort-a-alerts`);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return { alertsIndex: flags.alertsIndex, marginMs, waitMs, windowId: flags.window };
}

export interface LiveCommand {
  index: string;
  jobIds: string[];
  jobPrefix?: string;
  threshold: number;
  json: boolean;
  run: LiveRun;
}

/** Waits for the live window and reports; returns the exit code (0 only if ML scored it and an alert arrived). */
export async function runLive(
  client: Client,
  command: LiveCommand,
  library: readonly LabJobDefinition[],
  io: { stdout: (text: string) => void; stderr: (text: string) => void; clock: Clock },
): Promise<number> {
  const { index, run } = command;
  // First the truth: an index not written in follow mode is named before anything asks for ML.
  const first = await readIndexTruth(client, index, { whileWriting: true });
  liveWindowState(first.truth, index, run.windowId);
  const alertsIndex = run.alertsIndex ?? alertsIndexFor(first.indices);
  if (alertsIndex === undefined) {
    throw new UsageError(
      `--alerts-index: needed here, since ${first.indices.join(", ")} does not name one lab cohort (the lab names a cohort's dataset lab-<cohort>-access-... and its alerts index lab-<cohort>-alerts); name the alerts index`,
    );
  }
  const jobs = await resolveJobs(client, { jobIds: command.jobIds, prefix: command.jobPrefix }, library);
  const sources: LiveSources = {
    readTruth: async () => (await readIndexTruth(client, index, { whileWriting: true })).truth,
    readRuns: async (selected, sinceMs) => {
      const runs = [];
      for (const job of selected) runs.push((await readJobResults(client, job.jobId, job.detects, { start: sinceMs })).run);
      return runs;
    },
    readAlerts: (sinceMs) => readAlerts(client, alertsIndex, sinceMs),
  };
  const report: LiveReport = await watchLiveWindow(
    sources,
    { index, alertsIndex, jobs, windowId: run.windowId, scoreThreshold: command.threshold, marginMs: run.marginMs, waitMs: run.waitMs },
    io.clock,
    (line) => io.stderr(`lab-verify verify: ${line}\n`),
  );
  io.stdout(command.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatLiveReport(report)}\n`);
  return report.ok ? 0 : 1;
}
