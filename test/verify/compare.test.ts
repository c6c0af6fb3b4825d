import { expect } from "chai";
import type { GroundTruth, InjectedAnomaly } from "../../generator/types";
import { compareResults, type JobRun, type RecordResult } from "../../verify/compare";
import { formatReport } from "../../verify/format";

const MIN = 60_000;
const T0 = Date.parse("2026-11-20T00:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

const spike: InjectedAnomaly = {
  id: "spike-1", kind: "spike", start: iso(T0 + 600 * MIN), end: iso(T0 + 630 * MIN), magnitude: 4, entity: null,
  description: "Request rate four times normal for 30 minutes",
};
const latency: InjectedAnomaly = {
  id: "latency-1", kind: "latency", start: iso(T0 + 1200 * MIN), end: iso(T0 + 1260 * MIN), magnitude: 5,
  entity: { field: "host.name", value: "web-2" }, description: "web-2 answers five times slower for an hour",
};

function truth(anomalies: InjectedAnomaly[], scenario = "mixed"): GroundTruth {
  return {
    generator: "elastic-ml-lab", seed: 7, scenario, start: iso(T0 - 7 * 1440 * MIN), end: iso(T0 + 1440 * MIN),
    days: 8, meanRatePerSecond: 5, anomalies,
  };
}

function record(minute: number, score: number, entities: RecordResult["entities"] = []): RecordResult {
  return { timestamp: T0 + minute * MIN, bucketSpanSeconds: 900, recordScore: score, detectorIndex: 0, entities };
}

function run(jobId: string, detects: JobRun["detects"], records: RecordResult[], extra: Partial<JobRun> = {}): JobRun {
  return {
    jobId, detects, exists: true, state: "closed", processedRecordCount: 100_000,
    latestRecordTime: T0 + 1440 * MIN - 1, bucketCount: 768, records, ...extra,
  };
}

describe("verify/compare", () => {
  it("finds an anomaly whose window holds a record at or above 50, reporting the max score and time to first high score", () => {
    const report = compareResults(truth([spike]), [run("rate", ["spike"], [record(585, 30), record(600, 40), record(615, 91.5), record(630, 70)])]);
    const [verdict] = report.anomalies;
    expect(verdict).to.include({ status: "found", maxRecordScore: 91.5 });
    expect(verdict.firstHighScore).to.deep.equal({ jobId: "rate", timestamp: iso(T0 + 615 * MIN), secondsFromStart: 900, recordScore: 91.5, bucketSpanSeconds: 900 });
    expect(report.allFound).to.equal(true);
    expect(report.falseAlarmCount).to.equal(0);
  });

  it("calls a detection late when the first high score comes only in the bucket after the window", () => {
    const report = compareResults(truth([spike]), [run("rate", ["spike"], [record(600, 20), record(630, 75)])]);
    expect(report.anomalies[0]).to.include({ status: "late", maxRecordScore: 75 });
    expect(report.anomalies[0].firstHighScore?.secondsFromStart).to.equal(1800);
    expect(report.allFound, "a late detection still finds the anomaly").to.equal(true);
  });

  it("misses an anomaly when every record in its window stays below the threshold, keeping the best score", () => {
    const report = compareResults(truth([spike]), [run("rate", ["spike"], [record(600, 49.9), record(900, 10)])]);
    expect(report.anomalies[0]).to.include({ status: "missed", maxRecordScore: 49.9 });
    expect(report.anomalies[0].firstHighScore).to.equal(null);
    expect(report.allFound).to.equal(false);
  });

  it("counts only records on the anomaly's entity: a high score for another host does not find web-2's latency", () => {
    const other = record(1215, 88, [{ field: "host.name", value: "web-1" }]);
    const report = compareResults(truth([latency]), [run("lat", ["latency"], [other])]);
    expect(report.anomalies[0].status).to.equal("missed");
    const found = compareResults(truth([latency]), [run("lat", ["latency"], [record(1215, 88, [{ field: "url.path", value: "/" }, { field: "host.name", value: "web-2" }])])]);
    expect(found.anomalies[0].status).to.equal("found");
  });

  it("reports high-scoring records outside every window as false alarms of their job, and still exits on what was found", () => {
    const report = compareResults(truth([spike, latency]), [
      run("rate", ["spike"], [record(600, 80), record(60, 64, [{ field: "host.name", value: "web-3" }]), record(120, 20)]),
      run("lat", ["latency"], [record(1215, 70, [{ field: "host.name", value: "web-2" }]), record(1230, 55, [{ field: "host.name", value: "web-1" }])]),
    ]);
    expect(report.jobs[0].falseAlarms).to.deep.equal([{ timestamp: iso(T0 + 60 * MIN), recordScore: 64, detectorIndex: 0, entity: "host.name=web-3" }]);
    expect(report.jobs[1].falseAlarms, "a record inside a window is not a false alarm").to.be.empty;
    expect(report.falseAlarmCount).to.equal(1);
    expect(report.allFound).to.equal(true);
  });

  it("never says all found when a job has not run, has no results, or does not exist", () => {
    const notRun = compareResults(truth([spike]), [run("rate", ["spike"], [], { processedRecordCount: 0, bucketCount: 0, state: "opened" })]);
    expect(notRun.jobs[0].status).to.equal("not-run");
    expect(notRun.anomalies[0].status).to.equal("not-analysed");
    expect(notRun.allFound).to.equal(false);

    const noResults = compareResults(truth([]), [run("rate", ["spike"], [], { bucketCount: 0 })]);
    expect(noResults.jobs[0].status).to.equal("no-results");
    expect(noResults.allFound, "even with nothing injected").to.equal(false);

    const missing = compareResults(truth([spike]), [run("gone", ["spike"], [], { exists: false, processedRecordCount: 0, bucketCount: 0 })]);
    expect(missing.jobs[0]).to.include({ status: "missing" });
    expect(missing.allFound).to.equal(false);
  });

  it("says not-analysed, not missed, while the datafeed has not reached the window", () => {
    const report = compareResults(truth([latency]), [run("lat", ["latency"], [record(60, 10)], { latestRecordTime: T0 + 900 * MIN })]);
    expect(report.anomalies[0].status).to.equal("not-analysed");
    expect(report.anomalies[0].reason).to.include(iso(T0 + 900 * MIN));
  });

  it("marks an anomaly no selected job detects as not covered, and fails", () => {
    const report = compareResults(truth([spike, latency]), [run("rate", ["spike"], [record(600, 80)])]);
    expect(report.anomalies[1]).to.include({ status: "not-covered" });
    expect(report.allFound).to.equal(false);
  });

  it("fails with no jobs at all", () => {
    expect(compareResults(truth([]), []).allFound).to.equal(false);
  });

  it("passes clean traffic when every job ran, counting any high score as a false alarm", () => {
    const report = compareResults(truth([], "none"), [run("rate", ["spike"], [record(100, 12), record(200, 51)])]);
    expect(report.allFound).to.equal(true);
    expect(report.falseAlarmCount).to.equal(1);
  });

  describe("formatReport", () => {
    it("prints one row per anomaly and per job, the false alarms and a verdict line", () => {
      const text = formatReport(
        compareResults(truth([spike, latency]), [
          run("rate", ["spike"], [record(615, 91.5), record(60, 64)]),
          run("lat", ["latency"], [record(1215, 30, [{ field: "host.name", value: "web-2" }])]),
        ]),
      );
      expect(text).to.match(/spike-1\s+2026-11-20 10:00 → 10:30\s+-\s+FOUND\s+91\.5\s+\+15m \(rate\)/);
      expect(text).to.match(/latency-1\s+2026-11-20 20:00 → 21:00\s+host\.name=web-2\s+MISSED\s+30\.0\s+-/);
      expect(text).to.match(/rate\s+2026-11-20 01:00\s+64\.0/);
      expect(text).to.include("NOT ALL FOUND: 1 of 2 injected anomalies found; 1 false alarm.");
    });

    it("says OK only when all were found", () => {
      const text = formatReport(compareResults(truth([spike]), [run("rate", ["spike"], [record(600, 80)])]));
      expect(text.split("\n").at(-1)).to.equal("OK: all 1 injected anomalies found; 0 false alarms.");
    });
  });
});
