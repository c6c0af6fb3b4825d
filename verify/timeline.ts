// `lab-verify timings`: the lab's `timings` stack output (lab/timings.ts) as a timeline. Each step
// gets its start as an offset from the first step's start, how long it took, and a bar placed on a
// common scale, so overlapping steps (Kibana starting while the dataset is written) show as such.
//
// A step that nothing changed keeps the timing of the `pulumi up` that made it, so one output can
// mix runs hours apart. Within one `up` each step starts seconds after what it waits for; a gap of
// more than RUN_GAP_MS between everything so far and the next start therefore begins another run,
// drawn as a timeline of its own under the time it began.

import { UsageError } from "../generator/errors";
import { table } from "./format";

export interface StepTiming {
  /** What was done: "elasticsearch", "kibana", "dataset", "datafeed <job id>", "verification" */
  step: string;
  /** ISO-8601 */
  start: string;
  /** ISO-8601 */
  end: string;
  /** The dataset: documents indexed */
  documents?: number;
  /** The dataset: documents per second while indexing */
  docsPerSecond?: number;
}

export const RUN_GAP_MS = 5 * 60_000;
export const BAR_WIDTH = 40;

/**
 * Reads `pulumi stack output timings --json`, or the whole `pulumi stack output --json` object, and
 * names every entry that is not a step (which field, which value).
 */
export function parseTimings(text: string, source: string): StepTiming[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: not JSON (${(error as Error).message}); pipe in \`pulumi stack output timings --json\``);
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "timings" in value) value = (value as { timings: unknown }).timings;
  if (!Array.isArray(value)) throw new UsageError(`${source}: expected a list of steps (pulumi stack output timings --json), got ${value === null ? "null" : typeof value}`);
  const problems: string[] = [];
  const steps: StepTiming[] = [];
  value.forEach((entry: unknown, i) => {
    const where = `${source}: step ${i + 1}`;
    if (entry === null || typeof entry !== "object") return problems.push(`${where}: expected an object with step, start and end, got ${JSON.stringify(entry)}`);
    const { step, start, end, documents, docsPerSecond } = entry as Record<string, unknown>;
    const before = problems.length;
    if (typeof step !== "string" || step === "") problems.push(`${where}: "step" must be a name, got ${JSON.stringify(step)}`);
    for (const [key, time] of [["start", start], ["end", end]] as const) {
      if (typeof time !== "string" || Number.isNaN(Date.parse(time))) problems.push(`${where}: "${key}" must be an ISO-8601 time, got ${JSON.stringify(time)}`);
    }
    if (problems.length === before && Date.parse(end as string) < Date.parse(start as string)) problems.push(`${where}: "end" ${String(end)} is before "start" ${String(start)}`);
    for (const [key, number] of [["documents", documents], ["docsPerSecond", docsPerSecond]] as const) {
      if (number !== undefined && (typeof number !== "number" || number < 0)) problems.push(`${where}: "${key}" must be a number of 0 or more, got ${JSON.stringify(number)}`);
    }
    if (problems.length === before) steps.push(entry as StepTiming);
  });
  if (problems.length > 0) throw new UsageError(problems);
  return steps;
}

/** The steps, earliest first, in runs: a new run begins after a gap of more than RUN_GAP_MS. */
export function splitRuns(steps: readonly StepTiming[]): StepTiming[][] {
  const sorted = [...steps].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const runs: StepTiming[][] = [];
  let reach = -Infinity;
  for (const step of sorted) {
    if (runs.length === 0 || Date.parse(step.start) - reach > RUN_GAP_MS) runs.push([]);
    runs[runs.length - 1].push(step);
    reach = Math.max(reach, Date.parse(step.end));
  }
  return runs;
}

/** m:ss, or h:mm:ss from an hour on. */
export function clockDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` : `${m}:${String(s).padStart(2, "0")}`;
}

function label(step: StepTiming): string {
  if (step.documents === undefined) return step.step;
  const rate = step.docsPerSecond === undefined ? "" : ` at ${step.docsPerSecond.toLocaleString("en-US")}/s`;
  return `${step.step} (${step.documents.toLocaleString("en-US")} docs${rate})`;
}

/** A bar on a line of BAR_WIDTH characters for [offset, offset + length] of `span`; at least one character. */
function bar(offsetMs: number, lengthMs: number, spanMs: number): string {
  if (spanMs <= 0) return "█";
  const from = Math.min(BAR_WIDTH - 1, Math.floor((offsetMs / spanMs) * BAR_WIDTH));
  const to = Math.max(from + 1, Math.min(BAR_WIDTH, Math.round(((offsetMs + lengthMs) / spanMs) * BAR_WIDTH)));
  return " ".repeat(from) + "█".repeat(to - from);
}

function utc(iso: string): string {
  return `${new Date(iso).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

export function formatTimeline(steps: readonly StepTiming[]): string {
  if (steps.length === 0) return "lab-verify timings: no steps (a stack made before timings were recorded, or not brought up yet)";
  const runs = splitRuns(steps);
  const out: string[] = [];
  runs.forEach((run, i) => {
    const first = Math.min(...run.map((s) => Date.parse(s.start)));
    const last = Math.max(...run.map((s) => Date.parse(s.end)));
    const span = last - first;
    const kept = runs.length > 1 && i < runs.length - 1 ? "; kept from an earlier pulumi up (nothing changed them since)" : "";
    out.push(`${i === 0 ? "" : "\n"}lab-verify timings: ${run.length} step${run.length === 1 ? "" : "s"} from ${utc(run[0].start)}, ${clockDuration(span)} from the first start to the last end${kept}`);
    out.push("");
    const rows = run.map((step) => {
      const offset = Date.parse(step.start) - first;
      const length = Date.parse(step.end) - Date.parse(step.start);
      return [label(step), `+${clockDuration(offset)}`, clockDuration(length), `|${bar(offset, length, span).padEnd(BAR_WIDTH)}|`];
    });
    out.push(table(["STEP", "START", "TOOK", "TIMELINE"], rows));
  });
  return out.join("\n");
}
