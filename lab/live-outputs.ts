// What live mode tells the instructor (lab:live): when the next live window starts, and, as a secret,
// every live window in full. Pure: computed from the dataset's options and its end (the origin, where
// live traffic began), with the generator's own follow plan, so it is exactly what the generator plants.

import { nextLiveWindow, planFollow } from "../generator/follow-plan";
import type { InjectedAnomaly } from "../generator/types";
import { followOptionsOf, type StreamInputs } from "./providers/dataset-live";

export interface LiveTruthOutput {
  /** ISO-8601: where live traffic began (the backfill's end) */
  since: string;
  /** Every window planted in real time, in full: kind, entity, times, magnitude */
  windows: InjectedAnomaly[];
}

type StreamOptions = StreamInputs;

/** Whether the stream plants anything live at all; the same for every origin (live starts are relative). */
export function hasLiveWindows(options: StreamOptions): boolean {
  return planFollow(followOptionsOf(options), new Date("2026-01-01T00:00:00Z")).liveWindows.length > 0;
}

/** The live windows of the stream that began at `origin`. */
export function liveTruthOf(options: StreamOptions, origin: string): LiveTruthOutput {
  const plan = planFollow(followOptionsOf(options), new Date(origin));
  return { since: plan.origin.toISOString(), windows: plan.liveWindows.map((window) => ({ ...window, entity: window.entity && { ...window.entity } })) };
}

/** ISO-8601 start of the first live window at or after the origin: when, never what. */
export function nextLiveAnomalyAt(options: StreamOptions, origin: string): string | undefined {
  const plan = planFollow(followOptionsOf(options), new Date(origin));
  return nextLiveWindow(plan, plan.origin.getTime())?.start;
}
