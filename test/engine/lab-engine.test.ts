// The lab under the real Pulumi engine: the real `pulumi` CLI (built by test/support/pulumi.sh), its
// Node.js language host and dynamic-provider host, `npm run up`/`down` through the Automation API,
// against the suite's real Elasticsearch, on the existing-cluster target. Only what this machine
// cannot have is left out: the docker provider plugin (no registry serves it), Kibana and ML, so
// these stacks use lab:mlJobs none and no lab:kibanaUrl.
//
// Each step builds on the one before (two cohorts on one cluster, then drift, repair and teardown),
// so the tests run in order and share their stacks. The state lives in a temporary file backend.
//
// Runs when a `pulumi` CLI of the version in package-lock.json is on PATH (`.ci/run` puts the built
// one there) and ELASTICSEARCH_URL is set; LAB_REQUIRE_PULUMI=1 (CI) turns a missing CLI into a failure.

import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { basicAuthorization, requireEsTarget, type EsTarget } from "../support/es-target";
import { datasetIndexPattern } from "../../generator/sinks/elasticsearch";
import { elasticsearchProcessGroup } from "../support/es-instance";

const PROJECT_DIR = join(__dirname, "..", "..");
const EXPECTED_VERSION = `v${(JSON.parse(readFileSync(join(PROJECT_DIR, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> }).packages["node_modules/@pulumi/pulumi"].version}`;

