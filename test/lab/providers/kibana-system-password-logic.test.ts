// The kibana_system password against a stand-in for Elasticsearch's security API that plays a node
// whose security index is not ready yet (the race start-local and docker-elk users hit).

import { expect } from "chai";
import { setKibanaSystemPassword } from "../../../lab/providers/kibana-system-password-logic";
import { esError, startFakeServer, type FakeServer } from "../fake-server";

describe("kibana_system password logic", function () {
  this.timeout(30_000);
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("contract: retries while the security index is not ready, then proves the password by authenticating as kibana_system", async () => {
    let attempts = 0;
    server = await startFakeServer((r) => {
      if (r.path === "/_security/user/kibana_system/_password") {
        attempts += 1;
        return attempts <= 2 ? esError(503, "unavailable_shards_exception", "at least one primary shard for the index [.security-7] is unavailable") : { status: 200, body: {} };
      }
      if (r.path === "/_security/_authenticate") return { status: 200, body: { username: "kibana_system", roles: ["kibana_system"] } };
      return undefined;
    });
    const outputs = await setKibanaSystemPassword({ elasticsearchUrl: server.url, username: "elastic", password: "pw", kibanaSystemPassword: "new-kibana-pass", timeoutSeconds: 30 }, { intervalMs: 20 });
    expect(outputs.kibanaSystemUsername).to.equal("kibana_system");
    expect(server.calls().filter((c) => c.endsWith("/_password"))).to.have.length(3);
    const change = server.requests.find((r) => r.path.endsWith("/_password"));
    expect(change?.body).to.deep.equal({ password: "new-kibana-pass" });
    const auth = server.requests.find((r) => r.path === "/_security/_authenticate");
    expect(auth?.headers.authorization).to.equal(`Basic ${Buffer.from("kibana_system:new-kibana-pass").toString("base64")}`);
  });

  it("contract: a refusal that waiting cannot fix fails at once with method, path, status and reason", async () => {
    server = await startFakeServer(() => esError(400, "illegal_argument_exception", "passwords must be at least [6] characters long"));
    let error: unknown;
    try {
      await setKibanaSystemPassword({ elasticsearchUrl: server.url, username: "elastic", password: "pw", kibanaSystemPassword: "short", timeoutSeconds: 30 });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.match(/^(PUT|POST) \/_security\/user\/kibana_system\/_password returned 400: illegal_argument_exception: passwords must be at least \[6\] characters long$/);
    expect(server.requests).to.have.length(1);
  });
});
