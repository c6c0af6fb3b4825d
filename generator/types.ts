// The generator's public types: the shape of one access-log document, of an anomaly request
// and of the ground truth. Every other part of the lab (the Elasticsearch sink, the ML jobs,
// `lab-verify`, the Pulumi dataset step) builds on these, so change them with care.

/**
 * One HTTP access-log event, as an Elastic Common Schema document with nested objects.
 * https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html
 */
export interface AccessLogEvent {
  /** ISO-8601 UTC with millisecond precision, e.g. 2026-11-17T14:03:07.412Z */
  "@timestamp": string;
  event: {
    /** Constant per dataset, e.g. "lab.access" */
    dataset: string;
    /** Response time in nanoseconds, as ECS defines event.duration */
    duration: number;
  };
  http: {
    request: { method: string };
    response: { status_code: number; body: { bytes: number } };
  };
  url: { path: string };
  source: { ip: string; geo: { country_iso_code: string } };
  user_agent: { original: string };
  host: { name: string };
}

export const ANOMALY_KINDS = ["spike", "drop", "latency", "errors", "scan", "rare_agent"] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** What a user (or a scenario) asks for. Unset fields take the kind's defaults. */
export interface AnomalyRequest {
  kind: AnomalyKind;
  /** Explicit start; when absent the start is drawn from the seed, away from the range's edges. */
  start?: Date;
  durationMinutes?: number;
  /** Meaning depends on the kind: rate factor (spike, drop), latency factor, 5xx share, requests per minute (scan, rare_agent). */
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
  /** ISO-8601 UTC, exclusive */
  end: string;
  magnitude: number;
  /** null for kinds that touch the whole service (spike, drop) */
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
