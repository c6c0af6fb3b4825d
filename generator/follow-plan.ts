// Follow mode's plan: a backfill that ends where live traffic begins (the origin), and the windows
// to plant in the live part, placed from the seed relative to the origin. Like planDataset, every
// problem with the input is found here, before anything is written, and reported at once.
//
// The origin is "now" on a first run and is read back from the index on a resume, so the same
// command planted again gives the same windows at the same instants.

import { createHash } from "node:crypto";
import type { AnomalyRequest, InjectedAnomaly } from "./types";
import { UsageError } from "./errors";
import { buildPopulation } from "./population";
import { ANOMALY_SPECS, checkAnomalyRequest, resolveAnomalies } from "./anomalies";
import { planDataset, DEFAULT_DATASET, DEFAULT_MEAN_RATE_PER_SECOND, type DatasetOptions, type DatasetPlan } from "./plan";
import { DEFAULT_SCENARIO, SCENARIOS } from "./scenarios";
import { Random } from "./rng";
import { MINUTE_MS } from "./traffic";
import { checkIndexPrefix } from "./sinks/elasticsearch-index";

/** A live window starts at least this long after the origin, and at most this long. */
export const MIN_START_AFTER_MINUTES = 1;
export const MAX_START_AFTER_MINUTES = 7 * 24 * 60;

export type FollowOptions = Omit<DatasetOptions, "end">;

export interface FollowPlan {
  /** The history, ending at the origin, with the windows that fall in it (phase "backfill"). */
  readonly backfill: DatasetPlan;
  /** Where live traffic begins: the backfill's exclusive end. */
  readonly origin: Date;
  /** The windows planted in real time, sorted by start, ids `live-<kind>-<n>`, phase "live". */
  readonly liveWindows: readonly InjectedAnomaly[];
  /** Every window, backfill and live, as the event generator applies them. */
  readonly anomalies: readonly InjectedAnomaly[];
  /** What names the stream whatever its origin: the same identity resumes the same index. */
  readonly identity: string;
}

/** True when a request asks for a window after the backfill (a relative start). */
export function isLiveRequest(request: AnomalyRequest): boolean {
  return request.startAfterMinutes !== undefined;
}

/** The requests of a run: the caller's list, else the scenario's. */
function requestsOf(options: FollowOptions): readonly AnomalyRequest[] {
  if (options.anomalies !== undefined) return options.anomalies;
  const scenario = (options.scenario ?? DEFAULT_SCENARIO).toLowerCase();
  return Object.prototype.hasOwnProperty.call(SCENARIOS, scenario) ? SCENARIOS[scenario].anomalies : [];
}

/**
 * Plans follow mode from `origin`: the backfill is planDataset's (its windows must lie in the
 * history, as without --follow), the live windows start the given minutes after the origin.
 */
