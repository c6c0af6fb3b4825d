// The bulk-load settings (generator/sinks/load-settings.ts): the restore body as plain logic, and the
// sink against the real server (test/support/elasticsearch.sh; skipped without ELASTICSEARCH_URL):
// no refresh and no replicas during the load, the index's own settings back and an exact,
// searchable count after it, also when the load fails or is interrupted.

import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { Client } from "@elastic/elasticsearch";
import { requireEsTarget } from "../../support/es-target";
import { failureOf } from "../../support/failure";
import { planDataset } from "../../../generator/plan";
import { generateEvents } from "../../../generator/events";
import { LabError } from "../../../generator/errors";
import { indexDataset, indexNameFor, readDatasetMeta, type ElasticsearchConnection } from "../../../generator/sinks/elasticsearch";
import { LOAD_SETTINGS, restoreBody } from "../../../generator/sinks/load-settings";
import { deleteEverythingUnder } from "../../support/es-cleanup";

const END = new Date("2026-11-17T00:00:00Z");
const NAMES = Object.keys(LOAD_SETTINGS);

describe("load settings", () => {
  describe("restoreBody", () => {
    it("resets what the index did not set, and leaves the replica count to auto-expansion when the index had it", () => {
      expect(restoreBody({ "index.refresh_interval": null, "index.auto_expand_replicas": "0-1", "index.number_of_replicas": "0" })).to.deep.equal({
        "index.refresh_interval": null,
        "index.auto_expand_replicas": "0-1",
      });
    });

    it("puts back an explicit refresh interval and replica count", () => {
      expect(restoreBody({ "index.refresh_interval": "5s", "index.auto_expand_replicas": null, "index.number_of_replicas": "2" })).to.deep.equal({
        "index.refresh_interval": "5s",
        "index.auto_expand_replicas": null,
        "index.number_of_replicas": "2",
      });
    });

    it("gives the default refresh interval back to an index a killed load left at -1", () => {
      expect(restoreBody({ "index.refresh_interval": "-1", "index.auto_expand_replicas": "0-1", "index.number_of_replicas": "0" })["index.refresh_interval"]).to.equal(null);
    });
  });
});

