// The generator's public types: the shape of one access-log document, of an anomaly request
// and of the ground truth. Every other part of the lab (the Elasticsearch sink, the ML jobs,
// `lab-verify`, the Pulumi dataset step) builds on these, so change them with care.

/** The ECS source object of a document. Shared by every event of a client: never mutate it. */
export interface SourceFields {
  address: string;
  ip: string;
  geo: {
    continent_name: string;
    country_iso_code: string;
    country_name: string;
    region_name?: string;
    city_name?: string;
    location: { lat: number; lon: number };
  };
  as: { number: number; organization: { name: string } };
}

/**
 * One HTTP access-log event, as Elastic's nginx integration indexes it (data stream
 * `logs-nginx.access-*`): ECS fields as nested objects, with the raw combined-log line in `message`.
 * https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html
 * https://www.elastic.co/docs/reference/integrations/nginx
 *
 * `source`, `user_agent`, `host`, `service`, `ecs`, `data_stream` and the `event.category` and
 * `event.type` arrays are frozen objects shared by many documents: copy before changing one.
 */
export interface AccessLogEvent {
  /** ISO-8601 UTC with millisecond precision, e.g. 2026-11-17T14:03:07.412Z */
  "@timestamp": string;
  /** The combined-log line nginx wrote, e.g. `1.2.3.4 - - [17/Nov/2026:14:03:07 +0000] "GET / HTTP/2.0" 200 48213 "-" "Mozilla/5.0 ..."` */
  message: string;
  event: {
    /** Constant per dataset, e.g. "nginx.access" */
    dataset: string;
    module: "nginx";
    kind: "event";
    category: readonly string[];
    type: readonly string[];
    /** "success" below 400, "failure" from 400, as the integration's pipeline sets it */
    outcome: "success" | "failure";
    /** Response time in nanoseconds, as ECS defines event.duration */
    duration: number;
    /** When the agent read the line: a few seconds after @timestamp */
    created: string;
  };
  http: {
    /** "1.1" or "2.0" */
    version: string;
    request: { method: string; referrer?: string };
    response: { status_code: number; body: { bytes: number } };
  };
  url: { original: string; path: string; query?: string };
  source: SourceFields;
  user_agent: {
    original: string;
    name: string;
    version?: string;
    os?: { name: string; version?: string; full?: string };
    device: { name: string };
  };
  host: { name: string };
  service: { name: string };
  ecs: { version: string };
  data_stream: { type: "logs"; dataset: string; namespace: string };
}

export const ANOMALY_KINDS = ["spike", "drop", "latency", "errors", "scan", "rare_agent", "new_error", "level_shift", "ramp"] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** What a user (or a scenario) asks for. Unset fields take the kind's defaults. */
export interface AnomalyRequest {
  kind: AnomalyKind;
  /** Explicit start; when absent the start is drawn from the seed, away from the range's edges. */
  start?: Date;
  /** How long the window lasts; for level_shift, the adaptation time (the new level itself lasts to the end of the data). */
  durationMinutes?: number;
  /**
   * Meaning depends on the kind: rate factor (spike, drop, level_shift), latency factor (latency;
   * ramp: at the ramp's end), 5xx share (errors; new_error: 502s with the new error-log line),
   * requests per minute (scan, rare_agent).
   */
  magnitude?: number;
  /** Which entity is affected, where the kind has one (host name, url path, client ip, user agent). Drawn from the seed when absent. */
  target?: string;
  /**
   * Follow mode only: the start as whole minutes after live traffic begins (the end of the backfill),
   * instead of `start`. A pair [min, max] draws the minute from the seed.
   */
  startAfterMinutes?: number | readonly [number, number];
}

/** The affected entity of an injected anomaly, as the ECS field and its value. */
export interface AnomalyEntity {
  field: string;
  value: string;
}

/** One injected anomaly as it was actually placed: the ground truth. */
export interface InjectedAnomaly {
  /** Stable within a dataset: `<kind>-<n>`, n counting from 1 per kind */
  id: string;
  kind: AnomalyKind;
  /** ISO-8601 UTC, inclusive */
  start: string;
  /**
   * ISO-8601 UTC, exclusive. For level_shift, the end of the adaptation time: the new level lasts
   * to the end of the data, but from here on it is the new normal, and an alarm is a false one.
   */
  end: string;
  magnitude: number;
  /** null for kinds that touch the whole service (spike, drop, level_shift) */
  entity: AnomalyEntity | null;
  /** One plain sentence for instructors */
  description: string;
  /**
   * Follow mode only: "backfill" for a window in the history written before live traffic began,
   * "live" for one planted in real time (it enters the truth when its traffic starts).
   */
  phase?: "backfill" | "live";
}

/** Follow mode's part of the ground truth: how far live traffic has got, and what is still to come. */
export interface LiveTruth {
  /** ISO-8601 UTC: the end of the backfill, where live traffic begins; relative starts (+15m) count from here */
  since: string;
  /** ISO-8601 UTC, exclusive: every event before this instant is written (acknowledged by Elasticsearch) */
  through: string;
  /** ISO-8601 UTC start of the next window not yet planted, or null when none is left; its kind stays secret */
  nextWindowStart: string | null;
  /** "running" while the generator follows; "stopped" after a clean stop; "failed" when it gave up (e.g. an outage) */
  status: "running" | "stopped" | "failed";
  /** Stretches of live time that were not written (a resume after a long stop), each with the reason */
  skipped: Array<{ start: string; end: string; reason: string }>;
  /** ISO-8601 UTC of this update */
  updatedAt: string;
}

/** The ground-truth file written by `--truth` and returned by the library API. */
export interface GroundTruth {
  generator: "elastic-ml-lab";
  seed: number;
  scenario: string;
  /** ISO-8601 UTC, inclusive */
  start: string;
  /** ISO-8601 UTC, exclusive */
  end: string;
  days: number;
  meanRatePerSecond: number;
  /** Filled once generation has finished; in follow mode, the events written so far */
  eventCount?: number;
  anomalies: InjectedAnomaly[];
  /** Follow mode only; `start`/`end` above are then the backfill's range */
  live?: LiveTruth;
}
