// `lab-verify expect`: the expected answer for instructors, before anyone opens Kibana. Rebuilds the
// dataset a ground truth describes (the generator is deterministic), runs the offline reference
// detector over it and says, per injected window, whether and when it stands out, and what else
// in the data does.

import { UsageError } from "../generator/errors";
import { planDataset, type DatasetPlan } from "../generator/plan";
import { SCENARIOS } from "../generator/scenarios";
import type { GroundTruth } from "../generator/types";
import { loadJobDefinitions, type LabJobDefinition } from "../ml-jobs";
import { canonicalJson } from "./canonical-json";
import { table } from "./format";
import type { Alarm } from "./reference/detector";
import { evaluateAlarms, SIGNAL_FOR_KIND, type Evaluation } from "./reference/evaluate";
import { detectPlan } from "./reference/run";

/** Per window, the library's jobs whose custom_settings.lab.detects claims its kind. */
export interface WindowCatchers {
  id: string;
  /** The lab's own jobs, tuned for the incident */
  tuned: string[];
  /** Elastic's prebuilt jobs (the nginx integration's ML module) */
  prebuilt: string[];
}

export interface ExpectReport {
  scenario: string;
  seed: number;
  /** What the table alone does not say about a ramp (how late it is found) or a level shift (when it is the new normal) */
  notes: string[];
  evaluation: Evaluation;
  alarms: Alarm[];
  eventCount: number;
  catchers: WindowCatchers[];
}

/** Which jobs of the library should catch each window of a ground truth, by the kinds each job claims. */
export function catchersOf(truth: GroundTruth, library: readonly LabJobDefinition[]): WindowCatchers[] {
  return truth.anomalies.map((anomaly) => {
    const claiming = library.filter((def) => def.detects.includes(anomaly.kind));
    return {
      id: anomaly.id,
      tuned: claiming.filter((def) => def.prebuilt === undefined).map((def) => def.name),
      prebuilt: claiming.filter((def) => def.prebuilt !== undefined).map((def) => def.name),
    };
  });
}

/** The plan that produced this ground truth; throws a UsageError when the truth cannot be rebuilt exactly. */
export function planFromTruth(truth: GroundTruth, source: string): DatasetPlan {
  const anomalies = truth.anomalies.map((a) => ({
    kind: a.kind,
    start: new Date(a.start),
    durationMinutes: (Date.parse(a.end) - Date.parse(a.start)) / 60_000,
    magnitude: a.magnitude,
    ...(a.entity === null ? {} : { target: a.entity.value }),
  }));
  const named = SCENARIOS[truth.scenario] !== undefined;
  const plan = planDataset({
    days: truth.days,
    seed: truth.seed,
    end: new Date(truth.end),
    meanRatePerSecond: truth.meanRatePerSecond,
    ...(named ? { scenario: truth.scenario } : {}),
    anomalies,
  });
  // By value: a truth read back from Elasticsearch, or passed through `jq -S`, has its keys in another order.
  const same = (a: GroundTruth, b: GroundTruth) => canonicalJson(a.anomalies) === canonicalJson(b.anomalies) && a.start === b.start && a.end === b.end;
  if (!same(plan.truth, truth)) throw new UsageError(`${source}: the generator does not rebuild this ground truth exactly (another generator version?); cannot give the expected answer`);
  return plan;
}

export function expectFromTruth(truth: GroundTruth, source: string, library: readonly LabJobDefinition[] = loadJobDefinitions()): ExpectReport {
  const plan = planFromTruth(truth, source);
  const result = detectPlan(plan);
  const evaluation = evaluateAlarms(truth, result.alarms, result.bucketMs);
  return {
    scenario: truth.scenario,
    seed: truth.seed,
    notes: kindNotes(truth, evaluation, result.alarms),
    evaluation,
    alarms: result.alarms,
    eventCount: result.eventCount,
    catchers: catchersOf(truth, library),
  };
}

const minutesBetween = (fromIso: string, toIso: string) => Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000);

/**
 * What the table alone does not say about the new kinds: how late a ramp is found (and how slow
 * its URL is by then), and when a level shift is the new normal.
 */
