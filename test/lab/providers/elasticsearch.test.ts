// Provider logic against the real Elasticsearch of the test suite (security on, no ML): the
// kibana_system password, and the dataset's create and delete with its index templates (access and error log).

import { expect } from "chai";
import { Client } from "@elastic/elasticsearch";
import { HttpError } from "../../../lab/http";
import { KIBANA_SYSTEM_USER, readKibanaSystemPassword, setKibanaSystemPassword } from "../../../lab/providers/kibana-system-password-logic";
import { createDataset, deleteDatasetIndex, diffDataset, leftBehind, readDataset, type DatasetInputs } from "../../../lab/providers/dataset-logic";
import { esSuiteLedger, requireEsTarget, type EsTarget } from "../../support/es-target";

function clientAs(target: EsTarget, username: string, password: string): Client {
  return new Client({ node: target.url, auth: { username, password }, maxRetries: 0, requestTimeout: 10_000 });
}

describe("provider logic against Elasticsearch", function () {
  this.timeout(120_000);
  let target: EsTarget;
  let admin: Client;

  before(function () {
    target = requireEsTarget(this);
    admin = clientAs(target, target.username, target.password);
  });
  after(async () => {
    await admin?.close();
  });

  describe("kibana_system password", () => {
    // The integ-test-zip server has no analysis-common module, which the security index's mapping needs,
    // so it cannot store native-realm passwords at all; on a full distribution (e.g. a Docker one) these run.
    before(async function () {
      try {
        await admin.security.changePassword({ username: KIBANA_SYSTEM_USER, password: `probe-${Date.now()}` });
      } catch (error) {
        const reason = JSON.stringify((error as { body?: unknown }).body ?? "");
        if (reason.includes("Unknown filter type [pattern_capture]")) {
          // Not skipEsSuite: that fails under LAB_REQUIRE_ELASTICSEARCH, and no test server from Maven
          // Central can run these. Recorded, so the end-of-run note names them and why.
          esSuiteLedger.skipped.push({
            suite: this.test?.parent?.fullTitle() ?? "kibana_system password",
            reason: "this Elasticsearch cannot create its security index (no analysis-common module); run against a full distribution, e.g. Docker",
          });
          this.skip();
        }
      }
    });

    it("sets the password through the security API, so that kibana_system can authenticate with it", async () => {
      const password = `kibana-${Date.now()}-pass`;
      const outputs = await setKibanaSystemPassword({ elasticsearchUrl: target.url, username: target.username, password: target.password, kibanaSystemPassword: password, timeoutSeconds: 30 });
      expect(outputs.kibanaSystemUsername).to.equal(KIBANA_SYSTEM_USER);
      const kibana = clientAs(target, KIBANA_SYSTEM_USER, password);
      try {
        expect((await kibana.security.authenticate()).username).to.equal(KIBANA_SYSTEM_USER);
      } finally {
        await kibana.close();
      }
    });

    it("sets a new password on update, after which the old one is refused", async () => {
      const first = `first-${Date.now()}`;
      const second = `second-${Date.now()}`;
      const base = { elasticsearchUrl: target.url, username: target.username, password: target.password, timeoutSeconds: 30 };
      await setKibanaSystemPassword({ ...base, kibanaSystemPassword: first });
      await setKibanaSystemPassword({ ...base, kibanaSystemPassword: second });
      const old = clientAs(target, KIBANA_SYSTEM_USER, first);
      try {
        await old.security.authenticate();
        expect.fail("the old password still works");
      } catch (error) {
        expect((error as { statusCode?: number }).statusCode).to.equal(401);
      } finally {
        await old.close();
      }
    });

  });

  describe("kibana_system password on refresh", () => {
    const state = (overrides: { elasticsearchUrl?: string; kibanaSystemPassword?: string } = {}) => ({
      elasticsearchUrl: target.url,
      username: target.username,
      password: target.password,
      kibanaSystemPassword: `not-the-password-${Date.now()}`,
      timeoutSeconds: 5,
      kibanaSystemUsername: KIBANA_SYSTEM_USER,
      ...overrides,
    });

    it("reads as gone when Elasticsearch refuses kibana_system's password (401), so the next up sets it again", async () => {
      expect(await readKibanaSystemPassword(state())).to.deep.equal({ state: "gone", reason: "kibana_system no longer logs in with the lab's password" });
    });

    it("fails, without forgetting the password, when Elasticsearch does not answer", async () => {
      let error: unknown;
      try {
        await readKibanaSystemPassword(state({ elasticsearchUrl: "http://127.0.0.1:9" }));
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message).to.match(/^cannot check the kibana_system password: GET \/_security\/_authenticate failed: ConnectionError.*Nothing was changed in the stack's state/);
    });
  });

  describe("kibana_system password errors", () => {
    it("fails at once, naming the request, when the elastic password is wrong", async () => {
      const started = Date.now();
      let error: unknown;
      try {
        await setKibanaSystemPassword({ elasticsearchUrl: target.url, username: target.username, password: "wrong-password", kibanaSystemPassword: "whatever-123", timeoutSeconds: 60 });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(HttpError);
      expect((error as Error).message).to.match(/^(PUT|POST) \/_security\/user\/kibana_system\/_password returned 401: security_exception: unable to authenticate user \[elastic\]/);
      expect(Date.now() - started).to.be.lessThan(10_000);
    });

    it("retries an unreachable server until its deadline, then says what it waited for", async () => {
      let error: unknown;
      try {
        await setKibanaSystemPassword({ elasticsearchUrl: "http://127.0.0.1:9", username: "elastic", password: "x", kibanaSystemPassword: "whatever-123", timeoutSeconds: 3 });
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message).to.match(
        /^gave up waiting for Elasticsearch at http:\/\/127\.0\.0\.1:9 to accept the kibana_system password \(security index not ready\) after 3 s \(\d+ tries\); last failure: PUT \/_security\/user\/kibana_system\/_password failed: ConnectionError/,
      );
    });
  });

  describe("dataset", () => {
    const prefix = `lab-ptest${process.pid}-access`;
    const errorPrefix = `lab-ptest${process.pid}-error`;
    const inputs = (overrides: Partial<DatasetInputs> = {}): DatasetInputs => ({
      elasticsearchUrl: target.url,
      username: target.username,
      password: target.password,
      indexPrefix: prefix,
      days: 1,
      seed: 7,
      scenario: "spike",
      meanRatePerSecond: 0.5,
      requestedEnd: "2026-11-20T00:00:00.000Z",
      timeoutSeconds: 60,
      ...overrides,
    });

    after(async () => {
      for (const name of [prefix, errorPrefix]) {
        await admin.indices.delete({ index: `${name}-*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
        await admin.indices.deleteIndexTemplate({ name }).catch(() => undefined);
      }
    });

    it("indexes the generated dataset under its index template and reports count, range and anomaly windows", async () => {
      const outputs = await createDataset(inputs());
      expect(outputs.index.startsWith(`${prefix}-spike-2026.11.20-`)).to.equal(true);
      const { count } = await admin.count({ index: outputs.index });
      expect(outputs.count).to.equal(count).and.to.be.greaterThan(1000);
      expect(outputs.start).to.equal("2026-11-19T00:00:00.000Z");
      expect(outputs.end).to.equal("2026-11-20T00:00:00.000Z");
      expect(outputs.anomalies.map((a) => a.kind)).to.deep.equal(["spike"]);
      const templates = await admin.indices.getIndexTemplate({ name: prefix });
      expect(templates.index_templates[0].index_template.index_patterns).to.deep.equal([`${prefix}-*`]);
      const mapping = await admin.indices.getMapping({ index: outputs.index });
      expect(mapping[outputs.index].mappings.properties?.["@timestamp"]).to.deep.include({ type: "date" });

      // nginx's error log beside it: the cohort's error prefix, the same digest, its own template.
      expect(outputs.errorIndex).to.equal(`${errorPrefix}${outputs.index.slice(prefix.length)}`);
      expect(outputs.errorCount).to.equal((await admin.count({ index: outputs.errorIndex! })).count).and.to.be.greaterThan(0);
      const errorTemplates = await admin.indices.getIndexTemplate({ name: errorPrefix });
      expect(errorTemplates.index_templates[0].index_template.index_patterns).to.deep.equal([`${errorPrefix}-*`]);

      expect(await deleteDatasetIndex(outputs)).to.deep.equal({ index: "deleted", template: "deleted", errorIndex: "deleted", errorTemplate: "deleted" });
      expect(await admin.indices.exists({ index: outputs.index })).to.equal(false);
      expect(await admin.indices.exists({ index: outputs.errorIndex! })).to.equal(false);
      expect(await admin.indices.existsIndexTemplate({ name: prefix })).to.equal(false);
      expect(await admin.indices.existsIndexTemplate({ name: errorPrefix })).to.equal(false);
      expect(await deleteDatasetIndex(outputs)).to.deep.equal({ index: "absent", template: "absent", errorIndex: "absent", errorTemplate: "absent" });
    });

    it("records the create's start, end and docs/s with the injected clock, and logs its progress", async () => {
      const t0 = Date.parse("2026-11-30T10:00:21.000Z");
      // The start and the start of indexing at t0, everything after 10 s later: one progress line.
      let calls = 0;
      const lines: string[] = [];
      const outputs = await createDataset(inputs({ seed: 12 }), new Date(), { nowMs: () => (calls++ < 2 ? t0 : t0 + 10_000), log: (line) => lines.push(line) });
      expect(outputs.timing).to.deep.equal({ step: "dataset", start: "2026-11-30T10:00:21.000Z", end: "2026-11-30T10:00:31.000Z", documents: outputs.count, docsPerSecond: Math.round(outputs.count / 10) });
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^lab: dataset lab-ptest\d+-access-spike-2026\.11\.20-[0-9a-f]{8}: [\d,]+ of about [\d,]+ documents \(\d+%\) in 10 s, [\d,]+\/s$/);
      expect(lines[1]).to.equal(`lab: dataset ${outputs.index}: ${outputs.count.toLocaleString("en-US")} documents indexed at ${Math.round(outputs.count / 10).toLocaleString("en-US")}/s`);
      expect(await deleteDatasetIndex(outputs)).to.deep.equal({ index: "deleted", template: "deleted", errorIndex: "deleted", errorTemplate: "deleted" });
    });

    it("logs the live backfill's progress and its docs/s, as for a plain dataset", async () => {
      const t0 = Date.parse("2026-11-30T10:00:21.000Z");
      let calls = 0;
      const lines: string[] = [];
      const live = inputs({ live: true, scenario: "live", seed: 13, requestedEnd: undefined });
      const outputs = await createDataset(live, new Date(), { nowMs: () => (calls++ < 2 ? t0 : t0 + 10_000), log: (line) => lines.push(line) });
      expect(outputs.index).to.match(new RegExp(`^${prefix}-live-`));
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(new RegExp(`^lab: backfill ${outputs.index}: [\\d,]+ of about [\\d,]+ documents \\(\\d+%\\) in 10 s, [\\d,]+/s$`));
      const about = Number(/of about ([\d,]+)/.exec(lines[0])![1].replace(/,/g, ""));
      expect(Math.abs(about - outputs.count) / outputs.count, "the expected count is the backfill's").to.be.below(0.05);
      expect(lines[1]).to.equal(`lab: backfill ${outputs.index}: ${outputs.count.toLocaleString("en-US")} documents indexed at ${Math.round(outputs.count / 10).toLocaleString("en-US")}/s`);
      expect(await deleteDatasetIndex(outputs)).to.deep.include({ index: "deleted" });
    });

    it("writes a replacement to another index, so deleting the old one keeps the new data", async () => {
      const old = await createDataset(inputs());
      const next = inputs({ seed: 8 });
      expect(diffDataset(old, next).replaces).to.deep.equal(["seed"]);
      const replacement = await createDataset(next);
      expect(replacement.index).to.not.equal(old.index);
      expect(replacement.errorIndex).to.not.equal(old.errorIndex);
      expect(await deleteDatasetIndex(old), "the replacement still uses the templates").to.deep.equal({ index: "deleted", template: "kept", errorIndex: "deleted", errorTemplate: "kept" });
      expect(await admin.indices.exists({ index: replacement.index })).to.equal(true);
      expect(await admin.indices.existsIndexTemplate({ name: prefix })).to.equal(true);
      expect(await admin.indices.existsIndexTemplate({ name: errorPrefix })).to.equal(true);
      expect((await admin.count({ index: replacement.index })).count).to.equal(replacement.count);
      expect((await admin.count({ index: replacement.errorIndex! })).count).to.equal(replacement.errorCount);
      expect(await deleteDatasetIndex(replacement)).to.deep.equal({ index: "deleted", template: "deleted", errorIndex: "deleted", errorTemplate: "deleted" });
    });

    it("reads back a whole dataset unchanged, and a deleted, damaged or unfinished one as gone (refresh)", async () => {
      const outputs = await createDataset(inputs({ seed: 11 }));
      expect(await readDataset(outputs)).to.deep.equal({ state: "present", outputs });
      // This distribution has no _delete_by_query (no reindex module): delete five documents by id.
      const some = await admin.search({ index: outputs.index, size: 5, _source: false });
      for (const hit of some.hits.hits) await admin.delete({ index: outputs.index, id: hit._id! });
      await admin.indices.refresh({ index: outputs.index });
      expect(await readDataset(outputs)).to.deep.equal({ state: "gone", reason: `the dataset is gone: index ${outputs.index} holds ${outputs.count - 5} documents, not ${outputs.count}` });
      await admin.indices.delete({ index: outputs.index });
      expect(await readDataset(outputs)).to.deep.equal({ state: "gone", reason: `the dataset is gone: index ${outputs.index} does not exist` });
      // The next create writes it whole again, with the same name and count.
      const again = await createDataset(inputs({ seed: 11 }));
      expect(again.index).to.equal(outputs.index);
      expect(again.count).to.equal(outputs.count);
      await admin.indices.putMapping({ index: again.index, _meta: { lab: { generator: "elastic-ml-lab", status: "indexing", truth: again.truth, updatedAt: new Date().toISOString() } } });
      expect(await readDataset(again)).to.deep.equal({ state: "gone", reason: `the dataset is gone: index ${again.index} is unfinished (status indexing)` });
      await deleteDatasetIndex(again);
    });

    it("reads a dataset whose error log's index is missing or damaged as gone, and one made before the lab wrote it too", async () => {
      const outputs = await createDataset(inputs({ seed: 12 }));
      const errorIndex = outputs.errorIndex!;
      expect(await readDataset(outputs)).to.deep.equal({ state: "present", outputs });
      const [hit] = (await admin.search({ index: errorIndex, size: 1, _source: false })).hits.hits;
      await admin.delete({ index: errorIndex, id: hit._id!, refresh: true });
      expect(await readDataset(outputs)).to.deep.equal({ state: "gone", reason: `the dataset is gone: the error log's index ${errorIndex} holds ${outputs.errorCount! - 1} documents, not ${outputs.errorCount}` });
      await admin.indices.delete({ index: errorIndex });
      expect(await readDataset(outputs)).to.deep.equal({ state: "gone", reason: `the dataset is gone: the error log's index ${errorIndex} does not exist` });
      const { errorIndex: _none, errorCount: _noCount, ...older } = outputs;
      expect(await readDataset(older)).to.deep.equal({ state: "gone", reason: `the dataset is gone: index ${outputs.index} has no error log beside it (made before the lab wrote one)` });
      // The next create writes both again, the error log whole.
      const again = await createDataset(inputs({ seed: 12 }));
      expect([again.errorIndex, again.errorCount]).to.deep.equal([errorIndex, outputs.errorCount]);
      expect(await readDataset(again)).to.deep.equal({ state: "present", outputs: again });
      await deleteDatasetIndex(again);
    });

    it("fails a refresh on a server that does not answer, naming the index, rather than reading the dataset as gone", async () => {
      const state = { ...inputs({ elasticsearchUrl: "http://127.0.0.1:9" }), index: `${prefix}-spike-2026.11.20-00000000`, count: 1, start: "", end: "", anomalies: [], truth: {} as never };
      let error: unknown;
      try {
        await readDataset(state);
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message).to.match(new RegExp(`^cannot check dataset index ${state.index}: cannot reach .*http://127\\.0\\.0\\.1:9.*Nothing was changed in the stack's state`));
      expect((error as Error).stack, "no stack trace for the dynamic-provider host to print").to.equal("");
    });

    it("keeps the dataset unchecked when the server that does not answer is the lab's own container, so refresh can repair it", async () => {
      const state = { ...inputs({ elasticsearchUrl: "http://127.0.0.1:9", serverInStack: true }), index: `${prefix}-spike-2026.11.20-00000000`, count: 1, start: "", end: "", anomalies: [], truth: {} as never };
      const read = await readDataset(state);
      expect(read.state).to.equal("unchecked");
      expect((read as { reason: string }).reason).to.match(/^dataset index .* was not checked, since Elasticsearch at http:\/\/127\.0\.0\.1:9 did not answer/);
    });

    it("completes a delete on a server that does not answer, and names each thing left behind", async () => {
      const state = { ...inputs({ elasticsearchUrl: "http://127.0.0.1:9" }), index: `${prefix}-spike-2026.11.20-00000000`, count: 1, start: "", end: "", anomalies: [], truth: {} as never };
      const deletion = await deleteDatasetIndex(state, 1_000);
      expect(deletion).to.deep.equal({ index: "unreachable", template: "unreachable" });
      const lines = leftBehind(state, deletion);
      expect(lines).to.have.length(2);
      expect(lines[0]).to.include(`could not delete index ${state.index}`).and.include("http://127.0.0.1:9");
      expect(lines[1]).to.include(`could not delete index template ${prefix}`);
      const withErrors = { ...state, errorIndex: `${errorPrefix}-spike-2026.11.20-00000000`, errorCount: 1 };
      const both = await deleteDatasetIndex(withErrors, 1_000);
      expect(both).to.deep.equal({ index: "unreachable", template: "unreachable", errorIndex: "unreachable", errorTemplate: "unreachable" });
      const all = leftBehind(withErrors, both);
      expect(all).to.have.length(4);
      expect(all[2]).to.include(`could not delete index ${withErrors.errorIndex}`).and.include(`DELETE /${withErrors.errorIndex}`);
      expect(all[3]).to.include(`could not delete index template ${errorPrefix}`);
    });

    it("leaves no index behind when it cannot write, and says why", async () => {
      let error: unknown;
      try {
        await createDataset(inputs({ password: "wrong-password", seed: 9 }));
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message).to.match(/401|authenticat|credentials/i);
      const left = await admin.cat.indices({ index: `${prefix}-*,${errorPrefix}-*`, format: "json" });
      expect(left).to.deep.equal([]);
    });

    it("keeps the end fixed at creation when none is requested, and replaces only for a different requested end", async () => {
      const olds = { ...inputs(), index: "x", count: 1, start: "2026-11-19T00:00:00.000Z", end: "2026-11-20T00:00:00.000Z", anomalies: [], truth: {} as never };
      expect(diffDataset(olds, inputs({ requestedEnd: undefined }))).to.deep.equal({ changes: false, replaces: [] });
      expect(diffDataset(olds, inputs({ requestedEnd: "2026-11-20T00:00:00Z" })).replaces).to.deep.equal([]);
      expect(diffDataset(olds, inputs({ requestedEnd: "2026-11-21T00:00:00Z" })).replaces).to.deep.equal(["requestedEnd"]);
      expect(diffDataset(olds, inputs({ password: "rotated" }))).to.deep.equal({ changes: true, replaces: [] });
    });
  });
});
