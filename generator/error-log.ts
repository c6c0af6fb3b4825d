// nginx's error log for the same traffic: the lines nginx would have written beside the access log,
// as the nginx integration's error data stream indexes them (`logs-nginx.error-*`: `message` is the
// text after nginx's `time [level] pid#tid: *connection ` prefix, `log.level`, `process.pid`,
// `process.thread.id`, `nginx.error.connection_id`).
// https://www.elastic.co/docs/reference/integrations/nginx
//
// It is derived from the access events, request by request, so the two logs tell one story:
//
//   access event                                          error-log line (level)
//   404 for a static file or a path the site never had    open() "/usr/share/nginx/html/..." failed (2: No such file or directory) (error)
//   403 for a probe of a hidden file                      access forbidden by rule (error)
//   502 outside any window                                upstream prematurely closed connection while reading response header from upstream (error)
//   errors window, on its host or URL: 502 / 503 / 504    connect() failed (111: Connection refused) while connecting to upstream /
//                                                         no live upstreams while connecting to upstream /
//                                                         upstream timed out (110: Connection timed out) while reading response header from upstream (error)
//   latency window, on its host or URL, a slow request    upstream timed out (110: Connection timed out) while reading upstream (error)
//   new_error window, on its host or URL: 502             SSL_do_handshake() failed (SSL: error:0A000086:SSL routines::certificate
//                                                         verify failed) while SSL handshaking to upstream (crit)
//   a large download, now and then                        client prematurely closed connection while sending response to client (info)
//
// 500s are the application's own answers, which nginx passes on without a line of its own. The
// window categories never occur outside their windows, so a categorization job sees them as new.
//
// Why a stream of its own rather than one merged with the access events: the integration writes
// the two to different data streams, with different mappings (`event.dataset` is a
// constant_keyword per stream); the access log's count, rate and distinct-count jobs, the reference
// detector and the sink's `_count` check all count every document of the access index, and would
// count error lines as requests. Each error event carries the timestamp of the request it belongs
// to, so the error stream is in time order too; generateNginxLogs gives both as one stream, each
// line right after its request, for a destination that wants them together.

import type { AccessLogEvent } from "./types";
import type { DatasetPlan } from "./plan";
import { generateEvents } from "./events";
import { buildPopulation, type UrlClass } from "./population";
import { DATA_STREAM_NAMESPACE, deepFreeze, ECS_VERSION, ERROR_DATASET, errorLogTime, NEW_ERROR_TEXT, NGINX_MODULE, SERVICE_NAME, SITE_DOMAIN } from "./nginx";
import { hashString, Random } from "./rng";

/** One line of nginx's error log, as the integration's error data stream indexes it. */
export interface NginxErrorEvent {
  "@timestamp": string;
  /** The text after the prefix, e.g. `open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: ...` */
  message: string;
  log: { level: "crit" | "error" | "warn" | "info" };
  event: {
    dataset: string;
    module: "nginx";
    kind: "event";
    category: readonly string[];
    type: readonly string[];
    created: string;
    /** The whole line nginx wrote (the integration keeps it with the preserve_original_event tag). */
    original: string;
  };
  process: { pid: number; thread: { id: number } };
  nginx: { error: { connection_id: number } };
  url: { path: string };
  source: { ip: string };
  host: { name: string };
  service: { name: string };
  ecs: { version: string };
  data_stream: { type: "logs"; dataset: string; namespace: string };
}

/** Where nginx serves static files from (the Debian and Docker image default). */
const DOCUMENT_ROOT = "/usr/share/nginx/html";
/** A latency window's request gets a timeout line when it is this many times slower than usual for its URL and host... */
const LATENCY_TIMEOUT_FACTOR = 3;
/** ...and then with this probability (not every slow answer crosses the read timeout). */
const LATENCY_TIMEOUT_SHARE = 0.2;
/** Share of large (> 200 kB) successful downloads that the client abandons half-way. */
const ABANDONED_DOWNLOAD_SHARE = 0.002;
const LARGE_DOWNLOAD_BYTES = 200_000;

/** The application server behind each web host (private addresses, as an upstream block names them). */
const upstreamOf = (hostName: string) => `10.0.1.${11 + (hashString(hostName) % 40)}:8080`;

/** Derives the error log from the access events of one plan, one access event at a time. */
export class ErrorLogDeriver {
  private readonly urlByPath: Map<string, { urlClass: UrlClass; medianDurationMs: number }>;
  private readonly hostFactor: Map<string, number>;
  private readonly windows: Array<{ kind: string; startMs: number; endMs: number; field: string; value: string }>;
  private readonly random: Random;
  private readonly connections = new Map<string, number>();
  private readonly hosts = new Map<string, { name: string }>();
  private readonly constants: { category: readonly string[]; type: readonly string[]; service: { name: string }; ecs: { version: string }; dataStream: NginxErrorEvent["data_stream"] };

