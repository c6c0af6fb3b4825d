import { expect } from "chai";
import { alertsForWindow, toAlertDoc, type AlertDoc } from "../../verify/alert-match";
import { MIN, at, iso } from "./live-fixtures";

const WINDOW = { start: at(60), end: at(90), jobIds: ["lab-a-lab_request_rate_high"], bucketSpanMs: 15 * MIN };

function alert(sentMinute: number, anomalyMinute: number, jobIds = ["lab-a-lab_request_rate_high"]): AlertDoc {
  return { sentAt: at(sentMinute), anomalyAt: at(anomalyMinute), jobIds, score: 80, isInterim: false, ruleName: "lab ML anomalies" };
}

describe("verify/alert-match", () => {
  describe("reading one alert document", () => {
    it("reads the fields the lab's alerting writes, nested as the index connector sends them", () => {
      expect(
        toAlertDoc({
          "@timestamp": iso(at(101)),
          ml: { anomaly_timestamp: iso(at(75)), job_ids: "lab-a-lab_request_rate_high, lab-a-lab_latency", anomaly_score: "91.2", is_interim: "false" },
          message: "ML found an anomaly",
          rule: { id: "r1", name: "lab ML anomalies" },
          lab: { cohort: "a" },
        }),
      ).to.deep.equal({ sentAt: at(101), anomalyAt: at(75), jobIds: ["lab-a-lab_request_rate_high", "lab-a-lab_latency"], score: 91.2, isInterim: false, ruleName: "lab ML anomalies" });
    });

    it("reads dotted keys and epoch-ms times too, and takes a missing or unreadable score as none", () => {
      expect(
        toAlertDoc({ "@timestamp": at(101), "ml.anomaly_timestamp": String(at(75)), "ml.job_ids": "x", "ml.is_interim": true, "ml.anomaly_score": "high" }),
      ).to.deep.equal({ sentAt: at(101), anomalyAt: at(75), jobIds: ["x"], score: null, isInterim: true, ruleName: null });
      expect(toAlertDoc({ "@timestamp": at(101), ml: { "anomaly_timestamp": iso(at(75)) } })?.score).to.equal(null);
    });

    it("leaves out a document that does not say when it was sent or which bucket it is about", () => {
      expect(toAlertDoc({ "@timestamp": iso(at(101)), ml: { anomaly_timestamp: "" } })).to.equal(undefined);
      expect(toAlertDoc({ ml: { anomaly_timestamp: iso(at(75)) } })).to.equal(undefined);
      expect(toAlertDoc(undefined)).to.equal(undefined);
    });
  });

  describe("which alerts are about a window", () => {
    it("takes a bucket overlapping the window or the one right after it, and orders them by when they were sent", () => {
      const alerts = [alert(130, 90), alert(100, 46), alert(95, 60)];
      expect(alertsForWindow(alerts, WINDOW).map((a) => a.sentAt)).to.deep.equal([at(95), at(100), at(130)]);
    });

    it("leaves out a bucket that ended before the window began or starts a full bucket after it ended", () => {
      expect(alertsForWindow([alert(70, 45), alert(130, 105)], WINDOW)).to.deep.equal([]);
    });

    it("leaves out an alert from a job that does not detect the window's kind, and judges one naming no job by its time", () => {
      expect(alertsForWindow([alert(100, 75, ["lab-a-lab_latency"])], WINDOW)).to.deep.equal([]);
      expect(alertsForWindow([alert(100, 75, [])], WINDOW)).to.have.length(1);
    });
  });
});
