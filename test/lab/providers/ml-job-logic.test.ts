// The ML job provider's logic against a local stand-in for Elasticsearch's ML API (the test server
// has no ML plugin). Contract tests: the requests must be the ones Elasticsearch documents, with the
// bodies the client's published types (estypes) describe; failures must name method, path, status
// and reason; a create that fails halfway leaves nothing behind; delete treats 404 as done.

import { expect } from "chai";
import type { estypes } from "@elastic/elasticsearch";
import { HttpError } from "../../../lab/http";
import { createMlJob, datafeedStep, deleteMlJob, diffMlJob, readMlJob, startDatafeedRequest, type MlJobInputs, type MlJobOutputs } from "../../../lab/providers/ml-job-logic";
import { jobRequests, loadJobDefinitions } from "../../../ml-jobs/index";
import { esError, startFakeServer, type FakeServer, type Reply, type RecordedRequest } from "../fake-server";

const JOB_ID = "lab-test-request_rate_high";
const FEED_ID = `datafeed-${JOB_ID}`;
const START = "2026-11-03T00:00:00.000Z";
const END = "2026-11-17T00:00:00.000Z";

function inputsFor(url: string, overrides: Partial<MlJobInputs> = {}): MlJobInputs {
  const definition = loadJobDefinitions().find((def) => def.name === "lab_request_rate_high")!;
  // Typed as the client publishes them: a body that drifts from the API stops compiling here.
  const requests: { job: estypes.MlPutJobRequest; datafeed: estypes.MlPutDatafeedRequest } = jobRequests(definition, { jobId: JOB_ID, indexPattern: "lab-test-access-0123abcd" });
  return { elasticsearchUrl: url, username: "elastic", password: "pw", jobId: JOB_ID, job: requests.job, datafeed: requests.datafeed, start: START, end: END, waitForCompletion: true, timeoutSeconds: 5, ...overrides };
}

/** A well-behaved ML API: everything succeeds; the datafeed reports `started` `runningPolls` times, then `stopped`. */
function mlApi(runningPolls = 1, overrides: (r: RecordedRequest) => Reply | undefined = () => undefined) {
  let polls = 0;
  return (r: RecordedRequest): Reply | undefined => {
    const special = overrides(r);
    if (special !== undefined) return special;
    const key = `${r.method} ${r.path}`;
    if (key === `PUT /_ml/anomaly_detectors/${JOB_ID}`) return { status: 200, body: { job_id: JOB_ID } };
    if (key === `PUT /_ml/datafeeds/${FEED_ID}`) return { status: 200, body: { datafeed_id: FEED_ID } };
    if (key === `POST /_ml/anomaly_detectors/${JOB_ID}/_open`) return { status: 200, body: { opened: true, node: "n" } };
    if (key === `POST /_ml/datafeeds/${FEED_ID}/_start`) return { status: 200, body: { started: true, node: "n" } };
    if (key === `GET /_ml/datafeeds/${FEED_ID}/_stats`) {
      polls += 1;
      return { status: 200, body: { count: 1, datafeeds: [{ datafeed_id: FEED_ID, state: polls > runningPolls ? "stopped" : "started" }] } };
    }
    if (key === `GET /_ml/anomaly_detectors/${JOB_ID}/_stats`) return { status: 200, body: { count: 1, jobs: [{ job_id: JOB_ID, state: "closed", data_counts: { processed_record_count: 4242 } }] } };
    if (key === `POST /_ml/datafeeds/${FEED_ID}/_stop`) return { status: 200, body: { stopped: true } };
    if (key === `POST /_ml/anomaly_detectors/${JOB_ID}/_close`) return { status: 200, body: { closed: true } };
    if (key === `DELETE /_ml/datafeeds/${FEED_ID}`) return { status: 200, body: { acknowledged: true } };
    if (key === `DELETE /_ml/anomaly_detectors/${JOB_ID}`) return { status: 200, body: { acknowledged: true } };
    return undefined;
  };
}

const TEARDOWN = [
  `POST /_ml/datafeeds/${FEED_ID}/_stop`,
  `POST /_ml/anomaly_detectors/${JOB_ID}/_close`,
  `DELETE /_ml/datafeeds/${FEED_ID}`,
  `DELETE /_ml/anomaly_detectors/${JOB_ID}`,
];

