// Turns the user's options into a complete, validated plan: the time range, the resolved anomaly
// windows and the ground truth. Everything that can be wrong with the input is found here, before a
// single event is generated, and reported at once.

import type { AnomalyRequest, GroundTruth, InjectedAnomaly } from "./types";
import { UsageError } from "./errors";
import { buildPopulation } from "./population";
import { checkAnomalyRequest, resolveAnomalies } from "./anomalies";
import { DEFAULT_SCENARIO, SCENARIOS, SCENARIO_NAMES } from "./scenarios";
import { DAY_MS } from "./traffic";

/** 5 requests per second on average: about 430 000 events a day, 3.0 million over a week. */
export const DEFAULT_MEAN_RATE_PER_SECOND = 5;
export const DEFAULT_DATASET = "nginx.access";
/** Scenario name recorded when the caller passes its own anomaly list and names no scenario. */
export const CUSTOM_SCENARIO = "custom";

export const MAX_DAYS = 366;
export const MAX_MEAN_RATE_PER_SECOND = 10_000;
const DATASET_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,99}$/;

export interface DatasetOptions {
  /** Length of the range in days; > 0, fractional allowed. */
  days: number;
  /** Any safe integer; fixes every random choice. */
  seed: number;
  /** Exclusive end of the range; callers default it to "now". */
  end: Date;
  /** Named anomaly bundle, default "spike". */
  scenario?: string;
  meanRatePerSecond?: number;
  /** Value of event.dataset and data_stream.dataset, default "nginx.access" (what Elastic's nginx integration writes). */
  dataset?: string;
  /** When given, replaces the scenario's anomaly list. */
  anomalies?: AnomalyRequest[];
}

export interface DatasetPlan {
  readonly seed: number;
  readonly scenario: string;
  readonly days: number;
  readonly meanRatePerSecond: number;
  readonly dataset: string;
  /** Inclusive start, end - days. */
  readonly start: Date;
  /** Exclusive end. */
  readonly end: Date;
  /** Resolved windows, sorted by start. */
  readonly anomalies: readonly InjectedAnomaly[];
  /** Ground truth without eventCount, which is known only after generation. */
  readonly truth: GroundTruth;
}

/**
 * The range must lie between 1970 and the end of 9999. Before 1970, times are negative epoch
 * milliseconds, which the arrival process takes for its end marker (a run wrote 0 events and
 * still announced its windows); after 9999, ISO-8601 needs a six-digit year that Elasticsearch's
 * date fields do not read. No lab needs either.
 */
export const EARLIEST_START = new Date(Date.UTC(1970, 0, 1));
export const LATEST_END = new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999));

function checkRangeBounds(end: Date, days: number): string | undefined {
  const allowed = `allowed: a range inside ${EARLIEST_START.toISOString()} to ${LATEST_END.toISOString()}`;
  const startMs = end.getTime() - Math.round(days * DAY_MS);
  if (startMs < EARLIEST_START.getTime()) {
    const earliestEnd = new Date(EARLIEST_START.getTime() + Math.round(days * DAY_MS)).toISOString();
    return `end: ${end.toISOString()} with ${days} days would start the range at ${new Date(startMs).toISOString()}, before 1970; ${allowed}, so an end at or after ${earliestEnd} for ${days} days`;
  }
  if (end.getTime() > LATEST_END.getTime()) return `end: ${end.toISOString()} is after the end of year 9999; ${allowed}`;
  return undefined;
}

function show(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  return typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
}

