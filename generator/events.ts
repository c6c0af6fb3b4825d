// Streams the events of a plan in time order. Memory stays flat whatever the number of days: the
// only state is the population tables (built once per seed), the anomaly effects and a few numbers.
//
// Speed matters because sinks serialise every event: generating one must cost less than
// JSON.stringify of it. Hence the alias tables for every weighted draw, the per-minute cache of the
// timestamp prefix, and a rate that is recomputed once per segment (a minute, or less at an anomaly
// edge) rather than per event.

import type { AccessLogEvent } from "./types";
import type { DatasetPlan } from "./plan";
import { liveDocumentId, type FollowPlan } from "./follow-plan";
import { hashString, Random, WeightedChoice } from "./rng";
import { buildPopulation, BYTES_SIGMA, DURATION_SIGMA, ERROR_STATUS_MIX, HEAD_SHARE, STATUS_MIX, type Population } from "./population";
import { compileEffects, type AnomalyEffect } from "./anomalies";
import { baseRatePerSecond, MINUTE_MS, PoissonArrivals, type RateSegment } from "./traffic";

// Module imports compile to property getters under the TypeScript loader; the hot loop reads these
// local copies instead (measured: the getters alone cost about 5% of generation).
const durationSigma = DURATION_SIGMA;
const bytesSigma = BYTES_SIGMA;
const headShare = HEAD_SHARE;
const minuteMs = MINUTE_MS;

/** Share of a scanner's requests that go to real pages rather than probe paths. */
const SCAN_REAL_URL_SHARE = 0.08;
const SCAN_PROBE_STATUS_MIX: ReadonlyArray<readonly [number, number]> = [[404, 92], [403, 5], [400, 2], [301, 1]];

class StatusTable {
  private readonly choice: WeightedChoice;
  private readonly statuses: Int32Array;
  constructor(mix: ReadonlyArray<readonly [number, number]>) {
    this.choice = new WeightedChoice(mix.map(([, weight]) => weight));
    this.statuses = Int32Array.from(mix.map(([status]) => status));
  }
  pick(random: Random): number {
    return this.statuses[this.choice.pick(random)];
  }
}

/** ISO-8601 with milliseconds, rebuilding the "YYYY-MM-DDTHH:MM:" prefix only when the minute changes. */
class TimestampFormatter {
  private minuteStartMs = Number.NaN;
  private prefix = "";
  private static readonly seconds = Array.from({ length: 60 }, (_, value) => String(value).padStart(2, "0"));
  private static readonly millis = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, "0"));

  format(timeMs: number): string {
    const minuteStartMs = timeMs - (((timeMs % minuteMs) + minuteMs) % minuteMs);
    if (minuteStartMs !== this.minuteStartMs) {
      this.minuteStartMs = minuteStartMs;
      this.prefix = new Date(minuteStartMs).toISOString().slice(0, 17);
    }
    const withinMinute = timeMs - minuteStartMs;
    const second = Math.floor(withinMinute / 1000);
    return `${this.prefix}${TimestampFormatter.seconds[second]}.${TimestampFormatter.millis[withinMinute - second * 1000]}Z`;
  }
}

/** Body size of an answer: the URL's size for success, a small fixed-ish page for the rest. */
function bodyBytes(random: Random, status: number, method: string, medianBytes: number): number {
  if (method === "HEAD" || status === 304 || status === 204) return 0;
  if (status < 300) return Math.round(medianBytes * Math.exp(bytesSigma * random.normal()));
  if (status < 400) return 150 + random.below(120);
  if (status < 500) return 420 + random.below(260);
  return 280 + random.below(180);
}

function makeEvent(
  timestamp: string,
  dataset: string,
  durationNs: number,
  method: string,
  status: number,
  bytes: number,
  path: string,
  ip: string,
  country: string,
  agent: string,
  host: string,
): AccessLogEvent {
  return {
    "@timestamp": timestamp,
    event: { dataset, duration: durationNs },
    http: { request: { method }, response: { status_code: status, body: { bytes } } },
    url: { path },
    source: { ip, geo: { country_iso_code: country } },
    user_agent: { original: agent },
    host: { name: host },
  };
}

const toNanoseconds = (milliseconds: number) => Math.round(milliseconds * 1e6);

/** What every stretch of one stream shares: the population, the anomaly effects and the lookup tables. */
interface EventContext {
  seed: number;
  dataset: string;
  meanRate: number;
  population: Population;
  effects: AnomalyEffect[];
  edges: number[];
}

function eventContext(seed: number, dataset: string, meanRate: number, anomalies: DatasetPlan["anomalies"]): EventContext {
  const population = buildPopulation(seed);
  const effects = compileEffects(anomalies, seed, population);
  const edges = [...new Set(effects.flatMap((effect) => [effect.startMs, effect.endMs]))].sort((a, b) => a - b);
  return { seed, dataset, meanRate, population, effects, edges };
}