function kindNotes(truth: GroundTruth, evaluation: Evaluation, alarms: readonly Alarm[]): string[] {
  const notes: string[] = [];
  for (const w of evaluation.windows) {
    const anomaly = truth.anomalies.find((a) => a.id === w.id)!;
    if (anomaly.kind === "ramp") {
      if (w.firstAlarm === null) {
        notes.push(`${w.id}: the ramp on ${anomaly.entity?.value} never stands out in its ${minutesBetween(anomaly.start, anomaly.end)} minutes`);
        continue;
      }
      // The bucket's middle: the ramp's factor there is what the first alarmed bucket saw.
      const middle = Date.parse(w.firstAlarm) + 7.5 * 60_000;
      const progress = Math.min(1, Math.max(0, (middle - Date.parse(anomaly.start)) / (Date.parse(anomaly.end) - Date.parse(anomaly.start))));
      const factor = 1 + (anomaly.magnitude - 1) * progress;
      const late = Math.max(0, minutesBetween(anomaly.start, w.firstAlarm));
      notes.push(`${w.id}: the ramp on ${anomaly.entity?.value} begins at ${short(anomaly.start)}; it is first flagged ${late} minutes later, when responses are about ${factor.toFixed(1)} times slower`);
    }
    if (anomaly.kind === "level_shift") {
      const after = alarms.filter((a) => a.signal === "level" && a.bucketStart >= Date.parse(anomaly.end));
      notes.push(
        `${w.id}: the new level starts at ${short(anomaly.start)} and lasts; from ${short(anomaly.end)} it is the new normal` +
          (after.length === 0 ? ", and nothing alarms on it after that" : `, yet ${after.length} later bucket${after.length === 1 ? "" : "s"} still alarm`),
      );
    }
  }
  return notes;
}

const namesOrDash = (names: readonly string[]) => (names.length > 0 ? names.join(", ") : "-");
const short = (iso: string) => iso.replace("T", " ").replace(/:\d\d\.\d+Z$/, "");

export function formatExpectReport(report: ExpectReport): string {
  const out: string[] = [];
  out.push(`lab-verify expect: scenario "${report.scenario}", seed ${report.seed}, ${report.eventCount.toLocaleString("en-US")} events, reference detector (no Elasticsearch)`);
  out.push("");
  if (report.evaluation.windows.length === 0) out.push("  no injected anomaly: every alarm below is a false alarm");
  else {
    out.push(
      table(
        ["ANOMALY", "SIGNAL", "STANDS OUT", "FIRST BUCKET (UTC)", "BEST -log10 p"],
        report.evaluation.windows.map((w) => [
          w.id,
          SIGNAL_FOR_KIND[w.kind],
          w.detected ? "yes" : w.history !== undefined ? "CANNOT TELL" : "NO",
          w.firstAlarm === null ? "-" : short(w.firstAlarm),
          !w.detected && w.history !== undefined ? "-" : w.bestScore.toFixed(1),
        ]),
      ),
    );
    // A miss on too short a range says nothing about the anomaly: say what the detector lacked.
    for (const w of report.evaluation.windows) {
      if (w.detected || w.history === undefined) continue;
      out.push(
        `  note: ${w.id}: ${SIGNAL_FOR_KIND[w.kind]} compares each 15 minutes with the same time on other days, so the detector needs ${w.history.neededDays} days of history; this dataset has ${w.history.days} day${w.history.days === 1 ? "" : "s"} (generate it with --days ${w.history.neededDays} or more)`,
      );
    }
  }
  for (const note of report.notes) out.push(`  note: ${note}`);
  if (report.catchers.length > 0) {
    out.push("");
    out.push("Jobs that should catch each window (their custom_settings.lab.detects; lab-verify verify checks them):");
    out.push(table(["ANOMALY", "LAB'S TUNED JOBS", "ELASTIC'S PREBUILT JOBS"], report.catchers.map((c) => [c.id, namesOrDash(c.tuned), namesOrDash(c.prebuilt)])));
  }
  const others = report.evaluation.falseAlarms;
  out.push("");
  out.push(`Alarmed buckets: ${report.evaluation.alarmedBuckets}, inside a window: ${report.evaluation.truePositiveBuckets} (precision ${(report.evaluation.precision * 100).toFixed(1)}%)`);
  if (others.length > 0) {
    out.push("Alarms outside every window:");
    out.push(table(["BUCKET (UTC)", "SIGNAL", "ENTITY", "-log10 p"], others.map((a) => [short(new Date(a.bucketStart).toISOString()), a.signal, a.entity === null ? "-" : `${a.entity.field}=${a.entity.value}`, a.score.toFixed(1)])));
  }
  return out.join("\n");
}
