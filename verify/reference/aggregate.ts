// Pass one of the reference detector: fold the event stream into one small summary per bucket.
// Events are dropped as soon as they are counted; a summary holds per-host, per-URL and per-agent
// tallies and the distinct-URL counts of the bucket's clients, so memory grows with the number of
// buckets (the length of the range), never with the number of events.

import type { NginxErrorEvent } from "../../generator/error-log";
import type { AccessLogEvent } from "../../generator/types";

export interface EntityStats {
  n: number;
  /** Sum and sum of squares of ln(duration in ms) */
  sumLog: number;
  sumLogSq: number;
  /** Responses with a 5xx status */
  errors: number;
  /**
   * Set when the tallies come from aggregated rows (verify/reference/aggregated.ts): how many rows,
   * each adding n * ln(avg) and n * ln(avg)^2 instead of one ln(duration) per request. The spread
   * inside a bucket then has cells - 1 degrees of freedom instead of n - 1.
   */
  cells?: number;
}

export interface ClientStats {
  ip: string;
  distinctUrls: number;
  requests: number;
}

export interface BucketSummary {
  /** Bucket start, epoch ms */
  start: number;
  count: number;
  hosts: Map<string, EntityStats>;
  urls: Map<string, EntityStats>;
  agents: Map<string, number>;
  /** The clients with the most distinct URLs in this bucket (at most TOP_CLIENTS) */
  topClients: ClientStats[];
  /** Distinct URLs per client over every client of the bucket: distinct count -> number of clients */
  distinctHistogram: Map<number, number>;
  /**
   * Error-log lines per category (the text before nginx's ", client: "), when the error log was
   * read along with the access log; absent otherwise.
   */
  categories?: Map<string, number>;
}

/** The category of an error-log line: its text without the request's particulars (client, request, upstream, host). */
export function errorCategory(message: string): string {
  const at = message.indexOf(", client: ");
  return at === -1 ? message : message.slice(0, at);
}

/** An error-log line, told from an access event by its log.level. */
export function isErrorEvent(event: AccessLogEvent | NginxErrorEvent): event is NginxErrorEvent {
  return (event as NginxErrorEvent).log !== undefined;
}

const TOP_CLIENTS = 10;

function entity(map: Map<string, EntityStats>, key: string): EntityStats {
  let stats = map.get(key);
  if (stats === undefined) {
    stats = { n: 0, sumLog: 0, sumLogSq: 0, errors: 0 };
    map.set(key, stats);
  }
  return stats;
}

function tally(stats: EntityStats, logDuration: number, isError: boolean): void {
  stats.n += 1;
  stats.sumLog += logDuration;
  stats.sumLogSq += logDuration * logDuration;
  if (isError) stats.errors += 1;
}

export class BucketAggregator {
  readonly bucketMs: number;
  private current: BucketSummary | undefined;
  // Most clients send one request per bucket: keep their first URL as a string and make a Set
  // only when a second, different URL arrives.
  private clients = new Map<string, { first: string; urls: Set<string> | undefined; requests: number }>();
  private minutePrefix = "\u0000";
  private minuteMs = 0;

  /**
   * readsErrorLog: every bucket gets a category tally, empty until an error-log line arrives.
   * entities: false leaves the per-host, per-URL and per-agent tallies empty, for a caller that
   * fills them from elsewhere (the aggregated datafeeds' rows: ./aggregated.ts).
   */
  constructor(bucketMinutes: number, private readonly readsErrorLog = false, private readonly entities = true) {
    this.bucketMs = bucketMinutes * 60_000;
  }

  private open(start: number): BucketSummary {
    const bucket: BucketSummary = { start, count: 0, hosts: new Map(), urls: new Map(), agents: new Map(), topClients: [], distinctHistogram: new Map() };
    if (this.readsErrorLog) bucket.categories = new Map();
    return bucket;
  }

  private close(bucket: BucketSummary): BucketSummary {
    const ranked: ClientStats[] = [];
    for (const [ip, client] of this.clients) {
      const distinct = client.urls === undefined ? 1 : client.urls.size;
      bucket.distinctHistogram.set(distinct, (bucket.distinctHistogram.get(distinct) ?? 0) + 1);
      ranked.push({ ip, distinctUrls: distinct, requests: client.requests });
    }
    ranked.sort((a, b) => b.distinctUrls - a.distinctUrls || a.ip.localeCompare(b.ip));
    bucket.topClients = ranked.slice(0, TOP_CLIENTS);
    this.clients = new Map();
    return bucket;
  }

  /**
   * Epoch ms of an ISO-8601 UTC timestamp. Events arrive in order, so consecutive ones share their
   * minute: Date.parse runs once a minute and the seconds are read from the string directly.
   * Public so that a caller folding the same events elsewhere parses each timestamp once.
   */
  parseTime(timestamp: string): number {
    if (timestamp.length !== 24 || timestamp.charCodeAt(19) !== 46 /* . */) return Date.parse(timestamp);
    if (!timestamp.startsWith(this.minutePrefix)) {
      this.minutePrefix = timestamp.slice(0, 16);
      this.minuteMs = Date.parse(`${this.minutePrefix}:00.000Z`);
    }
    const seconds = (timestamp.charCodeAt(17) - 48) * 10 + (timestamp.charCodeAt(18) - 48);
    const millis = (timestamp.charCodeAt(20) - 48) * 100 + (timestamp.charCodeAt(21) - 48) * 10 + (timestamp.charCodeAt(22) - 48);
    return this.minuteMs + seconds * 1000 + millis;
  }

  /**
   * Adds one event (in time order; `time` is its @timestamp in epoch ms if already parsed); returns
   * the buckets this event completed, gaps included as empty buckets. An error-log line counts
   * towards its category only, never as a request.
   */
  add(event: AccessLogEvent | NginxErrorEvent, time: number = this.parseTime(event["@timestamp"])): BucketSummary[] {
    const start = time - (((time % this.bucketMs) + this.bucketMs) % this.bucketMs);
    const done: BucketSummary[] = [];
    if (this.current === undefined) this.current = this.open(start);
    while (start > this.current.start) {
      done.push(this.close(this.current));
      this.current = this.open(this.current.start + this.bucketMs);
    }
    const bucket = this.current;
    if (isErrorEvent(event)) {
      const categories = bucket.categories ?? (bucket.categories = new Map());
      const category = errorCategory(event.message);
      categories.set(category, (categories.get(category) ?? 0) + 1);
      return done;
    }
    bucket.count += 1;
    if (this.entities) {
      const logDuration = Math.log(Math.max(event.event.duration, 1) / 1e6);
      const isError = event.http.response.status_code >= 500;
      tally(entity(bucket.hosts, event.host.name), logDuration, isError);
      tally(entity(bucket.urls, event.url.path), logDuration, isError);
      const agent = event.user_agent.original;
      bucket.agents.set(agent, (bucket.agents.get(agent) ?? 0) + 1);
    }
    const path = event.url.path;
    const client = this.clients.get(event.source.ip);
    if (client === undefined) {
      this.clients.set(event.source.ip, { first: path, urls: undefined, requests: 1 });
    } else {
      client.requests += 1;
      if (client.urls !== undefined) client.urls.add(path);
      else if (path !== client.first) client.urls = new Set([client.first, path]);
    }
    return done;
  }

  /** Closes the last open bucket. */
  finish(): BucketSummary[] {
    if (this.current === undefined) return [];
    const last = this.close(this.current);
    this.current = undefined;
    return [last];
  }
}
