// Dataset sizes for the reference detector's quality figures. The test suite uses the small ones
// (fast on two cores); bench/detector.ts uses the lab's default size as well.
//
// Why these: anomalies are placed in the second half of the range, so a range of two days or more
// leaves at least a day of history. Count kinds (spike, drop) and entity kinds with a fixed rate
// (scan, rare_agent: requests per minute, whatever the mean rate) stand out at a low mean rate;
// latency and errors change one host or URL only, so their evidence per bucket grows with that
// entity's traffic, and they need a higher mean rate: an error burst on a quiet URL at night is
// only a few 5xx per bucket at 1/s. The seasonal count baseline needs three values per time-of-day
// slot (a median of two is an anomaly's mean), so scenarios with spikes or drops get three days;
// latency and errors alone need no seasonal baseline (their baselines are per entity, over the
// whole range) and get a short, busier range. Mixed holds an errors
// window and a spike, so it gets both. new_error's category is new, so half a day of error log is
// baseline enough; a ramp needs its six hours in the second half of the range, so a day; a level
// shift is judged against yesterday, with a spread learned from the range, and needs three days at
// 1/s (at 0.5/s a step at night is within the noise).

import type { DatasetSize } from "./run";

export const TEST_SIZES: Readonly<Record<string, DatasetSize>> = {
  spike: { days: 3, meanRatePerSecond: 0.5 },
  drop: { days: 3, meanRatePerSecond: 0.5 },
  scan: { days: 3, meanRatePerSecond: 0.5 },
  rare_agent: { days: 3, meanRatePerSecond: 0.5 },
  latency: { days: 1.5, meanRatePerSecond: 1 },
  errors: { days: 1, meanRatePerSecond: 3 },
  mixed: { days: 3, meanRatePerSecond: 3 },
  none: { days: 3, meanRatePerSecond: 1 },
  new_error: { days: 0.5, meanRatePerSecond: 1 },
  level_shift: { days: 3, meanRatePerSecond: 1 },
  ramp: { days: 1, meanRatePerSecond: 1 },
};

export const TEST_SEEDS = 20;
