// Follow mode's loop: after the backfill, write each event when its time comes. Every flush
// interval it takes the events that are due, writes them, plants the windows whose time has come
// into the ground truth, and sleeps until the next flush. Nothing here reads the machine's clock or
// knows where events go: the clock and the sink are given, so a test drives hours in seconds.
//
//   due events ──> sink.write (bounded retries with backoff while the sink is unreachable)
//   windows due ─> truth.anomalies (phase "live") ──> sink.saveTruth + onTruth (index _meta, --truth)
//
// Memory stays flat: events are generated lazily and only the batch of one interval is held, plus
// whatever came due during an outage.

import type { GroundTruth, InjectedAnomaly, LiveTruth } from "./types";
import { LabError } from "./errors";
import type { Clock } from "./clock";
import { generateLiveEvents, type LiveEvent } from "./events";
import { nextLiveWindow, type FollowPlan } from "./follow-plan";
import { MINUTE_MS } from "./traffic";
import { formatDuration } from "./duration";

export const DEFAULT_FLUSH_INTERVAL_MS = 5_000;
/** How long the sink may stay unreachable before follow mode gives up. */
export const DEFAULT_OUTAGE_TIMEOUT_MS = 2 * MINUTE_MS;
/**
 * A resume writes the traffic it missed while stopped, up to this much; beyond it, the oldest part
 * is skipped (and said so in the truth): real-time datafeeds have passed that time already, and a
 * day of catch-up would hold up the live part for minutes.
 */
export const DEFAULT_MAX_CATCH_UP_MS = 24 * 60 * MINUTE_MS;
/** The truth's `through` is saved at least this often, besides every planted window. */
export const TRUTH_SAVE_INTERVAL_MS = MINUTE_MS;
/** At most this many events are held and sent at once (a few MB); a catch-up is written in batches of this size. */
export const MAX_BATCH_EVENTS = 5_000;
/**
 * Node settings for a long-running follow process (the traffic container, `npm run live`): a small
 * old space and young generation make V8 collect before it grows. Measured with `npm run bench --
 * follow` at 50 events per second over 2 virtual hours: about 116 MB RSS at most with these, 205 MB
 * with Node's defaults, flat in both cases.
 */
export const FOLLOW_NODE_OPTIONS = "--max-old-space-size=96 --max-semi-space-size=4";
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/** Where live events go. */
export interface FollowSink {
  /** Writes a batch; throws a TransientWriteError when trying again may succeed. */
  write(batch: readonly LiveEvent[]): Promise<{ rejected: number; reasons: string[] }>;
  /** Records the ground truth where readers find it (an index's _meta); may throw. */
  saveTruth(truth: GroundTruth): Promise<void>;
  /** Where, for messages: "index X at URL", "stdout". */
  readonly description: string;
}

/** A write that failed for a reason that may pass: the server down, slow or busy. */
export class TransientWriteError extends LabError {}

/** What follow mode resumes from: the plan, where live traffic resumes and what is already written. */
export interface FollowStart {
  plan: FollowPlan;
  /** Epoch ms: events before this are written */
  resumeFromMs: number;
  /** Events already written (backfill and earlier live traffic) */
  count: number;
  /** The truth as last saved; its live part (if any) gives the stretches skipped before */
  truth: GroundTruth;
}

export interface FollowStats {
  /** Clock time of this flush */
  nowMs: number;
  /** Events written at this flush */
  written: number;
  /** Events written in all, backfill included */
  total: number;
  /** Events refused by the sink so far (counted, not thrown) */
  rejected: number;
  /** How long the oldest event of this flush waited after its time before it was written; undefined for an empty flush */
  lagMs: number | undefined;
  /** True for the first flush, which writes the traffic that came due while the backfill was written or while stopped */
  catchUp: boolean;
  /** Start of the next live window still to come */
  nextWindowStart: string | null;
}

