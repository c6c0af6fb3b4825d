// The CLI's progress bar: events done, rate and ETA on stderr, only when stderr is a terminal (a
// bar written into a log file or a pipe is noise). The total is an estimate — arrivals are a
// Poisson process — so the bar is set to the true count when the run ends.

import { SingleBar } from "cli-progress";
import type { DatasetPlan } from "./plan";
import { baseRatePerSecond } from "./traffic";

const ESTIMATE_STEP_MS = 5 * 60_000;

/**
 * Expected number of events in the plan's range: the integral of the daily and
 * weekly rate curve in 5-minute steps, times the rate factor of any spike or drop, plus the
 * requests a scan or a rare agent adds. Only the progress bar uses it.
 */
export function expectedEventCount(plan: DatasetPlan): number {
  const startMs = plan.start.getTime();
  const endMs = plan.end.getTime();
  const rateWindows = plan.anomalies
    .filter((anomaly) => anomaly.kind === "spike" || anomaly.kind === "drop")
    .map((anomaly) => ({ startMs: Date.parse(anomaly.start), endMs: Date.parse(anomaly.end), factor: anomaly.magnitude }));
  let expected = 0;
  for (let t = startMs; t < endMs; t += ESTIMATE_STEP_MS) {
    const stepMs = Math.min(ESTIMATE_STEP_MS, endMs - t);
    const middle = t + stepMs / 2;
    const factor = rateWindows.reduce((product, window) => (middle >= window.startMs && middle < window.endMs ? product * window.factor : product), 1);
    expected += baseRatePerSecond(plan.meanRatePerSecond, middle) * factor * (stepMs / 1000);
  }
  // A scan or a rare agent adds its own requests: magnitude per minute over the window.
  for (const anomaly of plan.anomalies) {
    if (anomaly.kind === "scan" || anomaly.kind === "rare_agent") {
      expected += anomaly.magnitude * ((Date.parse(anomaly.end) - Date.parse(anomaly.start)) / 60_000);
    }
  }
  return Math.max(1, Math.round(expected));
}

export interface Progress {
  /** Events done so far. */
  update(done: number): void;
  /** Shows the final count and releases the terminal line. */
  stop(finalCount?: number): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

export interface ProgressOptions {
  /** False: a no-op (not a terminal, or --quiet). */
  enabled: boolean;
  estimatedTotal: number;
  /** Where the bar is drawn; default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** What is counted: "events" for files, "indexed" for Elasticsearch. */
  unit: string;
}

export function createProgress(options: ProgressOptions): Progress {
  if (!options.enabled) return SILENT;
  const started = Date.now();
  const bar = new SingleBar({
    stream: options.stream ?? process.stderr,
    format: `{bar} {percentage}% | {value}/{total} ${options.unit} | {rate}/s | ETA {eta_formatted}`,
    barCompleteChar: "\u2588",
    barIncompleteChar: "\u2591",
    hideCursor: true,
    fps: 5,
    etaBuffer: 50,
    formatValue: (value, _options, type) => (type === "value" || type === "total" ? value.toLocaleString("en-US") : String(value)),
  });
  let total = options.estimatedTotal;
  bar.start(total, 0, { rate: "0" });
  const rate = (done: number) => Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)).toLocaleString("en-US");
  return {
    update(done) {
      // The estimate can be short (a spike adds events); keep the bar below 100% until the end.
      if (done >= total) {
        total = Math.ceil(done * 1.02);
        bar.setTotal(total);
      }
      bar.update(done, { rate: rate(done) });
    },
    stop(finalCount) {
      if (finalCount !== undefined) {
        bar.setTotal(Math.max(finalCount, 1));
        bar.update(finalCount, { rate: rate(finalCount) });
      }
      bar.stop();
    },
  };
}
