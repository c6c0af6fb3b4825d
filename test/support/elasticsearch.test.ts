// The harness itself: the start script's guard rails, the server it provides (security on), and
// requireEsTarget's skip-or-fail rule.

import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { addFileRealmUser } from "./es-instance";
import { basicAuthorization, requireEsTarget, type EsSuiteLedger, type EsTarget } from "./es-target";

const SCRIPT = path.join(__dirname, "elasticsearch.sh");

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runScript(args: string[], env: Record<string, string>): Promise<ScriptResult> {
  // Only the instance a test names: one inherited from `ES_INSTANCE=x elasticsearch.sh run -- mocha` would clash with it.
  const { ES_INSTANCE: _inherited, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)("bash", [SCRIPT, ...args], { env: { ...inherited, ...env }, timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("test/support/elasticsearch.sh", function () {
  it("refuses an instance name that is not a plain directory name, with exit code 2", async function () {
    const result = await runScript(["start"], { ES_INSTANCE: "../elsewhere" });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include("ES_INSTANCE='../elsewhere' is not allowed");
  });

  it("reports an instance that was never started as stopped, with exit code 3", async function () {
    const result = await runScript(["status"], { ES_INSTANCE: `never-started-${process.pid}` });
    expect(result).to.deep.include({ code: 3, stdout: "stopped\n" });
  });

  it("explains how to start an instance when asked for the variables of one that is not running", async function () {
    const result = await runScript(["env"], { ES_INSTANCE: `never-started-${process.pid}` });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(`ES_INSTANCE=never-started-${process.pid} bash`);
  });

  // None of these starts a server: each is refused, or only reads the state, before anything starts.
  describe("the instance named as an argument (`start newbie` is `ES_INSTANCE=newbie ... start`)", function () {
    it("acts on the instance named after the command", async function () {
      const name = `named-${process.pid}`;
      const result = await runScript(["env", name], {});
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include(`elasticsearch[${name}]: not running; start it with: ES_INSTANCE=${name} bash`);
      expect(await runScript(["status", name], {})).to.deep.include({ code: 3, stdout: "stopped\n" });
    });

    it("checks a name given as an argument like ES_INSTANCE, also before `--` of run", async function () {
      for (const args of [["status", "../elsewhere"], ["run", "../elsewhere", "--", "true"]]) {
        const result = await runScript(args, {});
        expect(result.code, args.join(" ")).to.equal(2);
        expect(result.stderr, args.join(" ")).to.include("ES_INSTANCE='../elsewhere' is not allowed");
      }
    });

    it("refuses two different names, one in ES_INSTANCE and one as the argument, and accepts the same name twice", async function () {
      const refused = await runScript(["status", "second"], { ES_INSTANCE: "first" });
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.equal("elasticsearch: the instance is named twice, ES_INSTANCE='first' and 'second'; name it once\n");
      const same = `same-${process.pid}`;
      expect(await runScript(["status", same], { ES_INSTANCE: same })).to.deep.include({ code: 3, stdout: "stopped\n" });
    });

    it("refuses extra arguments with exit code 2 rather than ignoring them", async function () {
      const cases: Array<[string[], string]> = [
        [["status", "a", "b"], "elasticsearch: 'status' takes at most one argument, the instance name; got: a b\n"],
        [["start", "newbie", "now"], "elasticsearch: 'start' takes at most one argument, the instance name; got: newbie now\n"],
        [["check", "newbie"], "elasticsearch: 'check' takes no argument; got: newbie\n"],
        [["add-user", "reader", "viewer", "extra"], "elasticsearch: 'add-user' takes a user name and a list of roles; got: reader viewer extra\n"],
      ];
      for (const [args, message] of cases) {
        expect(await runScript(args, {}), args.join(" ")).to.deep.equal({ code: 2, stdout: "", stderr: message });
      }
    });
  });

  it("prints its usage for an unknown command, with exit code 2", async function () {
    const result = await runScript(["restart-everything"], {});
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include("Usage:");
  });
});

describe("the Elasticsearch the tests run against", function () {
  let target: EsTarget;

  before(function () {
    target = requireEsTarget(this);
  });

  it("refuses a request without credentials: security is on", async function () {
    const response = await fetch(`${target.url}/_cluster/health`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).to.equal(401);
    expect(response.headers.get("www-authenticate") ?? "").to.match(/^Basic /);
  });

  it("refuses a wrong password", async function () {
    const wrong = { ...target, password: `${target.password}-wrong` };
    const response = await fetch(`${target.url}/_cluster/health`, {
      headers: { authorization: basicAuthorization(wrong) },
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).to.equal(401);
  });

  it("takes extra users in the file realm: a viewer may read but not create an index", async function () {
    this.timeout(90_000);
    const name = `viewer-${process.pid}`;
    const password = await addFileRealmUser(name, ["viewer"]);
    if (password === undefined) this.skip(); // not a server of test/support/elasticsearch.sh
    const viewer = { ...target, username: name, password: password as string };
    const asViewer = (method: string, requestPath: string) =>
      fetch(`${target.url}${requestPath}`, { method, headers: { authorization: basicAuthorization(viewer) }, signal: AbortSignal.timeout(10_000) });
    const whoami = await asViewer("GET", "/_security/_authenticate");
    expect(whoami.status).to.equal(200);
    expect(await whoami.json()).to.deep.include({ username: name, roles: ["viewer"] });
    expect((await asViewer("PUT", `/harness-viewer-${process.pid}`)).status).to.equal(403);
  });

  it("authenticates the configured user", async function () {
    const response = await fetch(`${target.url}/_security/_authenticate`, {
      headers: { authorization: basicAuthorization(target) },
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).to.equal(200);
    expect(((await response.json()) as { username: string }).username).to.equal(target.username);
  });
});

describe("requireEsTarget", function () {
  const saved: Record<string, string | undefined> = {};
  const variables = ["ELASTICSEARCH_URL", "ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD", "LAB_REQUIRE_ELASTICSEARCH"];

  beforeEach(function () {
    for (const name of variables) saved[name] = process.env[name];
    for (const name of variables) delete process.env[name];
  });

  afterEach(function () {
    for (const name of variables) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  function fakeContext(): { context: Mocha.Context; skipped: () => boolean } {
    let skipped = false;
    const context = {
      test: { parent: { fullTitle: () => "sink writes to Elasticsearch" } },
      skip: () => {
        skipped = true;
        throw new Error("skipped");
      },
    } as unknown as Mocha.Context;
    return { context, skipped: () => skipped };
  }

  it("skips the suite and records it when no server is configured", function () {
    const ledger: EsSuiteLedger = { ran: [], skipped: [] };
    const { context, skipped } = fakeContext();
    expect(() => requireEsTarget(context, ledger)).to.throw("skipped");
    expect(skipped()).to.equal(true);
    expect(ledger).to.deep.equal({ ran: [], skipped: [{ suite: "sink writes to Elasticsearch", reason: "ELASTICSEARCH_URL is not set" }] });
  });

  it("fails the suite instead when LAB_REQUIRE_ELASTICSEARCH is set, saying how to run a server", function () {
    process.env.LAB_REQUIRE_ELASTICSEARCH = "1";
    const ledger: EsSuiteLedger = { ran: [], skipped: [] };
    const { context, skipped } = fakeContext();
    expect(() => requireEsTarget(context, ledger)).to.throw(
      /"sink writes to Elasticsearch" cannot run against a real Elasticsearch: ELASTICSEARCH_URL is not set[\s\S]*elasticsearch\.sh run -- npm test/,
    );
    expect(skipped()).to.equal(false);
  });

  it("returns the configured server, defaulting the user to elastic and dropping a trailing slash", function () {
    process.env.ELASTICSEARCH_URL = "http://127.0.0.1:9200/";
    process.env.ELASTICSEARCH_PASSWORD = "secret";
    const ledger: EsSuiteLedger = { ran: [], skipped: [] };
    const target = requireEsTarget(fakeContext().context, ledger);
    expect(target).to.deep.equal({ url: "http://127.0.0.1:9200", username: "elastic", password: "secret" });
    expect(ledger.ran).to.deep.equal(["sink writes to Elasticsearch"]);
  });
});
