// CSV sink, for spreadsheets and the older tutorials that load CSV: a header row of flattened ECS
// field names, then one row per event. Quoting follows RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180):
// a field holding a comma, a double quote or a line break is wrapped in double quotes, with inner
// quotes doubled. User agents need it: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) ... like Gecko".
// Lines end with CRLF, as the RFC specifies.

import type { AccessLogEvent } from "../types";
import { writeEventLines, type FileSinkOptions, type FileSinkResult } from "./file-output";

export { STDOUT, type FileSinkOptions, type FileSinkResult } from "./file-output";

const LINE_END = "\r\n";

/**
 * The columns, in the order of the header: the eleven fields the lab's documents had before they took
 * the nginx integration's shape (issue 11). A documented subset, kept so that a spreadsheet or an older
 * tutorial sees the same header; the full documents are in NDJSON and in Elasticsearch.
 */
export const CSV_COLUMNS: ReadonlyArray<{ name: string; read: (event: AccessLogEvent) => string | number }> = [
  { name: "@timestamp", read: (e) => e["@timestamp"] },
  { name: "event.dataset", read: (e) => e.event.dataset },
  { name: "event.duration", read: (e) => e.event.duration },
  { name: "http.request.method", read: (e) => e.http.request.method },
  { name: "http.response.status_code", read: (e) => e.http.response.status_code },
  { name: "http.response.body.bytes", read: (e) => e.http.response.body.bytes },
  { name: "url.path", read: (e) => e.url.path },
  { name: "source.ip", read: (e) => e.source.ip },
  { name: "source.geo.country_iso_code", read: (e) => e.source.geo.country_iso_code },
  { name: "user_agent.original", read: (e) => e.user_agent.original },
  { name: "host.name", read: (e) => e.host.name },
];

const NEEDS_QUOTES = /[",\r\n]/;

export function quoteCsvField(value: string | number): string {
  const text = typeof value === "number" ? String(value) : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = CSV_COLUMNS.map((column) => quoteCsvField(column.name)).join(",") + LINE_END;

export function formatCsvRow(event: AccessLogEvent): string {
  let row = "";
  for (let i = 0; i < CSV_COLUMNS.length; i++) {
    if (i > 0) row += ",";
    row += quoteCsvField(CSV_COLUMNS[i].read(event));
  }
  return row + LINE_END;
}

/** Writes a header row and one row per event to `destination` (a path, or "-" for stdout). */
export function writeCsv(
  events: Iterable<AccessLogEvent>,
  destination: string,
  options: FileSinkOptions = {},
): Promise<FileSinkResult> {
  return writeEventLines(events, destination, formatCsvRow, CSV_HEADER, options);
}