  constructor(plan: Pick<DatasetPlan, "seed" | "anomalies">) {
    const population = buildPopulation(plan.seed);
    this.urlByPath = new Map(population.urls.map((url) => [url.path, url]));
    this.hostFactor = new Map(population.hosts.map((host) => [host.name, host.durationFactor]));
    // The errors, latency and new_error windows of the ground truth, with the host or URL each one hits.
    this.windows = plan.anomalies.flatMap((anomaly) =>
      (anomaly.kind === "errors" || anomaly.kind === "latency" || anomaly.kind === "new_error") && anomaly.entity !== null
        ? [{ kind: anomaly.kind, startMs: Date.parse(anomaly.start), endMs: Date.parse(anomaly.end), field: anomaly.entity.field, value: anomaly.entity.value }]
        : [],
    );
    this.random = new Random(plan.seed, "error-log");
    this.constants = deepFreeze({
      category: ["web"],
      type: ["error"],
      service: { name: SERVICE_NAME },
      ecs: { version: ECS_VERSION },
      dataStream: { type: "logs" as const, dataset: ERROR_DATASET, namespace: DATA_STREAM_NAMESPACE },
    });
  }

  /** The error-log line nginx writes for this request, or null (most requests). */
  next(access: AccessLogEvent): NginxErrorEvent | null {
    const hostName = access.host.name;
    // Every request is a connection (keep-alive is left out): the counter nginx prints as *N.
    const connection = (this.connections.get(hostName) ?? 1_000 + (hashString(hostName) % 9_000)) + 1;
    this.connections.set(hostName, connection);

    const status = access.http.response.status_code;
    const path = access.url.path;
    const url = this.urlByPath.get(path);
    const timeMs = Date.parse(access["@timestamp"]);
    const window = this.windowAt(timeMs, hostName, path);

    let level: NginxErrorEvent["log"]["level"] = "error";
    let text: string | undefined;
    let upstream = false;
    if (status === 404 && (url === undefined || url.urlClass === "asset")) {
      text = `open() "${DOCUMENT_ROOT}${path}" failed (2: No such file or directory)`;
    } else if (status === 403 && url === undefined) {
      text = "access forbidden by rule";
    } else if (window?.kind === "new_error" && status === 502) {
      // nginx logs a failed TLS handshake with an upstream at crit.
      upstream = true;
      level = "crit";
      text = NEW_ERROR_TEXT;
    } else if (window?.kind === "errors") {
      upstream = true;
      if (status === 502) text = "connect() failed (111: Connection refused) while connecting to upstream";
      else if (status === 503) text = "no live upstreams while connecting to upstream";
      else if (status === 504) text = "upstream timed out (110: Connection timed out) while reading response header from upstream";
    } else if (window?.kind === "latency" && url !== undefined) {
      const usual = url.medianDurationMs * (this.hostFactor.get(hostName) ?? 1) * 1e6;
      if (access.event.duration > LATENCY_TIMEOUT_FACTOR * usual && this.random.chance(LATENCY_TIMEOUT_SHARE)) {
        upstream = true;
        text = "upstream timed out (110: Connection timed out) while reading upstream";
      }
    } else if (status === 502) {
      upstream = true;
      text = "upstream prematurely closed connection while reading response header from upstream";
    }
    if (text === undefined && status === 200 && access.http.response.body.bytes > LARGE_DOWNLOAD_BYTES && this.random.chance(ABANDONED_DOWNLOAD_SHARE)) {
      level = "info";
      text = "client prematurely closed connection while sending response to client";
    }
    if (text === undefined) return null;

    const request = `${access.http.request.method} ${access.url.original} HTTP/${access.http.version}`;
    const message =
      `${text}, client: ${access.source.ip}, server: ${SITE_DOMAIN}, request: "${request}"` +
      (upstream ? `, upstream: "http://${upstreamOf(hostName)}${access.url.original}"` : "") +
      `, host: "${SITE_DOMAIN}"`;
    // Two worker processes per host; nginx prints pid#tid, the same number for a worker's one thread.
    const pid = 1_200 + (hashString(hostName) % 500) * 2 + (connection & 1);
    let host = this.hosts.get(hostName);
    if (host === undefined) this.hosts.set(hostName, (host = deepFreeze({ name: hostName })));
    return {
      "@timestamp": access["@timestamp"],
      message,
      log: { level },
      event: {
        dataset: ERROR_DATASET,
        module: NGINX_MODULE,
        kind: "event",
        category: this.constants.category,
        type: this.constants.type,
        created: access.event.created,
        original: `${errorLogTime(timeMs)} [${level}] ${pid}#${pid}: *${connection} ${message}`,
      },
      process: { pid, thread: { id: pid } },
      nginx: { error: { connection_id: connection } },
      url: { path },
      source: { ip: access.source.ip },
      host,
      service: this.constants.service,
      ecs: this.constants.ecs,
      data_stream: this.constants.dataStream,
    };
  }

  private windowAt(timeMs: number, hostName: string, path: string): { kind: string } | undefined {
    for (const window of this.windows) {
      if (timeMs < window.startMs || timeMs >= window.endMs) continue;
      if (window.value === (window.field === "host.name" ? hostName : path)) return window;
    }
    return undefined;
  }
}

/** The error log of a plan, in time order. Same plan, same lines. */
export function* generateErrorEvents(plan: DatasetPlan): Generator<NginxErrorEvent> {
  const deriver = new ErrorLogDeriver(plan);
  for (const access of generateEvents(plan)) {
    const error = deriver.next(access);
    if (error !== null) yield error;
  }
}

/** Both logs of a plan as one stream in time order: each error line right after the request it belongs to. */
export function* generateNginxLogs(plan: DatasetPlan): Generator<AccessLogEvent | NginxErrorEvent> {
  const deriver = new ErrorLogDeriver(plan);
  for (const access of generateEvents(plan)) {
    yield access;
    const error = deriver.next(access);
    if (error !== null) yield error;
  }
}
