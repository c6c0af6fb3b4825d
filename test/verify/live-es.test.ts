import { expect } from "chai";
import { Client } from "@elastic/elasticsearch";
import { LabError } from "../../generator/errors";
import { LAB_INDEX_MAPPINGS } from "../../generator/sinks/elasticsearch-index";
import type { GroundTruth } from "../../generator/types";
import { readAlerts } from "../../verify/alerts";
import { main } from "../../verify/cli";
import { readIndexTruth, readTruthFromIndex } from "../../verify/truth";
import { basicAuthorization, requireEsTarget, type EsTarget } from "../support/es-target";
import { FakeClock, at, iso, truthAt } from "./live-fixtures";
import { MlStub } from "./ml-stub";

// The parts of `lab-verify verify --live` that need only Elasticsearch itself: the follow-mode truth
// in a dataset index's mapping _meta while the generator still writes it, and the alerts index. ML is
// stood in (the test server has none): a stub answers the ML APIs and passes the rest to the server.
describe("verify --live against a real Elasticsearch (live truth in _meta, the alerts index; ML stood in)", function () {
  this.timeout(120_000);
  let target: EsTarget;
  let client: Client;
  const cohort = `vl${process.pid}`;
  const index = `lab-${cohort}-access-mixed-2026.11.20-0123abcd`;
  const alertsIndex = `lab-${cohort}-alerts`;
  const plain = `lab-${cohort}-access-spike-2026.11.20-89abcdef`;
  const JOB = `lab-${cohort}-lab_request_rate_high`;
  // Two hours after live traffic began: the spike (+60m to +90m) is planted and over, plus the margin.
  const truth: GroundTruth = truthAt(at(120));

  // Every index is named here and deleted by name (the server refuses wildcard deletes).
  const created: string[] = [];
  async function createDataset(name: string, meta: Record<string, unknown>): Promise<void> {
    created.push(name);
    await client.indices.create({ index: name, settings: { number_of_replicas: 0 }, mappings: { ...LAB_INDEX_MAPPINGS, _meta: { lab: meta } } });
  }

  before(async function () {
    target = requireEsTarget(this);
    client = new Client({ node: target.url, auth: { username: target.username, password: target.password }, requestTimeout: 30_000 });
    await createDataset(index, { generator: "elastic-ml-lab", status: "indexing", truth, updatedAt: truth.live?.updatedAt });
  });

  after(async () => {
    if (client === undefined) return;
    await client.indices.delete({ index: [...created, alertsIndex], ignore_unavailable: true });
    await client.close();
  });

  it("reads the follow-mode truth from an index still being written, which plain verify still refuses", async () => {
    const read = await readIndexTruth(client, `lab-${cohort}-access-mixed-*`, { whileWriting: true });
    expect(read).to.deep.equal({ truth, indices: [index] });
    const refused = await readTruthFromIndex(client, index).then(() => undefined, (e: unknown) => e);
    expect(refused).to.be.instanceOf(LabError);
    expect((refused as Error).message).to.include('"indexing"');
  });

  it("reads no alert, and no error, while the alerts index does not exist", async () => {
    expect(await readAlerts(client, alertsIndex, at(60))).to.deep.equal({ indexExists: false, alerts: [], unreadable: 0 });
  });

  it("reads the alerts sent since a time, oldest first, nested or dotted, ISO or epoch ms, and counts the unreadable", async () => {
    const docs = [
      { "@timestamp": iso(at(112)), ml: { anomaly_timestamp: iso(at(75)), job_ids: JOB, anomaly_score: "88.0", is_interim: false }, rule: { id: "r", name: "lab ML anomalies" }, lab: { cohort } },
      { "@timestamp": iso(at(97)), "ml.anomaly_timestamp": at(75), "ml.job_ids": `${JOB},other`, "ml.anomaly_score": 61.5, "ml.is_interim": true },
      { "@timestamp": iso(at(100)), message: "no anomaly time" },
      { "@timestamp": iso(at(30)), ml: { anomaly_timestamp: iso(at(15)), job_ids: JOB } },
    ];
    await client.bulk({ refresh: true, operations: docs.flatMap((doc) => [{ index: { _index: alertsIndex } }, doc]) });
    const read = await readAlerts(client, alertsIndex, at(60));
    expect(read.indexExists).to.equal(true);
    expect(read.unreadable).to.equal(1);
    expect(read.alerts).to.deep.equal([
      { sentAt: at(97), anomalyAt: at(75), jobIds: [JOB, "other"], score: 61.5, isInterim: true, ruleName: null },
      { sentAt: at(112), anomalyAt: at(75), jobIds: [JOB], score: 88, isInterim: false, ruleName: "lab ML anomalies" },
    ]);
  });

  it("lab-verify verify --live: the truth and the alert from the server, ML stood in; exit 0 with the times to record and alert", async () => {
    const stub = new MlStub()
      .on((r) =>
        r.path === "/_ml/anomaly_detectors/elastic-ml-lab"
          ? { body: { count: 1, jobs: [{ job_id: JOB, custom_settings: { lab: { detects: ["spike"] } }, analysis_config: { bucket_span: "15m" } }] } }
          : undefined,
      )
      .on((r) =>
        r.path === `/_ml/anomaly_detectors/${JOB}/_stats`
          ? { body: { count: 1, jobs: [{ job_id: JOB, state: "opened", data_counts: { processed_record_count: 5000, bucket_count: 300, latest_record_timestamp: at(115) } }] } }
          : undefined,
      )
      .on((r) => (r.path === `/_ml/anomaly_detectors/${JOB}/results/buckets` ? { body: { count: 0, buckets: [] } } : undefined))
      .on((r) =>
        r.path === `/_ml/anomaly_detectors/${JOB}/results/records`
          ? { body: { count: 1, records: [{ job_id: JOB, result_type: "record", timestamp: at(75), bucket_span: 900, detector_index: 0, is_interim: false, probability: 1e-9, record_score: 88, initial_record_score: 88 }] } }
          : undefined,
      )
      .passThrough(target.url, basicAuthorization(target));
    await stub.start();
    try {
      let stdout = "";
      let stderr = "";
      const code = await main(["verify", "--live", "--json", "--es", stub.url, "--index", `lab-${cohort}-access-*`], {
        stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, clock: new FakeClock(at(120)),
      });
      expect(code, stderr).to.equal(0);
      const report = JSON.parse(stdout);
      expect(report).to.deep.include({ ok: true, alertsIndex, missing: [] });
      expect(report.record.first).to.deep.include({ jobId: JOB, secondsFromStart: 1800 });
      expect(report.alert.first).to.deep.include({ sentAt: iso(at(97)), secondsFromStart: 37 * 60, isInterim: true });
      expect(stub.seen.some((r) => r.path === `/${alertsIndex}/_search`)).to.equal(true);
    } finally {
      await stub.stop();
    }
  });

  it("lab-verify verify --live on a dataset not written in follow mode: exit 1, saying so", async () => {
    const { live: _live, ...finished } = truth;
    await createDataset(plain, { generator: "elastic-ml-lab", status: "complete", truth: finished, updatedAt: iso(at(0)) });
    let stderr = "";
    const code = await main(["verify", "--live", "--index", plain], {
      stdout: () => undefined, stderr: (t) => (stderr += t), clock: new FakeClock(at(0)),
      env: { ELASTICSEARCH_URL: target.url, ELASTICSEARCH_USERNAME: target.username, ELASTICSEARCH_PASSWORD: target.password },
    });
    expect(code).to.equal(1);
    expect(stderr).to.match(new RegExp(`^lab-verify verify: index ${plain} was not written in follow mode`));
  });
});
