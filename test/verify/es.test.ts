import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@elastic/elasticsearch";
import { LabError, UsageError } from "../../generator/errors";
import { generateEvents } from "../../generator/events";
import { planDataset } from "../../generator/plan";
import { LAB_INDEX_MAPPINGS } from "../../generator/sinks/elasticsearch-index";
import type { GroundTruth } from "../../generator/types";
import { main } from "../../verify/cli";
import { countPerBucket } from "../../verify/plot";
import { readRateSeries } from "../../verify/rate";
import { readTruthFromIndex } from "../../verify/truth";
import { requireEsTarget, type EsTarget } from "../support/es-target";

// The parts of `lab-verify verify` that need only Elasticsearch itself (no ML): the ground truth from the
// index mapping `_meta`, the request-rate histogram for the plot, and how the CLI reports a
// cluster without machine learning (the test server has none).
describe("verify against a real Elasticsearch (index _meta, counting, a cluster without ML)", function () {
  this.timeout(120_000);
  let target: EsTarget;
  let client: Client;
  const suffix = `${process.pid}-${Date.now()}`;
  const index = `lab-access-verifytest-${suffix}`;
  const other = `lab-access-verifytest-other-${suffix}`;
  const plan = planDataset({ days: 0.5, seed: 11, end: new Date("2026-11-20T06:00:00.000Z"), scenario: "spike", meanRatePerSecond: 0.2 });

  // Elasticsearch refuses wildcard deletes by default (action.destructive_requires_name), so every
  // index this suite creates is named here and deleted by name.
  const created: string[] = [];
  async function createIndex(name: string): Promise<void> {
    created.push(name);
    await client.indices.create({ index: name, settings: { number_of_replicas: 0 } });
  }
  async function createLabIndex(name: string, truth: GroundTruth, status: "indexing" | "complete"): Promise<void> {
    created.push(name);
    await client.indices.create({ index: name, settings: { number_of_replicas: 0 }, mappings: { ...LAB_INDEX_MAPPINGS, _meta: { lab: { generator: "elastic-ml-lab", status, truth, updatedAt: new Date().toISOString() } } } });
  }

  before(async function () {
    target = requireEsTarget(this);
    client = new Client({ node: target.url, auth: { username: target.username, password: target.password }, requestTimeout: 30_000 });
    await createLabIndex(index, plan.truth, "complete");
    async function* events() {
      yield* generateEvents(plan);
    }
    const result = await client.helpers.bulk({ datasource: events(), onDocument: () => ({ index: { _index: index } }), refreshOnCompletion: index });
    expect(result.failed).to.equal(0);
  });

  after(async () => {
    if (client === undefined) return;
    if (created.length > 0) await client.indices.delete({ index: created, ignore_unavailable: true });
    await client.close();
  });

  it("reads the ground truth from the index mapping _meta.lab.truth", async () => {
    expect(await readTruthFromIndex(client, index)).to.deep.equal(plan.truth);
  });

  it("counts requests per 15 minutes exactly as the generator's stream does", async () => {
    const fromIndex = await readRateSeries(client, index, plan.truth);
    const fromStream = [...countPerBucket(generateEvents(plan), 15)];
    expect(fromIndex.filter((b) => b.count > 0)).to.deep.equal(fromStream.filter((b) => b.count > 0));
    expect(fromIndex[0].time).to.be.at.most(Date.parse(plan.truth.start));
  });

  it("refuses an index still being written, an index without a ground truth, and a missing index", async () => {
    await createLabIndex(`${other}-a`, plan.truth, "indexing");
    const unfinished = await readTruthFromIndex(client, `${other}-a`).then(() => undefined, (e: unknown) => e);
    expect(unfinished).to.be.instanceOf(LabError);
    expect((unfinished as Error).message).to.include('"indexing"');

    await createIndex(`${other}-b`);
    const foreign = await readTruthFromIndex(client, `${other}-b`).then(() => undefined, (e: unknown) => e);
    expect(foreign).to.be.instanceOf(LabError);
    expect((foreign as Error).message).to.include("--truth FILE");

    const missing = await readTruthFromIndex(client, `lab-access-nothing-${suffix}`).then(() => undefined, (e: unknown) => e);
    expect(missing).to.be.instanceOf(LabError);
    expect((missing as Error).message).to.include("no index matches");
  });

  it("asks which index when a pattern matches datasets with different ground truths", async () => {
    const pair = `lab-access-verifytest-pair-${suffix}`;
    await createLabIndex(`${pair}-1`, plan.truth, "complete");
    await createLabIndex(`${pair}-2`, { ...plan.truth, seed: 12 }, "complete");
    const error = await readTruthFromIndex(client, `${pair}-*`).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.include("--index");
  });

  it("exits 1 and says the cluster has no machine learning, never 'all found'", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "lab-verify-"));
    try {
      const code = await main(["verify", "--index", index, "--job", "lab_request_rate_high", "--plot", join(dir, "plot.svg")], {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        env: { ELASTICSEARCH_URL: target.url, ELASTICSEARCH_USERNAME: target.username, ELASTICSEARCH_PASSWORD: target.password },
      });
      expect(code).to.equal(1);
      expect(out.join("")).to.not.include("OK");
      expect(err.join("")).to.include("_ml/anomaly_detectors").and.include("no machine learning");
      expect(err.join("")).to.not.include(target.password === "" ? "\u0000" : target.password);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("with --truth FILE, needs no index _meta and still refuses to pass without ML results", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lab-verify-"));
    try {
      const file = join(dir, "truth.json");
      writeFileSync(file, JSON.stringify(plan.truth));
      const err: string[] = [];
      const code = await main(["verify", "--truth", file, "--job", "lab_request_rate_high", "--json"], {
        stdout: () => undefined,
        stderr: (t) => err.push(t),
        env: { ELASTICSEARCH_URL: target.url, ELASTICSEARCH_USERNAME: target.username, ELASTICSEARCH_PASSWORD: target.password },
      });
      expect(code).to.equal(1);
      expect(JSON.parse(readFileSync(file, "utf8"))).to.deep.equal(plan.truth);
      expect(err.join("")).to.include("no machine learning");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
