// What follow mode says while it runs: rate, lag, total and when the next window is due, never what it is.

import { expect } from "chai";
import { PassThrough } from "node:stream";
import { createFollowReporter, formatFollowStatus, RateMeter } from "../../generator/follow-progress";
import type { FollowStats } from "../../generator/follow";

const stats = (overrides: Partial<FollowStats> = {}): FollowStats => ({
  nowMs: Date.parse("2026-11-30T09:05:00Z"),
  written: 25,
  total: 12_345,
  rejected: 0,
  lagMs: 5_120,
  catchUp: false,
  nextWindowStart: "2026-11-30T09:17:30Z",
  ...overrides,
});

describe("generator/follow-progress", () => {
  it("shows events per second, the lag, the total and when the next window is due", () => {
    expect(formatFollowStatus(stats(), 5.04)).to.equal("live 5.0 ev/s · lag 5.1s · 12,345 events · next window in 12m30s");
    expect(formatFollowStatus(stats({ nextWindowStart: null, rejected: 3 }), undefined)).to.equal("live - ev/s · lag 5.1s · 12,345 events · 3 rejected · no window to come");
    expect(formatFollowStatus(stats({ catchUp: true }), undefined)).to.include("catching up");
  });

  it("measures the rate over the last minute of flushes", () => {
    const meter = new RateMeter();
    expect(meter.perSecond()).to.equal(undefined);
    for (let second = 0; second <= 120; second += 5) meter.add(second * 1000, second < 60 ? second * 5 : 300 + (second - 60) * 50);
    expect(meter.perSecond()).to.be.closeTo(50, 0.01);
  });

  it("writes a line a minute into a log, and nothing when quiet", () => {
    const log = new PassThrough();
    let text = "";
    log.on("data", (chunk) => (text += chunk));
    const reporter = createFollowReporter(log, { quiet: false });
    for (let second = 0; second < 130; second += 5) reporter.flush(stats({ nowMs: Date.parse("2026-11-30T09:05:00Z") + second * 1000 }));
    reporter.note("live window live-spike-1 begins now");
    expect(text.trimEnd().split("\n")).to.have.length(4);
    const quiet = new PassThrough();
    let silent = "";
    quiet.on("data", (chunk) => (silent += chunk));
    const muted = createFollowReporter(quiet, { quiet: true });
    muted.flush(stats());
    muted.note("anything");
    expect(silent).to.equal("");
  });
});
