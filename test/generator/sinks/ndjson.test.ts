import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatNdjsonLine, writeNdjson } from "../../../generator/sinks/ndjson";
import { sampleEvent, sampleEvents } from "./sample-events";
import { planDataset } from "../../../generator/plan";
import { generateEvents } from "../../../generator/events";

describe("NDJSON sink", () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "lab-ndjson-"));
  });
  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("formats one event as one line of JSON that parses back to the same event", () => {
    const event = sampleEvent(7); // its user agent holds a line break, its path quotes and commas
    const line = formatNdjsonLine(event);
    expect(line.endsWith("\n")).to.equal(true);
    expect(line.slice(0, -1)).not.to.include("\n");
    expect(JSON.parse(line)).to.deep.equal(event);
  });

  it("writes every event as a parseable line, in order, and reports the count and bytes", async () => {
    const target = path.join(directory, "events.ndjson");
    const total = 3_000; // several 64 KiB chunks
    const result = await writeNdjson(sampleEvents(total), target);
    const text = fs.readFileSync(target, "utf8");
    const lines = text.split("\n");
    expect(lines.pop()).to.equal("");
    expect(lines).to.have.length(total);
    lines.forEach((line, i) => expect(JSON.parse(line)).to.deep.equal(sampleEvent(i)));
    expect(result).to.deep.equal({ destination: target, count: total, bytes: Buffer.byteLength(text) });
  });

  it("writes exactly the generator's events for a plan, one parseable line each", async () => {
    const plan = planDataset({ days: 2, seed: 9, end: new Date("2026-11-17T00:00:00Z"), scenario: "mixed", meanRatePerSecond: 0.03 });
    const target = path.join(directory, "plan.ndjson");
    const result = await writeNdjson(generateEvents(plan), target);
    const lines = fs.readFileSync(target, "utf8").trimEnd().split("\n");
    let i = 0;
    for (const event of generateEvents(plan)) {
      expect(JSON.parse(lines[i]), `line ${i + 1}`).to.deep.equal(event);
      i++;
    }
    expect(lines).to.have.length(i);
    expect(result.count).to.equal(i);
  });

  it("reports progress as chunks go out, ending with the total", async () => {
    const seen: number[] = [];
    await writeNdjson(sampleEvents(2_000), path.join(directory, "e.ndjson"), { onProgress: (n) => seen.push(n) });
    expect(seen.length).to.be.greaterThan(2);
    expect(seen).to.deep.equal([...seen].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).to.equal(2_000);
  });

  it("writes an empty file for no events", async () => {
    const target = path.join(directory, "empty.ndjson");
    const result = await writeNdjson([], target);
    expect(fs.readFileSync(target, "utf8")).to.equal("");
    expect(result.count).to.equal(0);
  });
});
