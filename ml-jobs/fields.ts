// The fields a job may name: exactly the ECS fields of one AccessLogEvent (generator/types.ts), with
// the Elasticsearch type the lab's index mapping gives each. A job naming anything else would run
// against a field the index does not have and find nothing, so validation rejects it up front.

export type LabFieldType = "date" | "keyword" | "ip" | "long";

export const LAB_INDEX_FIELDS: Readonly<Record<string, LabFieldType>> = {
  "@timestamp": "date",
  "event.dataset": "keyword",
  "event.duration": "long",
  "http.request.method": "keyword",
  "http.response.status_code": "long",
  "http.response.body.bytes": "long",
  "url.path": "keyword",
  "source.ip": "ip",
  "source.geo.country_iso_code": "keyword",
  "user_agent.original": "keyword",
  "host.name": "keyword",
};

export function isNumericField(field: string): boolean {
  return LAB_INDEX_FIELDS[field] === "long";
}
