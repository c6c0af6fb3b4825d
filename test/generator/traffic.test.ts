import { expect } from "chai";
import { Random } from "../../generator/rng";
import {
  baseRatePerSecond,
  DAILY_AMPLITUDE,
  dailyFactor,
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  PoissonArrivals,
  WEEKEND_FACTOR,
  weeklyFactor,
} from "../../generator/traffic";

const MONDAY = Date.parse("2026-11-16T00:00:00Z");
const SATURDAY = Date.parse("2026-11-21T00:00:00Z");

function meanOver(startMs: number, lengthMs: number, factor: (timeMs: number) => number): number {
  let sum = 0;
  let count = 0;
  for (let timeMs = startMs; timeMs < startMs + lengthMs; timeMs += MINUTE_MS) {
    sum += factor(timeMs + MINUTE_MS / 2);
    count++;
  }
  return sum / count;
}

describe("generator/traffic", () => {
  describe("daily cycle", () => {
    it("peaks in the afternoon and is quietest at night (UTC)", () => {
      expect(dailyFactor(MONDAY + 15 * HOUR_MS)).to.be.closeTo(1 + DAILY_AMPLITUDE, 1e-9);
      expect(dailyFactor(MONDAY + 3 * HOUR_MS)).to.be.closeTo(1 - DAILY_AMPLITUDE, 1e-9);
      expect(dailyFactor(MONDAY + 14 * HOUR_MS)).to.be.above(dailyFactor(MONDAY + 2 * HOUR_MS) * 3);
    });

    it("averages to 1 over a day, so the mean rate is what the user asked for", () => {
      expect(meanOver(MONDAY, DAY_MS, dailyFactor)).to.be.closeTo(1, 1e-6);
    });
  });

  describe("weekly cycle", () => {
    it("makes weekends lighter than weekdays by WEEKEND_FACTOR", () => {
      const weekday = weeklyFactor(MONDAY + 12 * HOUR_MS);
      const weekend = weeklyFactor(SATURDAY + 12 * HOUR_MS);
      expect(weekend / weekday).to.be.closeTo(WEEKEND_FACTOR, 1e-9);
    });

    it("averages to 1 over any week", () => {
      expect(meanOver(MONDAY, 7 * DAY_MS, weeklyFactor)).to.be.closeTo(1, 1e-6);
      expect(meanOver(MONDAY + 5 * HOUR_MS, 7 * DAY_MS, weeklyFactor)).to.be.closeTo(1, 1e-6);
    });

    it("changes smoothly across midnight instead of stepping (a step would look like an anomaly)", () => {
      let largestMinuteChange = 0;
      for (let timeMs = MONDAY; timeMs < MONDAY + 7 * DAY_MS; timeMs += MINUTE_MS) {
        largestMinuteChange = Math.max(largestMinuteChange, Math.abs(weeklyFactor(timeMs + MINUTE_MS) - weeklyFactor(timeMs)));
      }
      expect(largestMinuteChange).to.be.below(0.01);
    });
  });

  it("baseRatePerSecond is the mean rate times both cycles", () => {
    const timeMs = SATURDAY + 15 * HOUR_MS;
    expect(baseRatePerSecond(5, timeMs)).to.be.closeTo(5 * dailyFactor(timeMs) * weeklyFactor(timeMs), 1e-12);
    expect(meanOver(MONDAY, 7 * DAY_MS, (time) => baseRatePerSecond(5, time))).to.be.closeTo(5, 1e-3);
  });

  describe("PoissonArrivals", () => {
    function collect(rateAt: (timeMs: number) => number, startMs: number, endMs: number, seed = 1): number[] {
      const arrivals = new PoissonArrivals(new Random(seed), startMs, endMs, (timeMs) => ({
        endMs: timeMs - (timeMs % MINUTE_MS) + MINUTE_MS,
        ratePerSecond: rateAt(timeMs),
      }));
      const times: number[] = [];
      for (let time = arrivals.next(); time >= 0; time = arrivals.next()) times.push(time);
      return times;
    }

    it("yields increasing times inside [start, end)", () => {
      const times = collect(() => 3, MONDAY, MONDAY + HOUR_MS);
      expect(times.length).to.be.above(0);
      expect(times.every((time, index) => time >= MONDAY && time < MONDAY + HOUR_MS && (index === 0 || time >= times[index - 1]))).to.equal(true);
    });

    it("produces a Poisson count (mean and variance of per-minute counts near the rate) with exponential gaps", () => {
      const rate = 4;
      const times = collect(() => rate, MONDAY, MONDAY + 10 * HOUR_MS);
      const perMinute = new Array(600).fill(0);
      for (const time of times) perMinute[Math.floor((time - MONDAY) / MINUTE_MS)]++;
      const mean = perMinute.reduce((sum, count) => sum + count, 0) / perMinute.length;
      const variance = perMinute.reduce((sum, count) => sum + (count - mean) ** 2, 0) / perMinute.length;
      expect(mean).to.be.closeTo(rate * 60, 3);
      expect(variance / mean).to.be.closeTo(1, 0.2);
      const gaps = times.slice(1).map((time, index) => time - times[index]);
      const gapMean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
      const gapSd = Math.sqrt(gaps.reduce((sum, gap) => sum + (gap - gapMean) ** 2, 0) / gaps.length);
      expect(gapSd / gapMean).to.be.closeTo(1, 0.05);
    });

    it("follows a changing rate and emits nothing while the rate is 0", () => {
      const times = collect((timeMs) => (timeMs < MONDAY + 30 * MINUTE_MS ? 10 : timeMs < MONDAY + 60 * MINUTE_MS ? 0 : 2), MONDAY, MONDAY + 90 * MINUTE_MS);
      const first = times.filter((time) => time < MONDAY + 30 * MINUTE_MS).length;
      const silent = times.filter((time) => time >= MONDAY + 30 * MINUTE_MS && time < MONDAY + 60 * MINUTE_MS).length;
      const last = times.filter((time) => time >= MONDAY + 60 * MINUTE_MS).length;
      expect(silent).to.equal(0);
      expect(first).to.be.closeTo(18_000, 5 * Math.sqrt(18_000));
      expect(last).to.be.closeTo(3_600, 5 * Math.sqrt(3_600));
    });

    it("is reproducible for a seed and differs between seeds", () => {
      const a = collect(() => 1, MONDAY, MONDAY + HOUR_MS, 5);
      expect(collect(() => 1, MONDAY, MONDAY + HOUR_MS, 5)).to.deep.equal(a);
      expect(collect(() => 1, MONDAY, MONDAY + HOUR_MS, 6)).to.not.deep.equal(a);
    });
  });
});
