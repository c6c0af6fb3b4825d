import { expect } from "chai";
import { formatLiveReport } from "../../verify/live-format";
import type { LiveReport } from "../../verify/live-report";
import { at, iso } from "./live-fixtures";

const OK: LiveReport = {
  index: "lab-a-access-live", alertsIndex: "lab-a-alerts", scoreThreshold: 50, marginSeconds: 1800, waitSeconds: 10_800,
  startedAt: iso(at(30)), finishedAt: iso(at(120)),
  generator: { status: "running", through: iso(at(118)), nextWindowStart: null, updatedAt: iso(at(118)) },
  window: { id: "spike-2", kind: "spike", start: iso(at(60)), end: iso(at(90)), entity: null, jobs: ["lab-a-lab_request_rate_high"] },
  record: {
    found: true, status: "found", maxScore: 91.5, reason: null,
    first: { jobId: "lab-a-lab_request_rate_high", bucket: iso(at(75)), score: 91.5, availableAt: iso(at(90)), secondsFromStart: 1800 },
  },
  alert: {
    found: true, indexExists: true, sentSinceStart: 1, unreadable: 0,
    first: { sentAt: iso(at(110)), anomalyAt: iso(at(75)), jobIds: ["lab-a-lab_request_rate_high"], score: 91, ruleName: "lab ML anomalies", isInterim: false, secondsFromStart: 3000 },
  },
  missing: [], ok: true, notes: [],
};

describe("verify/live-format", () => {
  it("prints the window, the record and the alert with their delays from the window's start, and OK", () => {
    expect(formatLiveReport(OK)).to.equal(
      [
        "lab-verify verify --live: spike-2 (spike), 2026-11-20 10:00 to 10:30 UTC, score threshold 50",
        "",
        "  generator  running, events written through 2026-11-20 10:58 UTC",
        "  jobs       lab-a-lab_request_rate_high",
        "  ML record  yes: score 91.5 from lab-a-lab_request_rate_high, bucket 10:15, which exists from 10:30 (+30m)",
        '  alert      yes: sent 10:50 (+50m) by rule "lab ML anomalies", for the bucket at 10:15, score 91.0',
        "",
        "OK: ML scored spike-2 at 50 or more and an alert arrived.",
      ].join("\n"),
    );
  });

  it("says what is missing after the wait, and why, in words", () => {
    const report: LiveReport = {
      ...OK,
      finishedAt: iso(at(210)),
      window: { ...OK.window!, id: "latency-1", kind: "latency", entity: "host.name=web-2", jobs: ["lab-a-lab_latency"] },
      record: { found: false, status: "missed", maxScore: 41, first: null, reason: "no record scored 50 or more for host.name=web-2 in the window" },
      alert: { found: false, indexExists: true, sentSinceStart: 2, unreadable: 0, first: null },
      missing: ["no-record", "no-alert"], ok: false,
    };
    const text = formatLiveReport(report);
    expect(text).to.include("lab-verify verify --live: latency-1 (latency, host.name=web-2), 2026-11-20 10:00 to 10:30 UTC");
    expect(text).to.include("  ML record  no: no record scored 50 or more for host.name=web-2 in the window (best 41.0)\n");
    expect(text).to.include("  alert      no: lab-a-alerts has no alert for this window (2 sent since the window began, none about it)\n");
    expect(text.split("\n").at(-1)).to.equal("NOT OK after 3h (--wait 3h): no ML record; no alert.");
  });

  it("says when the alerts index does not exist yet", () => {
    const report: LiveReport = { ...OK, alert: { found: false, indexExists: false, sentSinceStart: 0, unreadable: 0, first: null }, missing: ["no-alert"], ok: false };
    expect(formatLiveReport(report)).to.include("  alert      no: lab-a-alerts does not exist (the first alert creates it)\n");
  });

  it("before a window is planted, gives the generator's progress and the next window's start", () => {
    const report: LiveReport = {
      ...OK, finishedAt: iso(at(120)), waitSeconds: 5400, window: null, record: null, alert: null, missing: ["window-not-planted"], ok: false,
      generator: { status: "running", through: iso(at(118)), nextWindowStart: iso(at(300)), updatedAt: iso(at(118)) },
    };
    expect(formatLiveReport(report)).to.equal(
      [
        "lab-verify verify --live: lab-a-access-live, no live window yet, score threshold 50",
        "",
        "  generator  running, events written through 2026-11-20 10:58 UTC; next window 2026-11-20 14:00 UTC",
        "",
        "NOT OK after 1h30m (--wait 1h30m): the live window was not planted.",
      ].join("\n"),
    );
  });

  it("says why it stopped before the bound when waiting could not help, without claiming a wait", () => {
    const report: LiveReport = {
      ...OK, finishedAt: iso(at(60)), waitSeconds: 6000, record: null, alert: null, missing: ["window-not-over"], ok: false,
      notes: ["spike-2 ends at 2026-11-20 10:30 UTC; with --margin 30m its record and alert are looked for from 2026-11-20 11:00 UTC, after --wait 1h40m runs out at 2026-11-20 10:40 UTC; raise --wait"],
    };
    const lines = formatLiveReport(report).split("\n");
    expect(lines.slice(-3)).to.deep.equal([
      "  note: spike-2 ends at 2026-11-20 10:30 UTC; with --margin 30m its record and alert are looked for from 2026-11-20 11:00 UTC, after --wait 1h40m runs out at 2026-11-20 10:40 UTC; raise --wait",
      "",
      "NOT OK: the live window was not over (plus the margin).",
    ]);
    expect(lines).to.include("  ML record  not looked for yet");
  });
});
