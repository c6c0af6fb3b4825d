// The alerts index's provider logic: its mapping against the alert document, and create, read and
// delete against the real Elasticsearch of the test suite (security on, no ML), which the alerts
// index needs nothing beyond.

import { expect } from "chai";
import { Client } from "@elastic/elasticsearch";
import { alertDocument } from "../../../lab/providers/alerting-requests";
import { alertsIndexMappings, createAlertsIndex, deleteAlertsIndex, diffAlertsIndex, readAlertsIndex, type AlertsIndexInputs } from "../../../lab/providers/alerts-index-logic";
import { requireEsTarget, type EsTarget } from "../../support/es-target";

/** Dotted paths of the leaves of an object, or of a mapping's properties. */
function leaves(value: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(value).flatMap(([key, child]) => {
    const path = `${prefix}${key}`;
    if (child !== null && typeof child === "object" && !Array.isArray(child)) {
      const inner = (child as { properties?: Record<string, unknown> }).properties ?? (("type" in child) ? undefined : child);
      if (inner !== undefined) return leaves(inner as Record<string, unknown>, `${path}.`);
    }
    return [path];
  });
}

describe("alerts index provider logic", () => {
  describe("mapping", () => {
    const mapping = alertsIndexMappings("cohort-a");

    it("maps every field of the alert document, plus the @timestamp the index connector adds", () => {
      const mapped = leaves(mapping.properties as Record<string, unknown>).sort();
      expect(mapped).to.deep.equal([...leaves(alertDocument("cohort-a")), "@timestamp"].sort());
    });

    it("makes the times dates and the score a number, so that lab-verify can range and sort on them", () => {
      const ml = (mapping.properties?.ml as { properties: Record<string, { type: string }> }).properties;
      expect(ml.anomaly_timestamp.type).to.equal("date");
      expect(ml.anomaly_score.type).to.equal("float");
      expect((mapping.properties?.["@timestamp"] as { type: string }).type).to.equal("date");
      expect(ml.job_ids.type).to.equal("keyword");
    });

    it("carries the lab's marker in _meta, naming the cohort", () => {
      expect(mapping._meta).to.deep.equal({ lab: { generator: "elastic-ml-lab", kind: "alerts", cohort: "cohort-a" } });
    });

    it("replaces the index, the old one first, only when its name or cohort changes", () => {
      const olds: AlertsIndexInputs = { elasticsearchUrl: "http://x", username: "elastic", password: "pw", index: "lab-a-alerts", cohort: "a" };
      expect(diffAlertsIndex(olds, { ...olds })).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
      expect(diffAlertsIndex(olds, { ...olds, index: "lab-b-alerts" }).replaces).to.deep.equal(["index"]);
      expect(diffAlertsIndex(olds, { ...olds, password: "new" })).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: true });
    });
  });

  describe("against Elasticsearch", function () {
    this.timeout(60_000);
    let target: EsTarget;
    let admin: Client;
    const index = `lab-alerts${process.pid}-alerts`;
    const inputs = () => ({ elasticsearchUrl: target.url, username: target.username, password: target.password, index, cohort: `alerts${process.pid}` });

    before(function () {
      target = requireEsTarget(this);
      admin = new Client({ node: target.url, auth: { username: target.username, password: target.password }, maxRetries: 0 });
    });
    afterEach(async () => {
      await admin?.indices.delete({ index, ignore_unavailable: true });
    });
    after(async () => {
      await admin?.close();
    });

    it("creates the index with its mapping, and an alert the index connector writes keeps its types", async () => {
      await createAlertsIndex(inputs());
      const mapping = (await admin.indices.getMapping({ index }))[index].mappings;
      expect(mapping._meta).to.deep.equal({ lab: { generator: "elastic-ml-lab", kind: "alerts", cohort: `alerts${process.pid}` } });
      // What Kibana's index connector sends once Mustache has rendered the templates: strings throughout.
      await admin.index({
        index,
        refresh: true,
        document: { "@timestamp": "2026-11-20T10:01:00.000Z", rule: { id: "r", name: "n" }, ml: { job_ids: "a,b", anomaly_score: "87.5", anomaly_timestamp: "2026-11-20T09:45:00.000Z", is_interim: "true", anomaly_explorer_url: "http://k/app/ml" }, message: "m", lab: { cohort: "c" } },
      });
      const found = await admin.search({ index, query: { range: { "ml.anomaly_score": { gte: 80 } } }, sort: [{ "ml.anomaly_timestamp": "desc" }] });
      expect(found.hits.hits).to.have.length(1);
    });

    it("keeps the lab's own index, and the alerts in it, when created again (a run whose state was lost)", async () => {
      await createAlertsIndex(inputs());
      await admin.index({ index, refresh: true, document: { message: "kept" } });
      await createAlertsIndex(inputs());
      expect((await admin.count({ index })).count).to.equal(1);
    });

    it("refuses to write into an index it did not create, and leaves it alone on delete", async () => {
      await admin.indices.create({ index });
      let message = "";
      await createAlertsIndex(inputs()).catch((e: Error) => (message = e.message));
      expect(message).to.include(`index ${index} exists and was not created by the lab`);
      expect(await deleteAlertsIndex(inputs())).to.equal("foreign");
      expect(await admin.indices.exists({ index })).to.equal(true);
      expect((await readAlertsIndex(inputs())).state).to.equal("gone");
    });

    it("reads the index as present, deletes it, then reads it as gone and deletes it again as absent", async () => {
      await createAlertsIndex(inputs());
      expect((await readAlertsIndex(inputs())).state).to.equal("present");
      expect(await deleteAlertsIndex(inputs())).to.equal("deleted");
      expect(await admin.indices.exists({ index })).to.equal(false);
      expect((await readAlertsIndex(inputs())).state).to.equal("gone");
      expect(await deleteAlertsIndex(inputs())).to.equal("absent");
    });

    it("reports an unreachable server on delete instead of failing the destroy", async () => {
      expect(await deleteAlertsIndex({ ...inputs(), elasticsearchUrl: "http://127.0.0.1:9" })).to.equal("unreachable");
    });
  });
});
