// How the reference detector's alarms compare with the ground truth: window-level recall (every
// injected window must be found by the signal its kind calls for, on its entity), bucket-level
// precision (alarmed buckets that overlap a window, over all alarmed buckets) and the false alarms.

import { NEW_ERROR_TEXT } from "../../generator/nginx";
import type { AnomalyEntity, AnomalyKind, GroundTruth, InjectedAnomaly } from "../../generator/types";
import { CLASSIC_SIGNALS, MIN_DAYS_FOR_SIGNAL, type Alarm, type Signal } from "./detector";

/** The signal that must find each kind (the ML job's detector in the reference detector's terms). */
export const SIGNAL_FOR_KIND: Readonly<Record<AnomalyKind, Signal>> = {
  spike: "count_high", drop: "count_low", latency: "latency", errors: "errors", scan: "distinct", rare_agent: "rare",
  new_error: "category", level_shift: "level", ramp: "latency",
};

/**
 * The signals to score on a dataset: the classic ones, and those its windows call for (level,
 * category). With a level shift, count_high and count_low are left out unless a spike or drop needs
 * them: their baseline is drawn from both sides of a bucket, so it sees a lasting step coming and
 * alarms before it, which ML, knowing only the past, cannot.
 */
export function signalsFor(truth: Pick<GroundTruth, "anomalies">): Signal[] {
  const wanted = new Set(truth.anomalies.map((anomaly) => SIGNAL_FOR_KIND[anomaly.kind]));
  const dropped: Signal[] = wanted.has("level") ? (["count_high", "count_low"] as const).filter((signal) => !wanted.has(signal)) : [];
  return [...new Set([...CLASSIC_SIGNALS, ...wanted])].filter((signal) => !dropped.includes(signal));
}

/** The entity an alarm must name to find a window: the window's own, or for new_error the category it brings. */
export function alarmEntityFor(anomaly: Pick<InjectedAnomaly, "kind" | "entity">): AnomalyEntity | null {
  return anomaly.kind === "new_error" ? { field: "mlcategory", value: NEW_ERROR_TEXT } : anomaly.entity;
}

export interface WindowResult {
  id: string;
  kind: AnomalyKind;
  detected: boolean;
  /** Best score of the matching signal on the window's entity, 0 when none */
  bestScore: number;
  /** First alarmed bucket of the matching signal, ISO */
  firstAlarm: string | null;
  /** Present when the dataset is shorter than the signal needs: a miss then says nothing about the anomaly. */
  history?: { neededDays: number; days: number };
}

export interface Evaluation {
  windows: WindowResult[];
  alarmedBuckets: number;
  truePositiveBuckets: number;
  /** 1 when nothing alarmed */
  precision: number;
  falseAlarms: Alarm[];
}

export function evaluateAlarms(truth: GroundTruth, alarms: readonly Alarm[], bucketMs: number): Evaluation {
  const windows = truth.anomalies.map((a) => ({ anomaly: a, start: Date.parse(a.start), end: Date.parse(a.end) }));
  const overlaps = (bucketStart: number, w: { start: number; end: number }) => bucketStart < w.end && bucketStart + bucketMs > w.start;
  const results = windows.map(({ anomaly, start, end }) => {
    const entity = alarmEntityFor(anomaly);
    const matching = alarms.filter(
      (alarm) =>
        alarm.signal === SIGNAL_FOR_KIND[anomaly.kind] &&
        overlaps(alarm.bucketStart, { start, end }) &&
        (entity === null || (alarm.entity?.field === entity.field && alarm.entity.value === entity.value)),
    );
    const first = matching.reduce<Alarm | undefined>((best, a) => (best === undefined || a.bucketStart < best.bucketStart ? a : best), undefined);
    const neededDays = MIN_DAYS_FOR_SIGNAL[SIGNAL_FOR_KIND[anomaly.kind]];
    return {
      id: anomaly.id,
      kind: anomaly.kind,
      detected: matching.length > 0,
      bestScore: matching.reduce((max, a) => Math.max(max, a.score), 0),
      firstAlarm: first === undefined ? null : new Date(first.bucketStart).toISOString(),
      ...(neededDays !== undefined && truth.days < neededDays ? { history: { neededDays, days: truth.days } } : {}),
    };
  });
  const alarmed = new Set(alarms.map((a) => a.bucketStart));
  const truePositive = [...alarmed].filter((start) => windows.some((w) => overlaps(start, w)));
  return {
    windows: results,
    alarmedBuckets: alarmed.size,
    truePositiveBuckets: truePositive.length,
    precision: alarmed.size === 0 ? 1 : truePositive.length / alarmed.size,
    falseAlarms: alarms.filter((a) => !windows.some((w) => overlaps(a.bucketStart, w))),
  };
}
