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

  it("says how late a ramp is first flagged and how slow its URL is by then, and when a level shift is the new normal", () => {
    const ramp = planDataset({ days: 1, seed: 3, end: new Date("2026-11-20T00:00:00.000Z"), scenario: "ramp", meanRatePerSecond: 1 });
    const rampReport = expectFromTruth(ramp.truth, "truth.json");
    const [window] = ramp.truth.anomalies;
    const late = (Date.parse(rampReport.evaluation.windows[0].firstAlarm!) - Date.parse(window.start)) / 60_000;
    expect(late).to.be.above(15);
    expect(rampReport.notes).to.have.length(1);
    expect(rampReport.notes[0]).to.match(new RegExp(`^ramp-1: the ramp on ${window.entity!.value} begins at .*; it is first flagged ${Math.round(late)} minutes later, when responses are about \\d\\.\\d times slower$`));
    expect(formatExpectReport(rampReport)).to.include(`  note: ${rampReport.notes[0]}`);

    const shift = planDataset({ days: 3, seed: 2, end: new Date("2026-11-20T00:00:00.000Z"), scenario: "level_shift", meanRatePerSecond: 1 });
    const shiftReport = expectFromTruth(shift.truth, "truth.json");
    expect(shiftReport.evaluation.windows[0]).to.include({ detected: true });
    expect(shiftReport.notes).to.deep.equal([
      `level_shift-1: the new level starts at ${shift.truth.anomalies[0].start.slice(0, 16).replace("T", " ")} and lasts; from ${shift.truth.anomalies[0].end.slice(0, 16).replace("T", " ")} it is the new normal, and nothing alarms on it after that`,
    ]);
  });
});