export function planFollow(options: FollowOptions, origin: Date): FollowPlan {
  const requests = requestsOf(options);
  const liveRequests = requests.filter(isLiveRequest);
  const problems: string[] = [];
  const population = buildPopulation(Number.isSafeInteger(options.seed) ? options.seed : 0);
  requests.forEach((request, index) => {
    if (!isLiveRequest(request)) return;
    const key = `anomalies[${index}].start`;
    const after = request.startAfterMinutes!;
    const [min, max] = typeof after === "number" ? [after, after] : after;
    const valid = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= MIN_START_AFTER_MINUTES && n <= MAX_START_AFTER_MINUTES;
    if (typeof after === "number" && typeof min === "number" && min < 0) {
      problems.push(`${key}: -${-min}m starts in the past; allowed: a start after live traffic begins, from +${MIN_START_AFTER_MINUTES}m to +${MAX_START_AFTER_MINUTES / 60}h`);
    } else if (!valid(min) || !valid(max) || min > max) {
      problems.push(`${key}: +${String(min)}m${min === max ? "" : ` to +${String(max)}m`} is not allowed; allowed: whole minutes from +${MIN_START_AFTER_MINUTES}m to +${MAX_START_AFTER_MINUTES / 60}h after live traffic begins`);
    }
    if (request.start !== undefined) problems.push(`${key}: both a time and a relative start were given; give one`);
    problems.push(...checkAnomalyRequest({ ...request, startAfterMinutes: undefined }, `anomalies[${index}]`, population));
  });
  if (!(origin instanceof Date) || Number.isNaN(origin.getTime())) problems.push(`end: ${String(origin)} is not a valid time for the start of live traffic`);

  let backfill: DatasetPlan | undefined;
  try {
    backfill = planDataset({ ...options, end: origin, anomalies: requests.filter((request) => !isLiveRequest(request)), scenario: options.scenario ?? scenarioOf(options) });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // planDataset numbers its anomalies in the backfill's list; give them back their place in the caller's.
    const backfillIndexes = requests.map((request, index) => (isLiveRequest(request) ? -1 : index)).filter((index) => index >= 0);
    problems.push(...error.problems.map((problem) => problem.replace(/^anomalies\[(\d+)\]/, (_, n: string) => `anomalies[${backfillIndexes[Number(n)]}]`)));
  }
  if (problems.length > 0) throw new UsageError(problems);

  const originMs = origin.getTime();
  const placement = new Random(backfill!.seed, "live-starts");
  const explicit = liveRequests.map((request) => {
    const after = request.startAfterMinutes!;
    const minutes = typeof after === "number" ? after : after[0] + placement.below(after[1] - after[0] + 1);
    return { ...request, startAfterMinutes: undefined, start: new Date(originMs + minutes * MINUTE_MS) };
  });
  const horizonMs = originMs + (MAX_START_AFTER_MINUTES + 8 * 24 * 60) * MINUTE_MS;
  const resolved = resolveAnomalies(explicit, { startMs: originMs - 1, endMs: horizonMs }, backfill!.seed, population, "live", "live-anomalies");
  if (resolved.length > 0 && typeof resolved[0] === "string") throw new UsageError(resolved as string[]);
  const liveWindows = Object.freeze(
    (resolved as InjectedAnomaly[]).map((anomaly) => Object.freeze({ ...anomaly, id: `live-${anomaly.id}`, phase: "live" as const, entity: anomaly.entity && Object.freeze({ ...anomaly.entity }) })),
  );
  const backfillWindows = backfill!.anomalies.map((anomaly) => ({ ...anomaly, phase: "backfill" as const }));
  const withPhases: DatasetPlan = Object.freeze({
    ...backfill!,
    anomalies: Object.freeze(backfillWindows),
    truth: { ...backfill!.truth, anomalies: backfillWindows.map((anomaly) => ({ ...anomaly, entity: anomaly.entity && { ...anomaly.entity } })) },
  });
  return Object.freeze({
    backfill: withPhases,
    origin: new Date(originMs),
    liveWindows,
    anomalies: Object.freeze([...backfillWindows, ...liveWindows]),
    identity: followIdentity(options),
  });
}

function scenarioOf(options: FollowOptions): string | undefined {
  return options.anomalies === undefined ? DEFAULT_SCENARIO : undefined;
}

/**
 * A digest of everything that shapes the stream except its origin: dataset, seed, scenario, days,
 * rate and the requests as given (relative starts stay relative). Running the same command again,
 * later, yields the same identity and so resumes the same index.
 */
export function followIdentity(options: FollowOptions): string {
  const requests = requestsOf(options).map((request) => ({
    ...request,
    start: request.start?.toISOString(),
    durationMinutes: request.durationMinutes ?? ANOMALY_SPECS[request.kind]?.defaultDurationMinutes,
  }));
  const text = JSON.stringify([
    options.dataset ?? DEFAULT_DATASET,
    options.seed,
    (options.scenario ?? (options.anomalies === undefined ? DEFAULT_SCENARIO : "custom")).toLowerCase(),
    options.days,
    options.meanRatePerSecond ?? DEFAULT_MEAN_RATE_PER_SECOND,
    requests,
  ]);
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/**
 * The index of a follow-mode stream: `<prefix>-<scenario>-live-<identity>`. It carries no date,
 * because the origin is "now" on the first run and the same command must find the index again.
 */
export function liveIndexNameFor(prefix: string, options: FollowOptions): string {
  checkIndexPrefix(prefix);
  const cleaned = (options.scenario ?? (options.anomalies === undefined ? DEFAULT_SCENARIO : "custom")).toLowerCase().replace(/[^a-z0-9_]+/g, "-").replace(/^-+|-+$/g, "");
  return `${prefix}-${cleaned === "" ? "custom" : cleaned}-live-${followIdentity(options)}`;
}

/** The first live window that starts at or after `timeMs`, or undefined. */
export function nextLiveWindow(plan: FollowPlan, timeMs: number): InjectedAnomaly | undefined {
  return plan.liveWindows.find((window) => Date.parse(window.start) >= timeMs);
}

/**
 * The deterministic id of the `n`-th event of the live minute starting at `minuteMs`. Live events
 * are generated minute by minute from their own random stream, so any minute can be generated
 * again on a resume and overwrite itself instead of duplicating.
 */
export function liveDocumentId(plan: FollowPlan, minuteMs: number, n: number): string {
  return `${plan.identity}-m${(minuteMs / MINUTE_MS).toString(36)}-${n.toString(36)}`;
}

/**
 * Where live traffic begins when it starts now: the current minute's start, so that the backfill
 * ends where a live minute begins and the truth holds tidy times.
 */
export function originAt(nowMs: number): Date {
  return new Date(Math.floor(nowMs / MINUTE_MS) * MINUTE_MS);
}
