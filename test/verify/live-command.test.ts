import { expect } from "chai";
import type { estypes } from "@elastic/elasticsearch";
import { UsageError } from "../../generator/errors";
import { main } from "../../verify/cli";
import { checkLiveFlags, DEFAULT_MARGIN_MS, DEFAULT_WAIT_MS } from "../../verify/live-command";
import { FakeClock, LIVE_SPIKE, MIN, at, iso, truthAt } from "./live-fixtures";
import { MlStub, type SeenRequest } from "./ml-stub";

const INDEX = "lab-a-access-mixed-2026.11.20-0123abcd";
const JOB = "lab-a-lab_request_rate_high";

async function labVerify(argv: string[], options: { clock?: FakeClock; env?: NodeJS.ProcessEnv } = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: options.env ?? {}, clock: options.clock });
  return { code, stdout, stderr };
}

function usageProblems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return (error as UsageError).problems;
  }
  throw new Error("expected a usage error");
}

function jobStats(clock: FakeClock): estypes.MlGetJobStatsResponse {
  return {
    count: 1,
    jobs: [
      {
        job_id: JOB, state: "opened", deleting: false,
        data_counts: {
          job_id: JOB, processed_record_count: 50_000, processed_field_count: 0, input_bytes: 0, input_field_count: 0, invalid_date_count: 0,
          missing_field_count: 0, out_of_order_timestamp_count: 0, empty_bucket_count: 0, sparse_bucket_count: 0, bucket_count: 300,
          input_record_count: 50_000, latest_record_timestamp: clock.now() - 3 * MIN,
        },
        forecasts_stats: { total: 0, forecasted_jobs: 0 },
        model_size_stats: {} as estypes.MlModelSizeStats,
        timing_stats: { job_id: JOB, bucket_count: 300 },
      } as estypes.MlJobStats,
    ],
  };
}

function record(minute: number, score: number): estypes.MlAnomaly {
  return {
    job_id: JOB, result_type: "record", timestamp: at(minute), bucket_span: 900, detector_index: 0, is_interim: false,
    probability: 1e-9, record_score: score, initial_record_score: score, function: "high_count",
  };
}

/**
 * Elasticsearch and ML stood in by one stub, answering as they would at the fake clock's time: the
 * spike is planted at +60m and ends at +90m, ML's record of it is readable from +100m, and the
 * alert is sent at `alertAt` (never when undefined).
 */
function labAt(clock: FakeClock, alertAt: number | undefined): MlStub {
  const labJob = { job_id: JOB, groups: ["elastic-ml-lab"], custom_settings: { lab: { detects: ["spike"] } }, analysis_config: { bucket_span: "15m", detectors: [] } };
  return new MlStub()
    .asElasticsearch()
    .withIndexMeta("lab-a-access-*", INDEX, () => ({ lab: { generator: "elastic-ml-lab", status: "indexing", truth: truthAt(clock.now()), updatedAt: iso(clock.now()) } }))
    .on((r) => (r.path === "/_ml/anomaly_detectors/elastic-ml-lab" ? { body: { count: 1, jobs: [labJob] } } : undefined))
    .on((r) => (r.path === `/_ml/anomaly_detectors/${JOB}/_stats` ? { body: jobStats(clock) } : undefined))
    .on((r) => (r.path === `/_ml/anomaly_detectors/${JOB}/results/buckets` ? { body: { count: 0, buckets: [] } satisfies estypes.MlGetBucketsResponse } : undefined))
    .on((r) => {
      if (r.path !== `/_ml/anomaly_detectors/${JOB}/results/records`) return undefined;
      const records = clock.now() >= at(100) ? [record(75, 88.4)] : [];
      return { body: { count: records.length, records } satisfies estypes.MlGetRecordsResponse };
    })
    .withSearch("lab-a-alerts", () =>
      alertAt === undefined || clock.now() < alertAt
        ? undefined
        : [{ "@timestamp": iso(alertAt), ml: { anomaly_timestamp: iso(at(75)), job_ids: JOB, anomaly_score: "88", is_interim: false }, rule: { id: "r", name: "lab ML anomalies" }, lab: { cohort: "a" } }],
    );
}

const isMl = (r: SeenRequest) => r.path.startsWith("/_ml/");

