// The fields a job may name: exactly the ECS fields of one AccessLogEvent (generator/types.ts), with
// the Elasticsearch type the lab's index mapping gives each (the nginx integration's types, see
// LAB_INDEX_MAPPINGS). A job naming anything else would run against a field the index does not have
// and find nothing, so validation rejects it up front. Multi-fields (`user_agent.original.text`) are
// left out: they are for searching, and a detector cannot split or count by them.
//
// Elastic's nginx ML module (issue 11, section 4) names `source.geo.*`, `url.original`,
// `user_agent.name` and `http.response.status_code`, all of which are here now.

export type LabFieldType = "date" | "keyword" | "ip" | "long" | "text" | "geo_point";

export const LAB_INDEX_FIELDS: Readonly<Record<string, LabFieldType>> = {
  "@timestamp": "date",
  message: "text",
  "event.dataset": "keyword",
  "event.module": "keyword",
  "event.kind": "keyword",
  "event.category": "keyword",
  "event.type": "keyword",
  "event.outcome": "keyword",
  "event.duration": "long",
  "event.created": "date",
  "http.version": "keyword",
  "http.request.method": "keyword",
  "http.request.referrer": "keyword",
  "http.response.status_code": "long",
  "http.response.body.bytes": "long",
  "url.original": "keyword",
  "url.path": "keyword",
  "url.query": "keyword",
  "source.address": "keyword",
  "source.ip": "ip",
  "source.geo.continent_name": "keyword",
  "source.geo.country_iso_code": "keyword",
  "source.geo.country_name": "keyword",
  "source.geo.region_name": "keyword",
  "source.geo.city_name": "keyword",
  "source.geo.location": "geo_point",
  "source.as.number": "long",
  "source.as.organization.name": "keyword",
  "user_agent.original": "keyword",
  "user_agent.name": "keyword",
  "user_agent.version": "keyword",
  "user_agent.os.name": "keyword",
  "user_agent.os.version": "keyword",
  "user_agent.os.full": "keyword",
  "user_agent.device.name": "keyword",
  "host.name": "keyword",
  "service.name": "keyword",
  "ecs.version": "keyword",
  "data_stream.type": "keyword",
  "data_stream.dataset": "keyword",
  "data_stream.namespace": "keyword",
};

/**
 * The fields of nginx's error log (generator/error-log.ts), with the types of LAB_ERROR_INDEX_MAPPINGS:
 * what a job whose datafeed reads the error indices (ERROR_INDEX_PATTERN) may name.
 */
export const LAB_ERROR_INDEX_FIELDS: Readonly<Record<string, LabFieldType>> = {
  "@timestamp": "date",
  message: "text",
  "log.level": "keyword",
  "event.dataset": "keyword",
  "event.module": "keyword",
  "event.kind": "keyword",
  "event.category": "keyword",
  "event.type": "keyword",
  "event.created": "date",
  "event.original": "keyword",
  "process.pid": "long",
  "process.thread.id": "long",
  "nginx.error.connection_id": "long",
  "url.path": "keyword",
  "source.ip": "ip",
  "host.name": "keyword",
  "service.name": "keyword",
  "ecs.version": "keyword",
  "data_stream.type": "keyword",
  "data_stream.dataset": "keyword",
  "data_stream.namespace": "keyword",
};

export function isNumericField(field: string, fields: Readonly<Record<string, LabFieldType>> = LAB_INDEX_FIELDS): boolean {
  return fields[field] === "long";
}
