import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CSV_COLUMNS, CSV_HEADER, formatCsvRow, quoteCsvField, writeCsv } from "../../../generator/sinks/csv";
import type { AccessLogEvent } from "../../../generator/types";
import { parseCsv, sampleEvent, sampleEvents } from "./sample-events";
import { planDataset } from "../../../generator/plan";
import { generateEvents } from "../../../generator/events";

function leafPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object") return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix === "" ? key : `${prefix}.${key}`));
}

function fieldAt(event: AccessLogEvent, dotted: string): unknown {
  if (dotted === "@timestamp") return event["@timestamp"];
  return dotted.split(".").reduce<unknown>((object, key) => (object as Record<string, unknown>)[key], event);
}

describe("CSV sink", () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "lab-csv-"));
  });
  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  // Since issue 11 the documents carry the nginx integration's 40-odd fields; the CSV keeps the
  // eleven columns it always had (docs/generator.md, "File output"), so spreadsheets and the older
  // tutorials that load it see the same header.
  const CLASSIC_COLUMNS = [
    "@timestamp", "event.dataset", "event.duration", "http.request.method", "http.response.status_code", "http.response.body.bytes",
    "url.path", "source.ip", "source.geo.country_iso_code", "user_agent.original", "host.name",
  ];

  it("has the documented columns, each a leaf field of an event named by its flattened ECS name", () => {
    expect(CSV_COLUMNS.map((column) => column.name)).to.deep.equal(CLASSIC_COLUMNS);
    expect(leafPaths(sampleEvent(1))).to.include.members(CLASSIC_COLUMNS);
    expect(parseCsv(CSV_HEADER)).to.deep.equal([CSV_COLUMNS.map((column) => column.name)]);
  });

  it("finds every column in every event the generator emits, for every anomaly kind", () => {
    const plan = planDataset({ days: 2, seed: 4, end: new Date("2026-11-17T00:00:00Z"), scenario: "mixed", meanRatePerSecond: 0.05 });
    const names = CSV_COLUMNS.map((column) => column.name);
    for (const event of generateEvents(plan)) expect(leafPaths(event)).to.include.members(names);
  });

  it("quotes only fields that need it, doubling inner quotes (RFC 4180)", () => {
    expect(quoteCsvField("plain")).to.equal("plain");
    expect(quoteCsvField(503)).to.equal("503");
    expect(quoteCsvField("a,b")).to.equal('"a,b"');
    expect(quoteCsvField('say "hi"')).to.equal('"say ""hi"""');
    expect(quoteCsvField("two\nlines")).to.equal('"two\nlines"');
  });

  it("round-trips user agents and paths with commas, quotes and line breaks", () => {
    for (let i = 0; i < 20; i++) {
      const event = sampleEvent(i);
      const [row] = parseCsv(formatCsvRow(event));
      expect(row).to.deep.equal(CSV_COLUMNS.map((column) => String(fieldAt(event, column.name))));
    }
  });

  it("writes a header and one row per event that a CSV reader gets back exactly", async () => {
    const target = path.join(directory, "events.csv");
    const total = 2_500;
    const result = await writeCsv(sampleEvents(total), target);
    const rows = parseCsv(fs.readFileSync(target, "utf8"));
    expect(rows[0]).to.deep.equal(CSV_COLUMNS.map((column) => column.name));
    expect(rows).to.have.length(total + 1);
    rows.slice(1).forEach((row, i) => {
      const event = sampleEvent(i);
      expect(row).to.deep.equal(CSV_COLUMNS.map((column) => String(fieldAt(event, column.name))));
    });
    expect(result.count).to.equal(total);
    expect(result.bytes).to.equal(fs.statSync(target).size);
  });
});
