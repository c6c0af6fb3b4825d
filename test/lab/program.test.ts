// The lab's resource graph, built against Pulumi's mock engine: names, ports, settings, secrets and
// the order of dependencies, per stack configuration.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { UsageError } from "../../generator/errors";
import { planFollow, liveIndexNameFor } from "../../generator/follow-plan";
import { LIVE_FREQUENCY, LIVE_QUERY_DELAY } from "../../lab/live-datafeed";
import { buildLab, stackOutputs, type LabOutputs } from "../../lab/program";
import { ERROR_INDEX_PATTERN, loadJobDefinitions } from "../../ml-jobs/index";
import { labNames } from "../../lab/names";
import { LAB_DEFAULT_DATASET } from "../../lab/defaults";
import { errorIndexPrefixFor } from "../../generator/sinks/elasticsearch";
import { readLabConfig, readLabConfigOrStop } from "../../lab/read-config";
import { declared, readBack } from "./docker-read-back";
import { installMocks, isSecret, isSecretOnTheWire, plain, valueOf, type Recorder } from "./mocks";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";

const COHORT_A = { cohort: "cohort-a", elasticsearchPort: "9201", kibanaPort: "5602", datasetScenario: "spike", elasticPassword: "given-secret-a" };
const COHORT_B = { cohort: "cohort-b", elasticsearchPort: "9202", kibanaPort: "5603", datasetScenario: "mixed", bindAddress: "0.0.0.0", verify: "true" };

interface Built {
  recorder: Recorder;
  lab: LabOutputs;
}

/** Builds the program for one stack and waits until every resource is registered. */
async function build(stack: string, config: Record<string, string>, secretKeys: string[] = []): Promise<Built> {
  const recorder = await installMocks(stack, config, secretKeys);
  const lab = buildLab(readLabConfig());
  if (lab.dataViewId !== undefined) await valueOf(lab.dataViewId);
  await valueOf(lab.documentCount);
  for (const job of Object.values(lab.jobs)) {
    await valueOf(job.jobId);
    await valueOf(job.anomalyExplorer);
  }
  if (lab.verification !== undefined) await valueOf(lab.verification.report);
  return { recorder, lab };
}

function container(recorder: Recorder, suffix: string) {
  const found = recorder.ofType(CONTAINER).find((r) => r.name.endsWith(suffix));
  if (found === undefined) throw new Error(`no container ending in ${suffix}`);
  return found;
}

function envsOf(recorder: Recorder, suffix: string): string[] {
  return plain<string[]>(container(recorder, suffix).inputs.envs);
}

/** Every name the lab gives outside Pulumi: Docker objects, index prefix, data view and job ids, host ports. */
function externalNames(recorder: Recorder): string[] {
  const names: string[] = [];
  for (const r of recorder.resources) {
    if ([CONTAINER, NETWORK, VOLUME].includes(r.type)) names.push(`docker:${String(r.inputs.name)}`);
    if (r.type === CONTAINER) for (const port of plain<{ external: number }[]>(r.inputs.ports)) names.push(`port:${port.external}`);
    if (r.type.startsWith("pulumi-nodejs:")) {
      for (const key of ["indexPrefix", "dataViewId", "jobId"]) if (key in r.inputs) names.push(`${key}:${String(plain(r.inputs[key]))}`);
    }
  }
  return names;
}

