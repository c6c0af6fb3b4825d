// The alerting provider's logic against a local stand-in for Kibana's connectors and alerting APIs
// and Elasticsearch's licence API. Contract tests: requests as Kibana documents them (method, path,
// the kbn-xsrf header, bodies), 409 on an id that exists, 404 on delete and read, and the errors a
// failure gives. No Kibana runs here.

import { expect } from "chai";
import {
  connectorPath,
  createAlerting,
  deleteAlerting,
  diffAlerting,
  licenceSkipReason,
  readAlerting,
  rulePath,
  type AlertingInputs,
  type AlertingOutputs,
} from "../../../lab/providers/alerting-logic";
import { ANOMALY_SCORE_MATCH_GROUP, ML_ANOMALY_RULE_TYPE, connectorIdOf, connectorRequests, ruleIdOf, ruleRequest } from "../../../lab/providers/alerting-requests";
import { startFakeServer, type FakeServer, type RecordedRequest, type Reply } from "../fake-server";

const COHORT = "cohort-a";
const RULE = ruleIdOf(COHORT);
const INDEX_CONNECTOR = connectorIdOf(COHORT, "index");
const EMAIL_CONNECTOR = connectorIdOf(COHORT, "email");
const WEBHOOK_CONNECTOR = connectorIdOf(COHORT, "webhook");
const JOBS = ["lab-cohort-a-request-rate", "lab-cohort-a-error-rate"];

function inputsFor(url: string, overrides: Partial<AlertingInputs> = {}): AlertingInputs {
  return {
    elasticsearchUrl: url,
    kibanaUrl: url,
    username: "elastic",
    password: "pw",
    cohort: COHORT,
    jobIds: JOBS,
    alertsIndex: "lab-cohort-a-alerts",
    email: { host: "smtp.example.com", port: 587, secure: false, from: "ml-lab@example.com", to: ["class@example.com"], user: "mailer" },
    smtpPassword: "smtp-secret",
    webhookUrl: "https://hooks.example.com/lab",
    timeoutSeconds: 5,
    ...overrides,
  };
}

const AVAILABLE: Reply = { status: 200, body: { status: { overall: { level: "available" } } } };
const NOT_FOUND: Reply = { status: 404, body: { statusCode: 404, error: "Not Found", message: "Saved object not found" } };

function licence(type: string, status = "active"): Reply {
  return { status: 200, body: { license: { status, uid: "x", type, issue_date: "2026-01-01T00:00:00.000Z" } } };
}

/** Elasticsearch's licence API and Kibana's status, connectors and rules APIs, on one server. */
function stack(overrides: (r: RecordedRequest) => Reply | undefined = () => undefined, licenceType = "trial") {
  return (r: RecordedRequest): Reply | undefined => {
    const special = overrides(r);
    if (special !== undefined) return special;
    if (r.method === "GET" && r.path === "/_license") return licence(licenceType);
    if (r.method === "GET" && r.path === "/api/status") return AVAILABLE;
    if (r.path.startsWith("/api/actions/connector/") || r.path.startsWith("/api/alerting/rule/")) {
      if (r.method === "POST") return { status: 200, body: { id: r.path.split("/").at(-1) } };
      if (r.method === "DELETE") return { status: 204 };
      if (r.method === "GET") return { status: 200, body: { id: r.path.split("/").at(-1) } };
    }
    return NOT_FOUND;
  };
}

const CREATE_CALLS = [
  "GET /_license",
  "GET /api/status",
  `POST ${connectorPath(INDEX_CONNECTOR)}`,
  `POST ${connectorPath(EMAIL_CONNECTOR)}`,
  `POST ${connectorPath(WEBHOOK_CONNECTOR)}`,
  `POST ${rulePath(RULE)}`,
];

function outputsFor(url: string): AlertingOutputs {
  return { ...inputsFor(url), ruleId: RULE, connectorIds: { index: INDEX_CONNECTOR, email: EMAIL_CONNECTOR, webhook: WEBHOOK_CONNECTOR }, skipped: null };
}

