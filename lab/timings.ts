// Where the time of `pulumi up` goes: each step's start and end, recorded by the dynamic provider
// that does the step (the dataset, each ML job, the verification) or waits for it (a server's
// readiness, lab/providers/server-ready-logic.ts), and exported as the `timings` stack output.
// `lab-verify timings` prints them as a timeline (verify/timeline.ts).
//
// A step's timing is an output of its resource, written when the resource is created. So a rerun
// that changes nothing changes no timing either (`pulumi preview --expect-no-changes` stays clean),
// and a resource left alone keeps the timing of the `up` that made it. Pure: the time comes from an
// injected clock (epoch milliseconds).

import type { StepTiming } from "../verify/timeline";

export type { StepTiming };

/** Epoch milliseconds; `Date.now` outside tests. */
export type NowMs = () => number;

export function stepTiming(step: string, startMs: number, endMs: number): StepTiming {
  return { step, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() };
}

/** The dataset step: from the create's start, with the rate counted over the indexing alone. */
export function datasetTiming(times: { startMs: number; indexingStartMs: number; endMs: number }, documents: number): StepTiming & { documents: number; docsPerSecond: number } {
  const indexingSeconds = (times.endMs - times.indexingStartMs) / 1000;
  return { ...stepTiming("dataset", times.startMs, times.endMs), documents, docsPerSecond: indexingSeconds > 0 ? Math.round(documents / indexingSeconds) : documents };
}

/**
 * The stack output: every step that has a timing, earliest first. A resource made before timings
 * were recorded has none, and is left out rather than exported as undefined.
 */
export function collectTimings(timings: readonly (StepTiming | undefined)[]): StepTiming[] {
  return timings.filter((timing): timing is StepTiming => timing !== undefined).sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.step.localeCompare(b.step));
}

/** How often the dataset's progress is logged: every line stays in `pulumi up`'s summary, so few of them. */
export const PROGRESS_LOG_INTERVAL_MS = 10_000;

/**
 * The dataset's progress lines: at most one per PROGRESS_LOG_INTERVAL_MS, each with the documents
 * acknowledged, the expected total (an estimate: arrivals are random) and the rate so far.
 */
export function progressLogger(what: string, expected: number, startMs: number, now: NowMs, log: (line: string) => void): (indexed: number) => void {
  let lastMs = startMs;
  return (indexed) => {
    const at = now();
    if (at - lastMs < PROGRESS_LOG_INTERVAL_MS) return;
    lastMs = at;
    log(progressLine(what, indexed, expected, at - startMs));
  };
}

/** The line a dataset step logs when it is done, beside its progress lines. */
export function indexedLine(what: string, timing: { documents: number; docsPerSecond: number }): string {
  return `lab: ${what}: ${timing.documents.toLocaleString("en-US")} documents indexed at ${timing.docsPerSecond.toLocaleString("en-US")}/s`;
}

export function progressLine(what: string, indexed: number, expected: number, elapsedMs: number): string {
  const percent = Math.min(99, Math.floor((indexed / Math.max(1, expected)) * 100));
  const rate = elapsedMs > 0 ? Math.round(indexed / (elapsedMs / 1000)) : 0;
  return `lab: ${what}: ${indexed.toLocaleString("en-US")} of about ${expected.toLocaleString("en-US")} documents (${percent}%) in ${Math.round(elapsedMs / 1000)} s, ${rate.toLocaleString("en-US")}/s`;
}
