import { expect } from "chai";
import { collectTimings, datasetTiming, indexedLine, PROGRESS_LOG_INTERVAL_MS, progressLine, progressLogger, stepTiming } from "../../lab/timings";

const T0 = Date.parse("2026-11-30T10:00:00.000Z");

describe("lab/timings: each step's start and end", () => {
  it("writes a step's times as ISO-8601", () => {
    expect(stepTiming("verification", T0, T0 + 2_500)).to.deep.equal({ step: "verification", start: "2026-11-30T10:00:00.000Z", end: "2026-11-30T10:00:02.500Z" });
  });

  it("counts the dataset's docs/s over the indexing alone, not the wait for Elasticsearch before it", () => {
    const timing = datasetTiming({ startMs: T0, indexingStartMs: T0 + 5_000, endMs: T0 + 45_000 }, 1_000_000);
    expect(timing).to.deep.equal({ step: "dataset", start: "2026-11-30T10:00:00.000Z", end: "2026-11-30T10:00:45.000Z", documents: 1_000_000, docsPerSecond: 25_000 });
  });

  it("gives a dataset indexed within the same millisecond its document count as the rate, not Infinity", () => {
    expect(datasetTiming({ startMs: T0, indexingStartMs: T0, endMs: T0 }, 12).docsPerSecond).to.equal(12);
  });

  it("collects the steps earliest first, by name when they start together, and leaves out a resource made before timings were recorded", () => {
    const jobB = stepTiming("datafeed lab-x-b", T0 + 60_000, T0 + 90_000);
    const jobA = stepTiming("datafeed lab-x-a", T0 + 60_000, T0 + 80_000);
    const dataset = stepTiming("dataset", T0 + 20_000, T0 + 59_000);
    const server = stepTiming("elasticsearch", T0, T0 + 19_000);
    expect(collectTimings([jobB, undefined, dataset, jobA, server]).map((t) => t.step)).to.deep.equal(["elasticsearch", "dataset", "datafeed lab-x-a", "datafeed lab-x-b"]);
  });

  describe("the dataset's progress lines", () => {
    it("say the documents acknowledged, the expected total, the share and the rate so far", () => {
      expect(progressLine("dataset lab-x-access-1", 250_000, 1_000_000, 10_000)).to.equal("lab: dataset lab-x-access-1: 250,000 of about 1,000,000 documents (25%) in 10 s, 25,000/s");
    });

    it("end with one line of the documents indexed and their rate", () => {
      expect(indexedLine("backfill lab-x-access-live", { documents: 1_234_567, docsPerSecond: 12_820 })).to.equal("lab: backfill lab-x-access-live: 1,234,567 documents indexed at 12,820/s");
    });

    it("never claim 100% before the end: the total is an estimate", () => {
      expect(progressLine("dataset d", 1_020_000, 1_000_000, 40_000)).to.include("(99%)");
    });

    it("come at most once per interval, however often the indexer reports", () => {
      let now = T0;
      const lines: string[] = [];
      const report = progressLogger("dataset d", 100_000, T0, () => now, (line) => lines.push(line));
      for (let tick = 1; tick <= 100; tick += 1) {
        now = T0 + tick * 250;
        report(tick * 1_000);
      }
      // 25 s of reports every 250 ms: one line at 10 s and one at 20 s.
      expect(PROGRESS_LOG_INTERVAL_MS).to.equal(10_000);
      expect(lines).to.deep.equal([
        "lab: dataset d: 40,000 of about 100,000 documents (40%) in 10 s, 4,000/s",
        "lab: dataset d: 80,000 of about 100,000 documents (80%) in 20 s, 4,000/s",
      ]);
    });
  });
});