export interface FollowHooks {
  clock: Clock;
  signal?: AbortSignal;
  flushIntervalMs?: number;
  outageTimeoutMs?: number;
  maxCatchUpMs?: number;
  onFlush?: (stats: FollowStats) => void;
  /** After every truth update, e.g. to rewrite a --truth file */
  onTruth?: (truth: GroundTruth) => void;
  /** When a window's traffic begins */
  onPlanted?: (window: InjectedAnomaly) => void;
  /** Before each wait for an unreachable sink */
  onRetry?: (attempt: number, waitMs: number, error: Error) => void;
  /** When the truth could not be saved (it is tried again later) */
  onTruthNotSaved?: (error: Error) => void;
}

export interface FollowResult {
  truth: GroundTruth;
  /** Events written in all, backfill included */
  total: number;
  rejected: number;
  status: LiveTruth["status"];
}

/** Runs until the signal aborts (a clean stop: status "stopped") or the sink stays unreachable (a LabError after saving status "failed" where it can). */
export async function followLive(start: FollowStart, sink: FollowSink, hooks: FollowHooks): Promise<FollowResult> {
  const { plan } = start;
  const { clock, signal } = hooks;
  const flushIntervalMs = hooks.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const outageTimeoutMs = hooks.outageTimeoutMs ?? DEFAULT_OUTAGE_TIMEOUT_MS;
  const maxCatchUpMs = hooks.maxCatchUpMs ?? DEFAULT_MAX_CATCH_UP_MS;
  const originMs = plan.origin.getTime();

  let total = start.count;
  let rejected = 0;
  const skipped = [...(start.truth.live?.skipped ?? [])];
  let fromMs = Math.max(start.resumeFromMs, originMs);
  // A long stop is not caught up in full: skip to whole minutes within reach, and say so.
  const reachableFromMs = Math.floor((clock.now() - maxCatchUpMs) / MINUTE_MS) * MINUTE_MS;
  if (reachableFromMs > fromMs) {
    skipped.push({
      start: new Date(fromMs).toISOString(),
      end: new Date(reachableFromMs).toISOString(),
      reason: `stopped for longer than the catch-up limit of ${formatDuration(maxCatchUpMs)}; this stretch is not written`,
    });
    fromMs = reachableFromMs;
  }
  const inSkipped = (window: InjectedAnomaly) => skipped.some((gap) => Date.parse(window.start) >= Date.parse(gap.start) && Date.parse(window.end) <= Date.parse(gap.end));
  // Windows whose traffic was written before (their start is behind the resume point) are in the truth already.
  const planted = new Set(start.truth.anomalies.filter((anomaly) => anomaly.phase === "live").map((anomaly) => anomaly.id));
  const truthOf = (status: LiveTruth["status"], throughMs: number): GroundTruth => ({
    ...start.truth,
    eventCount: total,
    anomalies: [...plan.backfill.anomalies, ...plan.liveWindows.filter((window) => planted.has(window.id))].map((anomaly) => ({ ...anomaly, entity: anomaly.entity && { ...anomaly.entity } })),
    live: {
      since: plan.origin.toISOString(),
      through: new Date(throughMs).toISOString(),
      nextWindowStart: nextLiveWindow(plan, throughMs)?.start ?? null,
      status,
      skipped: skipped.map((gap) => ({ ...gap })),
      updatedAt: new Date(clock.now()).toISOString(),
    },
  });

  let lastSavedMs = Number.NEGATIVE_INFINITY;
  const saveTruth = async (truth: GroundTruth) => {
    hooks.onTruth?.(truth);
    try {
      await sink.saveTruth(truth);
      lastSavedMs = clock.now();
    } catch (error) {
      hooks.onTruthNotSaved?.(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const events = generateLiveEvents(plan, fromMs);
  let pending = events.next().value as LiveEvent;
  while (pending.timeMs < fromMs) pending = events.next().value as LiveEvent;
  let throughMs = fromMs;
  let first = true;

  /**
   * Writes what is due now, in batches of at most MAX_BATCH_EVENTS so that a long catch-up (after a
   * stop, or an outage) never holds more than one batch, and plants the windows that began.
   */
  const flush = async (): Promise<void> => {
    const nowMs = clock.now();
    const began = plan.liveWindows.filter((window) => !planted.has(window.id) && Date.parse(window.start) < nowMs && !inSkipped(window));
    let written = 0;
    let oldestMs: number | undefined;
    for (;;) {
      const batch: LiveEvent[] = [];
      while (pending.timeMs < nowMs && batch.length < MAX_BATCH_EVENTS) {
        batch.push(pending);
        pending = events.next().value as LiveEvent;
      }
      if (batch.length === 0) break;
      oldestMs ??= batch[0].timeMs;
      const outcome = await writeWithRetries(batch, nowMs);
      rejected += outcome.rejected;
      total += batch.length - outcome.rejected;
      written += batch.length;
      // Every event before the next pending one is written: that is how far the stream has got.
      throughMs = Math.min(pending.timeMs, nowMs);
      // A stop during a long catch-up ends after the batch in hand; the rest is written on resume.
      if (signal?.aborted && pending.timeMs < nowMs) break;
    }
    if (pending.timeMs >= nowMs) throughMs = nowMs;
    for (const window of began) {
      if (Date.parse(window.start) >= throughMs) continue;
      planted.add(window.id);
      hooks.onPlanted?.(window);
    }
    const catchUp = first;
    first = false;
    hooks.onFlush?.({
      nowMs,
      written,
      total,
      rejected,
      lagMs: oldestMs === undefined ? undefined : clock.now() - oldestMs,
      catchUp,
      nextWindowStart: nextLiveWindow(plan, throughMs)?.start ?? null,
    });
    if (began.length > 0 || clock.now() - lastSavedMs >= TRUTH_SAVE_INTERVAL_MS) await saveTruth(truthOf("running", throughMs));
  };

  const writeWithRetries = async (batch: LiveEvent[], dueMs: number) => {
    let attempt = 0;
    let waitMs = FIRST_RETRY_MS;
    const failingSinceMs = clock.now();
    for (;;) {
      try {
        return await sink.write(batch);
      } catch (error) {
        if (!(error instanceof TransientWriteError)) throw error;
        attempt += 1;
        const leftMs = outageTimeoutMs - (clock.now() - failingSinceMs);
        if (leftMs <= 0 || signal?.aborted) {
          const why = signal?.aborted ? "stopped while" : `gave up after ${formatDuration(clock.now() - failingSinceMs)} (${attempt} attempts) of`;
          throw new StreamFailed(
            `${why} ${sink.description} refusing writes: ${error.message}; events are written up to ${new Date(throughMs).toISOString()} ` +
              `(${batch.length} due by ${new Date(dueMs).toISOString()} are not); run the same command again to resume from there`,
          );
        }
        const wait = Math.min(waitMs, leftMs);
        hooks.onRetry?.(attempt, wait, error);
        await clock.sleep(wait, signal);
        waitMs = Math.min(waitMs * 2, MAX_RETRY_MS);
      }
    }
  };

  await saveTruth(truthOf("running", throughMs));
  try {
    while (!signal?.aborted) {
      const startedMs = clock.now();
      await flush();
      if (signal?.aborted) break;
      await clock.sleep(Math.max(0, flushIntervalMs - (clock.now() - startedMs)), signal);
    }
    // The final flush: whatever came due since the last one.
    await flush();
  } catch (error) {
    if (error instanceof StreamFailed) await saveTruth(truthOf("failed", throughMs));
    throw error;
  }
  const truth = truthOf("stopped", throughMs);
  await saveTruth(truth);
  return { truth, total, rejected, status: "stopped" };
}

/** The stream could not go on (the sink stayed unreachable, or a stop came during an outage). */
export class StreamFailed extends LabError {}