describe("verify/live-command: lab-verify verify --live", function () {
  this.timeout(30_000);

  describe("its flags, checked before any connection", () => {
    it("takes --margin 30m and --wait 3h by default", () => {
      expect(checkLiveFlags({ live: true })).to.deep.equal({ alertsIndex: undefined, marginMs: DEFAULT_MARGIN_MS, waitMs: DEFAULT_WAIT_MS, windowId: undefined });
      expect(DEFAULT_MARGIN_MS).to.equal(30 * MIN);
      expect(DEFAULT_WAIT_MS).to.equal(180 * MIN);
      expect(checkLiveFlags({ live: true, margin: "0m", wait: "1h30m", window: "spike-2", alertsIndex: "lab-a-alerts" })).to.deep.equal({ alertsIndex: "lab-a-alerts", marginMs: 0, waitMs: 90 * MIN, windowId: "spike-2" });
      expect(checkLiveFlags({})).to.equal(undefined);
    });

    it("names every --live-only flag given without --live", () => {
      expect(usageProblems(() => checkLiveFlags({ margin: "20m", alertsIndex: "x" }))).to.deep.equal([
        "--alerts-index: is only used with --live; add --live, or drop --alerts-index",
        "--margin: is only used with --live; add --live, or drop --margin",
      ]);
    });

    it("names every problem with --live at once: flags that make no sense with it, and bad values with what is allowed", () => {
      expect(usageProblems(() => checkLiveFlags({ live: true, truth: "t.json", plot: "p.svg", margin: "abc", wait: "0s", window: "spike", alertsIndex: "a,b" }))).to.deep.equal([
        "--truth: cannot be used with --live, which reads the ground truth from the index _meta, where the generator adds each live window as it plants it; drop --truth",
        "--plot: cannot be used with --live; once the window is over, draw it with lab-verify verify --plot (without --live)",
        '--margin "abc" is not allowed; allowed: a duration from 0s to 6h such as 20m, 90m or 1h30m',
        '--wait "0s" is not allowed; allowed: a duration from 1s to 24h such as 20m, 90m or 1h30m',
        '--window "spike" is not a window id; allowed: <kind>-<n> such as spike-1, with kind one of spike, drop, latency, errors, scan, rare_agent, new_error, level_shift, ramp',
        '--alerts-index "a,b" is not allowed; allowed: one index name such as lab-cohort-a-alerts',
      ]);
    });

    it("exits 2 naming the flag, before contacting any server", async () => {
      expect(await labVerify(["verify", "--live", "--margin", "abc", "--es", "http://127.0.0.1:9"])).to.deep.equal({
        code: 2, stdout: "", stderr: 'lab-verify verify: --margin "abc" is not allowed; allowed: a duration from 0s to 6h such as 20m, 90m or 1h30m\n',
      });
      const run = await labVerify(["verify", "--wait", "20m", "--es", "http://127.0.0.1:9"]);
      expect(run).to.deep.include({ code: 2, stderr: "lab-verify verify: --wait: is only used with --live; add --live, or drop --wait\n" });
    });
  });

  describe("against Elasticsearch and ML stood in by a stub, on a fake clock", () => {
    let stub: MlStub;
    afterEach(async () => stub?.stop());

    it("waits hours in no time, then exits 0 with the record, the alert and their delays", async () => {
      const clock = new FakeClock(at(30));
      stub = labAt(clock, at(112));
      await stub.start();
      const run = await labVerify(["verify", "--live", "--es", stub.url, "--index", "lab-a-access-*"], { clock });
      expect(run.stderr).to.equal(
        [
          "lab-verify verify: waiting for a live window in lab-a-access-*: the next starts at 2026-11-20 10:00 UTC (generator running, events written through 2026-11-20 09:28 UTC)",
          "lab-verify verify: spike-2 (spike) planted, 2026-11-20 10:00 UTC to 2026-11-20 10:30 UTC; looking for its record and alert from 2026-11-20 11:00 UTC (its end + --margin 30m)",
          "lab-verify verify: looking for spike-2's ML record and alert in lab-a-alerts until 2026-11-20 12:30 UTC (--wait 3h)",
          "",
        ].join("\n"),
      );
      expect(run.stdout).to.equal(
        [
          "lab-verify verify --live: spike-2 (spike), 2026-11-20 10:00 to 10:30 UTC, score threshold 50",
          "",
          "  generator  running, events written through 2026-11-20 10:58 UTC",
          "  jobs       lab-a-lab_request_rate_high",
          "  ML record  yes: score 88.4 from lab-a-lab_request_rate_high, bucket 10:15, which exists from 10:30 (+30m)",
          '  alert      yes: sent 10:52 (+52m) by rule "lab ML anomalies", for the bucket at 10:15, score 88.0',
          "",
          "OK: ML scored spike-2 at 50 or more and an alert arrived.",
          "",
        ].join("\n"),
      );
      expect(run.code).to.equal(0);
      expect(clock.now()).to.equal(at(120));
    });

    it("contract: reads the records from one bucket before the window, and the alerts sent since it began, oldest first", async () => {
      const clock = new FakeClock(at(120));
      stub = labAt(clock, at(112));
      await stub.start();
      expect((await labVerify(["verify", "--live", "--es", stub.url, "--index", "lab-a-access-*"], { clock })).code).to.equal(0);
      const records = stub.seen.find((r) => r.path.endsWith("/results/records"));
      expect(records?.body).to.deep.include({ start: iso(at(45)), exclude_interim: true, record_score: 0 });
      const search = stub.seen.find((r) => r.path === "/lab-a-alerts/_search");
      expect(search?.body).to.deep.include({ query: { range: { "@timestamp": { gte: iso(at(60)) } } }, sort: [{ "@timestamp": { order: "asc", unmapped_type: "date" } }] });
    });

    it("--json gives the same report with stable keys, and exit 1 with what was missing when no alert came within --wait", async () => {
      const clock = new FakeClock(at(30));
      stub = labAt(clock, undefined);
      await stub.start();
      const run = await labVerify(["verify", "--live", "--json", "--es", stub.url, "--index", "lab-a-access-*", "--wait", "2h"], { clock });
      expect(run.code).to.equal(1);
      const report = JSON.parse(run.stdout);
      expect(Object.keys(report)).to.deep.equal([
        "index", "alertsIndex", "scoreThreshold", "marginSeconds", "waitSeconds", "startedAt", "finishedAt", "generator", "window", "record", "alert", "missing", "ok", "notes",
      ]);
      expect(report).to.deep.include({ ok: false, missing: ["no-alert"], alertsIndex: "lab-a-alerts", waitSeconds: 7200, finishedAt: iso(at(150)) });
      expect(report.record).to.deep.include({ found: true, status: "found" });
      expect(report.alert).to.deep.equal({ found: false, indexExists: false, sentSinceStart: 0, unreadable: 0, first: null });
    });

    it("exits 1 naming an index not written in follow mode, before asking ML anything", async () => {
      const { live: _live, ...finished } = truthAt(at(200));
      stub = new MlStub().asElasticsearch().withIndexMeta("lab-a-access-*", INDEX, () => ({ lab: { generator: "elastic-ml-lab", status: "complete", truth: finished, updatedAt: iso(at(0)) } }));
      await stub.start();
      const run = await labVerify(["verify", "--live", "--es", stub.url, "--index", "lab-a-access-*"], { clock: new FakeClock(at(0)) });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/^lab-verify verify: index lab-a-access-\* was not written in follow mode/);
      expect(stub.seen.filter(isMl)).to.deep.equal([]);
    });

    it("asks for --alerts-index, exit 2, when the dataset index does not name a lab cohort", async () => {
      const clock = new FakeClock(at(30));
      stub = new MlStub().asElasticsearch().withIndexMeta("lab-access-*", "lab-access-mixed-2026.11.20-0123abcd", () => ({ lab: { status: "indexing", truth: truthAt(clock.now()) } }));
      await stub.start();
      const run = await labVerify(["verify", "--live", "--es", stub.url], { clock });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(
        "lab-verify verify: --alerts-index: needed here, since lab-access-mixed-2026.11.20-0123abcd does not name one lab cohort (the lab names a cohort's dataset lab-<cohort>-access-... and its alerts index lab-<cohort>-alerts); name the alerts index\n",
      );
    });

    it("checks the window --window names, waiting for it to be planted", async () => {
      const clock = new FakeClock(at(30));
      stub = labAt(clock, at(112));
      await stub.start();
      const run = await labVerify(["verify", "--live", "--window", LIVE_SPIKE.id, "--alerts-index", "lab-a-alerts", "--es", stub.url, "--index", "lab-a-access-*", "--json"], { clock });
      expect(run.code).to.equal(0);
      expect(JSON.parse(run.stdout).window.id).to.equal("spike-2");
      expect(run.stderr).to.include("waiting for live window spike-2 in lab-a-access-*");
    });
  });
});
