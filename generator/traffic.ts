// When requests arrive: a Poisson process whose rate follows a daily and a weekly cycle around a
// mean. Pure functions of time (UTC) and a seeded generator; no clock is read here.

import type { Random } from "./rng";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The busiest hour of the day (UTC); the quietest is twelve hours away. */
export const DAILY_PEAK_HOUR_UTC = 15;
/** Relative swing of the daily cycle: the afternoon peak is 1 + A, the night trough 1 - A times the day's mean. */
export const DAILY_AMPLITUDE = 0.6;
/** Saturday and Sunday carry this share of a weekday's traffic. */
export const WEEKEND_FACTOR = 0.6;
/**
 * The weekday/weekend switch is spread over this many hours around midnight, so the rate has no
 * step that a model would take for an anomaly.
 */
export const WEEKEND_RAMP_HOURS = 4;

// Normalises the weekly shape so that its mean over a whole week is exactly 1: with symmetric
// ramps the integral is the same as with steps, five weekdays at 1 and two weekend days.
const WEEKLY_MEAN = (5 + 2 * WEEKEND_FACTOR) / 7;

/** The daily cycle at this instant: a cosine with mean 1 over a day, peaking at DAILY_PEAK_HOUR_UTC. */
export function dailyFactor(timeMs: number): number {
  const hour = (((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  return 1 + DAILY_AMPLITUDE * Math.cos((2 * Math.PI * (hour - DAILY_PEAK_HOUR_UTC)) / 24);
}

/** 1 on weekdays, WEEKEND_FACTOR on Saturday and Sunday (UTC), with linear ramps across midnight. */
function weekdayShare(timeMs: number): number {
  const dayIndex = Math.floor(timeMs / DAY_MS);
  const hourOfDay = (timeMs - dayIndex * DAY_MS) / HOUR_MS;
  const share = (index: number) => {
    const weekday = (((index + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4); 0 = Sunday
    return weekday === 0 || weekday === 6 ? WEEKEND_FACTOR : 1;
  };
  const halfRamp = WEEKEND_RAMP_HOURS / 2;
  const today = share(dayIndex);
  if (hourOfDay < halfRamp) {
    const yesterday = share(dayIndex - 1);
    const progress = (hourOfDay + halfRamp) / WEEKEND_RAMP_HOURS;
    return yesterday + (today - yesterday) * progress;
  }
  if (hourOfDay > 24 - halfRamp) {
    const tomorrow = share(dayIndex + 1);
    const progress = (hourOfDay - (24 - halfRamp)) / WEEKEND_RAMP_HOURS;
    return today + (tomorrow - today) * progress;
  }
  return today;
}

/** The weekly cycle at this instant, with mean 1 over a week. */
export function weeklyFactor(timeMs: number): number {
  return weekdayShare(timeMs) / WEEKLY_MEAN;
}

/** Expected requests per second of normal traffic at this instant. */
export function baseRatePerSecond(meanRatePerSecond: number, timeMs: number): number {
  return meanRatePerSecond * dailyFactor(timeMs) * weeklyFactor(timeMs);
}

/** A stretch of time over which the arrival rate is held constant. */
export interface RateSegment {
  /** Exclusive end of the segment, in epoch milliseconds. */
  endMs: number;
  ratePerSecond: number;
}

/**
 * Arrival times of a Poisson process with a piecewise-constant rate, in increasing order.
 *
 * The caller cuts time into segments (a minute grid plus anomaly edges, in the generator) and
 * names the rate of each. Rather than drawing a count per segment and sorting, each arrival
 * consumes an exponential amount of "integrated rate": this is exact for piecewise-constant
 * rates, yields arrivals already in order and costs one logarithm per event.
 */
export class PoissonArrivals {
  private timeMs: number;
  private segment: RateSegment;
  private ratePerMs: number;
  private budget: number;

  constructor(
    private readonly random: Random,
    startMs: number,
    private readonly endMs: number,
    private readonly segmentAt: (timeMs: number) => RateSegment,
  ) {
    this.timeMs = startMs;
    this.segment = segmentAt(startMs);
    this.ratePerMs = this.segment.ratePerSecond / 1000;
    this.budget = random.exponential();
  }

  /** The next arrival in epoch milliseconds (fractional), or -1 once the range is exhausted. */
  next(): number {
    for (;;) {
      const segmentEnd = Math.min(this.segment.endMs, this.endMs);
      const capacity = this.ratePerMs * (segmentEnd - this.timeMs);
      if (this.budget < capacity) {
        this.timeMs += this.budget / this.ratePerMs;
        this.budget = this.random.exponential();
        // Rounding can land exactly on the exclusive end; that instant belongs to the next range.
        return this.timeMs < this.endMs ? this.timeMs : -1;
      }
      this.budget -= capacity;
      this.timeMs = segmentEnd;
      if (segmentEnd >= this.endMs) return -1;
      this.segment = this.segmentAt(segmentEnd);
      this.ratePerMs = this.segment.ratePerSecond / 1000;
    }
  }
}
