// A whole nginx access document from the few fields a test cares about, built the way the
// generator builds one (the same helpers for geo, AS and the parsed user agent), so hand-made events
// pass the index's strict mapping and read like generated ones.

import { accessLogMinutePrefix, DATA_STREAM_NAMESPACE, ECS_VERSION, nginxEscape, SERVICE_NAME, sourceFields, userAgentFields } from "../../generator/nginx";
import type { AccessLogEvent } from "../../generator/types";

export interface AccessEventFields {
  timestamp: string;
  dataset?: string;
  durationNs?: number;
  method?: string;
  status?: number;
  bytes?: number;
  /** Path and query, as requested. */
  original?: string;
  referrer?: string;
  ip?: string;
  country?: string;
  agent?: string;
  host?: string;
}

export function accessEvent(fields: AccessEventFields): AccessLogEvent {
  const { timestamp, dataset = "nginx.access", durationNs = 50_000_000, method = "GET", status = 200, bytes = 100 } = fields;
  const { original = "/", ip = "10.0.0.1", country = "DE", agent = "curl/8.5.0", host = "web-01", referrer } = fields;
  const timeMs = Date.parse(timestamp);
  const minuteStartMs = timeMs - (timeMs % 60_000);
  const second = String(Math.floor((timeMs - minuteStartMs) / 1000)).padStart(2, "0");
  const queryAt = original.indexOf("?");
  const message =
    `${ip} - - [${accessLogMinutePrefix(minuteStartMs)}${second} +0000] "${method} ${nginxEscape(original)} HTTP/1.1" ${status} ${bytes} ` +
    `"${referrer === undefined ? "-" : nginxEscape(referrer)}" "${nginxEscape(agent)}"`;
  return {
    "@timestamp": timestamp,
    message,
    event: {
      dataset,
      module: "nginx",
      kind: "event",
      category: ["web"],
      type: ["access"],
      outcome: status < 400 ? "success" : "failure",
      duration: durationNs,
      created: new Date(timeMs + 2_000).toISOString(),
    },
    http: { version: "1.1", request: referrer === undefined ? { method } : { method, referrer }, response: { status_code: status, body: { bytes } } },
    url: queryAt < 0 ? { original, path: original } : { original, path: original.slice(0, queryAt), query: original.slice(queryAt + 1) },
    source: sourceFields(ip, country, "access"),
    user_agent: userAgentFields(agent),
    host: { name: host },
    service: { name: SERVICE_NAME },
    ecs: { version: ECS_VERSION },
    data_stream: { type: "logs", dataset, namespace: DATA_STREAM_NAMESPACE },
  };
}
