// Pulumi stores each dynamic provider as serialized JavaScript and evaluates it later in a separate,
// plain Node process started in the project directory. These tests serialize every provider the way
// @pulumi/pulumi's dynamic.Resource does, evaluate the text the way its dynamic-provider host does
// (require-from-string, in a fresh process without tsx) and call its methods there.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { alertingProvider } from "../../../lab/providers/alerting";
import { alertsIndexProvider } from "../../../lab/providers/alerts-index";
import { dataViewProvider } from "../../../lab/providers/data-view";
import { datasetProvider } from "../../../lab/providers/dataset";
import { kibanaSystemPasswordProvider } from "../../../lab/providers/kibana-system-password";
import { logicModulePath } from "../../../lab/providers/load";
import { mlJobProvider } from "../../../lab/providers/ml-job";
import { randomSecretProvider } from "../../../lab/providers/random-secret";
import { serverReadyProvider } from "../../../lab/providers/server-ready";
import { verificationProvider } from "../../../lab/providers/verification";
import { requireEsTarget, type EsTarget } from "../../support/es-target";
import { startFakeServer } from "../fake-server";

const PROJECT_DIR = join(__dirname, "..", "..", "..");
const run = promisify(execFile);

const PROVIDERS = {
  randomSecret: randomSecretProvider,
  kibanaSystemPassword: kibanaSystemPasswordProvider,
  dataset: datasetProvider,
  dataView: dataViewProvider,
  mlJob: mlJobProvider,
  verification: verificationProvider,
  alertsIndex: alertsIndexProvider,
  alerting: alertingProvider,
  serverReady: serverReadyProvider,
} as const;

async function serialize(provider: object): Promise<string> {
  // dynamic.Resource serializes `() => provider` with allowSecrets, then the host calls `handler()`.
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return serialized.text;
}

