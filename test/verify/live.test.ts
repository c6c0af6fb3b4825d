import { expect } from "chai";
import { LabError } from "../../generator/errors";
import type { GroundTruth } from "../../generator/types";
import type { AlertDoc } from "../../verify/alert-match";
import type { JobRun, RecordResult } from "../../verify/compare";
import { watchLiveWindow, type LiveJob, type LiveSettings, type LiveSources } from "../../verify/live";
import { FakeClock, LIVE_SPIKE, MIN, at, iso, truthAt } from "./live-fixtures";

const RATE_JOB: LiveJob = { jobId: "lab-a-lab_request_rate_high", detects: ["spike"], bucketSpanSeconds: 900 };
const LATENCY_JOB: LiveJob = { jobId: "lab-a-lab_latency", detects: ["latency"], bucketSpanSeconds: 900 };

const SETTINGS: LiveSettings = {
  index: "lab-a-access-live", alertsIndex: "lab-a-alerts", jobs: [RATE_JOB, LATENCY_JOB], scoreThreshold: 50, marginMs: 30 * MIN, waitMs: 3 * 60 * MIN,
};

interface Timeline {
  /** The truth at a time; default: the spike at +60m..+90m, planted when it starts */
  truth?: (now: number) => GroundTruth;
  /** Records, each visible from a time */
  records?: { visibleAt: number; record: RecordResult }[];
  alerts?: AlertDoc[];
}

/** Stand-ins for Elasticsearch and ML whose answers depend on the fake clock's time, as the real ones' do. */
function sources(clock: FakeClock, timeline: Timeline) {
  const calls: string[] = [];
  const stand: LiveSources = {
    readTruth: async () => (timeline.truth ?? truthAt)(clock.now()),
    readRuns: async (jobs, sinceMs) => {
      calls.push(`runs ${jobs.map((j) => j.jobId).join(",")} since ${iso(sinceMs)}`);
      return jobs.map((job): JobRun => ({
        jobId: job.jobId, detects: job.detects, exists: true, state: "opened", processedRecordCount: 10_000, bucketCount: 400,
        latestRecordTime: clock.now() - 5 * MIN,
        records: (timeline.records ?? []).filter((r) => r.visibleAt <= clock.now() && r.record.timestamp >= sinceMs).map((r) => r.record),
      }));
    },
    readAlerts: async (sinceMs) => {
      calls.push(`alerts since ${iso(sinceMs)}`);
      return { indexExists: (timeline.alerts ?? []).some((a) => a.sentAt <= clock.now()), alerts: (timeline.alerts ?? []).filter((a) => a.sentAt <= clock.now() && a.sentAt >= sinceMs), unreadable: 0 };
    },
  };
  return { stand, calls };
}

const spikeRecord = (minute: number, score: number): RecordResult => ({ timestamp: at(minute), bucketSpanSeconds: 900, recordScore: score, detectorIndex: 0, function: "high_count", entities: [] });
const spikeAlert = (sentMinute: number, anomalyMinute: number): AlertDoc => ({
  sentAt: at(sentMinute), anomalyAt: at(anomalyMinute), jobIds: [RATE_JOB.jobId], score: 91, isInterim: false, ruleName: "lab ML anomalies",
});

async function watch(startMinute: number, timeline: Timeline, settings: Partial<LiveSettings> = {}) {
  const clock = new FakeClock(at(startMinute));
  const { stand, calls } = sources(clock, timeline);
  const log: string[] = [];
  const report = await watchLiveWindow(stand, { ...SETTINGS, ...settings }, clock, (line) => log.push(line));
  return { report, log, calls, clock };
}

