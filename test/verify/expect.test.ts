import { expect } from "chai";
import { UsageError } from "../../generator/errors";
import { planDataset } from "../../generator/plan";
import { expectFromTruth, formatExpectReport, planFromTruth } from "../../verify/expect";
import { reversedKeys } from "../support/reorder";

describe("verify/expect: the expected answer from a ground truth", function () {
  this.timeout(120_000);
  const plan = planDataset({ days: 3, seed: 5, end: new Date("2026-11-20T00:00:00.000Z"), scenario: "spike", meanRatePerSecond: 0.3 });

  it("rebuilds the very plan a ground truth came from", () => {
    expect(planFromTruth(plan.truth, "truth.json").truth).to.deep.equal(plan.truth);
  });

  it("rebuilds a ground truth whose keys come in another order, as Elasticsearch's _meta and jq -S give it back", () => {
    const reordered = reversedKeys(plan.truth);
    expect(JSON.stringify(reordered.anomalies)).not.to.equal(JSON.stringify(plan.truth.anomalies));
    expect(planFromTruth(reordered, "truth.json").truth).to.deep.equal(plan.truth);
  });

  it("refuses a ground truth the generator does not rebuild exactly", () => {
    const tampered = { ...plan.truth, anomalies: plan.truth.anomalies.map((a) => ({ ...a, description: "edited" })) };
    expect(() => planFromTruth(tampered, "truth.json")).to.throw(UsageError, /truth\.json: the generator does not rebuild this ground truth exactly/);
  });

  it("says the spike stands out, in which bucket, with nothing else alarmed", () => {
    const report = expectFromTruth(plan.truth, "truth.json");
    expect(report.evaluation.windows).to.have.length(1);
    expect(report.evaluation.windows[0]).to.include({ id: "spike-1", detected: true });
    expect(report.evaluation.falseAlarms).to.deep.equal([]);
    expect(formatExpectReport(report)).to.match(/spike-1\s+count_high\s+yes/);
  });

  it("names the jobs that should catch each window, the lab's tuned ones and Elastic's prebuilt ones apart", () => {
    const report = expectFromTruth(plan.truth, "truth.json");
    expect(report.catchers).to.deep.equal([
      { id: "spike-1", tuned: ["lab_request_rate_high"], prebuilt: ["status_code_rate_nginx", "visitor_rate_nginx"] },
    ]);
    expect(formatExpectReport(report)).to.match(/spike-1\s+lab_request_rate_high\s+status_code_rate_nginx, visitor_rate_nginx/);
  });

  it("says the detector needs 3 days of history, and how many it got, rather than NO with score 0, on a shorter range", () => {
    const short = planDataset({ days: 2, seed: 5, end: new Date("2026-11-20T00:00:00.000Z"), scenario: "spike", meanRatePerSecond: 0.3 });
    const report = expectFromTruth(short.truth, "truth.json");
    expect(report.evaluation.windows[0]).to.deep.include({ id: "spike-1", detected: false, history: { neededDays: 3, days: 2 } });
    const text = formatExpectReport(report);
    expect(text).to.match(/spike-1\s+count_high\s+CANNOT TELL\s+-\s+-/);
    expect(text).to.include("the detector needs 3 days of history; this dataset has 2 days (generate it with --days 3 or more)");
    expect(text).to.not.match(/\bNO\b/);
  });

  it("adds no history note where the range is long enough", () => {
    expect(expectFromTruth(plan.truth, "truth.json").evaluation.windows[0]).to.not.have.property("history");
  });
});
