// The lab's HTTP helpers: the reason taken from Elasticsearch's and Kibana's error bodies, and the
// bounded retry every wait uses (clock and sleep injected, so no test waits).

import { createServer } from "node:net";
import { expect } from "chai";
import { LabError } from "../../generator/errors";
import { HttpError, elasticsearchReason, kibanaRequest, retryUntil } from "../../lab/http";

/** A port nothing listens on: taken from the OS, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("lab http helpers", () => {
  describe("the server's reason", () => {
    it("reads Elasticsearch's error type and reason", () => {
      expect(elasticsearchReason({ error: { type: "security_exception", reason: "missing authentication credentials" }, status: 401 })).to.equal(
        "security_exception: missing authentication credentials",
      );
      expect(elasticsearchReason({ error: { root_cause: [{ type: "index_not_found_exception", reason: "no such index [x]" }] } })).to.equal("index_not_found_exception: no such index [x]");
    });

    it("reads Kibana's message rather than its status text", () => {
      expect(elasticsearchReason({ statusCode: 400, error: "Bad Request", message: "Duplicate data view: lab-a-access" })).to.equal("Duplicate data view: lab-a-access");
      expect(elasticsearchReason({ statusCode: 502, error: "Bad Gateway" })).to.equal("Bad Gateway");
    });

    it("keeps a non-JSON body (a proxy's page) as text, shortened", () => {
      expect(elasticsearchReason("x".repeat(1000))).to.have.length(500);
      expect(elasticsearchReason(undefined)).to.equal(undefined);
    });

    it("names Kibana's address when it cannot be reached", async () => {
      const port = await closedPort();
      let error: unknown;
      try {
        await kibanaRequest({ url: `http://127.0.0.1:${port}`, username: "u", password: "p", requestTimeoutMs: 2000 }, "GET", "/api/status");
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(HttpError);
      expect((error as Error).message).to.equal(`GET /api/status failed: cannot reach Kibana at http://127.0.0.1:${port} (ECONNREFUSED)`);
    });
  });

  describe("retryUntil", () => {
    function fakeClock() {
      let now = 0;
      return { now: () => now, sleep: async (ms: number) => void (now += ms) };
    }

    it("retries retryable failures and returns the first success", async () => {
      let calls = 0;
      const result = await retryUntil(
        async () => {
          calls += 1;
          if (calls < 3) throw new HttpError("GET", "/x", 503, "not yet");
          return "ready";
        },
        { what: "x", timeoutMs: 60_000, intervalMs: 1000, retryable: () => true, ...fakeClock() },
      );
      expect(result).to.equal("ready");
      expect(calls).to.equal(3);
    });

    it("gives up at the deadline, saying what it waited for, how long, how often and the last failure", async () => {
      let error: unknown;
      try {
        await retryUntil(
          async () => {
            throw new HttpError("GET", "/_cluster/health", 503, "not yet");
          },
          { what: "the cluster to turn yellow", timeoutMs: 10_000, intervalMs: 2000, retryable: () => true, ...fakeClock() },
        );
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(LabError);
      expect((error as Error).message).to.equal("gave up waiting for the cluster to turn yellow after 10 s (6 tries); last failure: GET /_cluster/health returned 503: not yet");
    });

    it("rethrows a failure that waiting cannot fix at once", async () => {
      let calls = 0;
      const refusal = new HttpError("PUT", "/x", 401, "bad credentials");
      let error: unknown;
      try {
        await retryUntil(
          async () => {
            calls += 1;
            throw refusal;
          },
          { what: "x", timeoutMs: 60_000, retryable: (e) => e instanceof HttpError && e.status !== 401, ...fakeClock() },
        );
      } catch (caught) {
        error = caught;
      }
      expect(error).to.equal(refusal);
      expect(calls).to.equal(1);
    });
  });
});
