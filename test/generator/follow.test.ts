// Follow mode's loop, driven by a virtual clock into an in-memory sink: hours of live traffic in
// well under a second, with exact assertions on what was written when.

import { expect } from "chai";
import { VirtualClock } from "../../generator/clock";
import { LabError } from "../../generator/errors";
import { generateLiveEvents, type LiveEvent } from "../../generator/events";
import { planFollow, type FollowPlan } from "../../generator/follow-plan";
import { followLive, MAX_BATCH_EVENTS, StreamFailed, TransientWriteError, type FollowSink, type FollowStats, type FollowStart } from "../../generator/follow";
import { baseRatePerSecond } from "../../generator/traffic";
import type { GroundTruth } from "../../generator/types";

const ORIGIN = new Date("2026-11-30T09:00:00Z");
const MINUTE = 60_000;

class MemorySink implements FollowSink {
  readonly description = "memory";
  readonly writes: Array<{ atMs: number; events: LiveEvent[] }> = [];
  readonly truths: GroundTruth[] = [];
  failures: Array<Error> = [];
  constructor(private readonly clock: VirtualClock) {}
  async write(batch: readonly LiveEvent[]) {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.writes.push({ atMs: this.clock.now(), events: [...batch] });
    return { rejected: 0, reasons: [] };
  }
  async saveTruth(truth: GroundTruth) {
    this.truths.push(structuredClone(truth));
  }
  get events(): LiveEvent[] {
    return this.writes.flatMap((write) => write.events);
  }
}

function startOf(plan: FollowPlan): FollowStart {
  return { plan, resumeFromMs: plan.origin.getTime(), count: 1000, truth: plan.backfill.truth };
}

/** Aborts once the clock reaches `untilMs`. */
function stopAt(clock: VirtualClock, untilMs: number): AbortSignal {
  const controller = new AbortController();
  const check = () => {
    if (clock.now() >= untilMs) controller.abort();
    else setImmediate(check);
  };
  setImmediate(check);
  return controller.signal;
}

function expectedEvents(plan: FollowPlan, fromMs: number, untilMs: number): LiveEvent[] {
  const events: LiveEvent[] = [];
  for (const live of generateLiveEvents(plan, fromMs)) {
    if (live.timeMs >= untilMs) break;
    events.push(live);
  }
  return events;
}