/** Validates every option and resolves the anomalies. Throws one UsageError listing every problem. */
export function planDataset(options: DatasetOptions): DatasetPlan {
  const problems: string[] = [];
  const { days, seed, end } = options;
  const meanRatePerSecond = options.meanRatePerSecond ?? DEFAULT_MEAN_RATE_PER_SECOND;
  const dataset = options.dataset ?? DEFAULT_DATASET;
  // Scenario names are matched without regard to case ("Mixed" is mixed), and the truth records the canonical name.
  const requestedScenario = typeof options.scenario === "string" ? options.scenario.toLowerCase() : options.scenario;
  const scenarioName = requestedScenario ?? (options.anomalies !== undefined ? CUSTOM_SCENARIO : DEFAULT_SCENARIO);

  const daysValid = typeof days === "number" && Number.isFinite(days) && days > 0 && days <= MAX_DAYS;
  if (!daysValid) {
    problems.push(`days: ${show(days)} is not allowed; allowed: a number > 0 and <= ${MAX_DAYS} (fractions allowed, e.g. 0.5)`);
  }
  if (!(typeof seed === "number" && Number.isSafeInteger(seed))) {
    problems.push(`seed: ${show(seed)} is not allowed; allowed: an integer between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
  }
  if (!(end instanceof Date && !Number.isNaN(end.getTime()))) {
    problems.push(`end: ${show(end)} is not a valid time; allowed: a date-time such as 2026-11-17T00:00:00Z`);
  } else if (daysValid) {
    const rangeProblem = checkRangeBounds(end, days);
    if (rangeProblem !== undefined) problems.push(rangeProblem);
  }
  if (!(typeof meanRatePerSecond === "number" && Number.isFinite(meanRatePerSecond) && meanRatePerSecond > 0 && meanRatePerSecond <= MAX_MEAN_RATE_PER_SECOND)) {
    problems.push(`meanRatePerSecond: ${show(meanRatePerSecond)} is not allowed; allowed: a number of events per second > 0 and <= ${MAX_MEAN_RATE_PER_SECOND}`);
  }
  if (!(typeof dataset === "string" && DATASET_PATTERN.test(dataset))) {
    problems.push(`dataset: ${show(dataset)} is not allowed; allowed: 1 to 100 characters of a-z, 0-9, '_', '.', '-', starting with a letter or digit`);
  }
  const scenarioKnown = Object.prototype.hasOwnProperty.call(SCENARIOS, scenarioName);
  if (!scenarioKnown && !(scenarioName === CUSTOM_SCENARIO && options.anomalies !== undefined)) {
    problems.push(`scenario: ${show(scenarioName)} is not a known scenario; allowed: ${SCENARIO_NAMES.join(", ")}`);
  }
  if (options.anomalies !== undefined && !Array.isArray(options.anomalies)) {
    problems.push(`anomalies: ${show(options.anomalies)} is not allowed; allowed: a list of anomaly requests`);
  }
  if (problems.length > 0) throw new UsageError(problems);

  const requests: readonly AnomalyRequest[] = options.anomalies ?? SCENARIOS[scenarioName].anomalies;
  const future = requests.filter((request) => request?.startAfterMinutes !== undefined);
  if (future.length > 0) {
    throw new UsageError(
      options.anomalies === undefined
        ? `scenario: ${show(scenarioName)} plants its anomaly after the history ends, in live traffic; allowed: follow mode (lab-generate --follow, lab:live true), or another scenario`
        : requests.flatMap((request, index) => (request?.startAfterMinutes === undefined ? [] : [`anomalies[${index}].start: a start relative to live traffic needs follow mode; allowed: --follow, or an ISO-8601 start inside the range`])),
    );
  }
  const population = buildPopulation(seed);
  requests.forEach((request, index) => problems.push(...checkAnomalyRequest(request, `anomalies[${index}]`, population)));
  if (problems.length > 0) throw new UsageError(problems);

  const endMs = end.getTime();
  const startMs = endMs - Math.round(days * DAY_MS);
  const resolved = resolveAnomalies(requests, { startMs, endMs }, seed, population, String(days));
  if (resolved.length > 0 && typeof resolved[0] === "string") throw new UsageError(resolved as string[]);
  const anomalies = Object.freeze((resolved as InjectedAnomaly[]).map((anomaly) => Object.freeze({ ...anomaly, entity: anomaly.entity && Object.freeze({ ...anomaly.entity }) })));

  const truth: GroundTruth = {
    generator: "elastic-ml-lab",
    seed,
    scenario: scenarioName,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    days,
    meanRatePerSecond,
    anomalies: anomalies.map((anomaly) => ({ ...anomaly, entity: anomaly.entity && { ...anomaly.entity } })),
  };
  return Object.freeze({
    seed,
    scenario: scenarioName,
    days,
    meanRatePerSecond,
    dataset,
    start: new Date(startMs),
    end: new Date(endMs),
    anomalies,
    truth,
  });
}
