// A down, dying or frozen Elasticsearch must cost the user a bounded wait and one clear LabError,
// never a hang. Each case uses a server that really behaves that way:
//   - unreachable: a port nothing listens on (connection refused);
//   - accepts TCP but never answers: a socket server that holds connections open in silence;
//   - frozen mid-way through a bulk run: a real Elasticsearch (its own instance, so no other suite
//     is affected) stopped with SIGSTOP, which keeps its sockets open while it answers nothing;
//   - stopped mid-way through a bulk run: the same instance shut down while documents stream in.

import net from "node:net";
import { expect } from "chai";
import { LabError } from "../../generator/errors";
import { planDataset, type DatasetPlan } from "../../generator/plan";
import { checkConnection, indexDataset, type ElasticsearchConnection } from "../../generator/sinks/elasticsearch";
import { esTarget, skipEsSuite, esSuiteLedger, type EsTarget } from "../support/es-target";
import { canStartLocalElasticsearch, elasticsearchProcessGroup, startElasticsearch, stopElasticsearch } from "../support/es-instance";

const INSTANCE = "outage";
/** Short request timeout, so that the bounds below stay small; the sink's default is 60 s. */
const REQUEST_TIMEOUT_MS = 2_000;
/** What "bounded" means here: the request timeout, the client's retries of a failed connection, and slack for a loaded machine. */
const BOUND_MS = 15_000;
/**
 * Against the real server a 1 MiB bulk request takes 1–3 s on the shared two-core test machine, so
 * 2 s would time out healthy requests; 10 s does not, and still bounds the wait for a frozen one.
 */
const REAL_REQUEST_TIMEOUT_MS = 10_000;
const REAL_BOUND_MS = REAL_REQUEST_TIMEOUT_MS + 20_000;

/** A plan big enough that indexing is still running seconds after the first documents are acknowledged. */
function largePlan(seed: number): DatasetPlan {
  return planDataset({ days: 7, seed, end: new Date("2026-11-17T00:00:00Z"), scenario: "spike", meanRatePerSecond: 20 });
}

function smallPlan(): DatasetPlan {
  return planDataset({ days: 0.5, seed: 1, end: new Date("2026-11-17T00:00:00Z"), scenario: "spike" });
}

interface Outcome {
  error: unknown;
  elapsedMs: number;
}

