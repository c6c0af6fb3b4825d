// Small hand-made events for the sink tests: fields that exercise quoting and escaping (commas,
// quotes and line breaks in user agents and paths), produced lazily like the real generator.

import type { AccessLogEvent } from "../../../generator/types";
import { accessEvent } from "../../support/access-event";

const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
  'curl/8.5.0 "quoted", with comma',
  "line\nbreak\r\nagent",
  "plain-agent",
  "ünïcödé ☃",
];

export function sampleEvent(sequence: number): AccessLogEvent {
  return accessEvent({
    timestamp: new Date(Date.UTC(2026, 10, 17) + sequence * 1000).toISOString(),
    durationNs: 1_000_000 + sequence * 17,
    method: sequence % 5 === 0 ? "POST" : "GET",
    status: sequence % 13 === 0 ? 503 : 200,
    bytes: 100 + (sequence % 977),
    original: sequence % 7 === 0 ? "/search?q=a,b&c=\"d\"" : `/products/${sequence % 50}`,
    ip: `10.0.${(sequence >> 8) & 255}.${sequence & 255}`,
    agent: AGENTS[sequence % AGENTS.length],
    host: `web-${sequence % 3}`,
  });
}

export function* sampleEvents(count: number, onPull?: (pulled: number) => void): Generator<AccessLogEvent> {
  for (let i = 0; i < count; i++) {
    onPull?.(i + 1);
    yield sampleEvent(i);
  }
}

/** A minimal RFC 4180 reader, written independently of the sink, to check what a spreadsheet would see. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else {
      field += c;
    }
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
