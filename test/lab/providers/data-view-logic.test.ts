// The data view provider's logic against a local stand-in for Kibana's data views API. Contract
// tests: request paths and bodies as Kibana documents them, the headers Kibana requires, 409 on an
// existing id, 400 "Duplicate data view" on an existing title (what Kibana's data views route answers),
// 404 on delete and read, and 5xx errors naming method, path, status and reason. No Kibana runs here.

import { expect } from "chai";
import { HttpError } from "../../../lab/http";
import { createDataView, createDataViewRequest, deleteDataView, diffDataView, readDataView, type DataViewInputs, type DataViewOutputs } from "../../../lab/providers/data-view-logic";
import { startFakeServer, type FakeServer, type RecordedRequest, type Reply } from "../fake-server";

const ID = "lab-test-access";

function inputsFor(url: string, overrides: Partial<DataViewInputs> = {}): DataViewInputs {
  return { kibanaUrl: url, username: "elastic", password: "pw", dataViewId: ID, title: "lab-test-access-0123abcd", name: "Lab access logs (test)", timeFieldName: "@timestamp", makeDefault: true, timeoutSeconds: 5, ...overrides };
}

const AVAILABLE: Reply = { status: 200, body: { status: { overall: { level: "available" } } } };

function kibana(overrides: (r: RecordedRequest) => Reply | undefined = () => undefined) {
  return (r: RecordedRequest): Reply | undefined => {
    const special = overrides(r);
    if (special !== undefined) return special;
    const key = `${r.method} ${r.path}`;
    if (key === "GET /api/status") return AVAILABLE;
    if (key === "POST /api/data_views/data_view") return { status: 200, body: { data_view: { id: ID } } };
    if (key === "POST /api/data_views/default") return { status: 200, body: { acknowledged: true } };
    if (key === "GET /api/data_views/default") return { status: 200, body: { data_view_id: ID } };
    if (key === `DELETE /api/data_views/data_view/${ID}`) return { status: 200 };
    return { status: 404, body: { statusCode: 404, error: "Not Found", message: `Saved object [index-pattern/${ID}] not found` } };
  };
}

