import { expect } from "chai";
import type { Client, estypes } from "@elastic/elasticsearch";
import { LabError, UsageError } from "../../generator/errors";
import type { GroundTruth } from "../../generator/types";
import { loadJobDefinitions } from "../../ml-jobs";
import { verifyJobs } from "../../verify";
import { resolveJobs } from "../../verify/jobs";
import { readJobResults } from "../../verify/results";
import { MlStub, type SeenRequest } from "./ml-stub";

const T0 = Date.parse("2026-11-20T10:00:00.000Z");
const JOB = "lab_request_rate_high";

function stats(jobId: string, processed: number, buckets: number): estypes.MlGetJobStatsResponse {
  return {
    count: 1,
    jobs: [
      {
        job_id: jobId,
        state: "closed",
        deleting: false,
        data_counts: {
          job_id: jobId, processed_record_count: processed, processed_field_count: processed, input_bytes: 0, input_field_count: processed,
          invalid_date_count: 0, missing_field_count: 0, out_of_order_timestamp_count: 0, empty_bucket_count: 0, sparse_bucket_count: 0,
          bucket_count: buckets, input_record_count: processed, latest_record_timestamp: T0 + 86_400_000,
        },
        forecasts_stats: { total: 0, forecasted_jobs: 0 },
        model_size_stats: {} as estypes.MlModelSizeStats,
        timing_stats: { job_id: jobId, bucket_count: buckets },
      } as estypes.MlJobStats,
    ],
  };
}

function anomaly(minute: number, score: number, extra: Partial<estypes.MlAnomaly> = {}): estypes.MlAnomaly {
  return {
    job_id: JOB, result_type: "record", timestamp: T0 + minute * 60_000, bucket_span: 900, detector_index: 0, is_interim: false,
    probability: 1e-9, record_score: score, initial_record_score: score, function: "high_count", ...extra,
  };
}

function bucket(minute: number, score: number): estypes.MlBucketSummary {
  return {
    job_id: JOB, timestamp: T0 + minute * 60_000, timestamp_string: "", bucket_span: 900, anomaly_score: score, initial_anomaly_score: score,
    event_count: 100, is_interim: false, processing_time_ms: 1, result_type: "bucket", bucket_influencers: [],
  };
}

const path = (r: SeenRequest) => `${r.method} ${r.path}`;