describe("ML job provider logic", () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe("create", () => {
    it("contract: puts the job and its datafeed, opens the job, runs the datafeed over the dataset's range and waits until it stops", async () => {
      server = await startFakeServer(mlApi(2));
      const inputs = inputsFor(server.url);
      const outputs = await createMlJob(inputs, { intervalMs: 10 });
      expect(server.calls()).to.deep.equal([
        `PUT /_ml/anomaly_detectors/${JOB_ID}`,
        `PUT /_ml/datafeeds/${FEED_ID}`,
        `POST /_ml/anomaly_detectors/${JOB_ID}/_open`,
        `POST /_ml/datafeeds/${FEED_ID}/_start`,
        `GET /_ml/datafeeds/${FEED_ID}/_stats`,
        `GET /_ml/datafeeds/${FEED_ID}/_stats`,
        `GET /_ml/datafeeds/${FEED_ID}/_stats`,
        `GET /_ml/anomaly_detectors/${JOB_ID}/_stats`,
      ]);
      const [putJob, putFeed, , start] = server.requests;
      // The id travels in the path (the 8.x client repeats it in the body); the body is the put-job request.
      const { job_id: _jobId, ...jobBody } = inputs.job;
      const { job_id: sentJobId, ...sentJobBody } = putJob.body as Record<string, unknown>;
      expect(sentJobBody).to.deep.equal(jobBody);
      expect(sentJobId ?? JOB_ID).to.equal(JOB_ID);
      expect(putJob.body).to.have.nested.property("analysis_config.detectors").that.is.an("array").that.is.not.empty;
      const { datafeed_id: _feedId, ...feedBody } = inputs.datafeed;
      expect(putFeed.body).to.deep.equal({ ...feedBody, job_id: JOB_ID });
      expect(putFeed.body).to.have.property("indices").that.deep.equals(["lab-test-access-0123abcd"]);
      expect(start.body).to.deep.equal({ start: START, end: END });
      expect(outputs).to.include({ datafeedId: FEED_ID, datafeedState: "stopped", processedRecordCount: 4242 });
    });

    it("records the create's start and end, from put job to the datafeed stopped, with the injected clock", async () => {
      server = await startFakeServer(mlApi(2));
      const times = [Date.parse("2026-11-30T10:01:31.000Z"), Date.parse("2026-11-30T10:02:00.000Z")];
      const outputs = await createMlJob(inputsFor(server.url), { intervalMs: 10, nowMs: () => times.shift()! });
      expect(outputs.timing).to.deep.equal({ step: `datafeed ${JOB_ID}`, start: "2026-11-30T10:01:31.000Z", end: "2026-11-30T10:02:00.000Z" });
    });

    it("names the step by what its end means: the datafeed only started, or caught up with live traffic", async () => {
      server = await startFakeServer(mlApi(100));
      const outputs = await createMlJob(inputsFor(server.url, { waitForCompletion: false }), { intervalMs: 10 });
      expect(outputs.timing?.step).to.equal(`datafeed ${JOB_ID} (started)`);
      expect(datafeedStep({ jobId: JOB_ID, end: undefined, waitForCompletion: true })).to.equal(`datafeed ${JOB_ID} (lookback)`);
    });

    it("contract: the start request carries an end time, so the datafeed stops by itself", () => {
      const request: estypes.MlStartDatafeedRequest = startDatafeedRequest(FEED_ID, START, END);
      expect(request).to.deep.equal({ datafeed_id: FEED_ID, start: START, end: END });
    });

    it("contract: does not wait when asked not to", async () => {
      server = await startFakeServer(mlApi(100));
      const outputs = await createMlJob(inputsFor(server.url, { waitForCompletion: false }), { intervalMs: 10 });
      expect(server.calls()).to.have.length(4);
      expect(outputs).to.include({ datafeedState: "started", processedRecordCount: null });
    });

    it("contract: a failure halfway tears down job and datafeed, and names method, path, status and reason", async () => {
      server = await startFakeServer(
        mlApi(1, (r) => (r.path.endsWith("/_open") ? esError(500, "status_exception", "Could not open job because no ML nodes with sufficient capacity were found") : undefined)),
      );
      let error: unknown;
      try {
        await createMlJob(inputsFor(server.url), { intervalMs: 10 });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(HttpError);
      expect((error as HttpError).message).to.equal(
        `POST /_ml/anomaly_detectors/${JOB_ID}/_open returned 500: status_exception: Could not open job because no ML nodes with sufficient capacity were found`,
      );
      expect(server.calls().slice(3)).to.deep.equal(TEARDOWN);
      // force may travel in the query string or the body, as the client's spec places it.
      const forced = (r: RecordedRequest | undefined) => String(r?.query.force ?? (r?.body as { force?: boolean } | undefined)?.force);
      expect(forced(server.requests.find((r) => r.path.endsWith("/_stop")))).to.equal("true");
      expect(forced(server.requests.find((r) => r.path.endsWith("/_close")))).to.equal("true");
      expect(forced(server.requests.find((r) => r.method === "DELETE" && r.path.includes("anomaly_detectors")))).to.equal("true");
    });

    it("contract: replaces a leftover job of the same id instead of failing", async () => {
      let puts = 0;
      server = await startFakeServer(
        mlApi(0, (r) => {
          if (r.method === "PUT" && r.path === `/_ml/anomaly_detectors/${JOB_ID}` && ++puts === 1) {
            return esError(400, "resource_already_exists_exception", `The job cannot be created with the Id '${JOB_ID}'. The Id is already used.`);
          }
          return undefined;
        }),
      );
      await createMlJob(inputsFor(server.url), { intervalMs: 10 });
      expect(server.calls().slice(0, 6)).to.deep.equal([`PUT /_ml/anomaly_detectors/${JOB_ID}`, ...TEARDOWN, `PUT /_ml/anomaly_detectors/${JOB_ID}`]);
    });

    it("contract: gives up waiting after the bound, says what it waited for, and cleans up", async () => {
      server = await startFakeServer(mlApi(Number.MAX_SAFE_INTEGER));
      let error: unknown;
      try {
        await createMlJob(inputsFor(server.url, { timeoutSeconds: 1 }), { intervalMs: 100 });
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message).to.match(new RegExp(`^gave up waiting for datafeed ${FEED_ID} to process the dataset .* after 1 s \\(\\d+ tries\\); last failure: datafeed ${FEED_ID} is started$`));
      expect(server.calls().slice(-4)).to.deep.equal(TEARDOWN);
    });
  });

  describe("delete", () => {
    it("contract: stops, closes and deletes with force, and treats 404 at every step as already gone", async () => {
      server = await startFakeServer((r) => esError(404, "resource_not_found_exception", `No known job with id '${JOB_ID}'`));
      const outputs: MlJobOutputs = { ...inputsFor(server.url), datafeedId: FEED_ID, datafeedState: "stopped", processedRecordCount: 1 };
      expect(await deleteMlJob(outputs)).to.equal("deleted");
      expect(server.calls()).to.deep.equal(TEARDOWN);
    });

    it("contract: reports any other failure with method, path, status and reason", async () => {
      server = await startFakeServer((r) => (r.path.endsWith("/_close") ? esError(503, "unavailable_shards_exception", "ML state index not ready") : { status: 200, body: {} }));
      const outputs: MlJobOutputs = { ...inputsFor(server.url), datafeedId: FEED_ID, datafeedState: "stopped", processedRecordCount: 1 };
      let error: unknown;
      try {
        await deleteMlJob(outputs);
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message).to.equal(`POST /_ml/anomaly_detectors/${JOB_ID}/_close returned 503: unavailable_shards_exception: ML state index not ready`);
    });

    it("counts an unreachable server as gone: ML state lives in the lab's own volume", async () => {
      const outputs: MlJobOutputs = { ...inputsFor("http://127.0.0.1:9"), datafeedId: FEED_ID, datafeedState: "stopped", processedRecordCount: 1 };
      expect(await deleteMlJob(outputs)).to.equal("unreachable");
    });
  });

  describe("read (refresh)", () => {
    const state = (url: string): MlJobOutputs => ({ ...inputsFor(url), datafeedId: FEED_ID, datafeedState: "stopped", processedRecordCount: 1 });

    it("contract: takes the datafeed's state and the job's processed records from their _stats", async () => {
      server = await startFakeServer(mlApi(5));
      expect(await readMlJob(state(server.url))).to.deep.equal({ state: "present", outputs: { ...state(server.url), datafeedState: "started", processedRecordCount: 4242 } });
      expect(server.calls()).to.deep.equal([`GET /_ml/anomaly_detectors/${JOB_ID}/_stats`, `GET /_ml/datafeeds/${FEED_ID}/_stats`]);
    });

    it("contract: reads as gone when the job or its datafeed is missing (404, or no match)", async () => {
      server = await startFakeServer(mlApi(1, (r) => (r.path.startsWith("/_ml/anomaly_detectors/") ? esError(404, "resource_not_found_exception", `No known job with id '${JOB_ID}'`) : undefined)));
      const gone = { state: "gone", reason: `ML job ${JOB_ID} or its datafeed ${FEED_ID} is gone` };
      expect(await readMlJob(state(server.url))).to.deep.equal(gone);
      await server.close();
      server = await startFakeServer(mlApi(1, (r) => (r.path === `/_ml/datafeeds/${FEED_ID}/_stats` ? { status: 200, body: { count: 0, datafeeds: [] } } : undefined)));
      expect(await readMlJob(state(server.url))).to.deep.equal(gone);
    });

    it("keeps the job unchecked while the lab's own Elasticsearch container is down", async () => {
      expect((await readMlJob({ ...state("http://127.0.0.1:9"), serverInStack: true })).state).to.equal("unchecked");
    });

    it("fails, forgetting nothing, when Elasticsearch does not answer", async () => {
      let error: unknown;
      try {
        await readMlJob(state("http://127.0.0.1:9"));
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message).to.match(new RegExp(`^cannot check ML job ${JOB_ID}: GET /_ml/anomaly_detectors/${JOB_ID}/_stats failed: ConnectionError.*Nothing was changed`));
    });
  });

  describe("diff", () => {
    it("replaces the job (deleting it first, its id being fixed) when the job, its datafeed or the range change", () => {
      const inputs = inputsFor("http://x");
      const olds: MlJobOutputs = { ...inputs, datafeedId: FEED_ID, datafeedState: "stopped", processedRecordCount: 1 };
      expect(diffMlJob(olds, inputs)).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
      expect(diffMlJob(olds, { ...inputs, end: "2026-11-18T00:00:00.000Z" }).replaces).to.deep.equal(["end"]);
      expect(diffMlJob(olds, { ...inputs, password: "new" })).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: true });
    });

    it("sees no change when the stored job comes back with its keys in another order, as Pulumi's state returns them", () => {
      const inputs = inputsFor("http://x");
      const reorder = (value: unknown): unknown =>
        Array.isArray(value) ? value.map(reorder) : value !== null && typeof value === "object" ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reorder(v)])) : value;
      const olds = { ...inputs, job: reorder(inputs.job), datafeed: reorder(inputs.datafeed), datafeedId: FEED_ID, datafeedState: "stopped", processedRecordCount: 1 } as MlJobOutputs;
      expect(JSON.stringify(olds.job)).to.not.equal(JSON.stringify(inputs.job));
      expect(diffMlJob(olds, inputs)).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
    });
  });
});