describe("data view provider logic", () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("contract: waits for Kibana, creates the view with its id, title and time field, then makes it the default", async () => {
    let statusCalls = 0;
    server = await startFakeServer(kibana((r) => (r.path === "/api/status" && ++statusCalls === 1 ? { status: 503, body: { status: { overall: { level: "unavailable" } } } } : undefined)));
    const outputs = await createDataView(inputsFor(server.url), { intervalMs: 20 });
    expect(server.calls()).to.deep.equal(["GET /api/status", "GET /api/status", "POST /api/data_views/data_view", "POST /api/data_views/default"]);
    expect(server.requests[2].body).to.deep.equal({
      data_view: { id: ID, title: "lab-test-access-0123abcd", name: "Lab access logs (test)", timeFieldName: "@timestamp" },
      override: false,
    });
    expect(server.requests[3].body).to.deep.equal({ data_view_id: ID, force: true });
    for (const request of server.requests.filter((r) => r.method === "POST")) {
      expect(request.headers["kbn-xsrf"], "Kibana refuses writes without kbn-xsrf").to.be.a("string");
      expect(request.headers["content-type"]).to.equal("application/json");
    }
    expect(server.requests[0].headers.authorization).to.equal(`Basic ${Buffer.from("elastic:pw").toString("base64")}`);
    expect(outputs.isDefault).to.equal(true);
  });

  it("contract: the create body has the shape of Kibana's create_data_view_request_object", () => {
    const body = createDataViewRequest(inputsFor("http://x"));
    expect(Object.keys(body).sort()).to.deep.equal(["data_view", "override"]);
    expect(Object.keys(body.data_view).sort()).to.deep.equal(["id", "name", "timeFieldName", "title"]);
  });

  it("contract: on an id conflict (400, as Kibana's route maps a saved-object 409) deletes the leftover view and creates it again", async () => {
    let creates = 0;
    server = await startFakeServer(
      kibana((r) =>
        r.method === "POST" && r.path === "/api/data_views/data_view" && ++creates === 1
          ? { status: 400, body: { statusCode: 400, error: "Bad Request", message: `Saved object [index-pattern/${ID}] conflict` } }
          : undefined,
      ),
    );
    await createDataView(inputsFor(server.url));
    expect(server.calls()).to.deep.equal(["GET /api/status", "POST /api/data_views/data_view", `DELETE /api/data_views/data_view/${ID}`, "POST /api/data_views/data_view", "POST /api/data_views/default"]);
  });

  it("contract: on 400 Duplicate data view (another view reads the same index, left by a lost state) creates it again with override", async () => {
    let creates = 0;
    server = await startFakeServer(
      kibana((r) =>
        r.method === "POST" && r.path === "/api/data_views/data_view" && ++creates === 1
          ? { status: 400, body: { statusCode: 400, error: "Bad Request", message: "Duplicate data view: lab-test-access-0123abcd" } }
          : undefined,
      ),
    );
    await createDataView(inputsFor(server.url));
    expect(server.calls()).to.deep.equal(["GET /api/status", "POST /api/data_views/data_view", "POST /api/data_views/data_view", "POST /api/data_views/default"]);
    expect((server.requests[2].body as { override: boolean }).override).to.equal(true);
  });

  it("contract: refresh reads the view and whether it is still the default; 404 reads as gone", async () => {
    server = await startFakeServer(
      kibana((r) => {
        if (r.method === "GET" && r.path === `/api/data_views/data_view/${ID}`) return { status: 200, body: { data_view: { id: ID, title: "lab-test-access-0123abcd" } } };
        if (r.method === "GET" && r.path === "/api/data_views/default") return { status: 200, body: { data_view_id: "someone-elses" } };
        return undefined;
      }),
    );
    const state: DataViewOutputs = { ...inputsFor(server.url), isDefault: true };
    const read = await readDataView(state);
    expect(read).to.deep.equal({ state: "present", outputs: { ...state, isDefault: false } });
    expect(diffDataView({ ...state, isDefault: false }, inputsFor(server.url)).changes, "the next up makes it the default again").to.equal(true);
    await server.close();
    server = await startFakeServer(kibana());
    expect(await readDataView({ ...inputsFor(server.url), isDefault: true })).to.deep.equal({ state: "gone", reason: `data view ${ID} is gone from Kibana` });
  });

  it("keeps the view unchecked while the lab's own Kibana container is down, so refresh can repair the container", async () => {
    const read = await readDataView({ ...inputsFor("http://127.0.0.1:9"), isDefault: true, serverInStack: true });
    expect(read.state).to.equal("unchecked");
    expect((read as { reason: string }).reason).to.match(new RegExp(`^data view ${ID} was not checked, since Kibana at http://127\\.0\\.0\\.1:9 did not answer .*it is kept as it is`));
  });

  it("contract: refresh fails, forgetting nothing, when Kibana does not answer or fails", async () => {
    server = await startFakeServer(() => ({ status: 503, body: { statusCode: 503, error: "Service Unavailable", message: "Kibana server is not ready yet" } }));
    for (const url of [server.url, "http://127.0.0.1:9"]) {
      let error: unknown;
      try {
        await readDataView({ ...inputsFor(url), isDefault: true });
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message, url).to.match(new RegExp(`^cannot check data view ${ID}: GET /api/data_views/data_view/${ID} (returned 503|failed: cannot reach Kibana).*Nothing was changed`));
    }
  });

  it("contract: a 5xx names method, path, status and Kibana's reason, and the half-made view is removed", async () => {
    server = await startFakeServer(
      kibana((r) => (r.path === "/api/data_views/default" && r.method === "POST" ? { status: 500, body: { statusCode: 500, error: "Internal Server Error", message: "An internal server error occurred." } } : undefined)),
    );
    let error: unknown;
    try {
      await createDataView(inputsFor(server.url));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(HttpError);
    expect((error as Error).message).to.equal("POST /api/data_views/default returned 500: An internal server error occurred.");
    expect(server.calls().at(-1)).to.equal(`DELETE /api/data_views/data_view/${ID}`);
  });

  it("contract: gives up on a Kibana that never becomes available, with a bounded wait and a clear message", async () => {
    server = await startFakeServer(() => ({ status: 503, body: { status: { overall: { level: "critical" } } } }));
    let error: unknown;
    try {
      await createDataView(inputsFor(server.url, { timeoutSeconds: 1 }));
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.match(/^gave up waiting for Kibana at http:\/\/127\.0\.0\.1:\d+ to become available after 1 s \(\d+ tries\); last failure: GET \/api\/status returned 503/);
    expect(server.calls().every((call) => call === "GET /api/status")).to.equal(true);
  });

  it("contract: delete unsets the default when it is ours and treats 404 as already gone", async () => {
    server = await startFakeServer(kibana((r) => (r.method === "DELETE" ? { status: 404, body: { statusCode: 404, error: "Not Found", message: "not found" } } : undefined)));
    const outputs: DataViewOutputs = { ...inputsFor(server.url), isDefault: true };
    expect(await deleteDataView(outputs)).to.equal("absent");
    expect(server.calls()).to.deep.equal(["GET /api/data_views/default", "POST /api/data_views/default", `DELETE /api/data_views/data_view/${ID}`]);
    expect(server.requests[1].body).to.deep.equal({ data_view_id: null, force: true });
  });

  it("contract: delete leaves another view that became the default alone", async () => {
    server = await startFakeServer(kibana((r) => (r.method === "GET" && r.path === "/api/data_views/default" ? { status: 200, body: { data_view_id: "someone-elses" } } : undefined)));
    expect(await deleteDataView({ ...inputsFor(server.url), isDefault: true })).to.equal("deleted");
    expect(server.calls()).to.deep.equal(["GET /api/data_views/default", `DELETE /api/data_views/data_view/${ID}`]);
  });

  it("replaces the view (deleting the old one first, its id being fixed) when its id, index or time field change, and updates it for a new name", () => {
    const inputs = inputsFor("http://x");
    const olds: DataViewOutputs = { ...inputs, isDefault: true };
    expect(diffDataView(olds, inputs)).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: true });
    expect(diffDataView(olds, { ...inputs, title: "lab-test-access-ffffffff" })).to.deep.equal({ changes: true, replaces: ["title"], deleteBeforeReplace: true });
    expect(diffDataView(olds, { ...inputs, name: "Renamed" })).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: true });
  });
});
