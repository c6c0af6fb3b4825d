// Follow mode's plan and its live events: windows placed relative to where live traffic begins,
// an index name that does not depend on when the command runs, and minutes that can be generated
// again on a resume, byte for byte, with the same ids.

import { expect } from "chai";
import { UsageError } from "../../generator/errors";
import { generateLiveEvents, type LiveEvent } from "../../generator/events";
import { datasetIndexPattern } from "../../generator/sinks/elasticsearch-index";
import { followIdentity, liveIndexNameFor, nextLiveWindow, originAt, planFollow } from "../../generator/follow-plan";

const ORIGIN = new Date("2026-11-30T09:00:00Z");
const MINUTE = 60_000;

function problemsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return [...(error as UsageError).problems];
  }
  throw new Error("expected a UsageError");
}

function take(events: Generator<LiveEvent>, untilMs: number): LiveEvent[] {
  const taken: LiveEvent[] = [];
  for (const live of events) {
    if (live.timeMs >= untilMs) break;
    taken.push(live);
  }
  return taken;
}

describe("generator/follow-plan", () => {
  describe("planFollow", () => {
    it("ends the backfill at the origin and plants the live scenario's spike 10 to 20 minutes after it", () => {
      const plan = planFollow({ days: 2, seed: 7, scenario: "live" }, ORIGIN);
      expect(plan.backfill.end.toISOString()).to.equal(ORIGIN.toISOString());
      expect(plan.backfill.start.toISOString()).to.equal("2026-11-28T09:00:00.000Z");
      expect(plan.backfill.anomalies).to.deep.equal([]);
      expect(plan.liveWindows).to.have.length(1);
      const [spike] = plan.liveWindows;
      expect(spike).to.include({ id: "live-spike-1", kind: "spike", phase: "live", magnitude: 10 });
      const afterMinutes = (Date.parse(spike.start) - ORIGIN.getTime()) / MINUTE;
      expect(afterMinutes).to.be.within(10, 20).and.satisfy(Number.isInteger);
      expect(Date.parse(spike.end) - Date.parse(spike.start)).to.equal(30 * MINUTE);
    });

    it("draws the live start from the seed: the same seed gives the same minute, other seeds spread over 10 to 20", () => {
      const startOf = (seed: number) => planFollow({ days: 1, seed, scenario: "live" }, ORIGIN).liveWindows[0].start;
      expect(startOf(3)).to.equal(startOf(3));
      const minutes = new Set(Array.from({ length: 30 }, (_, seed) => (Date.parse(startOf(seed)) - ORIGIN.getTime()) / MINUTE));
      expect(minutes.size).to.be.at.least(5);
      for (const minute of minutes) expect(minute).to.be.within(10, 20);
    });

    it("places an explicit relative start exactly, keeps backfill windows in the history and marks each window's phase", () => {
      const plan = planFollow(
        { days: 3, seed: 1, anomalies: [{ kind: "errors", start: new Date("2026-11-29T03:00:00Z") }, { kind: "spike", startAfterMinutes: 15, durationMinutes: 20 }] },
        ORIGIN,
      );
      expect(plan.backfill.anomalies.map((a) => [a.id, a.phase, a.start])).to.deep.equal([["errors-1", "backfill", "2026-11-29T03:00:00.000Z"]]);
      expect(plan.backfill.truth.anomalies.map((a) => a.phase)).to.deep.equal(["backfill"]);
      expect(plan.liveWindows.map((a) => [a.id, a.phase, a.start, a.end])).to.deep.equal([["live-spike-1", "live", "2026-11-30T09:15:00.000Z", "2026-11-30T09:35:00.000Z"]]);
      expect(plan.anomalies.map((a) => a.id)).to.deep.equal(["errors-1", "live-spike-1"]);
    });

    it("refuses a relative start in the past or out of bounds, naming the anomaly's place in the caller's list", () => {
      const problems = problemsOf(() =>
        planFollow({ days: 1, seed: 1, anomalies: [{ kind: "drop", start: new Date("2026-01-01T00:00:00Z") }, { kind: "spike", startAfterMinutes: -5 }, { kind: "scan", startAfterMinutes: 0 }] }, ORIGIN),
      );
      expect(problems).to.have.length(3);
      expect(problems[0]).to.match(/^anomalies\[1\]\.start: -5m starts in the past; allowed: a start after live traffic begins, from \+1m to \+168h$/);
      expect(problems[1]).to.match(/^anomalies\[2\]\.start: \+0m is not allowed; allowed: whole minutes from \+1m/);
      expect(problems[2]).to.match(/^anomalies\[0\]\.start: 2026-01-01T00:00:00\.000Z puts the drop window .* the range; allowed: a window strictly inside/);
    });

    it("checks a live window's own settings as a backfill window's are checked", () => {
      const problems = problemsOf(() => planFollow({ days: 1, seed: 1, anomalies: [{ kind: "spike", startAfterMinutes: 10, magnitude: -1 }] }, ORIGIN));
      expect(problems.join("\n")).to.match(/anomalies\[0\]\.magnitude/);
    });
  });

  describe("the index of a stream", () => {
    it("is named without a date, so the same command finds it again later", () => {
      const name = liveIndexNameFor("lab-access", { days: 7, seed: 42, scenario: "live" });
      expect(name).to.match(/^lab-access-live-live-[0-9a-f]{8}$/);
      expect(liveIndexNameFor("lab-access", { days: 7, seed: 42, scenario: "Live" })).to.equal(name);
      expect(liveIndexNameFor("lab-access", { days: 7, seed: 43, scenario: "live" })).to.not.equal(name);
      expect(liveIndexNameFor("lab-access", { days: 6, seed: 42, scenario: "live" })).to.not.equal(name);
    });

    it("is a dataset index of its cohort's prefix only, so teardown finds it and a nested prefix does not", () => {
      const name = liveIndexNameFor("lab-a-access", { days: 1, seed: 1, scenario: "live" });
      expect(datasetIndexPattern("lab-a-access").test(name)).to.equal(true);
      expect(datasetIndexPattern("lab-a").test(name)).to.equal(false);
      expect(datasetIndexPattern("lab").test(liveIndexNameFor("lab-x-live", { days: 1, seed: 1 }))).to.equal(false);
    });

    it("takes an identity from everything but the origin", () => {
      expect(planFollow({ days: 1, seed: 5, scenario: "live" }, ORIGIN).identity).to.equal(planFollow({ days: 1, seed: 5, scenario: "live" }, new Date("2027-01-01T00:00:00Z")).identity);
      expect(followIdentity({ days: 1, seed: 5, anomalies: [{ kind: "spike", startAfterMinutes: 10 }] })).to.not.equal(followIdentity({ days: 1, seed: 5, anomalies: [{ kind: "spike", startAfterMinutes: 11 }] }));
    });

    it("starts live traffic on a whole minute", () => {
      expect(originAt(Date.parse("2026-11-30T09:14:59.999Z")).toISOString()).to.equal("2026-11-30T09:14:00.000Z");
    });
  });

  describe("generateLiveEvents", () => {
    const plan = planFollow({ days: 1, seed: 11, anomalies: [{ kind: "spike", startAfterMinutes: 10, durationMinutes: 10 }, { kind: "scan", startAfterMinutes: 30 }] }, ORIGIN);

    it("yields nothing before the origin, in time order, each with a distinct id", () => {
      const events = take(generateLiveEvents(plan, ORIGIN.getTime() - 10 * MINUTE), ORIGIN.getTime() + 5 * MINUTE);
      expect(events.length).to.be.above(100);
      expect(events[0].timeMs).to.be.at.least(ORIGIN.getTime());
      for (let i = 1; i < events.length; i++) expect(events[i].timeMs).to.be.at.least(events[i - 1].timeMs);
      expect(new Set(events.map((e) => e.id)).size).to.equal(events.length);
      for (const { event, timeMs } of events) expect(Date.parse(event["@timestamp"])).to.equal(timeMs);
    });

    it("gives a resumed minute the same events and ids as the uninterrupted stream", () => {
      const resumeAt = ORIGIN.getTime() + 12 * MINUTE + 20_000;
      const whole = take(generateLiveEvents(plan, ORIGIN.getTime()), ORIGIN.getTime() + 14 * MINUTE).filter((e) => e.timeMs >= ORIGIN.getTime() + 12 * MINUTE);
      const resumed = take(generateLiveEvents(plan, resumeAt), ORIGIN.getTime() + 14 * MINUTE);
      expect(resumed).to.deep.equal(whole);
    });

    it("plants the live spike at its time: about tenfold the minutes before it", () => {
      const [spike] = plan.liveWindows;
      const start = Date.parse(spike.start);
      const events = take(generateLiveEvents(plan, ORIGIN.getTime()), Date.parse(spike.end));
      const before = events.filter((e) => e.timeMs < start).length / ((start - ORIGIN.getTime()) / MINUTE);
      const during = events.filter((e) => e.timeMs >= start).length / ((Date.parse(spike.end) - start) / MINUTE);
      expect(during / before).to.be.within(7, 13);
    });

    it("continues a scan across minutes instead of probing the same paths again each minute", () => {
      const scan = plan.liveWindows.find((window) => window.kind === "scan")!;
      const scanner = scan.entity!.value;
      const start = Date.parse(scan.start);
      const events = take(generateLiveEvents(plan, start), start + 15 * MINUTE).filter((e) => e.event.source.ip === scanner);
      const paths = new Set(events.map((e) => e.event.url.path));
      expect(paths.size).to.be.above(0.6 * events.length);
    });

    it("names the next window still to come", () => {
      expect(nextLiveWindow(plan, ORIGIN.getTime())?.id).to.equal("live-spike-1");
      expect(nextLiveWindow(plan, ORIGIN.getTime() + 11 * MINUTE)?.id).to.equal("live-scan-1");
      expect(nextLiveWindow(plan, ORIGIN.getTime() + 31 * MINUTE)).to.equal(undefined);
    });
  });
});
