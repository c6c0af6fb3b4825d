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
import { buildPopulation, BYTES_SIGMA, DURATION_SIGMA, ERROR_STATUS_MIX, HEAD_SHARE, STATUS_MIX, SEARCH_ENGINES, type Population, type ShapedClient, type UrlVariant } from "./population";
import { accessLogMinutePrefix, DATA_STREAM_NAMESPACE, deepFreeze, ECS_VERSION, NGINX_MODULE, SERVICE_NAME } from "./nginx";
import { compileEffects, type AnomalyEffect } from "./anomalies";
import { baseRatePerSecond, MINUTE_MS, PoissonArrivals, type RateSegment } from "./traffic";

// Module imports compile to property getters under the TypeScript loader; the hot loop reads these
// local copies instead (measured: the getters alone cost about 5% of generation).
const durationSigma = DURATION_SIGMA;
const bytesSigma = BYTES_SIGMA;
const headShare = HEAD_SHARE;
const minuteMs = MINUTE_MS;
const nginxModule = NGINX_MODULE;

/** Share of a scanner's requests that go to real pages rather than probe paths. */
const SCAN_REAL_URL_SHARE = 0.08;
/** Browsers' page views: no referrer (typed, bookmarked), from a search engine, or else from another page. */
const DIRECT_VISIT_SHARE = 0.3;
const SEARCH_REFERRER_SHARE = 0.25;
/** Assets and API calls mostly carry the page that loaded them. */
const EMBEDDED_REFERRER_SHARE = 0.9;
const SEARCH_ENGINE_COUNT = SEARCH_ENGINES.length;
/** Google, Bing, DuckDuckGo, in the order of SEARCH_ENGINES. */
const searchEngineChoice = new WeightedChoice([80, 13, 7]);
/** event.created: the agent reads a line 1 to 4 seconds after nginx writes it. */
const CREATED_DELAY_MIN_MS = 1_000;
const CREATED_DELAY_SPREAD_MS = 3_000;
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

/**
 * ISO-8601 with milliseconds, and nginx's `$time_local` (in UTC) of the same instant, rebuilding the
 * minute prefixes only when the minute changes.
 */