describe("verify/results against the ML results API (contract tests: a stub speaking the client's published types, since the test Elasticsearch has no ML plugin)", () => {
  let stub: MlStub;
  let client: Client;
  afterEach(async () => {
    await client?.close();
    await stub?.stop();
  });

  it("contract: reads job stats, then buckets and records with exclude_interim and paging, and keeps every entity a record names", async () => {
    stub = new MlStub()
      .on((r) => (path(r) === `GET /_ml/anomaly_detectors/${JOB}/_stats` ? { body: stats(JOB, 86_400, 96) } : undefined))
      .on((r) => (path(r) === `POST /_ml/anomaly_detectors/${JOB}/results/buckets` ? { body: { count: 2, buckets: [bucket(0, 0), bucket(15, 88)] } satisfies estypes.MlGetBucketsResponse } : undefined))
      .on((r) =>
        path(r) === `POST /_ml/anomaly_detectors/${JOB}/results/records`
          ? {
              body: {
                count: 1,
                records: [
                  anomaly(15, 88.2, {
                    partition_field_name: "host.name", partition_field_value: "web-2",
                    influencers: [{ influencer_field_name: "url.path", influencer_field_values: ["/api/cart", "/"] }],
                  }),
                ],
              } satisfies estypes.MlGetRecordsResponse,
            }
          : undefined,
      );
    client = await stub.start();
    const results = await readJobResults(client, JOB, ["spike"]);

    expect(stub.seen.map(path)).to.deep.equal([
      `GET /_ml/anomaly_detectors/${JOB}/_stats`,
      `POST /_ml/anomaly_detectors/${JOB}/results/buckets`,
      `POST /_ml/anomaly_detectors/${JOB}/results/records`,
    ]);
    expect(stub.seen[1].body).to.deep.equal({ exclude_interim: true, sort: "timestamp", desc: false, page: { from: 0, size: 1000 } });
    expect(stub.seen[2].body).to.deep.equal({ exclude_interim: true, sort: "timestamp", desc: false, record_score: 0, page: { from: 0, size: 1000 } });
    expect(results.run).to.include({ jobId: JOB, exists: true, state: "closed", processedRecordCount: 86_400, bucketCount: 96, latestRecordTime: T0 + 86_400_000 });
    expect(results.buckets).to.deep.equal([{ timestamp: T0, anomalyScore: 0 }, { timestamp: T0 + 900_000, anomalyScore: 88 }]);
    expect(results.run.records).to.deep.equal([
      {
        timestamp: T0 + 900_000, bucketSpanSeconds: 900, recordScore: 88.2, detectorIndex: 0, function: "high_count",
        entities: [{ field: "host.name", value: "web-2" }, { field: "url.path", value: "/api/cart" }, { field: "url.path", value: "/" }],
      },
    ]);
  });

  it("contract: pages through records 1000 at a time until the count is reached", async () => {
    const all = Array.from({ length: 2500 }, (_, i) => anomaly(i, 1 + (i % 90)));
    stub = new MlStub()
      .on((r) => (r.path.endsWith("/_stats") ? { body: stats(JOB, 1000, 2500) } : undefined))
      .on((r) => (r.path.endsWith("/results/buckets") ? { body: { count: 0, buckets: [] } } : undefined))
      .on((r) => (r.path.endsWith("/results/records") ? { body: { count: all.length, records: all.slice(r.body.page.from, r.body.page.from + r.body.page.size) } } : undefined));
    client = await stub.start();
    const results = await readJobResults(client, JOB, ["spike"]);
    expect(stub.seen.filter((r) => r.path.endsWith("/records")).map((r) => r.body.page.from)).to.deep.equal([0, 1000, 2000]);
    expect(results.run.records).to.have.length(2500);
    expect(results.recordScoreFloor).to.equal(0);
  });

  it("contract: with more records than the results window holds, raises the record_score floor instead of failing", async () => {
    stub = new MlStub()
      .on((r) => (r.path.endsWith("/_stats") ? { body: stats(JOB, 1000, 10) } : undefined))
      .on((r) => (r.path.endsWith("/results/buckets") ? { body: { count: 0, buckets: [] } } : undefined))
      .on((r) => (r.path.endsWith("/results/records") ? { body: r.body.record_score < 5 ? { count: 20_000, records: [] } : { count: 1, records: [anomaly(0, 70)] } } : undefined));
    client = await stub.start();
    const results = await readJobResults(client, JOB, ["spike"]);
    expect(stub.seen.filter((r) => r.path.endsWith("/records")).map((r) => r.body.record_score)).to.deep.equal([0, 1, 5]);
    expect(results.recordScoreFloor).to.equal(5);
    expect(results.run.records).to.have.length(1);
  });

  it("contract: a job the cluster does not know (404 resource_not_found_exception) comes back as missing, not as an error", async () => {
    stub = new MlStub();
    client = await stub.start();
    const results = await readJobResults(client, "nope", ["spike"]);
    expect(results.run).to.include({ exists: false, processedRecordCount: 0 });
  });

  it("contract: a failing results API becomes a LabError naming the request, the status and the server's reason", async () => {
    stub = new MlStub()
      .on((r) => (r.path.endsWith("/_stats") ? { body: stats(JOB, 10, 1) } : undefined))
      .on((r) => (r.path.endsWith("/results/buckets") ? { status: 403, body: { error: { type: "security_exception", reason: "action [cluster:monitor/xpack/ml/job/results/buckets/get] is unauthorized" }, status: 403 } } : undefined));
    client = await stub.start();
    const error = await readJobResults(client, JOB, ["spike"]).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(LabError);
    expect((error as Error).message).to.equal(
      `GET _ml/anomaly_detectors/${JOB}/results/buckets failed: HTTP 403: security_exception: action [cluster:monitor/xpack/ml/job/results/buckets/get] is unauthorized`,
    );
  });

  it("contract: resolveJobs finds the lab's jobs by group and reads what each detects from custom_settings", async () => {
    const job = (id: string, detects?: string[]) => ({ job_id: id, custom_settings: detects === undefined ? undefined : { lab: { detects } } }) as unknown as estypes.MlJob;
    stub = new MlStub().on((r) =>
      path(r) === "GET /_ml/anomaly_detectors/elastic-ml-lab"
        ? { body: { count: 2, jobs: [job("c1-lab_latency"), job("custom", ["scan", "rare_agent"])] } satisfies estypes.MlGetJobsResponse }
        : undefined,
    );
    client = await stub.start();
    const jobs = await resolveJobs(client, {}, loadJobDefinitions());
    expect(stub.seen[0].query).to.deep.equal({ allow_no_match: "true" });
    expect(jobs).to.deep.equal([
      { jobId: "c1-lab_latency", detects: ["latency", "ramp"] },
      { jobId: "custom", detects: ["scan", "rare_agent"] },
    ]);
  });

  it("contract: with a start time, asks the buckets and records APIs for results from then on only", async () => {
    stub = new MlStub()
      .on((r) => (r.path.endsWith("/_stats") ? { body: stats(JOB, 1000, 96) } : undefined))
      .on((r) => (r.path.endsWith("/results/buckets") ? { body: { count: 0, buckets: [] } satisfies estypes.MlGetBucketsResponse } : undefined))
      .on((r) => (r.path.endsWith("/results/records") ? { body: { count: 0, records: [] } satisfies estypes.MlGetRecordsResponse } : undefined));
    client = await stub.start();
    await readJobResults(client, JOB, ["spike"], { start: T0 });
    const reads = stub.seen.filter((r) => r.path.includes("/results/"));
    expect(reads.map((r) => r.body.start)).to.deep.equal([new Date(T0).toISOString(), new Date(T0).toISOString()]);
  });

  it("contract: resolveJobs reads each job's bucket span from its analysis_config", async () => {
    const job = { job_id: "c1-lab_latency", analysis_config: { bucket_span: "15m", detectors: [] } } as unknown as estypes.MlJob;
    stub = new MlStub().on((r) => (path(r) === "GET /_ml/anomaly_detectors/elastic-ml-lab" ? { body: { count: 1, jobs: [job] } satisfies estypes.MlGetJobsResponse } : undefined));
    client = await stub.start();
    expect(await resolveJobs(client, {}, loadJobDefinitions())).to.deep.equal([{ jobId: "c1-lab_latency", detects: ["latency", "ramp"], bucketSpanSeconds: 900 }]);
  });

  it("contract: an explicit --job that does not exist still resolves from the library, and an unknown one is a usage error", async () => {
    stub = new MlStub();
    client = await stub.start();
    expect(await resolveJobs(client, { jobIds: ["lab_url_scanning"] }, loadJobDefinitions())).to.deep.equal([{ jobId: "lab_url_scanning", detects: ["scan"] }]);
    const error = await resolveJobs(client, { jobIds: ["mystery"] }, loadJobDefinitions()).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.include("--job mystery");
  });

  it("contract: verifyJobs reads every job and reports allFound only when the anomaly was found", async () => {
    const truth: GroundTruth = {
      generator: "elastic-ml-lab", seed: 1, scenario: "spike", start: new Date(T0 - 86_400_000).toISOString(), end: new Date(T0 + 86_400_000).toISOString(),
      days: 2, meanRatePerSecond: 1,
      anomalies: [{ id: "spike-1", kind: "spike", start: new Date(T0).toISOString(), end: new Date(T0 + 1_800_000).toISOString(), magnitude: 4, entity: null, description: "" }],
    };
    let score = 90;
    stub = new MlStub()
      .on((r) => (r.path.endsWith("/_stats") ? { body: stats(JOB, 1000, 192) } : undefined))
      .on((r) => (r.path.endsWith("/results/buckets") ? { body: { count: 1, buckets: [bucket(15, score)] } } : undefined))
      .on((r) => (r.path.endsWith("/results/records") ? { body: { count: 1, records: [anomaly(15, score)] } } : undefined));
    client = await stub.start();
    const found = await verifyJobs(client, { jobs: [{ jobId: JOB, detects: ["spike"] }], truth });
    expect(found.allFound).to.equal(true);
    expect(found.anomalies[0].firstHighScore?.secondsFromStart).to.equal(900);
    score = 20;
    const missed = await verifyJobs(client, { jobs: [{ jobId: JOB, detects: ["spike"] }], truth });
    expect(missed.allFound).to.equal(false);
    expect(missed.anomalies[0]).to.include({ status: "missed", maxRecordScore: 20 });
  });
});
