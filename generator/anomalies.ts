// The anomaly kinds: their defaults, how a request is checked, where a window is placed, what the
// ground truth says about it, and the effect it has on traffic while it runs.

import type { AnomalyKind, AnomalyRequest, InjectedAnomaly } from "./types";
import { ANOMALY_KINDS } from "./types";
import { hashString, Random } from "./rng";
import { freshClient, shapeClient, type Population, type ShapedClient } from "./population";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./traffic";
import { NEW_ERROR_TEXT } from "./nginx";

export interface AnomalyKindSpec {
  kind: AnomalyKind;
  defaultDurationMinutes: number;
  defaultMagnitude: number;
  /** What the magnitude means for this kind, for help texts and errors. */
  magnitudeMeaning: string;
  /** The allowed magnitudes in words, e.g. "a number > 1 and <= 100". */
  magnitudeAllowed: string;
  isValidMagnitude(magnitude: number): boolean;
  /** ECS fields a target may name; empty when the kind touches the whole service. */
  targetFields: readonly string[];
}

const between = (low: number, high: number, { lowOpen = true, highOpen = false } = {}) => (value: number) =>
  Number.isFinite(value) && (lowOpen ? value > low : value >= low) && (highOpen ? value < high : value <= high);

export const ANOMALY_SPECS: Readonly<Record<AnomalyKind, AnomalyKindSpec>> = {
  spike: {
    kind: "spike",
    defaultDurationMinutes: 30,
    defaultMagnitude: 10,
    magnitudeMeaning: "factor applied to the request rate",
    magnitudeAllowed: "a number > 1 and <= 100",
    isValidMagnitude: between(1, 100),
    targetFields: [],
  },
  drop: {
    kind: "drop",
    defaultDurationMinutes: 60,
    defaultMagnitude: 0.1,
    magnitudeMeaning: "share of the normal request rate that remains",
    magnitudeAllowed: "a number >= 0 and < 1",
    isValidMagnitude: between(0, 1, { lowOpen: false, highOpen: true }),
    targetFields: [],
  },
  latency: {
    kind: "latency",
    defaultDurationMinutes: 60,
    defaultMagnitude: 5,
    magnitudeMeaning: "factor applied to response times on the target",
    magnitudeAllowed: "a number > 1 and <= 100",
    isValidMagnitude: between(1, 100),
    targetFields: ["host.name", "url.path"],
  },
  errors: {
    kind: "errors",
    defaultDurationMinutes: 30,
    defaultMagnitude: 0.5,
    magnitudeMeaning: "share of the target's requests answered with 5xx",
    magnitudeAllowed: "a number > 0 and <= 1",
    isValidMagnitude: between(0, 1),
    targetFields: ["host.name", "url.path"],
  },
  scan: {
    kind: "scan",
    defaultDurationMinutes: 30,
    defaultMagnitude: 60,
    magnitudeMeaning: "requests per minute from the scanning client",
    magnitudeAllowed: "a number >= 1 and <= 6000",
    isValidMagnitude: between(1, 6000, { lowOpen: false }),
    targetFields: ["source.ip"],
  },
  rare_agent: {
    kind: "rare_agent",
    defaultDurationMinutes: 30,
    defaultMagnitude: 10,
    magnitudeMeaning: "requests per minute sent with the new user agent",
    magnitudeAllowed: "a number > 0 and <= 6000",
    isValidMagnitude: between(0, 6000),
    targetFields: ["user_agent.original"],
  },
  new_error: {
    kind: "new_error",
    defaultDurationMinutes: 30,
    defaultMagnitude: 0.5,
    magnitudeMeaning: "share of the target's requests that fail with 502 and the new error-log line",
    magnitudeAllowed: "a number > 0 and <= 1",
    isValidMagnitude: between(0, 1),
    targetFields: ["host.name", "url.path"],
  },
  level_shift: {
    kind: "level_shift",
    // The duration is the adaptation time: the new level lasts to the end of the data.
    defaultDurationMinutes: 120,
    defaultMagnitude: 1.6,
    magnitudeMeaning: "factor applied to the request rate from the start to the end of the data",
    magnitudeAllowed: "a number > 1 and <= 10",
    isValidMagnitude: between(1, 10),
    targetFields: [],
  },
  ramp: {
    kind: "ramp",
    defaultDurationMinutes: 360,
    defaultMagnitude: 4,
    magnitudeMeaning: "factor on the target's response times at the end of the ramp (1 at its start)",
    magnitudeAllowed: "a number > 1 and <= 100",
    isValidMagnitude: between(1, 100),
    targetFields: ["url.path"],
  },
};

