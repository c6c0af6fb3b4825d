// The two halves of live mode together, on the real Elasticsearch: the index `lab-generate --follow`
// writes (followLive on a virtual clock) is what `lab-verify verify --live` reads, window ids,
// phases and live status included. ML and Kibana's alert are stood in: the test server has neither,
// so a stub answers the ML APIs and the alert document is written the way the index connector
// writes it.

import { expect } from "chai";
import { Client } from "@elastic/elasticsearch";
import { VirtualClock } from "../../generator/clock";
import { followLive } from "../../generator/follow";
import { followSinkFor, prepareFollowIndex } from "../../generator/sinks/elasticsearch-follow";
import { main } from "../../verify/cli";
import { basicAuthorization, requireEsTarget, type EsTarget } from "../support/es-target";
import { FakeClock } from "./live-fixtures";
import { MlStub } from "./ml-stub";

const MINUTE = 60_000;
const START = Date.parse("2026-11-30T07:00:00Z");

describe("verify --live reads what lab-generate --follow writes (real Elasticsearch; ML and Kibana's alert stood in)", function () {
  this.timeout(120_000);
  let target: EsTarget;
  let client: Client;
  const cohort = `vf${process.pid}`;
  const prefix = `lab-${cohort}-access`;
  const alertsIndex = `lab-${cohort}-alerts`;
  const job = `lab-${cohort}-lab_request_rate_high`;

  before(function () {
    target = requireEsTarget(this);
    client = new Client({ node: target.url, auth: { username: target.username, password: target.password } });
  });

  after(async () => {
    if (client === undefined) return;
    const indices = Object.keys(await client.indices.get({ index: `lab-${cohort}-*`, allow_no_indices: true }));
    if (indices.length > 0) await client.indices.delete({ index: indices });
    await client.indices.deleteIndexTemplate({ name: prefix }).catch(() => undefined);
    await client.close();
  });

  it("finds the planted live spike in the stream's _meta, its ML record and its alert: exit 0", async () => {
    const connection = { url: target.url, username: target.username, password: target.password };
    const clock = new VirtualClock(START);
    const options = { days: 0.02, seed: 3, anomalies: [{ kind: "spike" as const, startAfterMinutes: 10, durationMinutes: 15 }] };
    const prepared = await prepareFollowIndex(options, { connection, indexPrefix: prefix }, { now: () => clock.now() });
    const sink = followSinkFor(connection, prepared.index);
    const controller = new AbortController();
    try {
      await followLive(prepared, sink, { clock, signal: controller.signal, flushIntervalMs: 20_000, onFlush: (stats) => stats.nowMs >= START + 60 * MINUTE && controller.abort() });
    } finally {
      await sink.close();
    }
    const spikeStart = START + 10 * MINUTE;
    // What the index connector writes when the rule fires on the spike's first bucket (lab/providers/alerting-requests.ts).
    await client.index({
      index: alertsIndex,
      refresh: true,
      document: { "@timestamp": new Date(spikeStart + 19 * MINUTE).toISOString(), ml: { anomaly_timestamp: new Date(spikeStart + 5 * MINUTE).toISOString(), job_ids: job, anomaly_score: "91.2", is_interim: "true" }, rule: { id: "r", name: `Lab ML anomalies (${cohort})` }, lab: { cohort } },
    });
    const stub = new MlStub()
      .on((r) => (r.path === "/_ml/anomaly_detectors/elastic-ml-lab" ? { body: { count: 1, jobs: [{ job_id: job, custom_settings: { lab: { detects: ["spike"] } }, analysis_config: { bucket_span: "15m" } }] } } : undefined))
      .on((r) => (r.path === `/_ml/anomaly_detectors/${job}/_stats` ? { body: { count: 1, jobs: [{ job_id: job, state: "opened", data_counts: { processed_record_count: 9000, bucket_count: 40, latest_record_timestamp: START + 58 * MINUTE } }] } } : undefined))
      .on((r) => (r.path === `/_ml/anomaly_detectors/${job}/results/buckets` ? { body: { count: 0, buckets: [] } } : undefined))
      .on((r) =>
        r.path === `/_ml/anomaly_detectors/${job}/results/records`
          ? { body: { count: 1, records: [{ job_id: job, result_type: "record", timestamp: spikeStart, bucket_span: 900, detector_index: 0, is_interim: false, probability: 1e-12, record_score: 93, initial_record_score: 93 }] } }
          : undefined,
      )
      .passThrough(target.url, basicAuthorization(target));
    await stub.start();
    try {
      let stdout = "";
      let stderr = "";
      const code = await main(["verify", "--live", "--json", "--es", stub.url, "--index", `${prefix}-*`], {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        env: {},
        clock: new FakeClock(START + 60 * MINUTE),
      });
      expect(code, stderr + stdout).to.equal(0);
      const report = JSON.parse(stdout);
      expect(report).to.deep.include({ ok: true, alertsIndex, missing: [] });
      expect(report.window).to.deep.include({ id: "live-spike-1", kind: "spike", start: new Date(spikeStart).toISOString() });
      expect(report.alert.first).to.deep.include({ secondsFromStart: 19 * 60 });
    } finally {
      await stub.stop();
    }
  });
});