/** The events of the plan, in time order. Same plan, same events, byte for byte. */
export function generateEvents(plan: DatasetPlan): Generator<AccessLogEvent> {
  // Returns the generator rather than delegating with yield*, which would cost a step per event.
  return eventsBetween(eventContext(plan.seed, plan.dataset, plan.meanRatePerSecond, plan.anomalies), plan.start.getTime(), plan.end.getTime(), new Random(plan.seed, "events"));
}

/** One live event, with its deterministic id and its time. */
export interface LiveEvent {
  event: AccessLogEvent;
  id: string;
  timeMs: number;
}

/**
 * Follow mode's events from the minute holding `fromMs` on, without end. Each minute has a random
 * stream of its own (seed and minute), so a resume can generate any minute again and get the same
 * events with the same ids. Anomalies of both phases apply; times before the plan's origin are
 * the backfill's and are never yielded.
 */
export function* generateLiveEvents(plan: FollowPlan, fromMs: number): Generator<LiveEvent> {
  const { backfill } = plan;
  const context = eventContext(backfill.seed, backfill.dataset, backfill.meanRatePerSecond, plan.anomalies);
  const originMs = plan.origin.getTime();
  let minuteStart = Math.floor(Math.max(fromMs, originMs) / minuteMs) * minuteMs;
  for (;;) {
    let n = 0;
    const random = new Random(backfill.seed, `live/${minuteStart}`);
    for (const event of eventsBetween(context, minuteStart, minuteStart + minuteMs, random)) {
      const id = liveDocumentId(plan, minuteStart, n++);
      const timeMs = Date.parse(event["@timestamp"]);
      if (timeMs >= originMs) yield { event, id, timeMs };
    }
    minuteStart += minuteMs;
  }
}

