import { expect } from "chai";
import { requireEsTarget } from "../../support/es-target";
import { askProcessStart, diffServerReady, timeServerReady, type ServerReadyInputs } from "../../../lab/providers/server-ready-logic";
import { startFakeServer, type FakeServer } from "../fake-server";

const END = Date.parse("2026-11-30T10:01:10.000Z");

function inputs(overrides: Partial<ServerReadyInputs> = {}): ServerReadyInputs {
  return { server: "kibana", url: "http://127.0.0.1:9", containerId: "abc123", username: "elastic", password: "pw", ...overrides };
}

describe("server readiness timing (lab/providers/server-ready-logic)", () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("ends the step when the resource is created, and starts it when the server's process started", async () => {
    const output = await timeServerReady(inputs(), () => END, async () => END - 45_000);
    expect(output.timing).to.deep.equal({ step: "kibana", start: "2026-11-30T10:00:25.000Z", end: "2026-11-30T10:01:10.000Z" });
  });

  it("keeps a step of no length, rather than failing the lab, when the server does not say when it started", async () => {
    const refused = await timeServerReady(inputs({ server: "elasticsearch" }), () => END, async () => {
      throw new Error("connection refused");
    });
    expect(refused.timing).to.deep.equal({ step: "elasticsearch", start: "2026-11-30T10:01:10.000Z", end: "2026-11-30T10:01:10.000Z" });
    const silent = await timeServerReady(inputs(), () => END, async () => undefined);
    expect(silent.timing.start).to.equal(silent.timing.end);
  });

  it("times a new container again, and keeps the timing when only the URL or login changes", async () => {
    const made = await timeServerReady(inputs(), () => END, async () => END - 1_000);
    expect(diffServerReady(made, inputs({ containerId: "def456" }))).to.deep.equal({ changes: true, replaces: ["containerId"] });
    expect(diffServerReady(made, inputs({ password: "new" }))).to.deep.equal({ changes: true, replaces: [] });
    expect(diffServerReady(made, inputs())).to.deep.equal({ changes: false, replaces: [] });
  });

  it("asks Kibana, logged in, for its process uptime on /api/status (Kibana stood in: none here)", async () => {
    server = await startFakeServer((request) =>
      request.method === "GET" && request.path === "/api/status" && request.headers.authorization === `Basic ${Buffer.from("elastic:pw").toString("base64")}`
        ? { status: 200, body: { status: { overall: { level: "available" } }, metrics: { process: { uptime_in_millis: 61_500 } } } }
        : undefined,
    );
    expect(await askProcessStart(inputs({ url: server.url }), END)).to.equal(END - 61_500);
  });

  it("asks a real Elasticsearch for its JVM's start time", async function () {
    const es = requireEsTarget(this);
    const before = Date.now();
    const started = await askProcessStart(inputs({ server: "elasticsearch", url: es.url, username: es.username, password: es.password }), before);
    expect(started).to.be.a("number").and.be.below(before);
    const response = await fetch(`${es.url}/_nodes/_local/jvm`, { headers: { authorization: `Basic ${Buffer.from(`${es.username}:${es.password}`).toString("base64")}` } });
    const nodes = ((await response.json()) as { nodes: Record<string, { jvm: { start_time_in_millis: number } }> }).nodes;
    expect(started).to.equal(Object.values(nodes)[0].jvm.start_time_in_millis);
  });
});
