// Before a lab on an existing cluster declares anything, the cluster is asked whether the lab can work
// there. Against the suite's real Elasticsearch (basic licence, no ML plugin): reachability,
// credentials and the licence. The trial-licence cases run against a stand-in, since no test server
// here has a trial licence or ML.

import { expect } from "chai";
import { preflightExistingCluster, type PreflightRequest } from "../../lab/preflight";
import { requireEsTarget, type EsTarget } from "../support/es-target";
import { startFakeServer, type FakeServer, type RecordedRequest, type Reply } from "./fake-server";

const ML_JOBS = ["lab_request_rate_high"];

function request(url: string, overrides: Partial<PreflightRequest> = {}, password = "pw"): PreflightRequest {
  return { cluster: { elasticsearchUrl: url, kibanaUrl: undefined, username: "elastic", apiKey: undefined, caFingerprint: undefined }, password, mlJobs: ML_JOBS, ...overrides };
}

describe("existing-cluster preflight against the real Elasticsearch", function () {
  this.timeout(60_000);
  let target: EsTarget;

  before(function () {
    target = requireEsTarget(this);
  });

  const real = (overrides: Partial<PreflightRequest> = {}, password?: string) =>
    request(target.url, { cluster: { elasticsearchUrl: target.url, kibanaUrl: undefined, username: target.username, apiKey: undefined, caFingerprint: undefined }, ...overrides }, password ?? target.password);

  it("lets the lab go ahead without ML jobs (lab:mlJobs none)", async () => {
    expect(await preflightExistingCluster(real({ mlJobs: [] }))).to.deep.equal([]);
  });

  it("names the licence when ML jobs are asked of a cluster on the basic licence, and says to set lab:mlJobs none", async () => {
    const problems = await preflightExistingCluster(real());
    expect(problems).to.have.length(1);
    expect(problems[0]).to.equal(
      `lab:mlJobs: ${target.url} cannot run ML jobs: its licence is "basic", and ML anomaly detection needs a trial, Platinum or Enterprise licence. Set lab:mlJobs none to use this cluster without ML`,
    );
  });

  it("names lab:elasticPassword when the cluster refuses the credentials", async () => {
    const problems = await preflightExistingCluster(real({ mlJobs: [] }, "not-the-password"));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^lab:elasticPassword: .*401 Unauthorized/);
    expect(problems[0]).to.not.include("not-the-password");
  });

  it("names lab:elasticsearchUrl when nothing answers there, within a bounded wait", async () => {
    const started = Date.now();
    const problems = await preflightExistingCluster(request("http://127.0.0.1:9", { mlJobs: [] }));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^lab:elasticsearchUrl: cannot reach Elasticsearch at http:\/\/127\.0\.0\.1:9\b/);
    expect(Date.now() - started).to.be.lessThan(30_000);
  });

  it("names lab:kibanaUrl when the Kibana it names does not answer", async () => {
    const problems = await preflightExistingCluster(real({ mlJobs: [], cluster: { elasticsearchUrl: target.url, kibanaUrl: "http://127.0.0.1:9", username: target.username, apiKey: undefined, caFingerprint: undefined } }));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^lab:kibanaUrl: Kibana at http:\/\/127\.0\.0\.1:9 cannot be reached/);
  });
});

describe("existing-cluster preflight: ML on a trial licence (stand-in Elasticsearch: no test server here has a trial licence or ML)", () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function cluster(roles: string[], mlInfo: Reply): (r: RecordedRequest) => Reply | undefined {
    return (r) => {
      if (r.path === "/") return { status: 200, body: { name: "n1", cluster_name: "c", version: { number: "9.1.0" }, tagline: "You Know, for Search" } };
      if (r.path === "/_license") return { status: 200, body: { license: { type: "trial", status: "active" } } };
      if (r.path === "/_nodes") return { status: 200, body: { nodes: { n1: { roles } } } };
      if (r.path === "/_ml/info") return mlInfo;
      return undefined;
    };
  }

  it("goes ahead when a node has the ml role", async () => {
    server = await startFakeServer(cluster(["master", "data", "ml"], { status: 500 }));
    expect(await preflightExistingCluster(request(server.url))).to.deep.equal([]);
  });

  it("goes ahead when ML nodes start on demand (autoscaling reports a model memory limit)", async () => {
    server = await startFakeServer(cluster(["master", "data"], { status: 200, body: { limits: { max_model_memory_limit: "2gb" } } }));
    expect(await preflightExistingCluster(request(server.url))).to.deep.equal([]);
  });

  it("names the missing ML node otherwise", async () => {
    server = await startFakeServer(cluster(["master", "data"], { status: 200, body: { limits: {} } }));
    expect(await preflightExistingCluster(request(server.url))).to.deep.equal([
      `lab:mlJobs: ${server.url} cannot run ML jobs: no node has the ml role (add an ML node, or enable ML autoscaling). Set lab:mlJobs none to use this cluster without ML`,
    ]);
  });
});