class TimestampFormatter {
  private minuteStartMs = Number.NaN;
  private prefix = "";
  private localPrefix = "";
  private second = 0;
  private static readonly seconds = Array.from({ length: 60 }, (_, value) => String(value).padStart(2, "0"));
  private static readonly localSeconds = Array.from({ length: 60 }, (_, value) => `${String(value).padStart(2, "0")} +0000`);
  private static readonly millis = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, "0"));

  format(timeMs: number): string {
    const minuteStartMs = timeMs - (((timeMs % minuteMs) + minuteMs) % minuteMs);
    if (minuteStartMs !== this.minuteStartMs) {
      this.minuteStartMs = minuteStartMs;
      this.prefix = new Date(minuteStartMs).toISOString().slice(0, 17);
      this.localPrefix = "";
    }
    const withinMinute = timeMs - minuteStartMs;
    const second = Math.floor(withinMinute / 1000);
    this.second = second;
    return `${this.prefix}${TimestampFormatter.seconds[second]}.${TimestampFormatter.millis[withinMinute - second * 1000]}Z`;
  }

  /** `$time_local` of the instant last given to format(), e.g. `30/Nov/2026:09:12:01 +0000`. */
  local(): string {
    if (this.localPrefix === "") this.localPrefix = accessLogMinutePrefix(this.minuteStartMs);
    return this.localPrefix + TimestampFormatter.localSeconds[this.second];
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

/** ` 200 ` for each status: the status between the request and the byte count of a log line. */
const STATUS_TEXT: readonly string[] = Array.from({ length: 600 }, (_, status) => ` ${status} `);

/** The parts of a document that are the same for every event of a stream. */
interface StreamConstants {
  category: readonly string[];
  type: readonly string[];
  service: { name: string };
  ecs: { version: string };
  dataStream: AccessLogEvent["data_stream"];
}

function streamConstants(dataset: string): StreamConstants {
  return deepFreeze({
    category: ["web"],
    type: ["access"],
    service: { name: SERVICE_NAME },
    ecs: { version: ECS_VERSION },
    dataStream: { type: "logs" as const, dataset, namespace: DATA_STREAM_NAMESPACE },
  });
}

function makeEvent(
  constants: StreamConstants,
  timestamp: string,
  localTime: string,
  created: string,
  dataset: string,
  durationNs: number,
  method: string,
  status: number,
  bytes: number,
  path: string,
  variant: UrlVariant,
  referrer: { value: string; logged: string } | null,
  client: ShapedClient,
  host: { name: string },
): AccessLogEvent {
  const message = client.logHead + localTime + '] "' + method + " " + variant.logged + client.logProtocol + STATUS_TEXT[status] + bytes + ' "' + (referrer === null ? "-" : referrer.logged) + client.logTail;
  return {
    "@timestamp": timestamp,
    message,
    event: {
      dataset,
      module: nginxModule,
      kind: "event",
      category: constants.category,
      type: constants.type,
      outcome: status < 400 ? "success" : "failure",
      duration: durationNs,
      created,
    },
    http: {
      version: client.httpVersion,
      // No key for an absent value (not `referrer: undefined`), so a document equals its JSON round trip.
      request: referrer === null ? { method } : { method, referrer: referrer.value },
      response: { status_code: status, body: { bytes } },
    },
    url: variant.query === undefined ? { original: variant.original, path } : { original: variant.original, path, query: variant.query },
    source: client.source,
    user_agent: client.userAgentFields,
    host,
    service: constants.service,
    ecs: constants.ecs,
    data_stream: constants.dataStream,
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

  const { urls, clients, hosts, urlChoice, clientChoice, hostChoice, urlVariants, queryShares, referrers, probeVariants } = population;
  const constants = streamConstants(dataset);
  const hostFields = hosts.map((host) => deepFreeze({ name: host.name }));
  // The new fields (query strings, referrers, the agent's read delay) draw from a stream of their
  // own, so that adding them left every earlier field of every event exactly as it was.
  const shape = random.fork("shape");
  const internalReferrers = referrers.length - SEARCH_ENGINE_COUNT;
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
  const createdTimes = new TimestampFormatter();

  for (;;) {
    const arrival = arrivals.next();
    if (arrival < 0) return;
    const arrivalMs = Math.floor(arrival);
    const timestamp = timestamps.format(arrivalMs);

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

    let client: ShapedClient;
    let urlIndex: number;
    let path: string;
    let variant: UrlVariant;
    let probeIndex = -1;
    let method = "GET";
    let status: number;
    let durationMs: number;
    let medianBytes: number;
    const hostIndex = hostChoice.pick(random);
    const host = hosts[hostIndex];

    if (source === null) {
      client = clients[clientChoice.pick(random)];
      urlIndex = urlChoice.pick(random);
      const url = urls[urlIndex];
      path = url.path;
      const methodDraw = random.float();
      method = methodDraw < url.postShare ? "POST" : methodDraw < url.postShare + headShare ? "HEAD" : "GET";
      status = method === "POST" ? postStatus.pick(random) : statusByClass[url.urlClass].pick(random);
      durationMs = url.medianDurationMs * host.durationFactor * Math.exp(durationSigma * random.normal());
      medianBytes = url.medianBytes;
    } else {
      client = source.client!;
      if (source.kind === "scan" && !random.chance(SCAN_REAL_URL_SHARE)) {
        // A probe for something the site does not serve: answered fast, mostly 404.
        const cursor = probeCursor.get(source)!;
        probeCursor.set(source, (cursor + 1) % probePaths.length);
        urlIndex = -1;
        probeIndex = cursor;
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

    // latency, errors, new_error and ramp act on every request to their host or URL, whoever sends it.
    for (let index = 0; index < modifiers.length; index++) {
      const modifier = modifiers[index];
      const hits = modifier.hostIndex >= 0 ? modifier.hostIndex === hostIndex : modifier.urlIndex === urlIndex;
      if (!hits) continue;
      if (modifier.kind === "latency") durationMs *= modifier.magnitude;
      else if (modifier.kind === "ramp") durationMs *= 1 + ((modifier.magnitude - 1) * (arrival - modifier.startMs)) / (modifier.endMs - modifier.startMs);
      // new_error: the upstream's TLS handshake fails, which nginx answers with 502 Bad Gateway.
      else if (modifier.kind === "new_error") {
        if (random.float() < modifier.magnitude) status = 502;
      } else if (random.float() < modifier.magnitude) status = errorStatus.pick(random);
    }
    const bytes = bodyBytes(random, status, method, medianBytes);

    // The request as sent: which query string, which referrer (browsers only: a search engine or
    // another page for a page, the page that loads it for an asset or API call).
    let referrer: { value: string; logged: string } | null = null;
    if (urlIndex < 0) variant = probeVariants[probeIndex];
    else {
      const variants = urlVariants[urlIndex];
      const queryShare = queryShares[urlIndex];
      variant = queryShare > 0 && shape.float() < queryShare ? variants[1 + shape.below(variants.length - 1)] : variants[0];
      if (client.sendsReferrer && source === null) {
        const draw = shape.float();
        if (urls[urlIndex].urlClass === "page") {
          if (draw >= DIRECT_VISIT_SHARE) {
            referrer = draw < DIRECT_VISIT_SHARE + SEARCH_REFERRER_SHARE
              ? referrers[searchEngineChoice.pick(shape)]
              : referrers[SEARCH_ENGINE_COUNT + shape.below(internalReferrers)];
          }
        } else if (draw < EMBEDDED_REFERRER_SHARE) referrer = referrers[SEARCH_ENGINE_COUNT + shape.below(internalReferrers)];
      }
    }
    const created = createdTimes.format(arrivalMs + CREATED_DELAY_MIN_MS + shape.below(CREATED_DELAY_SPREAD_MS));
    yield makeEvent(constants, timestamp, timestamps.local(), created, dataset, toNanoseconds(durationMs), method, status, bytes, path, variant, referrer, client, hostFields[hostIndex]);
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

/**
 * The Elasticsearch _id of the error-log line at `sequence` (0-based position in
 * generateErrorEvents(plan)): the plan's fingerprint as in documentId, then "-e-" and the position.
 * A request's id has a single "-", so an error line never shares an id with a request.
 */
export function errorDocumentId(plan: DatasetPlan, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError(`sequence must be an integer >= 0, got ${sequence}`);
  return `${planFingerprint(plan)}-e-${sequence.toString(36)}`;
}
