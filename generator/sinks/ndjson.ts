// NDJSON sink: one JSON document per line (https://github.com/ndjson/ndjson-spec), the format
// Elasticsearch's _bulk API, `jq` and most log shippers read. Streams to a file or stdout ("-").
// It writes either log: access events, or nginx's error lines (generator/error-log.ts).

import type { AccessLogEvent } from "../types";
import type { NginxErrorEvent } from "../error-log";
import { writeEventLines, type FileSinkOptions, type FileSinkResult } from "./file-output";

export { STDOUT, type FileSinkOptions, type FileSinkResult } from "./file-output";

export function formatNdjsonLine(event: AccessLogEvent | NginxErrorEvent): string {
  return JSON.stringify(event) + "\n";
}

/** Writes every event as one line of JSON to `destination` (a path, or "-" for stdout). */
export function writeNdjson(
  events: Iterable<AccessLogEvent> | Iterable<NginxErrorEvent>,
  destination: string,
  options: FileSinkOptions = {},
): Promise<FileSinkResult> {
  return writeEventLines(events, destination, formatNdjsonLine, "", options);
}
