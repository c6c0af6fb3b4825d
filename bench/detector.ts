// Reference detector benchmark (issue 5). Run alone with `npx tsx bench/detector.ts [seeds]`, or as
// part of `npm run bench`. With `--datafeeds`, only (a) at the test sizes, the detector reading the
// rows the aggregated datafeeds return (verify/reference/aggregated.ts) instead of the events.
//
// (a) Quality, the figures the README quotes: for every scenario, window-level recall, bucket-level
//     precision and false alarms, over more seeds than the test suite uses (default 30), at the
//     test sizes (verify/reference/sizes.ts); then a few seeds per scenario at the lab's default
//     rate over a week, to show the figures hold at full size.
// (b) Throughput. The floor is a bare pass over the same generated events that only counts them;
//     the detector pays for generation too, so the ratio (detector time / floor time) is what the
//     detector adds on top of producing the events. Both are timed in this run, after a warm-up.

import { generateEvents } from "../generator/events";
import { DEFAULT_MEAN_RATE_PER_SECOND, planDataset } from "../generator/plan";
import { HISTORY_SCENARIO_NAMES, SCENARIOS } from "../generator/scenarios";
import { detect, DEFAULT_THRESHOLD } from "../verify/reference/detector";
import { endForSeed, runScenario, seedRange, type DatasetSize, type DetectorInput, type ScenarioFigures } from "../verify/reference/run";
import { TEST_SIZES } from "../verify/reference/sizes";

const FULL_SIZE: DatasetSize = { days: 7, meanRatePerSecond: DEFAULT_MEAN_RATE_PER_SECOND };
const FULL_SIZE_SEEDS = 3;
const THROUGHPUT_SIZE: DatasetSize = { days: 2, meanRatePerSecond: 2 };

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

function row(figures: ScenarioFigures): string {
  const recall = figures.windows === 0 ? "-" : `${figures.windowsDetected}/${figures.windows} (${pct(figures.windowsDetected / figures.windows)})`;
  const weakest = Object.entries(figures.weakestScoreByKind).map(([kind, score]) => `${kind} ${score.toFixed(1)}`).join(", ");
  return [
    figures.scenario.padEnd(10),
    `${figures.seeds.length} seeds`.padEnd(9),
    `${figures.size.days}d@${figures.size.meanRatePerSecond}/s`.padEnd(10),
    recall.padEnd(16),
    `${pct(figures.precision)} (worst seed ${pct(figures.worstSeedPrecision)})`.padEnd(30),
    String(figures.falseAlarms).padEnd(6),
    weakest === "" ? "-" : weakest,
  ].join("  ");
}

const HEADER = ["scenario".padEnd(10), "seeds".padEnd(9), "size".padEnd(10), "window recall".padEnd(16), "bucket precision".padEnd(30), "FA".padEnd(6), "weakest detected score (-log10 p)"].join("  ");

function quality(seeds: number, input: DetectorInput = "events"): { allPass: boolean } {
  let allPass = true;
  const report = (figures: ScenarioFigures) => {
    console.log(row(figures));
    const clean = SCENARIOS[figures.scenario].anomalies.length === 0;
    const pass = figures.missed.length === 0 && (clean ? figures.alarmedBuckets === 0 : figures.precision >= 0.9);
    if (!pass) {
      allPass = false;
      for (const m of figures.missed) console.log(`    missed: seed ${m.seed} ${m.id} (best ${m.bestScore.toFixed(1)})`);
    }
  };
  const reading = input === "datafeeds" ? "; reading the aggregated datafeeds' rows" : "";
  console.log(`(a) quality, threshold -log10 p >= ${DEFAULT_THRESHOLD}; test sizes, seeds 1..${seeds}${reading}`);
  console.log(HEADER);
  for (const scenario of HISTORY_SCENARIO_NAMES) report(runScenario(scenario, seedRange(1, seeds), TEST_SIZES[scenario], {}, input));
  if (input === "datafeeds") {
    console.log(allPass ? "\n    every target met: recall 1.0, precision >= 0.9, no alarm on clean traffic" : "\n    TARGET NOT MET (see above)");
    return { allPass };
  }
  console.log(`\n    the lab's default rate (${FULL_SIZE.meanRatePerSecond}/s) over ${FULL_SIZE.days} days, seeds 1..${FULL_SIZE_SEEDS}`);
  console.log(HEADER);
  for (const scenario of HISTORY_SCENARIO_NAMES) report(runScenario(scenario, seedRange(1, FULL_SIZE_SEEDS), FULL_SIZE));
  console.log(allPass ? "\n    every target met: recall 1.0, precision >= 0.9, no alarm on clean traffic" : "\n    TARGET NOT MET (see above)");
  return { allPass };
}

function throughput(): { ratio: number } {
  const plan = planDataset({ days: THROUGHPUT_SIZE.days, seed: 1, end: endForSeed(1), scenario: "mixed", meanRatePerSecond: THROUGHPUT_SIZE.meanRatePerSecond });
  const floorPass = () => {
    let count = 0;
    for (const event of generateEvents(plan)) if (event.event.duration >= 0) count += 1;
    return count;
  };
  const time = <T>(fn: () => T): { seconds: number; value: T } => {
    const started = process.hrtime.bigint();
    const value = fn();
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
  };
  floorPass();
  detect(generateEvents(plan), { range: { start: plan.start.getTime(), end: plan.end.getTime() } });
  const floors: number[] = [];
  const detectors: number[] = [];
  let events = 0;
  for (let round = 0; round < 3; round++) {
    const floor = time(floorPass);
    events = floor.value;
    floors.push(floor.seconds);
    detectors.push(time(() => detect(generateEvents(plan), { range: { start: plan.start.getTime(), end: plan.end.getTime() } })).seconds);
  }
  const best = (xs: number[]) => Math.min(...xs);
  const ratio = best(detectors) / best(floors);
  console.log(`\n(b) throughput over ${events.toLocaleString("en-US")} events (mixed, ${THROUGHPUT_SIZE.days} days at ${THROUGHPUT_SIZE.meanRatePerSecond}/s), best of 3`);
  console.log(`    floor (generate and count):   ${(events / best(floors)).toFixed(0).padStart(9)} events/s`);
  console.log(`    reference detector (2 passes): ${(events / best(detectors)).toFixed(0).padStart(9)} events/s`);
  console.log(`    ratio detector/floor: ${ratio.toFixed(2)}x`);
  return { ratio };
}

export async function main(): Promise<{ allPass: boolean; ratio: number }> {
  const seeds = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 30);
  if (process.argv.includes("--datafeeds")) return { ...quality(seeds, "datafeeds"), ratio: NaN };
  const { allPass } = quality(seeds);
  const { ratio } = throughput();
  return { allPass, ratio };
}

if (require.main === module) {
  main().then(
    ({ allPass }) => {
      process.exitCode = allPass ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