describe("ML job provider logic, live mode (a datafeed without an end)", () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A datafeed that is in its lookback for `lookbackPolls` polls, then runs in real time; it never stops. */
  function liveApi(lookbackPolls: number, state: "started" | "stopped" = "started") {
    let polls = 0;
    return mlApi(1, (r) => {
      if (`${r.method} ${r.path}` !== `GET /_ml/datafeeds/${FEED_ID}/_stats`) return undefined;
      polls += 1;
      const running_state: estypes.MlDatafeedRunningState = { real_time_configured: true, real_time_running: polls > lookbackPolls };
      return { status: 200, body: { count: 1, datafeeds: [{ datafeed_id: FEED_ID, state, ...(state === "started" ? { running_state } : {}) }] } };
    });
  }

  it("contract: starts the datafeed at the dataset's start with no end, so it runs on in real time", async () => {
    server = await startFakeServer(liveApi(0));
    await createMlJob(inputsFor(server.url, { end: undefined, waitForCompletion: false }), { intervalMs: 10 });
    const start = server.requests.find((r) => r.path === `/_ml/datafeeds/${FEED_ID}/_start`)!;
    expect(start.body).to.deep.equal({ start: START });
    expect(startDatafeedRequest(FEED_ID, START, undefined)).to.deep.equal({ datafeed_id: FEED_ID, start: START });
  });

  it("contract: waits until the lookback has caught up (running_state.real_time_running), not for a stop that never comes", async () => {
    server = await startFakeServer(liveApi(2));
    const outputs = await createMlJob(inputsFor(server.url, { end: undefined }), { intervalMs: 10 });
    expect(outputs.datafeedState).to.equal("started");
    expect(server.calls().filter((c) => c === `GET /_ml/datafeeds/${FEED_ID}/_stats`)).to.have.length(3);
    expect(server.calls()).to.not.include(`POST /_ml/datafeeds/${FEED_ID}/_stop`);
  });

  it("fails at once, and cleans up, when a live datafeed stops instead of catching up", async () => {
    server = await startFakeServer(liveApi(5, "stopped"));
    const failure = await createMlJob(inputsFor(server.url, { end: undefined }), { intervalMs: 10 }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).to.match(new RegExp(`datafeed ${FEED_ID} is stopped, so it will not follow live traffic`));
    expect(server.calls().slice(-TEARDOWN.length)).to.deep.equal(TEARDOWN);
  });

  it("gives up waiting for the lookback after the bound, saying what it waited for", async () => {
    server = await startFakeServer(liveApi(1_000_000));
    const failure = await createMlJob(inputsFor(server.url, { end: undefined, timeoutSeconds: 1 }), { intervalMs: 50 }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).to.match(/datafeed .* to catch up with live traffic/);
  });

  it("read (refresh): keeps the lookback's record count of a live job, which grows every minute, and its started state", async () => {
    server = await startFakeServer(liveApi(0));
    const state: MlJobOutputs = { ...inputsFor(server.url, { end: undefined }), datafeedId: FEED_ID, datafeedState: "started", processedRecordCount: 100 };
    expect(await readMlJob(state)).to.deep.equal({ state: "present", outputs: state });
  });
});
