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
export const DEFAULT_DATASET = "lab.access";
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
  /** Value of event.dataset, default "lab.access". */
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
  const scenarioName = options.scenario ?? (options.anomalies !== undefined ? CUSTOM_SCENARIO : DEFAULT_SCENARIO);

  if (!(typeof days === "number" && Number.isFinite(days) && days > 0 && days <= MAX_DAYS)) {
    problems.push(`days: ${show(days)} is not allowed; allowed: a number > 0 and <= ${MAX_DAYS} (fractions allowed, e.g. 0.5)`);
  }
  if (!(typeof seed === "number" && Number.isSafeInteger(seed))) {
    problems.push(`seed: ${show(seed)} is not allowed; allowed: an integer between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
  }
  if (!(end instanceof Date && !Number.isNaN(end.getTime()))) {
    problems.push(`end: ${show(end)} is not a valid time; allowed: a date-time such as 2026-11-17T00:00:00Z`);
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