/** Runs `work` and returns how it failed and how long it took; a hang beyond `limitMs` fails the test with a message, not a mocha timeout. */
async function failureOf(work: () => Promise<unknown>, limitMs: number): Promise<Outcome> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: no answer after ${limitMs} ms`)), limitMs);
  });
  try {
    await Promise.race([work(), hang]);
  } catch (error) {
    return { error, elapsedMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
  throw new Error("expected a failure, but the call succeeded");
}

function expectLabError(outcome: Outcome, pattern: RegExp, password?: string): LabError {
  expect(outcome.error, String(outcome.error)).to.be.instanceOf(LabError);
  const error = outcome.error as LabError;
  expect(error.message).to.match(pattern);
  expect(error.exitCode).to.equal(1);
  if (password !== undefined && password !== "") expect(error.message).not.to.include(password);
  return error;
}

/** A port on 127.0.0.1 that nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the Elasticsearch sink when the server is down, hangs, freezes or stops", function () {
  describe("nothing listens at the address", function () {
    let connection: ElasticsearchConnection;

    before(async function () {
      connection = { url: `http://127.0.0.1:${await closedPort()}`, username: "elastic", password: "not-used", requestTimeoutMs: REQUEST_TIMEOUT_MS };
    });

    it("checkConnection says it cannot reach the server, naming the URL, within the bound", async function () {
      const outcome = await failureOf(() => checkConnection(connection), BOUND_MS);
      expectLabError(outcome, new RegExp(`cannot reach Elasticsearch at ${connection.url}`), connection.password);
      expect(outcome.elapsedMs).to.be.below(BOUND_MS);
    });

    it("indexDataset fails the same way before generating anything", async function () {
      const outcome = await failureOf(() => indexDataset(smallPlan(), { connection, indexPrefix: "lab-outage" }), BOUND_MS);
      expectLabError(outcome, new RegExp(`cannot reach Elasticsearch at ${connection.url}`), connection.password);
    });
  });

  describe("the server accepts connections but never answers", function () {
    let silent: net.Server;
    const sockets = new Set<net.Socket>();
    let connection: ElasticsearchConnection;

    before(async function () {
      silent = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.resume(); // read and discard the request, answer nothing
      });
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const { port } = silent.address() as net.AddressInfo;
      connection = { url: `http://127.0.0.1:${port}`, username: "elastic", password: "not-used", requestTimeoutMs: REQUEST_TIMEOUT_MS };
    });

    after(async function () {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it("checkConnection gives up after the request timeout with a LabError that says the server did not answer", async function () {
      const outcome = await failureOf(() => checkConnection(connection), BOUND_MS);
      expectLabError(outcome, /did not answer GET \/ within 2 s/, connection.password);
      expect(outcome.elapsedMs).to.be.within(REQUEST_TIMEOUT_MS - 100, BOUND_MS);
    });

    it("indexDataset gives up the same way, before writing anything", async function () {
      const outcome = await failureOf(() => indexDataset(smallPlan(), { connection, indexPrefix: "lab-outage" }), BOUND_MS);
      expectLabError(outcome, /did not answer GET \/ within 2 s/, connection.password);
    });
  });

  describe("a real Elasticsearch that freezes, then stops, mid-way through a bulk run", function () {
    let target: EsTarget;
    let connection: ElasticsearchConnection;

    before(async function () {
      // Only where the Elasticsearch-backed tests were asked for (ELASTICSEARCH_URL set, as by .ci/run):
      // this suite starts a second server of its own, which a plain `npm test` should not do.
      if (esTarget() === undefined) skipEsSuite(this, "ELASTICSEARCH_URL is not set");
      if (!(await canStartLocalElasticsearch())) {
        skipEsSuite(this, "it starts its own server with test/support/elasticsearch.sh, which needs Java 17+ and Maven (see `bash test/support/elasticsearch.sh check`)");
      }
      this.timeout(300_000);
      target = await startElasticsearch(INSTANCE);
      esSuiteLedger.ran.push(this.test?.parent?.fullTitle() ?? INSTANCE);
      connection = { ...target, requestTimeoutMs: REAL_REQUEST_TIMEOUT_MS };
    });

    after(async function () {
      this.timeout(120_000);
      if (target === undefined) return;
      // Whatever happened, never leave it frozen or running.
      try {
        process.kill(-(await elasticsearchProcessGroup(INSTANCE)), "SIGCONT");
      } catch {
        // already gone
      }
      await stopElasticsearch(INSTANCE);
    });

    /** Starts a large bulk run and calls `interrupt` once the server has acknowledged documents. */
    async function interruptMidway(seed: number, interrupt: () => Promise<void>): Promise<{ outcome: Outcome; acknowledged: number; sinceInterruptMs: number }> {
      let acknowledged = 0;
      let interruptedAt: number | undefined;
      let interrupting: Promise<void> | undefined;
      const outcome = await failureOf(
        () =>
          indexDataset(largePlan(seed), {
            connection,
            indexPrefix: "lab-outage",
            onProgress: (indexed) => {
              acknowledged = indexed;
              if (indexed > 0 && interrupting === undefined) {
                interruptedAt = Date.now();
                interrupting = interrupt();
              }
            },
          }),
        120_000,
      );
      await interrupting;
      expect(interruptedAt, "the server never acknowledged a document, so nothing was interrupted").to.be.a("number");
      return { outcome, acknowledged, sinceInterruptMs: Date.now() - (interruptedAt as number) };
    }

    it("frozen (SIGSTOP: connections stay open, nothing answers): a LabError naming the bulk request, within the bound", async function () {
      this.timeout(180_000);
      const pgid = await elasticsearchProcessGroup(INSTANCE);
      const { outcome, acknowledged, sinceInterruptMs } = await interruptMidway(11, async () => {
        process.kill(-pgid, "SIGSTOP");
      });
      process.kill(-pgid, "SIGCONT");
      expect(acknowledged).to.be.above(0);
      expectLabError(outcome, /POST \/_bulk on .* timed out after 10 s/, target.password);
      expect(sinceInterruptMs).to.be.below(REAL_BOUND_MS);
    });

    it("stopped (shut down while documents stream in): a LabError that says the connection was lost, within the bound", async function () {
      this.timeout(180_000);
      const { outcome, acknowledged, sinceInterruptMs } = await interruptMidway(12, () => stopElasticsearch(INSTANCE));
      expect(acknowledged).to.be.above(0);
      const error = expectLabError(outcome, /./, target.password);
      expect(error.message).to.include(target.url);
      expect(error.message).to.match(/_bulk|_refresh|_count|_mapping/);
      // The shutdown itself takes a few seconds; the sink must give up within the bound after it.
      expect(sinceInterruptMs).to.be.below(REAL_BOUND_MS + 30_000);
    });
  });
});