describe("load settings on a real server", function () {
  this.timeout(180_000);
  let connection: ElasticsearchConnection;
  let client: Client;
  const prefix = `lab-test-load-${randomBytes(3).toString("hex")}`;

  /** The three settings as the index has them, flat, without defaults (absent: not set). */
  const settingsOf = async (index: string): Promise<Record<string, string | undefined>> => {
    const response = await client.indices.getSettings({ index, flat_settings: true });
    const settings = (Object.values(response)[0]?.settings ?? {}) as Record<string, string>;
    return Object.fromEntries(NAMES.map((name) => [name, settings[name]]));
  };

  before(function () {
    const target = requireEsTarget(this);
    connection = { url: target.url, username: target.username, password: target.password };
    client = new Client({ node: target.url, auth: { username: target.username, password: target.password } });
  });

  after(async () => {
    if (client === undefined) return;
    await deleteEverythingUnder(client, prefix);
    await client.close();
  });

  it("loads without refresh or replicas, then gives the template's settings back, searchable with the exact count", async () => {
    const plan = planDataset({ days: 0.3, seed: 21, end: END, scenario: "none", meanRatePerSecond: 1 });
    const index = indexNameFor(prefix, plan);
    let during: Record<string, string | undefined> | undefined;
    let asked = false;
    const result = await indexDataset(plan, {
      connection,
      indexPrefix: prefix,
      flushBytes: 64 * 1024,
      onProgress: (indexed) => {
        if (indexed > 0 && !asked) {
          asked = true;
          void settingsOf(index).then((settings) => (during = settings));
        }
      },
    });
    expect(during).to.deep.equal(LOAD_SETTINGS);
    // The template sets auto_expand_replicas 0-1 and no refresh interval; auto-expansion then sets replicas.
    expect(await settingsOf(index)).to.deep.equal({ "index.refresh_interval": undefined, "index.auto_expand_replicas": "0-1", "index.number_of_replicas": "0" });
    const generated = [...generateEvents(plan)].length;
    expect(result.count).to.equal(generated);
    // No refresh here: the sink's own single refresh made every document searchable.
    expect((await client.count({ index })).count).to.equal(generated);
  });

  it("keeps an index's own refresh interval and replica count", async () => {
    const plan = planDataset({ days: 0.1, seed: 22, end: END, scenario: "none", meanRatePerSecond: 0.5 });
    const index = indexNameFor(prefix, plan);
    await client.indices.create({
      index,
      settings: { index: { refresh_interval: "7s", auto_expand_replicas: "false", number_of_replicas: 0 } },
      mappings: { _meta: { lab: { generator: "elastic-ml-lab", status: "indexing", truth: plan.truth, updatedAt: END.toISOString() } } },
    });
    await indexDataset(plan, { connection, indexPrefix: prefix });
    expect(await settingsOf(index)).to.deep.equal({ "index.refresh_interval": "7s", "index.auto_expand_replicas": "false", "index.number_of_replicas": "0" });
  });

  it("restores the settings and refreshes after documents were rejected, so what was accepted is counted", async () => {
    const plan = planDataset({ days: 0.2, seed: 23, end: END, scenario: "none", meanRatePerSecond: 0.5 });
    const index = indexNameFor(prefix, plan);
    // A mapping conflict: response sizes above 32767 do not fit a short.
    await client.indices.create({
      index,
      mappings: {
        _meta: { lab: { generator: "elastic-ml-lab", status: "indexing", truth: plan.truth, updatedAt: END.toISOString() } },
        properties: { http: { properties: { response: { properties: { body: { properties: { bytes: { type: "short" } } } } } } } },
      },
    });
    const before = await settingsOf(index);
    const events = [...generateEvents(plan)];
    const accepted = events.filter((event) => event.http.response.body.bytes <= 32767).length;
    const error = await failureOf(indexDataset(plan, { connection, indexPrefix: prefix }));
    expect(error).to.be.instanceOf(LabError);
    expect(error.message).to.match(new RegExp(`^${events.length - accepted} of ${events.length} documents were rejected`));
    expect(await settingsOf(index)).to.deep.equal(before);
    expect((await client.count({ index })).count).to.equal(accepted);
    expect((await readDatasetMeta(connection, index)).status).to.equal("indexing");
  });

  it("restores the settings and refreshes when interrupted (Ctrl-C, SIGTERM abort the load), counting exactly what was acknowledged", async () => {
    const plan = planDataset({ days: 0.5, seed: 24, end: END, scenario: "none", meanRatePerSecond: 1 });
    const index = indexNameFor(prefix, plan);
    const controller = new AbortController();
    const error = await failureOf(
      indexDataset(plan, { connection, indexPrefix: prefix, flushBytes: 64 * 1024, concurrency: 1, signal: controller.signal, onProgress: (indexed) => indexed > 0 && controller.abort() }),
    );
    expect(error).to.be.instanceOf(LabError);
    const indexed = Number(/^interrupted after (\d+) documents/.exec(error.message)?.[1]);
    expect(indexed).to.be.above(0).and.below([...generateEvents(plan)].length);
    expect(await settingsOf(index)).to.deep.equal({ "index.refresh_interval": undefined, "index.auto_expand_replicas": "0-1", "index.number_of_replicas": "0" });
    expect((await client.count({ index })).count).to.equal(indexed);
    expect((await readDatasetMeta(connection, index)).status).to.equal("indexing");
  });

  it("gives the default refresh interval back to an index a killed load left at -1", async () => {
    const plan = planDataset({ days: 0.1, seed: 25, end: END, scenario: "none", meanRatePerSecond: 0.5 });
    const index = indexNameFor(prefix, plan);
    await indexDataset(plan, { connection, indexPrefix: prefix });
    await client.indices.putSettings({ index, settings: LOAD_SETTINGS });
    await indexDataset(plan, { connection, indexPrefix: prefix });
    expect((await settingsOf(index))["index.refresh_interval"]).to.equal(undefined);
  });
});
