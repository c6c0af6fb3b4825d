import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as lab from "../../generator";
import { planDataset } from "../../generator/plan";
import { generateEvents } from "../../generator/events";
import { generateErrorEvents } from "../../generator/error-log";

const END = new Date("2026-11-17T00:00:00Z");

describe("generator library API", () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "lab-generator-api-"));
  });
  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("exports the model, the sinks and the Elasticsearch helpers from one module", () => {
    for (const name of [
      "planDataset", "generateEvents", "documentId", "SCENARIOS", "ANOMALY_KINDS", "UsageError", "LabError",
      "writeNdjson", "writeCsv", "indexDataset", "deleteDataset", "checkConnection", "createClient", "indexNameFor",
      "indexTemplateFor", "readDatasetMeta", "generateDataset", "writeDataset",
      "generateErrorEvents", "errorDocumentId", "errorIndexPrefixFor", "errorIndexNameFor", "LAB_ERROR_INDEX_MAPPINGS",
    ]) {
      expect(lab, name).to.have.property(name).that.is.not.undefined;
    }
  });

  it("generateDataset writes the events and returns the ground truth with the event count", async () => {
    const target = path.join(directory, "events.ndjson");
    const options = { days: 0.5, seed: 3, end: END, meanRatePerSecond: 0.05 };
    const result = await lab.generateDataset(options, { kind: "ndjson", path: target });
    const lines = fs.readFileSync(target, "utf8").trimEnd().split("\n");
    const expected = [...generateEvents(planDataset(options))];
    expect(lines).to.have.length(expected.length);
    expect(lines.map((line) => JSON.parse(line))).to.deep.equal(expected);
    expect(result.count).to.equal(expected.length);
    expect(result.truth).to.deep.equal({ ...planDataset(options).truth, eventCount: expected.length });
    expect(result.destination).to.equal(target);
  });

  it("generateDataset writes nginx's error log beside a CSV or NDJSON file when given an errorPath, as NDJSON", async () => {
    const options = { days: 0.5, seed: 3, end: END, meanRatePerSecond: 0.2, scenario: "errors" };
    const expected = [...generateErrorEvents(planDataset(options))];
    expect(expected.length).to.be.greaterThan(0);
    const errorPath = path.join(directory, "errors.ndjson");
    const result = await lab.generateDataset(options, { kind: "csv", path: path.join(directory, "events.csv"), errorPath });
    const lines = fs.readFileSync(errorPath, "utf8").trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line))).to.deep.equal(expected);
    expect(result.errorLog).to.deep.equal({ destination: errorPath, count: expected.length, bytes: fs.statSync(errorPath).size });
    const without = await lab.generateDataset(options, { kind: "ndjson", path: path.join(directory, "events.ndjson") });
    expect(without.errorLog).to.equal(undefined);
  });

  it("rejects bad options before creating the file", async () => {
    const target = path.join(directory, "events.ndjson");
    let caught: unknown;
    try {
      await lab.generateDataset({ days: -1, seed: 3, end: END }, { kind: "csv", path: target });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(lab.UsageError);
    expect(fs.existsSync(target)).to.equal(false);
  });

  it("rejects an unknown sink kind", async () => {
    let caught: unknown;
    try {
      await lab.generateDataset({ days: 0.5, seed: 3, end: END }, { kind: "parquet", path: "x" } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(lab.UsageError).with.property("message", 'sink kind "parquet" is not allowed; allowed: ndjson, csv, elasticsearch');
  });
});