describe("Kibana alerting calls (contract test against documented shapes; no Kibana here)", () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe("create", () => {
    it("checks the licence, waits for Kibana, makes each connector with the lab's own id, then the rule", async () => {
      server = await startFakeServer(stack());
      const outputs = await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      expect(server.calls()).to.deep.equal(CREATE_CALLS);
      expect(outputs.ruleId).to.equal(RULE);
      expect(outputs.connectorIds).to.deep.equal({ index: INDEX_CONNECTOR, email: EMAIL_CONNECTOR, webhook: WEBHOOK_CONNECTOR });
      expect(outputs.skipped).to.equal(null);
    });

    it("sends every Kibana write with kbn-xsrf, a JSON body and the lab's credentials", async () => {
      server = await startFakeServer(stack());
      await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      for (const request of server.requests.filter((r) => r.method === "POST")) {
        expect(request.headers["kbn-xsrf"], `${request.path}: Kibana refuses writes without kbn-xsrf`).to.be.a("string").and.not.equal("");
        expect(request.headers["content-type"]).to.equal("application/json");
        expect(request.headers.authorization).to.equal(`Basic ${Buffer.from("elastic:pw").toString("base64")}`);
      }
    });

    it("makes the index connector write to the alerts index, stamped with @timestamp and refreshed", async () => {
      server = await startFakeServer(stack());
      await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      const body = server.requests.find((r) => r.path === connectorPath(INDEX_CONNECTOR))?.body;
      expect(body).to.deep.equal({
        name: "Lab alerts index (cohort-a)",
        connector_type_id: ".index",
        config: { index: "lab-cohort-a-alerts", executionTimeField: "@timestamp", refresh: true },
        secrets: {},
      });
    });

    it("makes the e-mail connector a plain SMTP one, with the login and password as secrets only", async () => {
      server = await startFakeServer(stack());
      await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      const body = server.requests.find((r) => r.path === connectorPath(EMAIL_CONNECTOR))?.body as { config: Record<string, unknown>; secrets: Record<string, unknown> };
      expect(body.config).to.deep.equal({ service: "other", host: "smtp.example.com", port: 587, secure: false, from: "ml-lab@example.com", hasAuth: true });
      expect(body.secrets).to.deep.equal({ user: "mailer", password: "smtp-secret" });
    });

    it("makes an e-mail connector without a login (the mail catcher) with hasAuth false and no secrets", async () => {
      server = await startFakeServer(stack());
      await createAlerting(inputsFor(server.url, { email: { host: "lab-cohort-a-mail", port: 1025, secure: false, from: "ml-lab@lab.invalid", to: ["class@lab.invalid"] }, smtpPassword: undefined }), { intervalMs: 20 });
      const body = server.requests.find((r) => r.path === connectorPath(EMAIL_CONNECTOR))?.body as { config: Record<string, unknown>; secrets: Record<string, unknown> };
      expect(body.config).to.deep.include({ host: "lab-cohort-a-mail", port: 1025, secure: false, hasAuth: false });
      expect(body.secrets).to.deep.equal({});
    });

    it("makes the webhook connector POST JSON to the configured URL", async () => {
      server = await startFakeServer(stack());
      await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      const body = server.requests.find((r) => r.path === connectorPath(WEBHOOK_CONNECTOR))?.body as { connector_type_id: string; config: Record<string, unknown> };
      expect(body.connector_type_id).to.equal(".webhook");
      expect(body.config).to.deep.equal({ url: "https://hooks.example.com/lab", method: "post", headers: { "Content-Type": "application/json" }, hasAuth: false });
    });

    it("makes only the index connector when neither e-mail nor webhook is configured", async () => {
      server = await startFakeServer(stack());
      const outputs = await createAlerting(inputsFor(server.url, { email: undefined, smtpPassword: undefined, webhookUrl: undefined }), { intervalMs: 20 });
      expect(server.calls().filter((call) => call.startsWith("POST /api/actions"))).to.deep.equal([`POST ${connectorPath(INDEX_CONNECTOR)}`]);
      expect(outputs.connectorIds).to.deep.equal({ index: INDEX_CONNECTOR });
    });

    it("makes the ML anomaly-detection rule over the cohort's jobs, tagged with the cohort, with one action per connector", async () => {
      server = await startFakeServer(stack());
      await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      const body = server.requests.find((r) => r.path === rulePath(RULE))?.body as ReturnType<typeof ruleRequest>;
      expect(body.rule_type_id).to.equal("xpack.ml.anomaly_detection_alert");
      expect(body.consumer).to.equal("ml");
      expect(body.schedule).to.deep.equal({ interval: "1m" });
      expect(body.tags).to.deep.equal(["lab-cohort-a"]);
      expect(body.params.jobSelection).to.deep.equal({ jobIds: JOBS, groupIds: [] });
      expect(body.actions.map((a) => a.id)).to.deep.equal([INDEX_CONNECTOR, EMAIL_CONNECTOR, WEBHOOK_CONNECTOR]);
      for (const action of body.actions) {
        expect(action.group).to.equal("anomaly_score_match");
        expect(action.frequency).to.deep.equal({ summary: false, notify_when: "onActionGroupChange", throttle: null });
      }
    });

    it("writes the alert document with the field names lab-verify --live reads, from the rule's documented action variables", async () => {
      server = await startFakeServer(stack());
      await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      const rule = server.requests.find((r) => r.path === rulePath(RULE))?.body as ReturnType<typeof ruleRequest>;
      const documents = rule.actions.find((a) => a.id === INDEX_CONNECTOR)?.params.documents as Record<string, Record<string, string>>[];
      expect(documents).to.have.length(1);
      expect(documents[0].ml).to.deep.equal({
        job_ids: "{{context.jobIds}}",
        anomaly_score: "{{context.score}}",
        anomaly_timestamp: "{{context.timestampIso8601}}",
        is_interim: "{{context.isInterim}}",
        anomaly_explorer_url: "{{{context.anomalyExplorerUrl}}}",
      });
      expect(documents[0].rule).to.deep.equal({ id: "{{rule.id}}", name: "{{rule.name}}" });
      expect(documents[0].lab).to.deep.equal({ cohort: COHORT });
      expect(documents[0].message).to.equal("{{context.message}}");
    });

    it("sends the webhook a JSON body with the same fields, whatever the message holds", async () => {
      server = await startFakeServer(stack());
      await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      const rule = server.requests.find((r) => r.path === rulePath(RULE))?.body as ReturnType<typeof ruleRequest>;
      const template = rule.actions.find((a) => a.id === WEBHOOK_CONNECTOR)?.params.body as string;
      // Kibana renders a webhook body with JSON escaping: a rendered value stays one JSON string.
      const rendered = template.replace(/\{\{[^}]+\}\}/g, 'say \\"hi\\"');
      const parsed = JSON.parse(rendered) as { ml: Record<string, string>; lab: { cohort: string } };
      expect(Object.keys(parsed).sort()).to.deep.equal(["lab", "message", "ml", "rule"]);
      expect(Object.keys(parsed.ml).sort()).to.deep.equal(["anomaly_explorer_url", "anomaly_score", "anomaly_timestamp", "is_interim", "job_ids"]);
      expect(parsed.lab.cohort).to.equal(COHORT);
    });
  });

  describe("re-running", () => {
    it("replaces a connector and a rule left by an earlier run (409 on the lab's id) instead of making another", async () => {
      const posted = new Map<string, number>();
      server = await startFakeServer(
        stack((r) => {
          if (r.method !== "POST") return undefined;
          const count = (posted.get(r.path) ?? 0) + 1;
          posted.set(r.path, count);
          const leftover = r.path === connectorPath(INDEX_CONNECTOR) || r.path === rulePath(RULE);
          return leftover && count === 1 ? { status: 409, body: { statusCode: 409, error: "Conflict", message: "Saved object already exists" } } : undefined;
        }),
      );
      await createAlerting(inputsFor(server.url, { email: undefined, smtpPassword: undefined, webhookUrl: undefined }), { intervalMs: 20 });
      expect(server.calls()).to.deep.equal([
        "GET /_license",
        "GET /api/status",
        `POST ${connectorPath(INDEX_CONNECTOR)}`,
        `DELETE ${connectorPath(INDEX_CONNECTOR)}`,
        `POST ${connectorPath(INDEX_CONNECTOR)}`,
        `POST ${rulePath(RULE)}`,
        `DELETE ${rulePath(RULE)}`,
        `POST ${rulePath(RULE)}`,
      ]);
    });

    it("gives each cohort its own ids, the same on every run, in the UUID shape Kibana requires for a predefined id", () => {
      const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      const ids = [ruleIdOf("cohort-a"), connectorIdOf("cohort-a", "index"), connectorIdOf("cohort-a", "email"), connectorIdOf("cohort-a", "webhook"), ruleIdOf("cohort-b")];
      for (const id of ids) expect(id).to.match(uuidV4);
      expect(new Set(ids).size).to.equal(ids.length);
      expect(ruleIdOf("cohort-a")).to.equal(RULE);
    });
  });

  describe("failures", () => {
    it("removes the connectors it just made when Kibana refuses the rule, and names Kibana, the step, the status and the reason", async () => {
      server = await startFakeServer(
        stack((r) => (r.method === "POST" && r.path === rulePath(RULE) ? { status: 400, body: { statusCode: 400, error: "Bad Request", message: "params invalid: [severity]: bad" } } : undefined)),
      );
      let error: Error | undefined;
      try {
        await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).to.include(`Kibana at ${server.url}`);
      expect(error?.message).to.include(`creating the rule ${RULE} failed`);
      expect(error?.message).to.include(`POST ${rulePath(RULE)} returned 400: params invalid: [severity]: bad`);
      const deletes = server.calls().filter((call) => call.startsWith("DELETE"));
      expect(deletes).to.have.members([`DELETE ${rulePath(RULE)}`, `DELETE ${connectorPath(INDEX_CONNECTOR)}`, `DELETE ${connectorPath(EMAIL_CONNECTOR)}`, `DELETE ${connectorPath(WEBHOOK_CONNECTOR)}`]);
    });

    it("removes the connectors made before a later connector fails", async () => {
      server = await startFakeServer(stack((r) => (r.method === "POST" && r.path === connectorPath(WEBHOOK_CONNECTOR) ? { status: 500, body: { statusCode: 500, error: "Internal Server Error", message: "boom" } } : undefined)));
      let message = "";
      await createAlerting(inputsFor(server.url), { intervalMs: 20 }).catch((e: Error) => (message = e.message));
      expect(message).to.include(`creating the webhook connector ${WEBHOOK_CONNECTOR} failed`);
      expect(server.calls()).to.include.members([`DELETE ${connectorPath(INDEX_CONNECTOR)}`, `DELETE ${connectorPath(EMAIL_CONNECTOR)}`]);
      expect(server.calls().filter((call) => call.startsWith("POST /api/alerting"))).to.deep.equal([]);
    });

    it("waits a bounded time for an unreachable Kibana, then names its URL and what it waited for, and makes nothing", async () => {
      server = await startFakeServer(stack());
      const closed = await startFakeServer(() => undefined);
      const deadUrl = closed.url;
      await closed.close();
      const started = Date.now();
      let message = "";
      await createAlerting(inputsFor(server.url, { kibanaUrl: deadUrl, timeoutSeconds: 1 }), { intervalMs: 100 }).catch((e: Error) => (message = e.message));
      expect(Date.now() - started).to.be.lessThan(5_000);
      expect(message).to.include(`Kibana at ${deadUrl}`);
      expect(message).to.include("waiting for Kibana failed");
      expect(message).to.match(/gave up waiting for Kibana at .* after 1 s/);
      expect(server.calls()).to.deep.equal(["GET /_license"]);
    });
  });

  describe("licence", () => {
    it("skips alerting on a basic licence, saying why and what to do, without calling Kibana", async () => {
      server = await startFakeServer(stack(undefined, "basic"));
      const outputs = await createAlerting(inputsFor(server.url), { intervalMs: 20 });
      expect(server.calls()).to.deep.equal(["GET /_license"]);
      expect(outputs.ruleId).to.equal(null);
      expect(outputs.connectorIds).to.deep.equal({});
      expect(outputs.skipped).to.include("licence is basic (active)");
      expect(outputs.skipped).to.include("trial, Platinum or Enterprise");
      expect(outputs.skipped).to.include("lab:alerts false");
    });

    it("allows alerting on trial, Platinum and Enterprise licences that are active, and on nothing else", () => {
      for (const type of ["trial", "platinum", "enterprise"]) expect(licenceSkipReason({ type, status: "active" }), type).to.equal(undefined);
      for (const type of ["basic", "gold", "standard"]) expect(licenceSkipReason({ type, status: "active" }), type).to.be.a("string");
      expect(licenceSkipReason({ type: "trial", status: "expired" })).to.include("trial (expired)");
    });

    it("reads a skipped alerting as gone once the licence allows it, so the next up makes the rule", async () => {
      server = await startFakeServer(stack());
      const skipped: AlertingOutputs = { ...inputsFor(server.url), ruleId: null, connectorIds: {}, skipped: "basic" };
      const found = await readAlerting(skipped);
      expect(found.state).to.equal("gone");
    });

    it("deletes nothing in Kibana for a skipped alerting", async () => {
      server = await startFakeServer(stack());
      expect(await deleteAlerting({ ...inputsFor(server.url), ruleId: null, connectorIds: {}, skipped: "basic" })).to.equal("deleted");
      expect(server.calls()).to.deep.equal([]);
    });
  });

  describe("read and delete", () => {
    it("reads the rule and each connector; all there is present", async () => {
      server = await startFakeServer(stack());
      const found = await readAlerting(outputsFor(server.url));
      expect(found.state).to.equal("present");
      expect(server.calls()).to.deep.equal([`GET ${rulePath(RULE)}`, `GET ${connectorPath(INDEX_CONNECTOR)}`, `GET ${connectorPath(EMAIL_CONNECTOR)}`, `GET ${connectorPath(WEBHOOK_CONNECTOR)}`]);
    });

    it("reads a rule deleted in Kibana (404) as gone", async () => {
      server = await startFakeServer(stack((r) => (r.method === "GET" && r.path === rulePath(RULE) ? NOT_FOUND : undefined)));
      const found = await readAlerting(outputsFor(server.url));
      expect(found).to.deep.include({ state: "gone" });
    });

    it("reads an unreachable Kibana in the Docker lab as unchecked, and elsewhere as an error", async () => {
      const closed = await startFakeServer(() => undefined);
      const url = closed.url;
      await closed.close();
      expect((await readAlerting({ ...outputsFor(url), serverInStack: true })).state).to.equal("unchecked");
      let message = "";
      await readAlerting(outputsFor(url)).catch((e: Error) => (message = e.message));
      expect(message).to.include(`refresh again once Kibana at ${url} answers`);
    });

    it("deletes the rule, then its connectors", async () => {
      server = await startFakeServer(stack());
      expect(await deleteAlerting(outputsFor(server.url))).to.equal("deleted");
      expect(server.calls()).to.deep.equal([`DELETE ${rulePath(RULE)}`, `DELETE ${connectorPath(INDEX_CONNECTOR)}`, `DELETE ${connectorPath(EMAIL_CONNECTOR)}`, `DELETE ${connectorPath(WEBHOOK_CONNECTOR)}`]);
    });

    it("treats 404 on delete as already gone", async () => {
      server = await startFakeServer(stack((r) => (r.method === "DELETE" ? NOT_FOUND : undefined)));
      expect(await deleteAlerting(outputsFor(server.url))).to.equal("deleted");
      expect(server.calls()).to.have.length(4);
    });

    it("reports an unreachable Kibana on delete instead of failing the destroy", async () => {
      const closed = await startFakeServer(() => undefined);
      const url = closed.url;
      await closed.close();
      expect(await deleteAlerting(outputsFor(url))).to.equal("unreachable");
    });
  });

  describe("diff", () => {
    it("replaces the rule and connectors, old ones first, when the jobs, the e-mail or the webhook change", () => {
      const olds = outputsFor("http://x");
      expect(diffAlerting(olds, { ...inputsFor("http://x"), jobIds: [JOBS[0]] })).to.deep.equal({ changes: true, replaces: ["jobIds"], deleteBeforeReplace: true });
      expect(diffAlerting(olds, { ...inputsFor("http://x"), webhookUrl: undefined }).replaces).to.deep.equal(["webhookUrl"]);
      expect(diffAlerting(olds, { ...inputsFor("http://x"), smtpPassword: "new" }).replaces).to.deep.equal(["smtpPassword"]);
    });

    it("changes nothing when nothing changed, and only updates for a new password of the lab's login", () => {
      const olds = outputsFor("http://x");
      expect(diffAlerting(olds, inputsFor("http://x"))).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
      expect(diffAlerting(olds, { ...inputsFor("http://x"), password: "other" })).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: true });
    });
  });

  describe("request shapes", () => {
    it("sends exactly the rule parameters Kibana's ML rule type accepts from 8.x on (no kqlQueryString, which 9.3 added)", () => {
      const spec = inputsFor("http://x");
      const body = ruleRequest(spec, connectorRequests(spec));
      expect(body.rule_type_id).to.equal(ML_ANOMALY_RULE_TYPE);
      expect(Object.keys(body.params).sort()).to.deep.equal(["includeInterim", "jobSelection", "lookbackInterval", "resultType", "severity", "topNBuckets"]);
      expect(body.params.resultType).to.equal("bucket");
      expect(body.params.severity).to.be.within(0, 100);
      expect(body.actions.every((a) => a.group === ANOMALY_SCORE_MATCH_GROUP)).to.equal(true);
    });

    it("looks back a few 15-minute bucket spans, and reads at least every bucket within that lookback", () => {
      const spec = inputsFor("http://x");
      const { params } = ruleRequest(spec, connectorRequests(spec));
      const minutes = Number(/^(\d+)m$/.exec(params.lookbackInterval)?.[1]);
      expect(minutes).to.be.at.least(2 * 15).and.at.most(4 * 15);
      expect(params.topNBuckets).to.be.at.least(minutes / 15);
    });

    it("keeps the SMTP password out of the pure requests; only the call that sends it adds it", () => {
      const text = JSON.stringify(connectorRequests(inputsFor("http://x")));
      expect(text).to.not.include("smtp-secret");
    });
  });
});