/** The events in [startMs, endMs) drawn from `random`. */
function* eventsBetween(context: EventContext, startMs: number, endMs: number, random: Random): Generator<AccessLogEvent> {
  const { dataset, meanRate, population, effects, edges } = context;

  const { urls, clients, hosts, urlChoice, clientChoice, hostChoice } = population;
  const statusByClass = {
    page: new StatusTable(STATUS_MIX.page),
    api: new StatusTable(STATUS_MIX.api),
    asset: new StatusTable(STATUS_MIX.asset),
  };
  const postStatus = new StatusTable(STATUS_MIX.post);
  const errorStatus = new StatusTable(ERROR_STATUS_MIX);
  const probeStatus = new StatusTable(SCAN_PROBE_STATUS_MIX);
  const probePaths = population.probePaths;
  // Each scanner walks the probe list from its own offset, the way wordlist scanners do. A stretch
  // that starts inside a scan (a live minute) continues from where the scan would have got to.
  const probeCursor = new Map<AnomalyEffect, number>(
    effects
      .filter((effect) => effect.kind === "scan")
      .map((effect) => {
        const minutesIn = Math.max(0, Math.floor((startMs - effect.startMs) / minuteMs));
        const perMinute = Math.ceil(effect.extraRatePerSecond * 60);
        return [effect, (hashString(effect.client!.ip) + minutesIn * perMinute) % probePaths.length];
      }),
  );

  // What holds in the current segment; updated by segmentAt, read by the event loop.
  let normalRate = 0;
  let totalRate = 0;
  let extraSources: AnomalyEffect[] = [];
  let modifiers: AnomalyEffect[] = [];

  const segmentAt = (timeMs: number): RateSegment => {
    let segmentEnd = timeMs - (timeMs % minuteMs) + minuteMs;
    for (const edge of edges) {
      if (edge > timeMs) {
        if (edge < segmentEnd) segmentEnd = edge;
        break;
      }
    }
    let rateFactor = 1;
    let extraRate = 0;
    extraSources = [];
    modifiers = [];
    for (const effect of effects) {
      if (effect.startMs > timeMs || effect.endMs <= timeMs) continue;
      rateFactor *= effect.rateFactor;
      if (effect.extraRatePerSecond > 0) {
        extraSources.push(effect);
        extraRate += effect.extraRatePerSecond;
      }
      if (effect.hostIndex >= 0 || effect.urlIndex >= 0) modifiers.push(effect);
    }
    normalRate = baseRatePerSecond(meanRate, timeMs) * rateFactor;
    totalRate = normalRate + extraRate;
    return { endMs: segmentEnd, ratePerSecond: totalRate };
  };

  const arrivals = new PoissonArrivals(random.fork("arrivals"), startMs, endMs, segmentAt);
  const timestamps = new TimestampFormatter();

  for (;;) {
    const arrival = arrivals.next();
    if (arrival < 0) return;
    const timestamp = timestamps.format(Math.floor(arrival));

    // Who sends this request: normal traffic, or the extra client of a running scan or rare_agent.
    let source: AnomalyEffect | null = null;
    if (extraSources.length > 0) {
      let draw = random.float() * totalRate - normalRate;
      if (draw >= 0) {
        source = extraSources[extraSources.length - 1];
        for (const candidate of extraSources) {
          draw -= candidate.extraRatePerSecond;
          if (draw < 0) {
            source = candidate;
            break;
          }
        }
      }
    }

    let ip: string;
    let country: string;
    let agent: string;
    let urlIndex: number;
    let path: string;
    let method = "GET";
    let status: number;
    let durationMs: number;
    let medianBytes: number;
    const hostIndex = hostChoice.pick(random);
    const host = hosts[hostIndex];

    if (source === null) {
      const client = clients[clientChoice.pick(random)];
      ip = client.ip;
      country = client.countryIsoCode;
      agent = client.userAgent;
      urlIndex = urlChoice.pick(random);
      const url = urls[urlIndex];
      path = url.path;
      const methodDraw = random.float();
      method = methodDraw < url.postShare ? "POST" : methodDraw < url.postShare + headShare ? "HEAD" : "GET";
      status = method === "POST" ? postStatus.pick(random) : statusByClass[url.urlClass].pick(random);
      durationMs = url.medianDurationMs * host.durationFactor * Math.exp(durationSigma * random.normal());
      medianBytes = url.medianBytes;
    } else {
      const client = source.client!;
      ip = client.ip;
      country = client.countryIsoCode;
      agent = client.userAgent;
      if (source.kind === "scan" && !random.chance(SCAN_REAL_URL_SHARE)) {
        // A probe for something the site does not serve: answered fast, mostly 404.
        const cursor = probeCursor.get(source)!;
        probeCursor.set(source, (cursor + 1) % probePaths.length);
        urlIndex = -1;
        path = probePaths[cursor];
        status = probeStatus.pick(random);
        durationMs = 3 * host.durationFactor * Math.exp(durationSigma * random.normal());
        medianBytes = 0;
      } else {
        // A scanner's hit on a real page, or a rare_agent script polling its couple of API endpoints.
        const scripted = source.scriptedUrlIndexes;
        urlIndex = source.kind === "scan" ? random.below(urls.length) : scripted[random.below(scripted.length)];
        const url = urls[urlIndex];
        path = url.path;
        status = source.kind === "scan" ? 200 : statusByClass[url.urlClass].pick(random);
        durationMs = url.medianDurationMs * host.durationFactor * Math.exp(durationSigma * random.normal());
        medianBytes = url.medianBytes;
      }
    }

    // latency and errors act on every request to their host or URL, whoever sends it.
    for (let index = 0; index < modifiers.length; index++) {
      const modifier = modifiers[index];
      const hits = modifier.hostIndex >= 0 ? modifier.hostIndex === hostIndex : modifier.urlIndex === urlIndex;
      if (!hits) continue;
      if (modifier.kind === "latency") durationMs *= modifier.magnitude;
      else if (random.float() < modifier.magnitude) status = errorStatus.pick(random);
    }
    yield makeEvent(timestamp, dataset, toNanoseconds(durationMs), method, status, bodyBytes(random, status, method, medianBytes), path, ip, country, agent, host.name);
  }
}

const fingerprints = new WeakMap<DatasetPlan, string>();

/** A short stable digest of everything that shapes the events of a plan. */
function planFingerprint(plan: DatasetPlan): string {
  let fingerprint = fingerprints.get(plan);
  if (fingerprint === undefined) {
    const identity = JSON.stringify([plan.truth.generator, plan.seed, plan.scenario, plan.truth.start, plan.truth.end, plan.meanRatePerSecond, plan.dataset, plan.anomalies]);
    const high = hashString(identity, 0x811c9dc5).toString(16).padStart(8, "0");
    const low = hashString(identity, 0x01000193).toString(16).padStart(8, "0");
    fingerprint = high + low;
    fingerprints.set(plan, fingerprint);
  }
  return fingerprint;
}

/**
 * The Elasticsearch _id of the event at `sequence` (0-based position in generateEvents(plan)).
 * Same plan and sequence give the same id, so a re-run overwrites instead of duplicating; a
 * different plan (seed, range, scenario, rate, dataset) gives different ids.
 */
export function documentId(plan: DatasetPlan, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError(`sequence must be an integer >= 0, got ${sequence}`);
  return `${planFingerprint(plan)}-${sequence.toString(36)}`;
}