/** Randomly placed windows start after this share of the range, so ML has history to learn from first. */
export const HISTORY_SHARE = 0.5;
/** Randomly placed windows end at least this long before the range's end, so the return to normal is visible. */
export const TAIL_GUARD_MS = 3 * HOUR_MS;
/** Randomly placed windows keep this distance from each other (and from explicit ones). */
export const GAP_MS = 2 * HOUR_MS;
/** Latency and errors pick their URL among this many of the most requested pages and API calls. */
export const POPULAR_TARGET_COUNT = 8;

/** Longest duration accepted, whatever the range. */
const MAX_DURATION_MINUTES = 7 * 24 * 60;

export interface RangeMs {
  startMs: number;
  endMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function describeValue(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  return JSON.stringify(value) ?? String(value);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Checks one request on its own (kind, numbers, target shape); placement is checked later. Returns problems. */
export function checkAnomalyRequest(request: AnomalyRequest, key: string, population: Population): string[] {
  const problems: string[] = [];
  if (request === null || typeof request !== "object") {
    return [`${key}: ${describeValue(request)} is not an anomaly; allowed: an object with kind and optional start, durationMinutes, magnitude, target`];
  }
  const kind = request.kind;
  if (!(ANOMALY_KINDS as readonly string[]).includes(kind)) {
    return [`${key}.kind: ${describeValue(kind)} is not a known anomaly kind; allowed: ${ANOMALY_KINDS.join(", ")}`];
  }
  const spec = ANOMALY_SPECS[kind];
  if (request.start !== undefined && !(request.start instanceof Date && !Number.isNaN(request.start.getTime()))) {
    problems.push(`${key}.start: ${describeValue(request.start)} is not a valid time; allowed: a Date (ISO-8601, e.g. 2026-11-17T14:00:00Z) or nothing for a seeded start`);
  }
  const duration = request.durationMinutes;
  if (duration !== undefined && !(typeof duration === "number" && Number.isFinite(duration) && duration >= 1 && duration <= MAX_DURATION_MINUTES)) {
    problems.push(`${key}.durationMinutes: ${describeValue(duration)} is not allowed; allowed: a number of minutes >= 1 and <= ${MAX_DURATION_MINUTES} (default ${spec.defaultDurationMinutes})`);
  }
  const magnitude = request.magnitude;
  if (magnitude !== undefined && !(typeof magnitude === "number" && spec.isValidMagnitude(magnitude))) {
    problems.push(`${key}.magnitude: ${describeValue(magnitude)} is not allowed for ${kind} (${spec.magnitudeMeaning}); allowed: ${spec.magnitudeAllowed} (default ${spec.defaultMagnitude})`);
  }
  const target = request.target;
  if (target !== undefined) {
    if (spec.targetFields.length === 0) {
      problems.push(`${key}.target: ${describeValue(target)} is not allowed: ${kind} affects the whole service; allowed: no target`);
    } else if (typeof target !== "string" || target.length === 0) {
      problems.push(`${key}.target: ${describeValue(target)} is not allowed; allowed: a non-empty string naming ${spec.targetFields.join(" or ")}`);
    } else if (resolveTarget(kind, target, population) === undefined) {
      problems.push(`${key}.target: ${describeValue(target)} is not allowed for ${kind}; allowed: ${targetAllowed(kind, population)}`);
    }
  }
  return problems;
}

function targetAllowed(kind: AnomalyKind, population: Population): string {
  const examples = () => population.urls.slice(0, 5).map((url) => url.path).join(", ");
  switch (kind) {
    case "latency":
    case "errors":
    case "new_error":
      return `a host name (${population.hosts.map((host) => host.name).join(", ")}) or a URL path the site serves (e.g. ${examples()})`;
    case "ramp":
      return `a URL path the site serves (e.g. ${examples()})`;
    case "scan":
      return "an IPv4 address, e.g. 185.220.101.7";
    case "rare_agent":
      return "a user agent that normal traffic never uses, e.g. python-requests/2.32.3";
    default:
      return "no target";
  }
}

/** The entity a target string names for this kind, or undefined when it names nothing usable. */
function resolveTarget(kind: AnomalyKind, target: string, population: Population): { field: string; value: string } | undefined {
  switch (kind) {
    case "latency":
    case "errors":
    case "new_error":
      if (population.hosts.some((host) => host.name === target)) return { field: "host.name", value: target };
      if (population.urls.some((url) => url.path === target)) return { field: "url.path", value: target };
      return undefined;
    case "ramp":
      return population.urls.some((url) => url.path === target) ? { field: "url.path", value: target } : undefined;
    case "scan":
      return IPV4.test(target) ? { field: "source.ip", value: target } : undefined;
    case "rare_agent":
      return population.userAgents.includes(target) ? undefined : { field: "user_agent.original", value: target };
    default:
      return undefined;
  }
}

/** A seeded entity for kinds that have one, chosen so the anomaly is visible in its own signal. */
function drawTarget(kind: AnomalyKind, random: Random, population: Population, taken: Set<string>): { field: string; value: string } | null {
  switch (kind) {
    case "latency":
    case "errors":
    case "new_error": {
      if (random.chance(0.5)) return { field: "host.name", value: random.pick(population.hosts).name };
      const popular = population.urls.filter((url) => url.urlClass !== "asset").slice(0, POPULAR_TARGET_COUNT);
      return { field: "url.path", value: random.pick(popular).path };
    }
    case "ramp": {
      const popular = population.urls.filter((url) => url.urlClass !== "asset").slice(0, POPULAR_TARGET_COUNT);
      return { field: "url.path", value: random.pick(popular).path };
    }
    case "scan": {
      const client = freshClient(random, population);
      return { field: "source.ip", value: client.ip };
    }
    case "rare_agent": {
      const unused = population.rareUserAgents.filter((agent) => !taken.has(agent));
      const agent = random.pick(unused.length > 0 ? unused : population.rareUserAgents);
      taken.add(agent);
      return { field: "user_agent.original", value: agent };
    }
    default:
      return null;
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

export function describeAnomaly(kind: AnomalyKind, magnitude: number, durationMinutes: number, entity: { field: string; value: string } | null): string {
  const minutes = `${formatNumber(durationMinutes)} minutes`;
  const on = entity === null ? "" : entity.field === "host.name" ? `host ${entity.value}` : entity.field === "url.path" ? `URL ${entity.value}` : entity.value;
  switch (kind) {
    case "spike":
      return `Request rate multiplied by ${formatNumber(magnitude)} across the whole service for ${minutes}.`;
    case "drop":
      return `Request rate falls to ${formatNumber(magnitude * 100)}% of normal across the whole service for ${minutes}, as in a partial outage.`;
    case "latency":
      return `Response times on ${on} multiplied by ${formatNumber(magnitude)} for ${minutes}.`;
    case "errors":
      return `${formatNumber(magnitude * 100)}% of requests to ${on} answer with a 5xx status for ${minutes}.`;
    case "scan":
      return `Client ${on} probes ${formatNumber(magnitude)} distinct URLs per minute, mostly answered 404, for ${minutes}.`;
    case "rare_agent":
      return `A user agent never seen before, "${on}", sends ${formatNumber(magnitude)} requests per minute for ${minutes}.`;
    case "new_error":
      return `A new error-log category appears on ${on}: ${formatNumber(magnitude * 100)}% of its requests fail with 502 and "${NEW_ERROR_TEXT}" for ${minutes}.`;
    case "level_shift":
      return `Request rate multiplied by ${formatNumber(magnitude)} across the whole service from the start to the end of the data, a lasting change such as a launch; after ${minutes} it is the new normal.`;
    case "ramp":
      return `Response times on ${on} grow steadily from normal to ${formatNumber(magnitude)} times normal over ${minutes}, as in a leak, then return to normal.`;
  }
}

interface Window {
  request: AnomalyRequest;
  startMs: number;
  durationMs: number;
}

/** Smallest range, in days, in which `randomDurationsMs` fit under the placement rule. Rounded up to 0.01. */
export function minimumDaysFor(randomDurationsMs: readonly number[]): number {
  if (randomDurationsMs.length === 0) return 0;
  const need = randomDurationsMs.reduce((sum, duration) => sum + duration, 0) + (randomDurationsMs.length - 1) * GAP_MS;
  // Range >= need + tail guard + history share of the range, plus two minutes for aligning to whole minutes.
  const rangeMs = (need + TAIL_GUARD_MS + 2 * MINUTE_MS) / (1 - HISTORY_SHARE);
  return Math.ceil((rangeMs / DAY_MS) * 100) / 100;
}

const overlaps = (a: { startMs: number; durationMs: number }, b: { startMs: number; durationMs: number }, gapMs: number) =>
  a.startMs < b.startMs + b.durationMs + gapMs && b.startMs < a.startMs + a.durationMs + gapMs;

/**
 * Places the requests without a start: inside [start + HISTORY_SHARE of the range, end - TAIL_GUARD],
 * on whole minutes, GAP_MS apart from each other and from explicit windows. The free time is split
 * at seeded points, so every arrangement is possible and none overlaps. Returns problems instead of
 * windows when the range is too short.
 */
function placeWindows(requests: readonly AnomalyRequest[], range: RangeMs, random: Random, rangeLabel: string): Window[] | string[] {
  const durationOf = (request: AnomalyRequest) => Math.round((request.durationMinutes ?? ANOMALY_SPECS[request.kind].defaultDurationMinutes) * MINUTE_MS);
  const explicit: Window[] = requests
    .filter((request) => request.start !== undefined)
    .map((request) => ({ request, startMs: request.start!.getTime(), durationMs: durationOf(request) }));
  const floating = random.shuffled(requests.filter((request) => request.start === undefined));
  if (floating.length === 0) return explicit;

  const durations = floating.map(durationOf);
  const areaStart = Math.ceil((range.startMs + (range.endMs - range.startMs) * HISTORY_SHARE) / MINUTE_MS) * MINUTE_MS;
  const areaEnd = Math.floor((range.endMs - TAIL_GUARD_MS) / MINUTE_MS) * MINUTE_MS;
  const need = durations.reduce((sum, duration) => sum + duration, 0) + (floating.length - 1) * GAP_MS;
  const slackMinutes = Math.floor((areaEnd - areaStart - need) / MINUTE_MS);
  if (slackMinutes < 0) {
    const kinds = floating.map((request) => request.kind).join(", ");
    return [
      `days: ${rangeLabel} is too short for the anomalies placed at random (${kinds}); allowed: at least ${minimumDaysFor(durations)} days ` +
        `(they go in the second half of the range, ${TAIL_GUARD_MS / HOUR_MS} hours clear of its end and ${GAP_MS / HOUR_MS} hours apart), or give them explicit starts`,
    ];
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const offsets = floating.map(() => random.below(slackMinutes + 1) * MINUTE_MS).sort((a, b) => a - b);
    let consumed = 0;
    const placed = floating.map((request, index) => {
      const window = { request, startMs: areaStart + offsets[index] + consumed, durationMs: durations[index] };
      consumed += durations[index] + GAP_MS;
      return window;
    });
    if (placed.every((window) => explicit.every((fixed) => !overlaps(window, fixed, GAP_MS)))) return [...explicit, ...placed];
  }
  return [
    `anomalies: the explicit windows leave no room to place ${floating.map((request) => request.kind).join(", ")} at random ` +
      `${GAP_MS / HOUR_MS} hours apart from them; allowed: explicit starts for all of them, or a longer range`,
  ];
}

/**
 * Turns checked requests into the ground truth: placed windows, magnitudes and entities, sorted by
 * start, with ids `<kind>-<n>`. Throws nothing; returns problems (window outside the range, range
 * too short) for the caller to report together with its own.
 */
export function resolveAnomalies(
  requests: readonly AnomalyRequest[],
  range: RangeMs,
  seed: number,
  population: Population,
  rangeLabel: string,
  /** The random stream of placement and targets; follow mode's live windows use their own, so they draw other targets than the backfill's. */
  stream = "anomalies",
): InjectedAnomaly[] | string[] {
  const problems: string[] = [];
  requests.forEach((request, index) => {
    if (request.start === undefined) return;
    const startMs = request.start.getTime();
    const durationMinutes = request.durationMinutes ?? ANOMALY_SPECS[request.kind].defaultDurationMinutes;
    const endMs = startMs + Math.round(durationMinutes * MINUTE_MS);
    if (!(startMs > range.startMs && endMs < range.endMs)) {
      problems.push(
        `anomalies[${index}].start: ${iso(startMs)} puts the ${request.kind} window (${iso(startMs)} to ${iso(endMs)}) ` +
          `${startMs <= range.startMs || endMs >= range.endMs ? "on or outside the edge of" : "outside"} the range; ` +
          `allowed: a window strictly inside ${iso(range.startMs)} to ${iso(range.endMs)}, touching neither edge`,
      );
    }
  });
  if (problems.length > 0) return problems;

  // A ramp that cannot fit is named for its own value, rather than as a range that is too short.
  const rangeMinutes = (range.endMs - range.startMs) / MINUTE_MS;
  requests.forEach((request, index) => {
    const durationMinutes = request.durationMinutes ?? ANOMALY_SPECS[request.kind].defaultDurationMinutes;
    if (request.kind === "ramp" && durationMinutes >= rangeMinutes) {
      problems.push(
        `anomalies[${index}].durationMinutes: ${formatNumber(durationMinutes)} makes the ramp as long as the range or longer (${formatNumber(rangeMinutes)} minutes); ` +
          `allowed: a ramp shorter than the range, or a longer range`,
      );
    }
  });
  if (problems.length > 0) return problems;

  const random = new Random(seed, stream);
  const windows = placeWindows(requests, range, random.fork("placement"), rangeLabel);
  if (typeof windows[0] === "string") return windows as string[];

  const targetRandom = random.fork("targets");
  const takenAgents = new Set<string>();
  const placed = (windows as Window[])
    .map((window) => {
      const { request } = window;
      const spec = ANOMALY_SPECS[request.kind];
      const magnitude = request.magnitude ?? spec.defaultMagnitude;
      const entity =
        request.target !== undefined ? resolveTarget(request.kind, request.target, population)! : drawTarget(request.kind, targetRandom, population, takenAgents);
      return { window, magnitude, entity };
    })
    .sort((a, b) => a.window.startMs - b.window.startMs || a.window.request.kind.localeCompare(b.window.request.kind));

  const counters = new Map<AnomalyKind, number>();
  return placed.map(({ window, magnitude, entity }) => {
    const kind = window.request.kind;
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return {
      id: `${kind}-${n}`,
      kind,
      start: iso(window.startMs),
      end: iso(window.startMs + window.durationMs),
      magnitude,
      entity,
      description: describeAnomaly(kind, magnitude, window.durationMs / MINUTE_MS, entity),
    };
  });
}

/** What an anomaly does to traffic while it runs, in the form the event loop uses. */
export interface AnomalyEffect {
  kind: AnomalyKind;
  startMs: number;
  endMs: number;
  magnitude: number;
  /** spike, drop and level_shift: factor on the normal request rate; 1 for other kinds. */
  rateFactor: number;
  /** scan and rare_agent: requests per second of the extra client; 0 for other kinds. */
  extraRatePerSecond: number;
  /** latency, errors and new_error: index of the affected host, or -1. */
  hostIndex: number;
  /** latency, errors, new_error and ramp: index of the affected URL, or -1. */
  urlIndex: number;
  /** scan and rare_agent: the client that sends the extra requests. */
  client: ShapedClient | null;
  /** rare_agent: indexes of the few API URLs the script polls. */
  scriptedUrlIndexes: number[];
}

/** How many API endpoints a rare_agent script polls. Few on purpose: a script that wandered over many URLs would also look like a scan. */
export const SCRIPTED_URL_COUNT = 2;

export function compileEffects(anomalies: readonly InjectedAnomaly[], seed: number, population: Population): AnomalyEffect[] {
  return anomalies.map((anomaly) => {
    const random = new Random(seed, `effect/${anomaly.id}`);
    const effect: AnomalyEffect = {
      kind: anomaly.kind,
      startMs: Date.parse(anomaly.start),
      // A level shift lasts: its truth's end is where the new level has become normal, not where it stops.
      endMs: anomaly.kind === "level_shift" ? Infinity : Date.parse(anomaly.end),
      magnitude: anomaly.magnitude,
      rateFactor: anomaly.kind === "spike" || anomaly.kind === "drop" || anomaly.kind === "level_shift" ? anomaly.magnitude : 1,
      extraRatePerSecond: anomaly.kind === "scan" || anomaly.kind === "rare_agent" ? anomaly.magnitude / 60 : 0,
      hostIndex: -1,
      urlIndex: -1,
      client: null,
      scriptedUrlIndexes: [],
    };
    const entity = anomaly.entity;
    if (entity?.field === "host.name") effect.hostIndex = population.hosts.findIndex((host) => host.name === entity.value);
    if (entity?.field === "url.path") effect.urlIndex = population.urls.findIndex((url) => url.path === entity.value);
    if (anomaly.kind === "scan" && entity !== null) {
      // Scanners send a browser's user agent to blend in; the country follows the address, not the draw order.
      const countries = population.hostingCountries;
      effect.client = shapeClient({
        ip: entity.value,
        countryIsoCode: countries[hashString(entity.value) % countries.length],
        userAgent: random.pick(population.userAgents.slice(0, 4)),
      }, "hosting");
    }
    if (anomaly.kind === "rare_agent" && entity !== null) {
      const client = freshClient(random, population);
      effect.client = shapeClient({ ...client, userAgent: entity.value }, "hosting");
      const apiIndexes = population.urls.flatMap((url, index) => (url.urlClass === "api" ? [index] : []));
      effect.scriptedUrlIndexes = random.shuffled(apiIndexes).slice(0, SCRIPTED_URL_COUNT);
    }
    return effect;
  });
}