/** Evaluates the serialized provider in a fresh Node process, like Pulumi's dynamic-provider host, and calls one method. */
async function callInFreshProcess(text: string, method: string, args: unknown[]): Promise<{ ok?: unknown; error?: string }> {
  const file = join(mkdtempSync(join(tmpdir(), "lab-provider-")), "provider.js");
  writeFileSync(file, text);
  const host = `
    const requireFromString = require("require-from-string");
    const provider = requireFromString(require("node:fs").readFileSync(process.argv[1], "utf8")).handler();
    const args = JSON.parse(process.argv[2]);
    Promise.resolve(provider[${JSON.stringify(method)}](...args)).then(
      (ok) => console.log(JSON.stringify({ ok: ok === undefined ? null : ok })),
      (error) => console.log(JSON.stringify({ error: error.message })),
    );`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // no tsx in the host: the provider must bring it itself
  const { stdout } = await run(process.execPath, ["-e", host, file, JSON.stringify(args)], { cwd: PROJECT_DIR, env, timeout: 90_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
}

describe("dynamic providers, serialized", function () {
  this.timeout(120_000);

  for (const [name, provider] of Object.entries(PROVIDERS)) {
    it(`${name}: captures no client, config or module state, only its methods`, async () => {
      const text = await serialize(provider);
      expect(text.length, "serialized size").to.be.lessThan(20_000);
      expect(text).to.not.match(/Transport|ConnectionPool|BaseConnection|readLabConfig|allConfig/);
    });
  }

  it("each provider's loader names a logic module that exists in the project", () => {
    for (const name of ["kibana-system-password", "dataset", "data-view", "ml-job", "verification", "alerts-index", "alerting", "server-ready"]) {
      const source = readFileSync(join(PROJECT_DIR, "lab", "providers", `${name}.ts`), "utf8");
      expect(source, name).to.include(`"lab", "providers", "${name}-logic.ts"`);
      expect(existsSync(logicModulePath(PROJECT_DIR, name)), name).to.equal(true);
    }
  });

  it("randomSecret: creates a secret in a fresh process, and keeps it unless length or purpose change", async () => {
    const text = await serialize(randomSecretProvider);
    const created = (await callInFreshProcess(text, "create", [{ length: 24, purpose: "elastic" }])).ok as { id: string; outs: { value: string } };
    expect(created.outs.value).to.match(/^[A-Za-z2-9]{24}$/);
    const diff = (await callInFreshProcess(text, "diff", [created.id, created.outs, { length: 24, purpose: "elastic" }])).ok;
    expect(diff).to.deep.equal({ changes: false, replaces: [] });
  });

  it("dataView: creates against Kibana's API from a fresh process", async () => {
    const kibana = await startFakeServer((r) => {
      if (r.path === "/api/status") return { status: 200, body: { status: { overall: { level: "available" } } } };
      if (r.method === "POST") return { status: 200, body: {} };
      return undefined;
    });
    try {
      const text = await serialize(dataViewProvider);
      const inputs = { kibanaUrl: kibana.url, username: "elastic", password: "pw", dataViewId: "lab-x-access", title: "lab-x-access-1", name: "x", timeFieldName: "@timestamp", makeDefault: true, timeoutSeconds: 5 };
      const result = await callInFreshProcess(text, "create", [inputs]);
      expect(result.error).to.equal(undefined);
      expect(result.ok).to.deep.include({ id: "lab-x-access" });
      expect(kibana.calls()).to.deep.equal(["GET /api/status", "POST /api/data_views/data_view", "POST /api/data_views/default"]);
    } finally {
      await kibana.close();
    }
  });

  it("alerting: reads the licence and skips on a basic one from a fresh process", async () => {
    const server = await startFakeServer((r) => (r.path === "/_license" ? { status: 200, body: { license: { type: "basic", status: "active" } } } : undefined));
    try {
      const text = await serialize(alertingProvider);
      const inputs = { elasticsearchUrl: server.url, kibanaUrl: server.url, username: "elastic", password: "pw", cohort: "x", jobIds: ["lab-x-a"], alertsIndex: "lab-x-alerts", timeoutSeconds: 5 };
      const result = await callInFreshProcess(text, "create", [inputs]);
      expect(result.error).to.equal(undefined);
      expect((result.ok as { outs: { skipped: string } }).outs.skipped).to.include("licence is basic");
      expect(server.calls()).to.deep.equal(["GET /_license"]);
    } finally {
      await server.close();
    }
  });

  describe("against the real Elasticsearch", () => {
    let target: EsTarget;
    before(function () {
      target = requireEsTarget(this);
    });

    it("kibanaSystemPassword: reports Elasticsearch's refusal from a fresh process", async () => {
      const text = await serialize(kibanaSystemPasswordProvider);
      const result = await callInFreshProcess(text, "create", [{ elasticsearchUrl: target.url, username: "elastic", password: "wrong-password", kibanaSystemPassword: "abcdef123", timeoutSeconds: 10 }]);
      expect(result.error).to.match(/^(PUT|POST) \/_security\/user\/kibana_system\/_password returned 401/);
    });

    it("serverReady: times Elasticsearch from its JVM's start to now, from a fresh process", async () => {
      const text = await serialize(serverReadyProvider);
      const before = Date.now();
      const result = await callInFreshProcess(text, "create", [{ server: "elasticsearch", url: target.url, username: target.username, password: target.password, containerId: "c0ffee" }]);
      expect(result.error).to.equal(undefined);
      const { id, outs } = result.ok as { id: string; outs: { timing: { step: string; start: string; end: string } } };
      expect(id).to.equal("elasticsearch-ready-c0ffee");
      expect(outs.timing.step).to.equal("elasticsearch");
      expect(Date.parse(outs.timing.start)).to.be.below(before);
      expect(Date.parse(outs.timing.end)).to.be.at.least(before);
    });

    it("dataset: creates and deletes the index from a fresh process", async () => {
      const text = await serialize(datasetProvider);
      const inputs = {
        elasticsearchUrl: target.url,
        username: target.username,
        password: target.password,
        indexPrefix: `lab-pser${process.pid}-access`,
        days: 1,
        seed: 3,
        scenario: "spike",
        meanRatePerSecond: 0.05,
        requestedEnd: "2026-11-20T00:00:00.000Z",
        timeoutSeconds: 60,
      };
      const created = await callInFreshProcess(text, "create", [inputs]);
      expect(created.error).to.equal(undefined);
      const { id, outs } = created.ok as { id: string; outs: { index: string; count: number } };
      expect(id).to.equal(outs.index);
      expect(outs.count).to.be.greaterThan(100);
      const deleted = await callInFreshProcess(text, "delete", [id, outs]);
      expect(deleted).to.deep.equal({ ok: null });
    });
  });
});
