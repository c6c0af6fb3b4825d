// The lab's default dataset size, chosen by measurement: `npm run bench -- defaults [seeds]`.
//
// The lab's jobs need two weekly cycles of history, so the range is fixed at 14 days (the shortest
// range holding two full weeks); the free choice is the mean rate. For each candidate rate, smallest
// first, the reference detector reads what the aggregated datafeeds return (verify/reference/
// aggregated.ts, the input the lab's jobs get) for every scenario that plants windows, and for the
// clean one, over `seeds` seeds (default 20). A rate passes when every scenario keeps recall 1.0 and
// bucket precision >= 0.9, and the clean scenario raises no alarm. The first rate that passes is the
// smallest dataset that keeps the quality bar; lab/defaults.ts holds it, and docs/performance.md the
// table this prints.
//
// A rate stops at its first failing scenario (the hardest ones go first), so the sweep costs little
// below the answer. With an Elasticsearch in the environment (ELASTICSEARCH_URL, as the test harness
// exports it), the sink's throughput is measured once on a day of clean traffic and each rate's documents
// are turned into ingest seconds; without one, that column is left out.

import { generateEvents } from "../generator/events";
import { planDataset, type DatasetPlan } from "../generator/plan";
import { HISTORY_SCENARIO_NAMES, SCENARIOS } from "../generator/scenarios";
import { LAB_DEFAULT_DATASET } from "../lab/defaults";
import { deleteDataset, deleteUnusedTemplate, indexDataset } from "../generator/sinks/elasticsearch";
import { esTarget } from "../test/support/es-target";
import { endForSeed, runScenario, seedRange, type ScenarioFigures } from "../verify/reference/run";

const CANDIDATE_RATES = [0.25, 0.5, 1, 2, 3, 5];

/** `--rates 2,3` sweeps only those (to resume a long sweep, or split it across machines). */
function candidateRates(): number[] {
  const at = process.argv.indexOf("--rates");
  if (at < 0) return CANDIDATE_RATES;
  const rates = (process.argv[at + 1] ?? "").split(",").map(Number);
  if (rates.length === 0 || rates.some((rate) => !Number.isFinite(rate) || rate <= 0)) throw new Error(`--rates ${process.argv[at + 1] ?? ""} is not allowed: give positive rates separated by commas, such as 2,3`);
  return rates.sort((a, b) => a - b);
}
/** Scenarios whose evidence grows with the traffic of one entity fail first at low rates. */
const HARDEST_FIRST = ["errors", "latency", "mixed"];

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

function passes(figures: ScenarioFigures): boolean {
  const clean = SCENARIOS[figures.scenario].anomalies.length === 0;
  return figures.missed.length === 0 && (clean ? figures.alarmedBuckets === 0 : figures.precision >= 0.9);
}

/** Every scenario, hardest first; `--scenarios a,b` only those (to split one rate across processes or machines). */
function scenarioOrder(): string[] {
  const first = HARDEST_FIRST.filter((name) => HISTORY_SCENARIO_NAMES.includes(name));
  const all = [...first, ...HISTORY_SCENARIO_NAMES.filter((name) => !first.includes(name))];
  const at = process.argv.indexOf("--scenarios");
  if (at < 0) return all;
  const named = (process.argv[at + 1] ?? "").split(",").filter((name) => name !== "");
  const unknown = named.filter((name) => !all.includes(name));
  if (named.length === 0 || unknown.length > 0) throw new Error(`--scenarios ${process.argv[at + 1] ?? ""} is not allowed: give scenarios separated by commas, from ${all.join(", ")}`);
  return all.filter((name) => named.includes(name));
}

const THROUGHPUT_PREFIX = "lab-bench-defaults";

/** Documents per second through the sink (indexDataset) for a day of clean traffic at 5/s, or undefined without a server. */
async function measureSinkThroughput(): Promise<number | undefined> {
  const target = esTarget();
  if (target === undefined) return undefined;
  const connection = { url: target.url, username: target.username, password: target.password, requestTimeoutMs: 120_000 };
  const plan = planDataset({ days: 1, seed: 1, end: endForSeed(1), scenario: "none", meanRatePerSecond: 5 });
  const started = process.hrtime.bigint();
  const result = await indexDataset(plan, { connection, indexPrefix: THROUGHPUT_PREFIX });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await deleteDataset(connection, result.index);
  await deleteUnusedTemplate(connection, THROUGHPUT_PREFIX);
  return result.count / seconds;
}

