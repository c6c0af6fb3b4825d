// Which live window `lab-verify verify --live` judges, read from a follow-mode ground truth. A live
// window enters the truth only when its traffic starts, so until then the truth names only when the
// next one begins (`live.nextWindowStart`), never its kind. Pure: the caller reads the truth.

import { LabError } from "../generator/errors";
import type { GroundTruth, InjectedAnomaly, LiveTruth } from "../generator/types";

export type LiveWindowState =
  /** The window is in the truth: its traffic has started. */
  | { state: "planted"; window: InjectedAnomaly; live: LiveTruth }
  /** Not yet: the generator still follows and has a window to come at `nextWindowStart`. */
  | { state: "pending"; live: LiveTruth };

const LIVE_STATUSES: readonly LiveTruth["status"][] = ["running", "stopped", "failed"];

/** Checks the `live` part of a ground truth; parseTruth checks the rest. `source` names where it came from. */
export function checkLiveTruth(live: unknown, source: string): LiveTruth {
  const v = live as Partial<LiveTruth> | null;
  const problems: string[] = [];
  if (typeof v !== "object" || v === null) throw new LabError(`${source}.live: must be an object`);
  for (const key of ["since", "through", "updatedAt"] as const) {
    if (typeof v[key] !== "string" || Number.isNaN(Date.parse(v[key]))) problems.push(`${source}.live.${key}: ${JSON.stringify(v[key])} is not an ISO-8601 time`);
  }
  if (v.nextWindowStart !== null && (typeof v.nextWindowStart !== "string" || Number.isNaN(Date.parse(v.nextWindowStart)))) {
    problems.push(`${source}.live.nextWindowStart: ${JSON.stringify(v.nextWindowStart)} is neither an ISO-8601 time nor null`);
  }
  if (!LIVE_STATUSES.includes(v.status as LiveTruth["status"])) problems.push(`${source}.live.status: ${JSON.stringify(v.status)} is not one of ${LIVE_STATUSES.join(", ")}`);
  if (!Array.isArray(v.skipped)) problems.push(`${source}.live.skipped: must be an array`);
  if (problems.length > 0) throw new LabError(problems.join("; "));
  return v as LiveTruth;
}

/**
 * The live window to judge: the one named `windowId`, or else the first live window (the earliest
 * start). Throws a LabError when none will ever come: the index was not written in follow mode, or
 * the generator stopped, failed or ran out of windows before planting it.
 */
export function liveWindowState(truth: GroundTruth, index: string, windowId?: string): LiveWindowState {
  if (truth.live === undefined) {
    throw new LabError(`index ${index} was not written in follow mode (its ground truth has no "live" part), so it has no live window to wait for; run lab-generate in follow mode, or drop --live to verify the windows it has`);
  }
  const live = checkLiveTruth(truth.live, `${index} _meta.lab.truth`);
  const liveWindows = truth.anomalies.filter((a) => a.phase === "live").sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const window = windowId === undefined ? liveWindows[0] : liveWindows.find((a) => a.id === windowId);
  if (window !== undefined) return { state: "planted", window, live };
  if (windowId !== undefined) {
    const backfill = truth.anomalies.find((a) => a.id === windowId);
    if (backfill !== undefined) throw new LabError(`--window ${windowId}: is a backfill window, written before live traffic began; drop --live to verify it`);
  }
  const what = windowId === undefined ? "a live window" : `live window ${windowId}`;
  const planted = liveWindows.length === 0 ? "none is planted" : `planted: ${liveWindows.map((a) => a.id).join(", ")}`;
  if (live.status !== "running") {
    throw new LabError(`the generator writing ${index} ${live.status === "failed" ? "failed" : "stopped"} (live.status "${live.status}", events written through ${live.through}) before planting ${what} (${planted}); restart it in follow mode`);
  }
  if (live.nextWindowStart === null) {
    throw new LabError(`the generator writing ${index} has no window left to plant (live.nextWindowStart is null; ${planted})${windowId === undefined ? "" : `; pick one of the planted windows with --window`}`);
  }
  return { state: "pending", live };
}
