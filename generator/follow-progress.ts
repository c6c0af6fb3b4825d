// What follow mode says while it runs: events per second, how far behind "now" the last write
// was, the events in all, and when the next planted window is due (never what it is: the class
// may be watching the terminal). On a terminal the line is redrawn at each flush; in a log (a
// container's) a line is written once a minute, so `docker logs` stays readable.

import type { FollowStats } from "./follow";
import { formatDuration } from "./duration";

/** Events per second over the last minute of flushes. */
export class RateMeter {
  private readonly samples: Array<{ atMs: number; total: number }> = [];

  constructor(private readonly windowMs = 60_000) {}

  add(atMs: number, total: number): void {
    this.samples.push({ atMs, total });
    while (this.samples.length > 2 && this.samples[0].atMs < atMs - this.windowMs) this.samples.shift();
  }

  /** Undefined until two flushes have been seen. */
  perSecond(): number | undefined {
    if (this.samples.length < 2) return undefined;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    return last.atMs === first.atMs ? 0 : ((last.total - first.total) * 1000) / (last.atMs - first.atMs);
  }
}

/** One status line, e.g. "live 5.2 ev/s · lag 5.1s · 12,345 events · next window in 12m30s". */
export function formatFollowStatus(stats: FollowStats, perSecond: number | undefined): string {
  // The first flush writes what came due during the backfill or a stop: its wait is catch-up, not lag.
  const lag = stats.catchUp ? "catching up" : stats.lagMs === undefined ? "lag -" : `lag ${(stats.lagMs / 1000).toFixed(1)}s`;
  const rate = perSecond === undefined ? "-" : perSecond.toFixed(1);
  const next = stats.nextWindowStart === null ? "no window to come" : `next window in ${formatDuration(Math.max(0, Date.parse(stats.nextWindowStart) - stats.nowMs))}`;
  const rejected = stats.rejected > 0 ? ` · ${stats.rejected.toLocaleString("en-US")} rejected` : "";
  return `live ${rate} ev/s · ${lag} · ${stats.total.toLocaleString("en-US")} events${rejected} · ${next}`;
}

export interface FollowReporter {
  flush(stats: FollowStats): void;
  /** A line of its own (a planted window, a retry), clearing the status line first on a terminal. */
  note(text: string): void;
  stop(): void;
}

/** Status on `stream`: redrawn on a terminal, a line a minute otherwise, nothing when quiet. */
export function createFollowReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }, options: { quiet: boolean; logEveryMs?: number }): FollowReporter {
  const meter = new RateMeter();
  const terminal = stream.isTTY === true;
  const logEveryMs = options.logEveryMs ?? 60_000;
  let lastLoggedMs = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write("\r\x1b[K");
    drawn = false;
  };
  return {
    flush(stats) {
      meter.add(stats.nowMs, stats.total);
      if (options.quiet) return;
      const line = `lab-generate: ${formatFollowStatus(stats, meter.perSecond())}`;
      if (terminal) {
        stream.write(`\r\x1b[K${line}`);
        drawn = true;
      } else if (stats.nowMs - lastLoggedMs >= logEveryMs) {
        stream.write(`${line}\n`);
        lastLoggedMs = stats.nowMs;
      }
    },
    note(text) {
      if (options.quiet) return;
      clear();
      stream.write(`lab-generate: ${text}\n`);
    },
    stop() {
      clear();
    },
  };
}