function countEvents(plan: DatasetPlan): number {
  let count = 0;
  for (const _event of generateEvents(plan)) count += 1;
  return count;
}

export interface RateVerdict {
  rate: number;
  documents: number;
  passed: boolean;
  /** The scenario that failed, with what it missed; undefined when the rate passed */
  failure?: string;
  /** Lowest precision over the scenarios with windows */
  precision: number;
}

export async function main(): Promise<{ chosen: number | undefined; verdicts: RateVerdict[]; partial: boolean }> {
  const seeds = Number(process.argv.find((arg, index) => /^\d+$/.test(arg) && process.argv[index - 1] !== "--rates") ?? 20);
  const rates = candidateRates();
  const scenarios = scenarioOrder();
  const days = LAB_DEFAULT_DATASET.days;
  const throughput = await measureSinkThroughput();
  console.log(`the lab's default dataset: ${days} days of "${LAB_DEFAULT_DATASET.scenario}"; candidate rates ${rates.join(", ")}/s; seeds 1..${seeds}; scenarios ${scenarios.join(", ")}; the detector reads the aggregated datafeeds' rows`);
  if (throughput !== undefined) console.log(`sink throughput on the test Elasticsearch: ${throughput.toFixed(0)} docs/s (a day of clean traffic at 5/s)`);
  console.log(["rate".padEnd(6), "documents".padStart(11), throughput === undefined ? "" : "ingest s".padStart(9), "  verdict"].join(" "));
  const verdicts: RateVerdict[] = [];
  let chosen: number | undefined;
  for (const rate of rates) {
    const documents = countEvents(planDataset({ days, seed: 1, end: endForSeed(1), scenario: LAB_DEFAULT_DATASET.scenario, meanRatePerSecond: rate }));
    const verdict: RateVerdict = { rate, documents, passed: true, precision: 1 };
    for (const scenario of scenarios) {
      const figures = runScenario(scenario, seedRange(1, seeds), { days, meanRatePerSecond: rate }, {}, "datafeeds");
      // A rate takes tens of minutes on two cores: say how each scenario went as it ends.
      console.error(`  ${rate}/s ${scenario}: recall ${figures.windowsDetected}/${figures.windows}, precision ${pct(figures.precision)}, ${figures.alarmedBuckets} alarmed buckets, ${(figures.elapsedMs / 1000).toFixed(0)} s`);
      if (SCENARIOS[scenario].anomalies.length > 0) verdict.precision = Math.min(verdict.precision, figures.precision);
      if (!passes(figures)) {
        const missed = figures.missed.slice(0, 3).map((m) => `seed ${m.seed} ${m.id}`).join(", ");
        verdict.passed = false;
        verdict.failure = `${scenario}: recall ${figures.windowsDetected}/${figures.windows}, precision ${pct(figures.precision)}${missed === "" ? "" : ` (missed ${missed}${figures.missed.length > 3 ? ", ..." : ""})`}`;
        break;
      }
    }
    verdicts.push(verdict);
    const ingest = throughput === undefined ? "" : (documents / throughput).toFixed(0).padStart(9);
    const summary = verdict.passed ? `every scenario: recall 100%, precision >= ${pct(verdict.precision)}` : `fails on ${verdict.failure}`;
    console.log([`${rate}/s`.padEnd(6), documents.toLocaleString("en-US").padStart(11), ingest, ` ${summary}`].join(" "));
    if (verdict.passed) {
      chosen = rate;
      break;
    }
  }
  const partial = scenarios.length < HISTORY_SCENARIO_NAMES.length;
  console.log(chosen === undefined
    ? "\n    no candidate rate keeps the bar"
    : partial
      ? `\n    smallest rate passing ${scenarios.join(", ")}: ${chosen}/s (only these scenarios: a default needs every one to pass)`
      : `\n    smallest passing rate: ${chosen}/s; lab/defaults.ts has ${LAB_DEFAULT_DATASET.meanRatePerSecond}/s${chosen === LAB_DEFAULT_DATASET.meanRatePerSecond ? " (agrees)" : " (DIFFERS: update it)"}`);
  return { chosen, verdicts, partial };
}

if (require.main === module) {
  main().then(
    ({ chosen, partial }) => {
      process.exitCode = (partial ? chosen !== undefined : chosen === LAB_DEFAULT_DATASET.meanRatePerSecond) ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
