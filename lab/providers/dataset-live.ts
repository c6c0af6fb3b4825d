// The dataset in live mode (lab:live): the backfill of a follow-mode stream, written by the
// generator's prepareFollowIndex, which the traffic generator (the lab's traffic container, or
// `npm run live`) then resumes in real time. Used by dataset-logic.ts.
//
// create -> prepareFollowIndex (generator/sinks/elasticsearch-follow.ts): finds or creates the
//           stream's index, named by liveIndexNameFor(prefix, options) (no date: the same options
//           always name the same index), writes the backfill when it is missing or incomplete, and
//           returns the origin (the backfill's end, where live traffic begins). An index that did not
//           exist before a failed create is deleted before the error is rethrown.
// read   -> GET /<index>/_mapping (_meta.lab) and GET /<index>/_count: gone when the index is absent,
//           not the lab's, holds fewer documents than its backfill, or another backfill. The count
//           grows with live traffic, so the state keeps the backfill's and refresh sees no change.
//
// The outputs describe the backfill only: count, start, end (the origin), its windows and truth.
// What is planted live stays out of them, so `anomalyWindows` never gives it away.

import type { FollowOptions } from "../../generator/follow-plan";
import { liveIndexNameFor } from "../../generator/follow-plan";
import { parseAnomalySpec } from "../../generator/anomaly-spec";
import { prepareFollowIndex } from "../../generator/sinks/elasticsearch-follow";
import type { GroundTruth, InjectedAnomaly } from "../../generator/types";

/** The generator's prepareFollowIndex, or a stand-in for it in tests. */
export type PrepareFollowIndex = typeof prepareFollowIndex;
export { prepareFollowIndex };

/** The stream's options, exactly as the traffic generator gets them (lab/traffic-command.ts). */
export function followOptionsOf(inputs: StreamInputs): FollowOptions {
  return {
    days: inputs.days,
    seed: inputs.seed,
    scenario: inputs.scenario,
    ...(inputs.meanRatePerSecond === undefined ? {} : { meanRatePerSecond: inputs.meanRatePerSecond }),
    // lab:liveAnomaly replaces the live scenario's window (config checks it parses, and is relative).
    ...(inputs.liveAnomaly === undefined ? {} : { anomalies: [parseAnomalySpec(inputs.liveAnomaly, 1, [])] }),
  };
}

/** What names a stream: the dataset settings, and lab:liveAnomaly when set. */
export interface StreamInputs {
  days: number;
  seed: number;
  scenario: string;
  meanRatePerSecond?: number;
  liveAnomaly?: string;
}

/** The index the stream of these inputs writes to. */
export function liveIndexOf(inputs: StreamInputs & { indexPrefix: string }): string {
  return liveIndexNameFor(inputs.indexPrefix, followOptionsOf(inputs));
}

/** The backfill's windows: everything planted before live traffic began. */
export function backfillWindows(anomalies: readonly InjectedAnomaly[]): InjectedAnomaly[] {
  return anomalies.filter((anomaly) => anomaly.phase !== "live");
}

/** The backfill's part of a follow-mode truth: no live windows, no live progress, the backfill's count. */
export function backfillTruth(truth: GroundTruth, count: number): GroundTruth {
  const { live: _live, ...rest } = truth;
  return { ...rest, anomalies: backfillWindows(truth.anomalies), eventCount: count };
}

/** A comparable summary of a backfill: its range, seed and windows (ids and times). */
function backfillKey(truth: Pick<GroundTruth, "seed" | "start" | "end" | "anomalies">): string {
  return JSON.stringify([truth.seed, truth.start, truth.end, backfillWindows(truth.anomalies).map((a) => [a.id, a.kind, a.start, a.end])]);
}

/**
 * Why refresh no longer finds the backfill the state describes; undefined when it is there. Live
 * traffic adds documents and updates the truth's live part, so neither the count nor the whole
 * truth can be compared as they are in a plain dataset.
 */
export function whyLiveGone(
  state: { index: string; count: number; truth: GroundTruth },
  found: { state: "absent" } | { state: "foreign" } | { state: "lab"; meta: { truth: GroundTruth }; count: number },
): string | undefined {
  if (found.state === "absent") return `index ${state.index} does not exist`;
  if (found.state === "foreign") return `index ${state.index} is not the lab's (no _meta.lab)`;
  if (found.count < state.count) return `index ${state.index} holds ${found.count} documents, fewer than its backfill's ${state.count}`;
  if (backfillKey(found.meta.truth) !== backfillKey(state.truth)) return `index ${state.index} holds another backfill`;
  return undefined;
}