describe("verify/live: waiting for the live window, then its record and alert (fake clock, ML and Elasticsearch stood in)", () => {
  it("waits for the window to be planted and to end plus the margin, then finds the record and the alert at the first look", async () => {
    const { report, log, clock } = await watch(30, { records: [{ visibleAt: at(100), record: spikeRecord(75, 91.5) }], alerts: [spikeAlert(110, 75)] });
    expect(log).to.deep.equal([
      "waiting for a live window in lab-a-access-live: the next starts at 2026-11-20 10:00 UTC (generator running, events written through 2026-11-20 09:28 UTC)",
      "spike-2 (spike) planted, 2026-11-20 10:00 UTC to 2026-11-20 10:30 UTC; looking for its record and alert from 2026-11-20 11:00 UTC (its end + --margin 30m)",
      "looking for spike-2's ML record and alert in lab-a-alerts until 2026-11-20 12:30 UTC (--wait 3h)",
    ]);
    expect(report).to.deep.include({ ok: true, missing: [], startedAt: iso(at(30)), finishedAt: iso(at(120)) });
    expect(report.window).to.deep.equal({ id: "spike-2", kind: "spike", start: iso(at(60)), end: iso(at(90)), entity: null, jobs: [RATE_JOB.jobId] });
    expect(report.record).to.deep.equal({
      found: true, status: "found", maxScore: 91.5, reason: null,
      first: { jobId: RATE_JOB.jobId, bucket: iso(at(75)), score: 91.5, availableAt: iso(at(90)), secondsFromStart: 1800 },
    });
    expect(report.alert).to.deep.equal({
      found: true, indexExists: true, sentSinceStart: 1, unreadable: 0,
      first: { sentAt: iso(at(110)), anomalyAt: iso(at(75)), jobIds: [RATE_JOB.jobId], score: 91, ruleName: "lab ML anomalies", isInterim: false, secondsFromStart: 3000 },
    });
    expect(report.generator).to.deep.equal({ status: "running", through: iso(at(118)), nextWindowStart: null, updatedAt: iso(at(118)) });
    expect(clock.slept.every((ms) => ms <= MIN)).to.equal(true);
  });

  it("reads only the jobs that detect the window's kind, from one bucket before the window, and the alerts sent since it began", async () => {
    const { calls } = await watch(100, { records: [{ visibleAt: at(100), record: spikeRecord(75, 91.5) }], alerts: [spikeAlert(110, 75)] });
    expect(calls).to.deep.equal([`runs ${RATE_JOB.jobId} since ${iso(at(45))}`, `alerts since ${iso(at(60))}`]);
  });

  it("keeps looking after the margin until a slow alert arrives, so a slow rule is no false negative", async () => {
    const { report, calls } = await watch(0, { records: [{ visibleAt: at(100), record: spikeRecord(75, 91.5) }], alerts: [spikeAlert(152, 90)] });
    expect(report).to.deep.include({ ok: true, finishedAt: iso(at(152)) });
    expect(report.alert?.first?.secondsFromStart).to.equal(92 * 60);
    expect(calls.filter((c) => c.startsWith("alerts"))).to.have.length(33);
  });

  it("counts a record only in the bucket after the window as found late", async () => {
    const { report } = await watch(0, { records: [{ visibleAt: at(125), record: spikeRecord(90, 70) }], alerts: [spikeAlert(128, 90)] });
    expect(report.ok).to.equal(true);
    expect(report.record).to.deep.include({ found: true, status: "late" });
    expect(report.record?.first).to.deep.include({ availableAt: iso(at(105)), secondsFromStart: 2700 });
  });

  it("stops at the bound with what is missing: the record scored too low, and no alert about this window", async () => {
    const { report } = await watch(0, { records: [{ visibleAt: at(100), record: spikeRecord(75, 41) }], alerts: [spikeAlert(130, 200)] }, { waitMs: 150 * MIN });
    expect(report).to.deep.include({ ok: false, missing: ["no-record", "no-alert"], finishedAt: iso(at(150)) });
    expect(report.record).to.deep.include({ found: false, status: "missed", maxScore: 41, first: null, reason: "no record scored 50 or more in the window" });
    expect(report.alert).to.deep.include({ found: false, indexExists: true, sentSinceStart: 1, first: null });
  });

  it("stops at the bound with the window not planted yet, and never reads ML", async () => {
    const late = { ...LIVE_SPIKE, start: iso(at(300)), end: iso(at(330)) };
    const { report, calls } = await watch(0, { truth: (now) => truthAt(now, late) }, { waitMs: 90 * MIN });
    expect(report).to.deep.include({ ok: false, missing: ["window-not-planted"], window: null, record: null, alert: null, finishedAt: iso(at(90)) });
    expect(report.generator?.nextWindowStart).to.equal(iso(at(300)));
    expect(calls).to.deep.equal([]);
  });

  it("says at once when the window ends too late for the bound, instead of waiting for nothing", async () => {
    const { report, clock } = await watch(0, {}, { waitMs: 100 * MIN });
    expect(report).to.deep.include({ ok: false, missing: ["window-not-over"], finishedAt: iso(at(60)) });
    expect(report.notes).to.deep.equal([
      "spike-2 ends at 2026-11-20 10:30 UTC; with --margin 30m its record and alert are looked for from 2026-11-20 11:00 UTC, after --wait 1h40m runs out at 2026-11-20 10:40 UTC; raise --wait",
    ]);
    expect(clock.now()).to.equal(at(60));
  });

  it("fails with the generator's own words when it fails before planting the window", async () => {
    const truth = (now: number) => {
      const t = truthAt(now);
      return now >= at(20) ? { ...t, live: { ...t.live!, status: "failed" as const, through: iso(at(18)) } } : t;
    };
    const error = await watch(0, { truth }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(LabError);
    expect((error as Error).message).to.include("failed (live.status \"failed\", events written through 2026-11-20T09:18:00.000Z) before planting a live window");
  });

  it("fails when no selected job detects the planted window's kind", async () => {
    const error = await watch(70, {}, { jobs: [LATENCY_JOB] }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(LabError);
    expect((error as Error).message).to.equal('spike-2: no selected job detects "spike" (jobs: lab-a-lab_latency); select one with --job or --job-prefix');
  });
});
