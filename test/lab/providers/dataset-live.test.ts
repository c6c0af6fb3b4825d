// The live dataset's pure parts (lab/providers/dataset-live.ts): the backfill's truth, and when
// refresh finds the stream's index gone. Live traffic adds documents and live windows, which must
// not read as drift.

import { expect } from "chai";
import { planFollow } from "../../../generator/follow-plan";
import { backfillTruth, followOptionsOf, liveIndexOf, whyLiveGone } from "../../../lab/providers/dataset-live";

const OPTIONS = { indexPrefix: "lab-a-access", days: 3, seed: 42, scenario: "live" };
const plan = planFollow(followOptionsOf(OPTIONS), new Date("2026-11-30T10:00:00Z"));
const truth = backfillTruth(plan.backfill.truth, 1000);
const state = { index: liveIndexOf(OPTIONS), count: 1000, truth };

describe("live dataset", () => {
  it("describes the backfill only: no live windows, no live progress, the backfill's count", () => {
    const withLive = { ...plan.backfill.truth, anomalies: [...plan.anomalies], live: { since: "x", through: "x", nextWindowStart: null, status: "running" as const, skipped: [], updatedAt: "x" } };
    const only = backfillTruth(withLive, 1000);
    expect(only.live).to.equal(undefined);
    expect(only.eventCount).to.equal(1000);
    expect(only.anomalies.every((a) => a.phase !== "live")).to.equal(true);
    expect(plan.liveWindows.length).to.be.greaterThan(0);
  });

  it("reads as present while live traffic adds documents and plants its windows", () => {
    const liveTruth = { ...plan.backfill.truth, anomalies: [...plan.anomalies], eventCount: 1500 };
    expect(whyLiveGone(state, { state: "lab", meta: { truth: liveTruth }, count: 1500 })).to.equal(undefined);
  });

  it("reads as gone when the index is missing, not the lab's, holds less than its backfill, or another backfill", () => {
    expect(whyLiveGone(state, { state: "absent" })).to.equal(`index ${state.index} does not exist`);
    expect(whyLiveGone(state, { state: "foreign" })).to.include("not the lab's");
    expect(whyLiveGone(state, { state: "lab", meta: { truth }, count: 999 })).to.include("fewer than its backfill's 1000");
    const other = planFollow(followOptionsOf(OPTIONS), new Date("2026-11-30T11:00:00Z")).backfill.truth;
    expect(whyLiveGone(state, { state: "lab", meta: { truth: other }, count: 1000 })).to.include("another backfill");
  });
});