/** The CLI on PATH, as it names itself; undefined when there is none. */
function cliVersion(): string | undefined {
  try {
    return execFileSync("pulumi", ["version"], { env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "1" }, encoding: "utf8", timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

const VERSION = cliVersion();

// Two cohorts whose names overlap the way index patterns can: cohort "eng"'s index template covers
// lab-eng-access-*, which also matches the other cohort's indices (lab-eng-access-b-access-...).
const COHORT_A = "eng";
const COHORT_B = "eng-access-b";
const STACK_A = "engine-a";
const STACK_B = "engine-b";
// A short dataset: two days of the spike scenario at 0.2 events per second, about 35,000 documents.
const DATASET = { datasetDays: "2", datasetScenario: "spike", datasetRate: "0.2", datasetEnd: "2026-11-20T00:00:00Z", mlJobs: "none" };

// Live mode on the same cluster: a cohort of its own, a day of history at 0.2 events per second.
const COHORT_LIVE = "live";
const STACK_LIVE = "engine-live";

interface Run {
  code: number;
  output: string;
}

describe(`lab under the real Pulumi engine (pulumi ${VERSION ?? "not found"}), on an existing Elasticsearch; Docker, Kibana and ML stood in: none here`, function () {
  this.timeout(600_000);
  let es: EsTarget;
  let backend: string;
  let env: NodeJS.ProcessEnv;

  async function run(command: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Run> {
    const { execa } = await import("execa");
    const result = await execa(command, args, {
      cwd: PROJECT_DIR,
      env,
      input: options.input,
      reject: false,
      all: true,
      timeout: options.timeoutMs ?? 300_000,
    });
    return { code: result.exitCode ?? -1, output: result.all ?? "" };
  }

  /** The pulumi CLI, never prompting; the flag goes before a "--" that ends the options. */
  const pulumi = (args: string[], options?: { input?: string }) => {
    const end = args.includes("--") ? args.indexOf("--") : args.length;
    return run("pulumi", [...args.slice(0, end), "--non-interactive", ...args.slice(end)], options);
  };

  async function setConfig(stack: string, values: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
    if (Object.keys(values).length > 0) {
      const pairs = Object.entries(values).flatMap(([key, value]) => ["--plaintext", `lab:${key}=${value}`]);
      const set = await pulumi(["config", "set-all", "--stack", stack, ...pairs]);
      expect(set.code, set.output).to.equal(0);
    }
    for (const [key, value] of Object.entries(secrets)) {
      // Through standard input, so the secret never appears in a process list.
      const set = await pulumi(["config", "set", "--stack", stack, "--secret", `lab:${key}`], { input: value });
      expect(set.code, set.output).to.equal(0);
    }
  }

  async function newStack(stack: string, values: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
    const init = await pulumi(["stack", "init", stack]);
    expect(init.code, init.output).to.equal(0);
    await setConfig(stack, values, secrets);
  }

  async function outputs(stack: string): Promise<Record<string, unknown>> {
    const result = await pulumi(["stack", "output", "--json", "--stack", stack]);
    expect(result.code, result.output).to.equal(0);
    return JSON.parse(result.output) as Record<string, unknown>;
  }

  async function esGet<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${es.url}${path}`, { headers: { authorization: basicAuthorization(es) }, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as T };
  }

  async function esDelete(path: string): Promise<number> {
    const response = await fetch(`${es.url}${path}`, { method: "DELETE", headers: { authorization: basicAuthorization(es) }, signal: AbortSignal.timeout(30_000) });
    await response.text();
    return response.status;
  }

  /** The cohorts' dataset indices on the server, with their document counts. */
  async function cohortIndices(cohort: string): Promise<Map<string, number>> {
    const { status, body } = await esGet<{ index: string; "docs.count": string }[]>(`/_cat/indices/lab-${cohort}-access-*?format=json&h=index,docs.count&expand_wildcards=all`);
    expect(status).to.equal(200);
    const pattern = datasetIndexPattern(`lab-${cohort}-access`);
    return new Map(body.filter((row) => pattern.test(row.index)).map((row) => [row.index, Number(row["docs.count"])]));
  }

  async function templateExists(cohort: string, log: "access" | "error" = "access"): Promise<boolean> {
    return (await esGet(`/_index_template/lab-${cohort}-${log}`)).status === 200;
  }

  /** The cohort's error-log indices on the server, with their document counts. */
  async function cohortErrorIndices(cohort: string): Promise<Map<string, number>> {
    const { status, body } = await esGet<{ index: string; "docs.count": string }[]>(`/_cat/indices/lab-${cohort}-error-*?format=json&h=index,docs.count&expand_wildcards=all`);
    expect(status).to.equal(200);
    const pattern = datasetIndexPattern(`lab-${cohort}-error`);
    return new Map(body.filter((row) => pattern.test(row.index)).map((row) => [row.index, Number(row["docs.count"])]));
  }

  /** Resources in a stack's state, by type. */
  async function stateTypes(stack: string): Promise<string[]> {
    const exported = await pulumi(["stack", "export", "--stack", stack]);
    expect(exported.code, exported.output).to.equal(0);
    const state = JSON.parse(exported.output) as { deployment?: { resources?: { type: string }[] } };
    return (state.deployment?.resources ?? []).map((r) => r.type);
  }

  before(async function () {
    es = requireEsTarget(this);
    if (VERSION !== EXPECTED_VERSION) {
      const reason = VERSION === undefined ? "no pulumi CLI on PATH" : `pulumi on PATH is ${VERSION}, not ${EXPECTED_VERSION}`;
      if (process.env.LAB_REQUIRE_PULUMI === "1") throw new Error(`LAB_REQUIRE_PULUMI is set but ${reason}; build it with: bash test/support/pulumi.sh path`);
      console.log(`    (skipped: ${reason}; run with PATH="$(bash test/support/pulumi.sh path):$PATH")`);
      this.skip();
    }
    backend = mkdtempSync(join(tmpdir(), "lab-engine-state-"));
    env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "1",
      PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
      LAB_STACK: "",
    };
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    // Leftovers of an interrupted earlier run would make counts and "nothing left" checks lie.
    for (const cohort of [COHORT_A, COHORT_B, COHORT_LIVE]) {
      for (const index of (await cohortIndices(cohort)).keys()) await esDelete(`/${index}`);
      for (const index of (await cohortErrorIndices(cohort)).keys()) await esDelete(`/${index}`);
      await esDelete(`/_index_template/lab-${cohort}-access`);
      await esDelete(`/_index_template/lab-${cohort}-error`);
    }
  });

  after(async () => {
    if (backend === undefined) return;
    for (const stack of [STACK_A, STACK_B, "engine-fresh", "engine-bad", STACK_LIVE]) {
      await pulumi(["stack", "rm", "--force", "--yes", "--stack", stack]);
      rmSync(join(PROJECT_DIR, `Pulumi.${stack}.yaml`), { force: true });
    }
    rmSync(backend, { recursive: true, force: true });
  });

  it("a fresh Docker-target stack with nothing set passes Pulumi's own config validation and runs the program (stopping only at the docker plugin, which no registry serves)", async () => {
    await newStack("engine-fresh", {});
    const preview = await pulumi(["preview", "--stack", "engine-fresh"]);
    expect(preview.output).to.not.match(/missing configuration value/);
    expect(preview.output).to.not.match(/must be encrypted/);
    // The program ran: it declared the cohort's network and Elasticsearch components.
    expect(preview.output).to.include("lab:docker:Network").and.include("lab:elastic:Elasticsearch");
    // And what stopped it is the docker plugin alone.
    expect(preview.output).to.match(/resource plugin 'pulumi-resource-docker'|docker-5\.2\.0/);
  });

  it("refuses a bad value before anything is created, naming the key: lab:datasetDays -1, and an unreachable lab:elasticsearchUrl", async () => {
    await newStack("engine-bad", { ...DATASET, cohort: "bad", elasticsearchUrl: es.url, datasetDays: "-1" }, { elasticPassword: es.password });
    const badDays = await pulumi(["preview", "--stack", "engine-bad"]);
    expect(badDays.code).to.not.equal(0);
    expect(badDays.output).to.include('lab:datasetDays: "-1" is not allowed');
    expect(badDays.output).to.not.match(/\n\s+at .*\(.*:\d+:\d+\)/, "no stack trace");
    await setConfig("engine-bad", { datasetDays: "2", elasticsearchUrl: "http://127.0.0.1:9" });
    // Through npm run up, which ends with the cause on one line rather than Pulumi's "1 errored".
    // (Under this toolchain's older language host a failing program takes about a minute to report.)
    const unreachable = await run("npm", ["run", "--silent", "up", "--", "engine-bad"]);
    expect(unreachable.code).to.equal(1);
    expect(unreachable.output).to.match(/lab:elasticsearchUrl: cannot reach Elasticsearch at http:\/\/127\.0\.0\.1:9\b/);
    expect(unreachable.output.trim().split("\n").at(-1)).to.match(/^npm run up failed at the stack: .*lab:elasticsearchUrl: cannot reach Elasticsearch at http:\/\/127\.0\.0\.1:9\b/);
    expect((await stateTypes("engine-bad")).filter((type) => type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
    expect((await cohortIndices("bad")).size).to.equal(0);
  });

  it("brings two cohorts up on one cluster with npm run up, lab:mlJobs none and a short dataset", async () => {
    await newStack(STACK_A, { ...DATASET, cohort: COHORT_A, elasticsearchUrl: es.url, elasticsearchUsername: es.username }, { elasticPassword: es.password });
    // Cohort B leaves lab:datasetEnd unset: the dataset ends at the current hour, which npm run up then pins.
    const { datasetEnd: _unset, ...withoutEnd } = DATASET;
    await newStack(STACK_B, { ...withoutEnd, cohort: COHORT_B, datasetSeed: "7", elasticsearchUrl: es.url }, { elasticPassword: es.password });
    for (const [stack, cohort] of [[STACK_A, COHORT_A], [STACK_B, COHORT_B]]) {
      const up = await run("npm", ["run", "--silent", "up", "--", stack]);
      expect(up.code, up.output).to.equal(0);
      expect(up.output).to.include("Refreshing first");
      expect(up.output).to.not.include(es.password);
      // The dataset's lines through pulumi.log.info: the provider host has no engine connection, so
      // they go to its stdout, which the engine shows as the step runs (on the stack's row) and
      // again, kept, under "Diagnostics:" at the end: not ephemeral.
      const done: string[] = up.output.match(new RegExp(`lab: dataset lab-${cohort}-access-\\S+: [\\d,]+ documents indexed at [\\d,]+/s`, "g")) ?? [];
      expect(done, up.output).to.have.length(2);
      expect(up.output.indexOf(done[0]), "shown while running, before the summary").to.be.below(up.output.indexOf("Diagnostics:"));
      expect(up.output.lastIndexOf(done[1])).to.be.above(up.output.indexOf("Diagnostics:"));
    }
    expect([...(await cohortIndices(COHORT_A)).keys()]).to.have.length(1);
    expect([...(await cohortIndices(COHORT_B)).keys()]).to.have.length(1);
    expect(await stateTypes(STACK_A)).to.not.include("docker:index/container:Container");
    const pinned = await pulumi(["config", "get", "lab:datasetEnd", "--stack", STACK_B]);
    expect(pinned.output.trim()).to.equal(((await outputs(STACK_B)).timeRange as { to: string }).to).and.match(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/);
  });

  it("exports documentCount equal to the index's _count, with the index and the anomaly windows", async () => {
    for (const [stack, cohort] of [[STACK_A, COHORT_A], [STACK_B, COHORT_B]]) {
      const out = await outputs(stack);
      const { body } = await esGet<{ count: number }>(`/${String(out.index)}/_count`);
      expect(out.documentCount).to.equal(body.count).and.be.greaterThan(10_000);
      expect(String(out.index)).to.match(new RegExp(`^lab-${cohort}-access-spike-\\d{4}\\.\\d{2}\\.\\d{2}-[0-9a-f]{8}$`));
      // nginx's error log beside it, with the same digits, not counted among the requests.
      expect(out.errorIndex).to.equal(`lab-${cohort}-error-${String(out.index).slice(`lab-${cohort}-access-`.length)}`);
      expect((await esGet<{ count: number }>(`/${String(out.errorIndex)}/_count`)).body.count).to.be.greaterThan(0);
      expect(out.password).to.equal("[secret]");
      expect(out).to.not.have.property("verification");
      expect(out).to.not.have.property("kibanaUrl");
    }
  });

  it("exports the dataset's timing with docs/s, which lab-verify timings draws as a timeline", async () => {
    const out = await outputs(STACK_A);
    const timings = out.timings as { step: string; start: string; end: string; documents: number; docsPerSecond: number }[];
    expect(timings.map((t) => t.step)).to.deep.equal(["dataset"]);
    expect(timings[0].documents).to.equal(out.documentCount);
    expect(timings[0].docsPerSecond).to.be.greaterThan(0);
    expect(Date.parse(timings[0].end)).to.be.above(Date.parse(timings[0].start));
    const json = await pulumi(["stack", "output", "timings", "--json", "--stack", STACK_A]);
    expect(json.code, json.output).to.equal(0);
    const drawn = await run("npx", ["lab-verify", "timings"], { input: json.output });
    expect(drawn.code, drawn.output).to.equal(0);
    expect(drawn.output).to.match(new RegExp(`^  dataset \\(${Number(out.documentCount).toLocaleString("en-US")} docs at [\\d,]+/s\\)  \\+0:00  \\d+:\\d\\d  \\|█{40}\\|$`, "m"));
  });

  it("changes nothing on a second preview (pulumi preview --expect-no-changes), so the dataset is not written again", async () => {
    const preview = await pulumi(["preview", "--expect-no-changes", "--stack", STACK_A]);
    expect(preview.code, preview.output).to.equal(0);
    expect(preview.output).to.not.match(/warning: Undefined value/);
  });

  it("replaces only that cohort's dataset when lab:datasetSeed changes", async () => {
    const before = { a: await cohortIndices(COHORT_A), b: await cohortIndices(COHORT_B) };
    await setConfig(STACK_A, { datasetSeed: "43" });
    const preview = await pulumi(["preview", "--diff", "--stack", STACK_A]);
    expect(preview.output).to.match(/\+-\s*pulumi-nodejs:dynamic\/lab:Dataset/);
    const up = await pulumi(["up", "--yes", "--stack", STACK_A]);
    expect(up.code, up.output).to.equal(0);
    const after = { a: await cohortIndices(COHORT_A), b: await cohortIndices(COHORT_B) };
    expect([...after.a.keys()]).to.have.length(1);
    expect([...after.a.keys()][0]).to.not.equal([...before.a.keys()][0]);
    expect(after.b).to.deep.equal(before.b);
    expect(await templateExists(COHORT_A), "the replacement keeps its template").to.equal(true);
    expect([...(await cohortErrorIndices(COHORT_A)).keys()], "the old error log went with its dataset").to.have.length(1);
    expect(await templateExists(COHORT_A, "error")).to.equal(true);
  });

  it("notices a dataset index deleted outside Pulumi on refresh, and npm run up writes exactly the same documents again", async () => {
    const before = await outputs(STACK_A);
    const index = String(before.index);
    expect(await esDelete(`/${index}`)).to.equal(200);
    const refresh = await pulumi(["refresh", "--yes", "--stack", STACK_A]);
    expect(refresh.code, refresh.output).to.equal(0);
    expect(refresh.output).to.include("the dataset is gone").and.include(`index ${index} does not exist`);
    expect(await stateTypes(STACK_A)).to.not.include("pulumi-nodejs:dynamic/lab:Dataset");
    const up = await run("npm", ["run", "--silent", "up", "--", STACK_A]);
    expect(up.code, up.output).to.equal(0);
    const after = await outputs(STACK_A);
    expect(after.index).to.equal(index);
    expect(after.documentCount).to.equal(before.documentCount);
    expect(after.anomalyWindows).to.deep.equal(before.anomalyWindows);
    const { body } = await esGet<{ count: number }>(`/${index}/_count`);
    expect(body.count).to.equal(before.documentCount);
  });

  it("refuses to forget anything while the server does not answer a refresh (frozen with SIGSTOP), then refreshes cleanly once it answers", async function () {
    const instance = process.env.LAB_ES_INSTANCE;
    if (instance === undefined || instance === "") {
      console.log("    (skipped: the server is not one test/support/elasticsearch.sh started, so it cannot be frozen)");
      this.skip();
    }
    const typesBefore = await stateTypes(STACK_A);
    const pgid = await elasticsearchProcessGroup(instance);
    process.kill(-pgid, "SIGSTOP");
    let frozen: Run;
    try {
      frozen = await pulumi(["refresh", "--yes", "--stack", STACK_A]);
    } finally {
      process.kill(-pgid, "SIGCONT");
    }
    expect(frozen.code).to.not.equal(0);
    expect(frozen.output).to.match(/cannot check dataset index lab-eng-access-spike-[^:]+: .*did not answer/);
    expect(frozen.output).to.include("Nothing was changed in the stack's state");
    expect(await stateTypes(STACK_A)).to.deep.equal(typesBefore);
    const clean = await pulumi(["refresh", "--yes", "--stack", STACK_A]);
    expect(clean.code, clean.output).to.equal(0);
    expect(await stateTypes(STACK_A)).to.deep.equal(typesBefore);
    const preview = await pulumi(["preview", "--expect-no-changes", "--stack", STACK_A]);
    expect(preview.code, preview.output).to.equal(0);
  });

  it("destroys one cohort with npm run down without touching the other's index or template", async () => {
    const other = await cohortIndices(COHORT_B);
    const down = await run("npm", ["run", "--silent", "down", "--", STACK_A]);
    expect(down.code, down.output).to.equal(0);
    expect((await cohortIndices(COHORT_A)).size).to.equal(0);
    expect(await templateExists(COHORT_A)).to.equal(false);
    expect((await cohortErrorIndices(COHORT_A)).size).to.equal(0);
    expect(await templateExists(COHORT_A, "error")).to.equal(false);
    expect(await cohortIndices(COHORT_B)).to.deep.equal(other);
    expect(await templateExists(COHORT_B)).to.equal(true);
    expect((await cohortErrorIndices(COHORT_B)).size).to.equal(1);
    expect(await templateExists(COHORT_B, "error")).to.equal(true);
  });

  it("runs a live cohort: npm run up backfills the stream's index and says when (not what) the live window comes, npm run live follows until SIGTERM, a second preview changes nothing, and destroy removes it", async () => {
    await newStack(STACK_LIVE, { cohort: COHORT_LIVE, live: "true", datasetScenario: "live", datasetDays: "1", datasetRate: "0.2", mlJobs: "none", elasticsearchUrl: es.url }, { elasticPassword: es.password });
    const up = await run("npm", ["run", "--silent", "up", "--", STACK_LIVE]);
    expect(up.code, up.output).to.equal(0);
    const out = await outputs(STACK_LIVE);
    const index = String(out.index);
    expect(index).to.match(/^lab-live-access-live-live-[0-9a-f]{8}$/);
    // Follow mode writes the access log only.
    expect(out).to.not.have.property("errorIndex");
    const origin = Date.parse((out.timeRange as { to: string }).to);
    const dueInMinutes = (Date.parse(String(out.nextLiveAnomalyAt)) - origin) / 60_000;
    expect(dueInMinutes).to.be.within(10, 20);
    expect(out.liveTruth).to.equal("[secret]");
    expect(out.anomalyWindows).to.deep.equal([]);
    expect((out.liveTraffic as { arguments: string[] }).arguments.slice(0, 3)).to.deep.equal(["--follow", "--es", es.url]);
    expect((await esGet<{ count: number }>(`/${index}/_count`)).body.count).to.equal(out.documentCount);

    // npm run live's script, run by node itself so that the SIGTERM reaches it (as Ctrl-C reaches a terminal's foreground).
    const { execa } = await import("execa");
    const live = execa(process.execPath, ["--import", "tsx", "scripts/live.ts", STACK_LIVE], { cwd: PROJECT_DIR, env, reject: false, all: true, timeout: 180_000 });
    let output = "";
    live.all!.on("data", (chunk) => (output += chunk));
    const started = Date.now();
    while (!/following in real time/.test(output)) {
      if (live.exitCode !== null || Date.now() - started > 120_000) throw new Error(`npm run live did not start following:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    live.kill("SIGTERM");
    const stopped = await live;
    expect(stopped.exitCode, output).to.equal(143);
    expect(output).to.not.include(es.password);
    expect(output).to.match(/lab-generate: stopped: [\d,]+ events written up to \S+; the same command resumes/);
    const mapping = await esGet<Record<string, { mappings: { _meta: { lab: { truth: { eventCount: number; live: { status: string; since: string } } } } } }>>(`/${index}/_mapping`);
    const truth = mapping.body[index].mappings._meta.lab.truth;
    expect(truth.live).to.include({ status: "stopped", since: new Date(origin).toISOString() });
    await esGet(`/${index}/_refresh`);
    const count = (await esGet<{ count: number }>(`/${index}/_count`)).body.count;
    expect(count).to.equal(truth.eventCount).and.be.greaterThan(Number(out.documentCount));

    const preview = await pulumi(["preview", "--expect-no-changes", "--refresh", "--stack", STACK_LIVE]);
    expect(preview.code, preview.output).to.equal(0);
    const down = await run("npm", ["run", "--silent", "down", "--", STACK_LIVE]);
    expect(down.code, down.output).to.equal(0);
    expect((await cohortIndices(COHORT_LIVE)).size).to.equal(0);
    expect(await templateExists(COHORT_LIVE)).to.equal(false);
  });

  it("leaves no index or index template of either cohort after destroy, and pulumi stack rm removes the stacks", async () => {
    const destroy = await pulumi(["destroy", "--yes", "--stack", STACK_B]);
    expect(destroy.code, destroy.output).to.equal(0);
    for (const cohort of [COHORT_A, COHORT_B]) {
      expect((await cohortIndices(cohort)).size, cohort).to.equal(0);
      expect(await templateExists(cohort), cohort).to.equal(false);
    }
    for (const stack of [STACK_A, STACK_B]) {
      const rm = await pulumi(["stack", "rm", "--yes", "--stack", stack]);
      expect(rm.code, rm.output).to.equal(0);
    }
    const list = await pulumi(["stack", "ls", "--json"]);
    const names = (JSON.parse(list.output) as { name: string }[]).map((s) => s.name);
    expect(names).to.not.include(STACK_A).and.not.include(STACK_B);
  });
});