describe("lab program (Pulumi mocks)", function () {
  this.timeout(60_000);
  let a: Built;
  let b: Built;

  before(async () => {
    a = await build("dev-a", COHORT_A, ["elasticPassword"]);
    b = await build("dev-b", COHORT_B);
  });

  describe("names", () => {
    it("gives every Docker object, the index, the data view and each ML job a name that carries the cohort", () => {
      const names = externalNames(a.recorder).filter((name) => !name.startsWith("port:"));
      expect(names.length).to.be.greaterThan(6);
      for (const name of names) expect(name).to.include("lab-cohort-a");
    });

    it("gives every Pulumi resource a logical name that carries the cohort", () => {
      for (const r of a.recorder.resources) {
        if (r.type === "pulumi:pulumi:Stack") continue;
        expect(r.name, r.type).to.include("cohort-a");
      }
    });

    it("lets two cohorts share a Docker host: no name or host port in common", () => {
      const inA = new Set(externalNames(a.recorder));
      const shared = externalNames(b.recorder).filter((name) => inA.has(name));
      expect(shared).to.deep.equal([]);
    });

    it("gives the cohort's error log the prefix lab-<cohort>-error, the one the generator derives from its access prefix", () => {
      for (const cohort of ["cohort-a", "a-access", "x"]) {
        const names = labNames(cohort);
        expect(names.errorIndexPrefix).to.equal(`lab-${cohort}-error`);
        expect(errorIndexPrefixFor(names.indexPrefix)).to.equal(names.errorIndexPrefix);
      }
    });

    it("labels every container, network and volume with its cohort, so leftovers can be found", () => {
      for (const r of b.recorder.resources.filter((r) => [CONTAINER, NETWORK, VOLUME].includes(r.type))) {
        expect(plain(r.inputs.labels), r.name).to.deep.include({ label: "lab.cohort", value: "cohort-b" });
      }
    });
  });

  describe("ports", () => {
    it("publishes Elasticsearch and Kibana on the configured ports of 127.0.0.1 by default", () => {
      expect(plain(container(a.recorder, "-es-container").inputs.ports)).to.deep.equal([{ internal: 9200, external: 9201, ip: "127.0.0.1" }]);
      expect(plain(container(a.recorder, "-kibana-container").inputs.ports)).to.deep.equal([{ internal: 5601, external: 5602, ip: "127.0.0.1" }]);
    });

    it("publishes on the address lab:bindAddress names", () => {
      expect(plain(container(b.recorder, "-es-container").inputs.ports)).to.deep.equal([{ internal: 9200, external: 9202, ip: "0.0.0.0" }]);
      expect(b.lab.kibanaUrl).to.equal("http://127.0.0.1:5603");
    });

    it("deletes a container before creating its replacement, because its host port is fixed", () => {
      for (const r of a.recorder.ofType(CONTAINER)) expect(r.deleteBeforeReplace, r.name).to.equal(true);
    });

    it("deletes the data view and ML jobs before their replacements, because their ids are fixed", () => {
      const fixedIds = a.recorder.resources.filter((r) => r.type.startsWith("pulumi-nodejs:") && (r.type.endsWith(":DataView") || r.type.endsWith(":MlJob")));
      expect(fixedIds.length).to.be.greaterThan(1);
      for (const r of fixedIds) expect(r.deleteBeforeReplace, r.name).to.equal(true);
      // The dataset writes a new index per settings, so its replacement is made first.
      expect(a.recorder.resources.find((r) => r.type.startsWith("pulumi-nodejs:") && r.type.endsWith(":Dataset"))?.deleteBeforeReplace).to.equal(false);
    });
  });

  describe("Elasticsearch settings", () => {
    it("runs a single secured node on the trial licence, which ML anomaly detection needs", () => {
      const envs = envsOf(a.recorder, "-es-container");
      expect(envs).to.include.members(["discovery.type=single-node", "xpack.security.enabled=true", "xpack.license.self_generated.type=trial"]);
      expect(envs).to.include("ES_JAVA_OPTS=-Xms1024m -Xmx1024m");
      expect(envs.includes("_JAVA_OPTIONS=-XX:UseSVE=0")).to.equal(process.arch === "arm64");
    });

    it("starts on Docker engines older than 25 and on rootless Docker: no healthcheck start interval, no nofile ulimit", () => {
      for (const built of [a, b]) {
        for (const r of built.recorder.ofType(CONTAINER)) {
          expect(plain<Record<string, unknown>>(r.inputs.healthcheck), r.name).to.not.have.property("startInterval");
          expect(r.inputs, r.name).to.not.have.property("ulimits");
        }
      }
    });

    it("waits for a healthy node, within the configured bound", () => {
      const es = container(a.recorder, "-es-container").inputs;
      expect(plain(es.wait)).to.equal(true);
      expect(plain(es.waitTimeout)).to.equal(600);
      expect(plain<{ tests: string[] }>(es.healthcheck).tests.join(" ")).to.include("localhost:9200/_cluster/health");
      expect(plain(es.memory)).to.equal(4096);
    });

    it("pins both images to the configured version", () => {
      const images = a.recorder.ofType("docker:index/remoteImage:RemoteImage").map((r) => plain(r.inputs.name));
      expect(images).to.have.members(["docker.elastic.co/elasticsearch/elasticsearch:9.5.6", "docker.elastic.co/kibana/kibana:9.5.6"]);
    });

    it("generates the elastic password only when none is configured", () => {
      const purposes = (r: Recorder) => r.resources.filter((x) => x.type.endsWith(":RandomSecret")).map((x) => plain(x.inputs.purpose));
      expect(purposes(a.recorder)).to.not.include("elastic");
      expect(purposes(b.recorder)).to.include("elastic");
    });
  });

  describe("containers that keep still (docker provider read-back, stood in: no Docker engine here)", () => {
    it("declares every field it sets the way the docker provider reads it back, so a second up changes nothing", () => {
      for (const built of [a, b]) {
        const containers = built.recorder.ofType(CONTAINER);
        expect(containers.length).to.equal(2);
        for (const r of containers) {
          const inputs = Object.fromEntries(Object.entries(r.inputs).map(([key, value]) => [key, plain(value)]));
          expect(readBack(inputs), r.name).to.deep.equal(declared(inputs));
        }
      }
    });

    it("sets memorySwap to the memory limit, since Docker would otherwise read back twice the memory", () => {
      for (const r of a.recorder.ofType(CONTAINER)) expect(plain(r.inputs.memorySwap), r.name).to.equal(plain(r.inputs.memory));
    });

    it("the read-back stand-in catches the drift a real run showed: memory without memorySwap, and durations Docker rewrites", () => {
      expect(readBack({ memory: 4096 })).to.not.deep.equal(declared({ memory: 4096 }));
      const healthcheck = { tests: ["CMD", "true"], retries: 3, interval: "60s", timeout: "10s", startPeriod: "30s" };
      expect(readBack({ healthcheck })).to.not.deep.equal(declared({ healthcheck }));
    });
  });

  describe("secrets", () => {
    it("exports the password as a secret, given or generated", async () => {
      expect(await isSecret(a.lab.password!)).to.equal(true);
      expect(await isSecret(b.lab.password!)).to.equal(true);
      expect(await valueOf(a.lab.password!)).to.equal("given-secret-a");
    });

    it("passes the containers' environments, which hold passwords and keys, as secrets", () => {
      for (const built of [a, b]) {
        for (const r of built.recorder.ofType(CONTAINER)) expect(isSecretOnTheWire(r.inputs.envs), r.name).to.equal(true);
      }
    });

    it("passes every password a dynamic provider receives as a secret, given or generated", () => {
      for (const built of [a, b]) {
        const dynamic = built.recorder.resources.filter((r) => r.type.startsWith("pulumi-nodejs:") && "password" in r.inputs);
        expect(dynamic.length).to.be.greaterThan(3);
        for (const r of dynamic) expect(isSecretOnTheWire(r.inputs.password), r.name).to.equal(true);
        const kibanaSystem = built.recorder.resources.find((r) => r.type.endsWith(":KibanaSystemPassword"));
        expect(isSecretOnTheWire(kibanaSystem?.inputs.kibanaSystemPassword)).to.equal(true);
      }
    });

    it("never writes a password into a healthcheck", () => {
      for (const r of a.recorder.ofType(CONTAINER)) expect(JSON.stringify(plain(r.inputs.healthcheck))).to.not.include("given-secret-a");
    });
  });

  describe("order", () => {
    const urnOf = (recorder: Recorder, suffix: string) => {
      const found = recorder.resources.find((r) => r.name.endsWith(suffix));
      if (found === undefined) throw new Error(`no resource ending in ${suffix}`);
      return found;
    };

    it("starts the dataset once Elasticsearch is healthy, without waiting for Kibana", () => {
      const dataset = urnOf(a.recorder, "-dataset-index");
      expect(dataset.dependencies).to.include(urnOf(a.recorder, "-es-container").urn);
      expect(dataset.dependencies).to.not.include(urnOf(a.recorder, "-kibana-container").urn);
      expect(dataset.dependencies).to.not.include(urnOf(a.recorder, "-kibana-credentials-kibana-system").urn);
    });

    it("creates ML jobs after the dataset they read", () => {
      const dataset = urnOf(a.recorder, "-dataset-index").urn;
      const jobs = a.recorder.resources.filter((r) => r.type.endsWith(":MlJob"));
      expect(jobs.length).to.be.greaterThan(0);
      for (const job of jobs) expect(job.dependencies, job.name).to.include(dataset);
    });

    it("starts Kibana only after the kibana_system password is set, which waits for Elasticsearch", () => {
      const credentials = urnOf(a.recorder, "-kibana-credentials-kibana-system");
      expect(credentials.dependencies).to.include(urnOf(a.recorder, "-es-container").urn);
      expect(urnOf(a.recorder, "-kibana-container").dependencies).to.include(credentials.urn);
    });

    it("creates the data view once Kibana is up and the dataset is indexed", () => {
      const view = urnOf(a.recorder, "-data-view-view");
      expect(view.dependencies).to.include.members([urnOf(a.recorder, "-kibana-container").urn, urnOf(a.recorder, "-dataset-index").urn]);
    });
  });

  describe("outputs", () => {
    it("links each job to its Anomaly Explorer over the dataset's time range", async () => {
      const [name, links] = Object.entries(a.lab.jobs)[0];
      const url = (await valueOf(links.anomalyExplorer)) ?? "";
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:5602\/app\/ml\/explorer\?_g=/);
      expect(decodeURIComponent(url)).to.include(`jobIds:!(lab-cohort-a-${name})`).and.include("from:'2026-11-03T00:00:00.000Z'").and.include("to:'2026-11-17T00:00:00.000Z'");
    });

    it("runs the lab's tuned jobs by default, and Elastic's prebuilt ones beside them when lab:mlJobs asks for both sets", async () => {
      const jobIds = (built: Built) => built.recorder.resources.filter((r) => r.type.endsWith(":MlJob")).map((r) => String(plain(r.inputs.jobId))).sort();
      expect(jobIds(b)).to.have.length(7).and.to.satisfy((ids: string[]) => ids.every((id) => id.startsWith("lab-cohort-b-lab_")));
      const both = await build("dev-c", { cohort: "cohort-c", elasticsearchPort: "9204", kibanaPort: "5604", datasetScenario: "mixed", mlJobs: "tuned,prebuilt" });
      expect(jobIds(both)).to.deep.equal([...jobIds(b).map((id) => id.replace("cohort-b", "cohort-c")), ...["low_request_rate_nginx", "source_ip_request_rate_nginx", "source_ip_url_count_nginx", "status_code_rate_nginx", "visitor_rate_nginx"].map((name) => `lab-cohort-c-${name}`)].sort());
    });

    it("runs lab-verify verify after every ML job when lab:verify is true, and not otherwise", async () => {
      expect(a.lab.verification).to.equal(undefined);
      expect(a.recorder.resources.some((r) => r.type.endsWith(":Verification"))).to.equal(false);
      const check = b.recorder.resources.find((r) => r.type.endsWith(":Verification"));
      const jobUrns = b.recorder.resources.filter((r) => r.type.endsWith(":MlJob")).map((r) => r.urn);
      expect(jobUrns.length).to.be.greaterThan(1);
      expect(check?.dependencies).to.include.members(jobUrns);
      expect(await valueOf(b.lab.verification!.allFound)).to.equal(true);
    });

    it("exports the timings of every step, earliest first: the containers ready, the dataset with docs/s, each datafeed, the verification", async () => {
      const timings = await valueOf(b.lab.timings);
      const jobIds = Object.keys(b.lab.jobs).map((name) => `lab-cohort-b-${name}`).sort();
      expect(timings.map((t) => t.step)).to.deep.equal(["elasticsearch", "dataset", "kibana", ...jobIds.map((id) => `datafeed ${id}`), "verification"]);
      expect(timings.find((t) => t.step === "dataset")).to.deep.equal({ step: "dataset", start: "2026-11-17T10:00:21.000Z", end: "2026-11-17T10:01:30.000Z", documents: 1000, docsPerSecond: 15 });
      expect(Object.keys(stackOutputs(b.lab))).to.include("timings");
    });

    it("times each container from its id, once it is healthy, with nothing waiting for the timing", () => {
      for (const [server, suffix] of [["elasticsearch", "-es-container"], ["kibana", "-kibana-container"]]) {
        const ready = a.recorder.resources.find((r) => r.type.endsWith(":ServerReady") && r.inputs.server === server);
        expect(ready?.dependencies, server).to.include(container(a.recorder, suffix).urn);
        expect(plain(ready!.inputs.containerId), server).to.equal(`${container(a.recorder, suffix).name}-id`);
        expect(a.recorder.resources.filter((r) => r.dependencies.includes(ready!.urn)), server).to.deep.equal([]);
      }
    });

    it("points each job's datafeed at the cohort's access index, and a job on nginx's error log (lab-error-*) at its error index", async () => {
      const recorder = await installMocks("dev-e", { cohort: "cohort-e", elasticsearchPort: "9231", kibanaPort: "5631", datasetScenario: "mixed", mlJobs: "lab_server_errors,lab_request_rate_high" });
      // A stand-in for an error-log job: the library's server_errors job, as if its file named lab-error-*.
      const definitions = loadJobDefinitions().map((def) => (def.name === "lab_server_errors" ? { ...def, indexPattern: ERROR_INDEX_PATTERN } : def));
      const lab = buildLab(readLabConfig(), definitions);
      for (const job of Object.values(lab.jobs)) await valueOf(job.jobId);
      const indicesOf = (jobId: string) => plain<{ indices: string[] }>(recorder.resources.find((r) => r.type.endsWith(":MlJob") && plain(r.inputs.jobId) === jobId)!.inputs.datafeed).indices;
      expect(indicesOf("lab-cohort-e-lab_server_errors")).to.deep.equal(["lab-cohort-e-error-0123abcd"]);
      expect(indicesOf("lab-cohort-e-lab_request_rate_high")).to.deep.equal(["lab-cohort-e-access-0123abcd"]);
      expect(await valueOf(lab.errorIndex!)).to.equal("lab-cohort-e-error-0123abcd");
    });

    it("exports the injected anomaly windows", async () => {
      expect((await valueOf(a.lab.anomalyWindows)).map((w) => w.id)).to.deep.equal(["spike-1"]);
    });
  });

  describe("index.ts, the Pulumi entry point", () => {
    it("reads the stack's configuration and exports what the instructor hands out, and no undefined output", async () => {
      const recorder = await installMocks("cohort-x", { datasetScenario: "spike", kibanaPort: "5611", elasticsearchPort: "9211" });
      const program = require("../../index") as typeof import("../../index");
      const outputs = (await program()) as Record<string, unknown>;
      expect(outputs.cohort).to.equal("cohort-x");
      expect(outputs.kibanaUrl).to.equal("http://127.0.0.1:5611");
      expect(outputs.elasticsearchUrl).to.equal("http://127.0.0.1:9211");
      expect(outputs.username).to.equal("elastic");
      expect(await isSecret(outputs.password as pulumi.Output<string>)).to.equal(true);
      expect(await valueOf(outputs.dataViewId as pulumi.Output<string>)).to.equal("lab-cohort-x-access");
      expect(await valueOf(outputs.index as pulumi.Output<string>)).to.equal("lab-cohort-x-access-0123abcd");
      expect(await valueOf(outputs.errorIndex as pulumi.Output<string>)).to.equal("lab-cohort-x-error-0123abcd");
      expect(Object.keys(outputs.jobs as object).length).to.be.greaterThan(0);
      // lab:verify is false: an exported undefined would make Pulumi warn on every preview.
      expect(Object.keys(outputs)).to.not.include("verification");
      for (const [key, value] of Object.entries(outputs)) expect(value, key).to.not.equal(undefined);
      expect(recorder.resources.some((r) => r.name === "lab-cohort-x-es-container")).to.equal(true);
    });
  });

  describe("existing cluster (lab:elasticsearchUrl)", () => {
    const EXISTING = { cohort: "ext", elasticsearchUrl: "https://es.example.com:9243", elasticPassword: "cluster-secret", datasetScenario: "spike" };

    it("creates no container, network, volume or image, only the cohort's dataset and ML jobs", async () => {
      const built = await build("ext", EXISTING, ["elasticPassword"]);
      expect(built.recorder.resources.filter((r) => r.type.startsWith("docker:") || r.type.startsWith("pulumi:providers:docker"))).to.deep.equal([]);
      const kinds = built.recorder.resources.filter((r) => r.type.startsWith("pulumi-nodejs:")).map((r) => r.type.split(":").at(-1));
      expect(kinds.filter((kind) => kind !== "MlJob")).to.deep.equal(["Dataset"]);
      expect(kinds.filter((kind) => kind === "MlJob").length).to.equal(Object.keys(built.lab.jobs).length).and.be.greaterThan(0);
      // No server of the stack's own to time: the timeline starts with the dataset.
      expect((await valueOf(built.lab.timings)).map((t) => t.step)).to.deep.equal(["dataset", ...Object.keys(built.lab.jobs).map((name) => `datafeed lab-ext-${name}`).sort()]);
      expect(built.lab.elasticsearchUrl).to.equal("https://es.example.com:9243");
      expect(built.lab.kibanaUrl).to.equal(undefined);
      expect(built.lab.dataViewId).to.equal(undefined);
      const dataset = built.recorder.resources.find((r) => r.type === "pulumi-nodejs:dynamic/lab:Dataset")!;
      expect(plain(dataset.inputs.elasticsearchUrl)).to.equal("https://es.example.com:9243");
      expect(dataset.dependencies).to.deep.equal([]);
    });

    it("makes the data view on the Kibana lab:kibanaUrl names, and links the jobs to it", async () => {
      const built = await build("ext-kb", { ...EXISTING, kibanaUrl: "https://kb.example.com:9243/" }, ["elasticPassword"]);
      const view = built.recorder.resources.find((r) => r.type === "pulumi-nodejs:dynamic/lab:DataView")!;
      expect(plain(view.inputs.kibanaUrl)).to.equal("https://kb.example.com:9243");
      expect(await valueOf(built.lab.dataViewId!)).to.equal("lab-ext-access");
      const links = Object.values(built.lab.jobs)[0];
      expect(await valueOf(links.anomalyExplorer)).to.match(/^https:\/\/kb\.example\.com:9243\/app\/ml\/explorer/);
    });

    it("tells refresh the servers are not the stack's own, so a server that does not answer is an error, never kept unchecked", async () => {
      const built = await build("ext-policy", EXISTING, ["elasticPassword"]);
      for (const r of built.recorder.resources.filter((x) => x.type.startsWith("pulumi-nodejs:") && "serverInStack" in x.inputs)) expect(plain(r.inputs.serverInStack), r.name).to.equal(false);
      const docker = a.recorder.resources.filter((x) => x.type.startsWith("pulumi-nodejs:") && ["Dataset", "DataView", "MlJob", "KibanaSystemPassword"].includes(x.type.split(":").at(-1)!));
      expect(docker.length).to.be.greaterThan(3);
      for (const r of docker) expect(plain(r.inputs.serverInStack), r.name).to.equal(true);
    });

    it("declares no ML job with lab:mlJobs none", async () => {
      const built = await build("ext-none", { ...EXISTING, mlJobs: "none" }, ["elasticPassword"]);
      expect(built.recorder.resources.filter((r) => r.type.endsWith(":MlJob"))).to.deep.equal([]);
      expect(built.lab.jobs).to.deep.equal({});
    });

    it("logs in with an API key when one is given, passed as a secret and not handed out", async () => {
      const { elasticPassword: _none, ...withoutPassword } = EXISTING;
      const built = await build("ext-key", { ...withoutPassword, elasticsearchApiKey: "aWQ6a2V5", elasticsearchCaFingerprint: "AB".repeat(32) }, ["elasticsearchApiKey"]);
      for (const r of built.recorder.resources.filter((x) => x.type.startsWith("pulumi-nodejs:"))) {
        expect(isSecretOnTheWire(r.inputs.apiKey), r.name).to.equal(true);
        expect(plain(r.inputs.apiKey), r.name).to.equal("aWQ6a2V5");
        expect(plain(r.inputs.caFingerprint), r.name).to.equal("AB".repeat(32));
      }
      expect(built.lab.username).to.equal(undefined);
      expect(built.lab.password).to.equal(undefined);
    });

    it("refuses a password or API key stored in plain text, naming the key but never the value", async () => {
      await installMocks("ext-plain", EXISTING);
      let error: unknown;
      try {
        readLabConfig();
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(UsageError);
      expect((error as Error).message).to.include("lab:elasticPassword").and.include("--secret").and.not.include("cluster-secret");
    });
  });

  describe("remote Docker engine", () => {
    it("sends every Docker resource to the engine lab:dockerHost names, and reaches the ports by its host", async () => {
      const remote = await build("dev-remote", { cohort: "remote", dockerHost: "ssh://trainer@lab-host", bindAddress: "0.0.0.0", datasetScenario: "spike" });
      const provider = remote.recorder.resources.find((r) => r.type === "pulumi:providers:docker");
      expect(plain(provider?.inputs.host)).to.equal("ssh://trainer@lab-host");
      const dockerResources = remote.recorder.resources.filter((r) => r.type.startsWith("docker:"));
      expect(dockerResources.length).to.be.greaterThan(5);
      for (const r of dockerResources) expect(r.provider.startsWith(`${provider!.urn}::`), r.name).to.equal(true);
      expect(remote.lab.elasticsearchUrl).to.equal("http://lab-host:9200");
      expect(envsOf(remote.recorder, "-es-container")).to.include("_JAVA_OPTIONS=-XX:+IgnoreUnrecognizedVMOptions -XX:UseSVE=0");
    });
  });

  describe("bad configuration", () => {
    it("fails before any resource exists, naming every bad key", async () => {
      const recorder = await installMocks("dev-bad", { cohort: "Bad Cohort", kibanaPort: "70000", datasetScenario: "tsunami", elasticsearchHeapMb: "4096" });
      let error: unknown;
      try {
        buildLab(readLabConfig());
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(UsageError);
      const problems = (error as UsageError).problems;
      expect(problems).to.have.length(4);
      expect(problems.join("\n")).to.include("lab:cohort").and.include("lab:kibanaPort").and.include("lab:datasetScenario").and.include("lab:elasticsearchHeapMb");
      expect(recorder.resources).to.deep.equal([]);
    });

    it("stops the Pulumi program with a RunError, which Pulumi prints without a stack trace", async () => {
      await installMocks("dev-bad", { kibanaPort: "http", bindAddress: "everywhere" });
      let error: unknown;
      try {
        readLabConfigOrStop();
      } catch (caught) {
        error = caught;
      }
      expect(pulumi.RunError.isInstance(error)).to.equal(true);
      expect((error as Error).message).to.match(/^the lab's configuration \(pulumi config\) is not usable: 2 problems:\n  - lab:kibanaPort: "http" is not allowed; .*\n  - lab:bindAddress: "everywhere" is not allowed; /);
    });
  });

  describe("live mode (lab:live)", () => {
    const LIVE = { cohort: "live-a", elasticsearchPort: "9231", kibanaPort: "5631", datasetScenario: "live", datasetDays: "3", live: "true", elasticPassword: "live-secret" };
    let live: Built;
    let outputs: Record<string, unknown>;
    before(async () => {
      live = await build("live-a", LIVE, ["elasticPassword"]);
      outputs = stackOutputs(live.lab);
    });
    const traffic = () => container(live.recorder, "-traffic-container");
    const dataset = () => live.recorder.resources.find((r) => r.type === "pulumi-nodejs:dynamic/lab:Dataset")!;

    it("adds the traffic container lab-<cohort>-traffic, on the cohort's network, with no published port", () => {
      const r = traffic();
      expect(r.inputs.name).to.equal("lab-live-a-traffic");
      expect(r.inputs.ports).to.equal(undefined);
      expect(plain<{ name: string }[]>(r.inputs.networksAdvanced).map((n) => n.name)).to.deep.equal(["lab-live-a"]);
      expect(plain(r.inputs.labels)).to.deep.equal([{ label: "lab.cohort", value: "live-a" }]);
    });

    it("restarts it unless stopped, keeps its root file system read-only, limits its memory without swap, and must keep it running", () => {
      const inputs = traffic().inputs;
      expect(inputs.restart).to.equal("unless-stopped");
      expect(inputs.readOnly).to.equal(true);
      expect(inputs.memory).to.equal(256);
      expect(inputs.memorySwap).to.equal(inputs.memory);
      expect(inputs.mustRun).to.equal(true);
      expect(inputs.user).to.equal(undefined); // non-root through the image's USER node (dockerfile.test.ts)
    });

    it("runs the image built from the project's Dockerfile, by id, never pushed", () => {
      const image = live.recorder.ofType("docker:index/image:Image")[0];
      expect(image.inputs).to.deep.include({ imageName: "lab-live-a-traffic:latest", skipPush: true });
      expect(plain(image.inputs.build)).to.deep.equal({ context: ".", dockerfile: "Dockerfile" });
      expect(traffic().inputs.image).to.equal(`sha256:${image.name}`);
    });

    it("starts the generator with the dataset's exact options, so it resumes the index the dataset backfilled", async () => {
      const command = plain<string[]>(traffic().inputs.command);
      expect(command).to.deep.equal(["--follow", "--es", "http://elasticsearch:9200", "--index-prefix", "lab-live-a-access", "--days", "3", "--seed", "42", "--scenario", "live", "--rate", String(LAB_DEFAULT_DATASET.meanRatePerSecond)]);
      const inputs = dataset().inputs;
      expect(inputs.live).to.equal(true);
      expect(liveIndexNameFor("lab-live-a-access", { days: 3, seed: 42, scenario: "live", meanRatePerSecond: LAB_DEFAULT_DATASET.meanRatePerSecond })).to.equal(await valueOf(live.lab.index));
      expect(traffic().dependencies).to.include(live.recorder.resources.find((r) => r.name === "lab-live-a-dataset-index")!.urn);
    });

    it("logs the generator in through its environment, as a secret, and hands no password out in plain outputs", async () => {
      const r = traffic();
      expect(isSecretOnTheWire(r.inputs.envs)).to.equal(true);
      expect(plain<string[]>(r.inputs.envs)).to.deep.equal(["ELASTICSEARCH_USERNAME=elastic", "ELASTICSEARCH_PASSWORD=live-secret"]);
      expect(JSON.stringify(plain(r.inputs.command))).to.not.include("live-secret");
      const plainOutputs = Object.entries(outputs).filter(([, value]) => !pulumi.Output.isInstance(value));
      expect(JSON.stringify(plainOutputs)).to.not.include("live-secret");
    });

    it("declares the container's fields the way the docker provider reads them back, and a stopped container shows as an update that starts it", () => {
      const inputs = Object.fromEntries(Object.entries(traffic().inputs).map(([key, value]) => [key, plain(value)]));
      expect(readBack(inputs)).to.deep.equal(declared(inputs));
      expect(readBack(inputs, { running: false })).to.not.deep.equal(declared(inputs));
    });

    it("removes the container on destroy before the dataset (it depends on it), stopping it with time for the final flush", () => {
      const r = traffic();
      expect(r.deleteBeforeReplace).to.equal(true);
      expect(r.inputs.destroyGraceSeconds).to.equal(30);
    });

    it("starts each datafeed at the dataset's start with no end, and with a live query delay and frequency", () => {
      const jobs = live.recorder.resources.filter((r) => r.type.endsWith(":MlJob"));
      expect(jobs.length).to.be.greaterThan(0);
      for (const job of jobs) {
        expect(job.inputs.end, job.name).to.equal(undefined);
        expect(plain(job.inputs.start)).to.equal("2026-11-03T00:00:00.000Z");
        expect(plain(job.inputs.datafeed)).to.include({ query_delay: LIVE_QUERY_DELAY, frequency: LIVE_FREQUENCY });
      }
    });

    it("starts the traffic before any datafeed, since a real-time datafeed never reads events written behind it", () => {
      // A dependency on a component reaches the engine as its resources: the container among them.
      const jobs = live.recorder.resources.filter((r) => r.type.endsWith(":MlJob"));
      expect(jobs.length).to.be.greaterThan(0);
      for (const job of jobs) expect(job.dependencies, job.name).to.include(traffic().urn);
    });

    it("exports when the next live anomaly starts, and every live window only as the secret liveTruth", async () => {
      const origin = await valueOf(live.lab.timeRange);
      const plan = planFollow({ days: 3, seed: 42, scenario: "live", meanRatePerSecond: LAB_DEFAULT_DATASET.meanRatePerSecond }, new Date(origin.to));
      expect(await valueOf(outputs.nextLiveAnomalyAt as pulumi.Output<string>)).to.equal(plan.liveWindows[0].start);
      expect(await isSecret(outputs.liveTruth as pulumi.Output<unknown>)).to.equal(true);
      expect(await valueOf(outputs.liveTruth as pulumi.Output<{ windows: { kind: string }[] }>)).to.deep.include({ since: origin.to });
      expect(outputs.liveTraffic).to.deep.equal({ container: "lab-live-a-traffic" });
    });

    it("plants lab:liveAnomaly instead of the scenario's window: the traffic passes it on, and the outputs say when", async () => {
      const custom = await build("live-c", { ...LIVE, cohort: "live-c", elasticsearchPort: "9232", kibanaPort: "5632", liveAnomaly: "spike,start=+5m,minutes=30" }, ["elasticPassword"]);
      const origin = Date.parse((await valueOf(custom.lab.timeRange)).to);
      expect(Date.parse(String(await valueOf(stackOutputs(custom.lab).nextLiveAnomalyAt as pulumi.Output<string>)))).to.equal(origin + 5 * 60_000);
      expect(plain<string[]>(container(custom.recorder, "-traffic-container").inputs.command).slice(-2)).to.deep.equal(["--anomaly", "spike,start=+5m,minutes=30"]);
      expect(await valueOf(custom.lab.index)).to.equal(liveIndexNameFor("lab-live-c-access", { days: 3, seed: 42, scenario: "live", meanRatePerSecond: LAB_DEFAULT_DATASET.meanRatePerSecond, anomalies: [{ kind: "spike", startAfterMinutes: 5, durationMinutes: 30 }] }));
    });

    it("keeps the live windows out of anomalyWindows, which lists the backfill's", async () => {
      expect((await valueOf(live.lab.anomalyWindows)).every((w) => w.phase !== "live")).to.equal(true);
    });

    it("adds none of this without lab:live", async () => {
      for (const built of [a, b]) {
        expect(built.recorder.resources.some((r) => r.name.includes("-traffic"))).to.equal(false);
        expect(built.recorder.ofType("docker:index/image:Image")).to.deep.equal([]);
        expect(built.recorder.resources.find((r) => r.type.endsWith(":Dataset"))!.inputs).to.not.have.property("live");
        for (const job of built.recorder.resources.filter((r) => r.type.endsWith(":MlJob"))) {
          expect(plain(job.inputs.end)).to.equal("2026-11-17T00:00:00.000Z");
          expect(plain(job.inputs.datafeed)).to.not.have.property("query_delay");
        }
        const names = Object.keys(stackOutputs(built.lab));
        for (const key of ["nextLiveAnomalyAt", "liveTruth", "liveTraffic"]) expect(names).to.not.include(key);
        expect(names).to.include("errorIndex");
      }
    });

    it("exports no errorIndex in live mode, whose traffic writes the access log only", () => {
      expect(Object.keys(stackOutputs(live.lab))).to.not.include("errorIndex");
    });

    it("on an existing cluster, adds no container and exports the arguments npm run live passes to the generator", async () => {
      const ext = await build("live-ext", { cohort: "live-ext", elasticsearchUrl: "https://es.example.com:9243", elasticPassword: "cluster-secret", datasetScenario: "live", datasetDays: "3", live: "true" }, ["elasticPassword"]);
      expect(ext.recorder.resources.filter((r) => r.type.startsWith("docker:"))).to.deep.equal([]);
      expect(ext.lab.liveTraffic).to.deep.equal({ arguments: ["--follow", "--es", "https://es.example.com:9243", "--index-prefix", "lab-live-ext-access", "--days", "3", "--seed", "42", "--scenario", "live", "--rate", String(LAB_DEFAULT_DATASET.meanRatePerSecond)] });
    });
  });

  after(() => {
    // Leave no mock engine behind for other suites.
    pulumi.runtime.setAllConfig({});
  });
});
