// Runs the reference detector over generated datasets and sums up how it did: the figures the
// test suite asserts and bench/detector.ts reports.

import { generateNginxLogs } from "../../generator/error-log";
import { generateEvents } from "../../generator/events";
import { planDataset, type DatasetPlan } from "../../generator/plan";
import { summariseFromDatafeeds } from "./aggregated";
import { detect, scoreBuckets, type DetectorOptions, type DetectorResult } from "./detector";
import { evaluateAlarms, signalsFor, type WindowResult } from "./evaluate";

export interface DatasetSize {
  days: number;
  meanRatePerSecond: number;
}

export interface ScenarioFigures {
  scenario: string;
  seeds: number[];
  size: DatasetSize;
  windows: number;
  windowsDetected: number;
  /** Windows not detected, with their seed */
  missed: (WindowResult & { seed: number })[];
  /** Windows detected, with their seed and range: when each was first flagged */
  found: (WindowResult & { seed: number; start: string; end: string })[];
  /** Alarms outside every window, by signal, over all seeds */
  falseAlarmsBySignal: Record<string, number>;
  alarmedBuckets: number;
  truePositiveBuckets: number;
  /** Over all seeds together */
  precision: number;
  /** The lowest precision of any one seed */
  worstSeedPrecision: number;
  /** Alarms outside every window, over all seeds */
  falseAlarms: number;
  /** Lowest best-score of a detected window per kind: the margin above the threshold */
  weakestScoreByKind: Record<string, number>;
  events: number;
  elapsedMs: number;
}

const DAY_MS = 86_400_000;
/** A fixed base; each seed shifts the range by a day and 7 minutes, so weekdays and bucket edges vary. */
const BASE_END_MS = Date.UTC(2026, 10, 2);

export function endForSeed(seed: number): Date {
  return new Date(BASE_END_MS + seed * (DAY_MS + 7 * 60_000));
}

/**
 * What the detector reads: the raw events ("events"), or the rows the lab's aggregated datafeeds
 * return for them ("datafeeds", verify/reference/aggregated.ts).
 */
export type DetectorInput = "events" | "datafeeds";

/**
 * Runs the reference detector over a plan's data, scoring the signals its windows call for
 * (signalsFor); with the category signal it reads the error log along with the access log.
 */
export function detectPlan(plan: DatasetPlan, options: DetectorOptions = {}, input: DetectorInput = "events"): DetectorResult {
  const signals = options.signals ?? signalsFor(plan.truth);
  const readsErrorLog = signals.includes("category");
  const events = readsErrorLog ? generateNginxLogs(plan) : generateEvents(plan);
  const detectorOptions = { ...options, signals, range: options.range ?? { start: plan.start.getTime(), end: plan.end.getTime() } };
  if (input === "events") return detect(events, detectorOptions);
  const bucketMinutes = options.bucketMinutes ?? 15;
  const { buckets, eventCount } = summariseFromDatafeeds(events, bucketMinutes, undefined, readsErrorLog);
  return { alarms: scoreBuckets(buckets, detectorOptions), bucketCount: buckets.length, eventCount, bucketMs: bucketMinutes * 60_000 };
}

export function runScenario(scenario: string, seeds: number[], size: DatasetSize, options: DetectorOptions = {}, input: DetectorInput = "events"): ScenarioFigures {
  const started = Date.now();
  const figures: ScenarioFigures = {
    scenario, seeds, size, windows: 0, windowsDetected: 0, missed: [], found: [], falseAlarmsBySignal: {}, alarmedBuckets: 0, truePositiveBuckets: 0,
    precision: 1, worstSeedPrecision: 1, falseAlarms: 0, weakestScoreByKind: {}, events: 0, elapsedMs: 0,
  };
  for (const seed of seeds) {
    const plan = planDataset({ days: size.days, seed, end: endForSeed(seed), scenario, meanRatePerSecond: size.meanRatePerSecond });
    const result = detectPlan(plan, options, input);
    const evaluation = evaluateAlarms(plan.truth, result.alarms, result.bucketMs);
    figures.events += result.eventCount;
    figures.windows += evaluation.windows.length;
    for (const window of evaluation.windows) {
      if (window.detected) {
        const anomaly = plan.truth.anomalies.find((a) => a.id === window.id)!;
        figures.found.push({ ...window, seed, start: anomaly.start, end: anomaly.end });
        figures.windowsDetected += 1;
        figures.weakestScoreByKind[window.kind] = Math.min(figures.weakestScoreByKind[window.kind] ?? Infinity, window.bestScore);
      } else {
        figures.missed.push({ ...window, seed });
      }
    }
    figures.alarmedBuckets += evaluation.alarmedBuckets;
    figures.truePositiveBuckets += evaluation.truePositiveBuckets;
    figures.worstSeedPrecision = Math.min(figures.worstSeedPrecision, evaluation.precision);
    figures.falseAlarms += evaluation.falseAlarms.length;
    for (const alarm of evaluation.falseAlarms) figures.falseAlarmsBySignal[alarm.signal] = (figures.falseAlarmsBySignal[alarm.signal] ?? 0) + 1;
  }
  figures.precision = figures.alarmedBuckets === 0 ? 1 : figures.truePositiveBuckets / figures.alarmedBuckets;
  figures.elapsedMs = Date.now() - started;
  return figures;
}

export function seedRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}
