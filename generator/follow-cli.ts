// `lab-generate --follow`: the backfill up to now, then events as their time comes, into
// Elasticsearch (resumable) or to stdout, until Ctrl-C, SIGTERM or SIGHUP. The flags are parsed and
// checked by cli.ts; this module runs the stream and says what it does on stderr.

import type { Writable } from "node:stream";
import { once } from "node:events";
import type { GroundTruth } from "./types";
import { systemClock, type Clock } from "./clock";
import { generateEvents, type LiveEvent } from "./events";
import { nextLiveWindow, originAt, planFollow, type FollowOptions } from "./follow-plan";
import { followLive, type FollowSink, type FollowStart } from "./follow";
import { formatDuration } from "./duration";
import { createFollowReporter } from "./follow-progress";
import { formatNdjsonLine, writeNdjson } from "./sinks/ndjson";
import { OutputClosedError, STDOUT, writeFileAtomically } from "./sinks/file-output";
import { followSinkFor, prepareFollowIndex } from "./sinks/elasticsearch-follow";
import { redactUrl, type ElasticsearchConnection } from "./sinks/elasticsearch-client";

export interface FollowSettings {
  flushIntervalMs: number;
  outageTimeoutMs: number;
  maxCatchUpMs: number;
  /** --for: stop cleanly (exit 0) after following this long; undefined: until a signal */
  forMs?: number;
}

export type FollowDestination =
  | { kind: "elasticsearch"; connection: ElasticsearchConnection; indexPrefix: string; index?: string }
  | { kind: "stdout" };

export interface FollowRun {
  options: FollowOptions;
  destination: FollowDestination;
  settings: FollowSettings;
  truthPath?: string;
  quiet: boolean;
}

export interface FollowIo {
  stdout: NodeJS.WriteStream | Writable;
  stderr: NodeJS.WriteStream;
  clock?: Clock;
}

/** Runs follow mode until `signal` aborts; resolves with the last truth. Throws LabError on a failure (exit 1). */
export async function runFollow(run: FollowRun, io: FollowIo, stopSignal: AbortSignal): Promise<GroundTruth> {
  const clock = io.clock ?? systemClock;
  // --for ends the run as a signal would, but on the clock, and as a success.
  const timeUp = new AbortController();
  const signal = AbortSignal.any([stopSignal, timeUp.signal]);
  const reporter = createFollowReporter(io.stderr, { quiet: run.quiet });
  const writeTruth = (truth: GroundTruth) => {
    if (run.truthPath !== undefined) writeFileAtomically("--truth", run.truthPath, JSON.stringify(truth, null, 2) + "\n");
  };

  let start: FollowStart;
  let sink: FollowSink & { close(): Promise<void> };
  if (run.destination.kind === "elasticsearch") {
    const { connection, indexPrefix, index } = run.destination;
    const prepared = await prepareFollowIndex(run.options, { connection, indexPrefix, index }, { now: () => clock.now(), signal });
    const where = `index ${prepared.index} at ${redactUrl(connection.url)}`;
    reporter.note(
      prepared.backfilled
        ? `backfill of ${prepared.count.toLocaleString("en-US")} events from ${prepared.plan.backfill.truth.start} to ${prepared.plan.origin.toISOString()} written to ${where}`
        : `resuming ${where} from ${new Date(prepared.resumeFromMs).toISOString()} (${prepared.count.toLocaleString("en-US")} events before it)`,
    );
    start = prepared;
    sink = followSinkFor(connection, prepared.index);
  } else {
    const plan = planFollow(run.options, originAt(clock.now()));
    const written = await writeNdjson(generateEvents(plan.backfill), STDOUT, { signal });
    start = { plan, resumeFromMs: plan.origin.getTime(), count: written.count, truth: plan.backfill.truth };
    sink = stdoutSink(io.stdout, written.count);
  }
  const next = nextLiveWindow(start.plan, start.resumeFromMs);
  const deadlineMs = run.settings.forMs === undefined ? undefined : clock.now() + run.settings.forMs;
  reporter.note(`following in real time (${deadlineMs === undefined ? "Ctrl-C stops" : `for ${formatDuration(run.settings.forMs!)}; Ctrl-C stops sooner`}); ${next === undefined ? "no live window to come" : `next live window at ${next.start}`}`);

  try {
    const result = await followLive(start, sink, {
      clock,
      signal,
      flushIntervalMs: run.settings.flushIntervalMs,
      outageTimeoutMs: run.settings.outageTimeoutMs,
      maxCatchUpMs: run.settings.maxCatchUpMs,
      onFlush: (stats) => {
        reporter.flush(stats);
        if (deadlineMs !== undefined && stats.nowMs >= deadlineMs) timeUp.abort();
      },
      onTruth: writeTruth,
      onPlanted: (window) => reporter.note(`live window ${window.id} begins now, until ${window.end}`),
      onRetry: (attempt, waitMs, error) => reporter.note(`${error.message}; trying again in ${formatDuration(waitMs)} (attempt ${attempt + 1})`),
      onTruthNotSaved: (error) => reporter.note(`the ground truth was not saved this time (${error.message}); it is tried again`),
    });
    reporter.stop();
    const skipped = result.truth.live?.skipped ?? [];
    reporter.note(
      `stopped: ${result.total.toLocaleString("en-US")} events written up to ${result.truth.live?.through}` +
        (result.rejected > 0 ? `, ${result.rejected.toLocaleString("en-US")} rejected` : "") +
        (skipped.length > 0 ? `; skipped: ${skipped.map((gap) => `${gap.start} to ${gap.end}`).join(", ")}` : "") +
        (run.destination.kind === "elasticsearch" ? "; the same command resumes" : ""),
    );
    return result.truth;
  } finally {
    reporter.stop();
    await sink.close();
  }
}

/** Live events as NDJSON lines on stdout, waiting when the reader is slow. */
function stdoutSink(stdout: NodeJS.WriteStream | Writable, alreadyWritten: number): FollowSink & { close(): Promise<void> } {
  let closed: Error | undefined;
  let written = alreadyWritten;
  const onError = (error: Error) => {
    closed = error;
  };
  stdout.on("error", onError);
  return {
    description: "stdout",
    async write(batch: readonly LiveEvent[]) {
      if (closed !== undefined) throw new OutputClosedError(written);
      const text = batch.map((live) => formatNdjsonLine(live.event)).join("");
      if (!stdout.write(text)) await once(stdout, "drain");
      if (closed !== undefined) throw new OutputClosedError(written);
      written += batch.length;
      return { rejected: 0, reasons: [] };
    },
    async saveTruth() {
      // stdout carries events only; the truth goes to --truth.
    },
    async close() {
      stdout.off("error", onError);
    },
  };
}