describe("generator/follow", () => {
  const plan = planFollow({ days: 1, seed: 4, anomalies: [{ kind: "spike", startAfterMinutes: 20, durationMinutes: 30 }] }, ORIGIN);

  it("writes every interval exactly the events whose time has come, none early and none twice", async () => {
    const clock = new VirtualClock(ORIGIN.getTime() + 2_000);
    const sink = new MemorySink(clock);
    const result = await followLive(startOf(plan), sink, { clock, signal: stopAt(clock, ORIGIN.getTime() + 10 * MINUTE), flushIntervalMs: 5_000 });
    const times = sink.writes.map((write) => write.atMs);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).to.be.at.most(5_000);
    for (const write of sink.writes) for (const live of write.events) expect(live.timeMs).to.be.below(write.atMs);
    const through = Date.parse(result.truth.live!.through);
    expect(sink.events.map((e) => e.id)).to.deep.equal(expectedEvents(plan, ORIGIN.getTime(), through).map((e) => e.id));
    expect(result.total).to.equal(1000 + sink.events.length);
    expect(result.truth.eventCount).to.equal(result.total);
    expect(result.status).to.equal("stopped");
  });

  it("keeps the rate of the traffic model: two hours within 5% of the expected count", async () => {
    const clock = new VirtualClock(ORIGIN);
    const quiet = planFollow({ days: 1, seed: 9, scenario: "none" }, ORIGIN);
    const sink = new MemorySink(clock);
    await followLive(startOf(quiet), sink, { clock, signal: stopAt(clock, ORIGIN.getTime() + 120 * MINUTE) });
    let expected = 0;
    for (let t = ORIGIN.getTime(); t < ORIGIN.getTime() + 120 * MINUTE; t += MINUTE) expected += baseRatePerSecond(5, t + MINUTE / 2) * 60;
    const written = sink.events.filter((e) => e.timeMs < ORIGIN.getTime() + 120 * MINUTE).length;
    expect(written / expected).to.be.within(0.95, 1.05);
  });

  it("plants a future window at its time: the truth names it only once its traffic begins, with its phase", async () => {
    const clock = new VirtualClock(ORIGIN);
    const sink = new MemorySink(clock);
    const planted: string[] = [];
    await followLive(startOf(plan), sink, { clock, signal: stopAt(clock, ORIGIN.getTime() + 30 * MINUTE), onPlanted: (window) => planted.push(`${window.id}@${new Date(clock.now()).toISOString()}`) });
    expect(planted).to.deep.equal(["live-spike-1@2026-11-30T09:20:05.000Z"]);
    const before = sink.truths.filter((truth) => Date.parse(truth.live!.through) <= Date.parse("2026-11-30T09:20:00Z"));
    expect(before.length).to.be.above(0);
    for (const truth of before) {
      expect(truth.anomalies).to.deep.equal([]);
      expect(truth.live!.nextWindowStart).to.equal("2026-11-30T09:20:00.000Z");
    }
    const after = sink.truths.at(-1)!;
    expect(after.anomalies.map((a) => [a.id, a.phase, a.start])).to.deep.equal([["live-spike-1", "live", "2026-11-30T09:20:00.000Z"]]);
    expect(after.live!.nextWindowStart).to.equal(null);
    const inWindow = sink.events.filter((e) => e.timeMs >= Date.parse("2026-11-30T09:20:00Z"));
    const beforeWindow = sink.events.filter((e) => e.timeMs < Date.parse("2026-11-30T09:20:00Z"));
    expect(inWindow.length / 10).to.be.above((5 * beforeWindow.length) / 20);
  });

  it("saves the truth at least once a minute and once more, as stopped, at the end", async () => {
    const clock = new VirtualClock(ORIGIN);
    const sink = new MemorySink(clock);
    await followLive(startOf(plan), sink, { clock, signal: stopAt(clock, ORIGIN.getTime() + 5 * MINUTE) });
    const saved = sink.truths.map((truth) => Date.parse(truth.live!.updatedAt));
    for (let i = 1; i < saved.length; i++) expect(saved[i] - saved[i - 1]).to.be.at.most(MINUTE + 5_000);
    expect(sink.truths.at(-1)!.live!.status).to.equal("stopped");
    expect(sink.truths.slice(0, -1).every((truth) => truth.live!.status === "running")).to.equal(true);
  });

  it("rides out a short outage with backoff (1 s, 2 s, 4 s) and loses nothing", async () => {
    const clock = new VirtualClock(ORIGIN);
    const sink = new MemorySink(clock);
    sink.failures = [0, 1, 2].map(() => new TransientWriteError("POST /_bulk on http://es failed: the connection was lost"));
    const waits: number[] = [];
    const result = await followLive(startOf(plan), sink, { clock, signal: stopAt(clock, ORIGIN.getTime() + 3 * MINUTE), onRetry: (_attempt, waitMs) => waits.push(waitMs) });
    expect(waits).to.deep.equal([1_000, 2_000, 4_000]);
    expect(sink.events.map((e) => e.id)).to.deep.equal(expectedEvents(plan, ORIGIN.getTime(), Date.parse(result.truth.live!.through)).map((e) => e.id));
  });

  it("gives up after the outage timeout with a message saying how far the stream got and how to resume", async () => {
    const clock = new VirtualClock(ORIGIN);
    const sink = new MemorySink(clock);
    const realWrite = sink.write.bind(sink);
    sink.write = async (batch) => {
      if (clock.now() >= ORIGIN.getTime() + MINUTE) throw new TransientWriteError("POST /_bulk on http://es failed: connect ECONNREFUSED");
      return realWrite(batch);
    };
    let failure: unknown;
    try {
      await followLive(startOf(plan), sink, { clock, outageTimeoutMs: 30_000 });
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(StreamFailed).and.instanceOf(LabError);
    expect((failure as Error).message).to.match(
      /^gave up after 30s \(6 attempts\) of memory refusing writes: POST \/_bulk on http:\/\/es failed: connect ECONNREFUSED; events are written up to 2026-11-30T09:00:55\.000Z \(29 due by 2026-11-30T09:01:00\.000Z are not\); run the same command again to resume from there$/,
    );
    expect(sink.truths.at(-1)!.live!.status).to.equal("failed");
  });

  it("fails at once on a refusal that is not an outage", async () => {
    const clock = new VirtualClock(ORIGIN);
    const sink = new MemorySink(clock);
    sink.failures = [new LabError("POST /_bulk on http://es failed: 403 security_exception: action [indices:data/write/bulk] is unauthorized")];
    let failure: unknown;
    try {
      await followLive(startOf(plan), sink, { clock });
    } catch (error) {
      failure = error;
    }
    expect((failure as Error).message).to.match(/403 security_exception/);
    // The first write came after one flush interval, and no retry waited after it.
    expect(clock.now()).to.equal(ORIGIN.getTime() + 5_000);
  });

  it("catches up a stop within the limit, and skips (and says so) what lies beyond it", async () => {
    const clock = new VirtualClock(ORIGIN.getTime() + 5 * 60 * MINUTE);
    const sink = new MemorySink(clock);
    const result = await followLive(startOf(plan), sink, { clock, maxCatchUpMs: 60 * MINUTE, signal: stopAt(clock, clock.now() + 10_000) });
    expect(result.truth.live!.skipped).to.deep.equal([
      { start: "2026-11-30T09:00:00.000Z", end: "2026-11-30T13:00:00.000Z", reason: "stopped for longer than the catch-up limit of 1h; this stretch is not written" },
    ]);
    expect(sink.events[0].timeMs).to.be.at.least(Date.parse("2026-11-30T13:00:00Z"));
    // The window lay wholly in the skipped stretch: its traffic was never written, so the truth does not claim it.
    expect(result.truth.anomalies).to.deep.equal([]);
  });

  it("catches up a long stop in batches of at most 5 000 events, so memory does not grow with the stop", async () => {
    const clock = new VirtualClock(ORIGIN.getTime() + 3 * 60 * MINUTE);
    const sink = new MemorySink(clock);
    const result = await followLive(startOf(plan), sink, { clock, signal: stopAt(clock, clock.now() + 1) });
    expect(Math.max(...sink.writes.map((write) => write.events.length))).to.equal(MAX_BATCH_EVENTS);
    expect(sink.writes.length).to.be.above(5);
    expect(sink.events.map((e) => e.id)).to.deep.equal(expectedEvents(plan, ORIGIN.getTime(), Date.parse(result.truth.live!.through)).map((e) => e.id));
  });

  it("writes the events due since the last flush when stopped", async () => {
    const clock = new VirtualClock(ORIGIN);
    const sink = new MemorySink(clock);
    const controller = new AbortController();
    const flushes: FollowStats[] = [];
    const running = followLive(startOf(plan), sink, {
      clock,
      signal: controller.signal,
      onFlush: (stats) => {
        flushes.push(stats);
        if (flushes.length === 3) {
          clock.advance(2_500);
          controller.abort();
        }
      },
    });
    const result = await running;
    expect(flushes.at(-1)!.nowMs).to.equal(ORIGIN.getTime() + 12_500);
    expect(result.truth.live!.through).to.equal("2026-11-30T09:00:12.500Z");
    expect(sink.events.at(-1)!.timeMs).to.be.below(ORIGIN.getTime() + 12_500);
    expect(sink.events.length).to.equal(expectedEvents(plan, ORIGIN.getTime(), ORIGIN.getTime() + 12_500).length);
  });
});
