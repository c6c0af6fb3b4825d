// Shared by the --live tests: a follow-mode ground truth at a given moment of the generator's run,
// and a clock whose sleep only moves its own time, so hours of waiting take no time at all.

import type { GroundTruth, InjectedAnomaly, LiveTruth } from "../../generator/types";
import type { Clock } from "../../generator/clock";

export const MIN = 60_000;
/** Where live traffic begins in these tests */
export const SINCE = Date.parse("2026-11-20T09:00:00.000Z");
export const iso = (ms: number) => new Date(ms).toISOString();
export const at = (minutes: number) => SINCE + minutes * MIN;

/** A live spike from +60m to +90m */
export const LIVE_SPIKE: InjectedAnomaly = {
  id: "spike-2", kind: "spike", start: iso(at(60)), end: iso(at(90)), magnitude: 4, entity: null,
  description: "Request rate four times normal for 30 minutes", phase: "live",
};

/** A window of the backfill, a day before live traffic */
export const BACKFILL_SCAN: InjectedAnomaly = {
  id: "scan-1", kind: "scan", start: iso(at(-1440)), end: iso(at(-1410)), magnitude: 40,
  entity: { field: "source.ip", value: "203.0.113.7" }, description: "One client requests 40 distinct URLs a minute", phase: "backfill",
};

/** The truth as the generator writes it: a backfill of three days, then live traffic written up to `through`. */
export function followTruth(live: Partial<LiveTruth> & { through: string }, anomalies: InjectedAnomaly[] = [BACKFILL_SCAN]): GroundTruth {
  return {
    generator: "elastic-ml-lab", seed: 42, scenario: "mixed", start: iso(at(-3 * 1440)), end: iso(SINCE), days: 3, meanRatePerSecond: 2,
    anomalies,
    live: { since: iso(SINCE), nextWindowStart: null, status: "running", skipped: [], updatedAt: live.through, ...live },
  };
}

/**
 * The truth at `now`: the spike enters it when its traffic starts; before that it names only when
 * it will start. `through` lags `now` by two minutes, as a generator's _meta update may.
 */
export function truthAt(now: number, window: InjectedAnomaly = LIVE_SPIKE): GroundTruth {
  const through = iso(Math.max(SINCE, now - 2 * MIN));
  return now < Date.parse(window.start)
    ? followTruth({ through, nextWindowStart: window.start })
    : followTruth({ through, nextWindowStart: null }, [BACKFILL_SCAN, window]);
}

export class FakeClock implements Clock {
  readonly slept: number[] = [];
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.ms += ms;
  }
}
