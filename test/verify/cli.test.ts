// `lab-verify` as a user meets it: its name, its --help and the examples there, its first contact
// with a server, and the connection flags it shares with lab-generate. The parts that need a real
// Elasticsearch are in es.test.ts.

import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { planDataset } from "../../generator/plan";
import { main } from "../../verify/cli";
import { requireEsTarget } from "../support/es-target";
import { binFolder, helpExamples, needsElasticsearch, runExample, scratchFolder } from "../support/help-examples";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const TRUTH = planDataset({ days: 3, seed: 5, end: new Date("2026-11-20T00:00:00.000Z"), scenario: "spike", meanRatePerSecond: 0.3 }).truth;

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function labVerify(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env });
  return { code, stdout, stderr };
}

/** A local HTTP server; `answer` decides each response. Records every request's method, path and Authorization header. */
async function fakeServer(answer: (request: http.IncomingMessage, response: http.ServerResponse) => void) {
  const seen: Array<{ method: string; path: string; authorization?: string }> = [];
  const server = http.createServer((request, response) => {
    seen.push({ method: request.method ?? "", path: request.url ?? "", authorization: request.headers.authorization });
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Answers as Kibana does on its port: GET / redirects to the app, the rest is a JSON 404; never Elasticsearch's product header. */
function asKibana(request: http.IncomingMessage, response: http.ServerResponse): void {
  if (request.url === "/") response.writeHead(302, { location: "/spaces/enter", "kbn-name": "kibana" }).end();
  else response.writeHead(404, { "content-type": "application/json" }).end('{"statusCode":404,"error":"Not Found","message":"Not Found"}');
}

/** Answers as an Elasticsearch holding one lab index with TRUTH in its _meta. */
function asElasticsearch(request: http.IncomingMessage, response: http.ServerResponse): void {
  const headers = { "content-type": "application/json", "x-elastic-product": "Elasticsearch" };
  if (request.url === "/") response.writeHead(200, headers).end(JSON.stringify({ version: { number: "8.19.0" } }));
  else if (request.url?.startsWith("/lab-access-")) {
    response.writeHead(200, headers).end(JSON.stringify({ "lab-access-one": { mappings: { _meta: { lab: { status: "complete", truth: TRUTH } } } } }));
  } else response.writeHead(404, headers).end(JSON.stringify({ error: { type: "not_found", reason: request.url }, status: 404 }));
}

describe("lab-verify CLI", function () {
  this.timeout(120_000);

  describe("its name", () => {
    it("is lab-verify beside lab-generate, names npx cannot take for another package (lab is hapi's test runner)", () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as { bin: Record<string, string> };
      expect(manifest.bin).to.deep.equal({ "lab-generate": "bin/lab-generate.js", "lab-verify": "bin/lab-verify.js" });
      for (const file of Object.values(manifest.bin)) expect(fs.statSync(path.join(PROJECT_DIR, file)).mode & 0o111, file).to.not.equal(0);
    });

    it("says in --help to run it from the project folder or after npm link", async () => {
      for (const argv of [["--help"], ["verify", "--help"], ["expect", "--help"]]) {
        const run = await labVerify(argv);
        expect(run.code, argv.join(" ")).to.equal(0);
        expect(run.stdout, argv.join(" ")).to.match(/^Usage: lab-verify/).and.include("Run it from the project folder (npx lab-verify ...), or from anywhere after `npm link`");
      }
    });
  });

  describe("--help examples, each run as written in a scratch folder, in order", () => {
    let directory: string;
    let examples: string[];
    before(async () => {
      examples = helpExamples((await labVerify(["--help"])).stdout);
    });
    beforeEach(() => {
      directory = scratchFolder();
    });
    afterEach(() => {
      fs.rmSync(directory, { recursive: true, force: true });
    });

    it("shows how to make a ground truth, get the expected answer and verify the jobs", () => {
      expect(examples[0]).to.match(/^lab-generate .*--truth truth\.json/);
      expect(examples.some((line) => line.startsWith("lab-verify expect "))).to.equal(true);
      expect(examples.some((line) => line.includes("lab-verify verify "))).to.equal(true);
    });

    it("runs every example that needs no server, exit 0", async () => {
      const bin = binFolder(directory);
      for (const example of examples.filter((line) => !needsElasticsearch(line))) {
        const run = await runExample(example, { cwd: directory, bin });
        expect(run.exitCode, `${run.command}\n${run.stderr}`).to.equal(0);
      }
    });

    it("runs every example that needs Elasticsearch against ELASTICSEARCH_URL, which must fail only for want of ML jobs", async function () {
      const target = requireEsTarget(this);
      const bin = binFolder(directory);
      for (const example of examples.filter((line) => !needsElasticsearch(line))) await runExample(example, { cwd: directory, bin });
      for (const example of examples.filter(needsElasticsearch)) {
        const run = await runExample(example, { cwd: directory, bin, es: target });
        // The test server's distribution has no ML module, so `verify` reaches it and stops there, exit 1.
        if (run.exitCode !== 0) {
          expect(run.exitCode, `${run.command}\n${run.stderr}`).to.equal(1);
          expect(run.stderr, run.command).to.include("no machine learning");
        }
      }
    });
  });

  describe("expect without a ground truth to read", () => {
    it("names --truth as well as --es, exit 2", async () => {
      const run = await labVerify(["expect"]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(
        "lab-verify expect: no ground truth to read: pass --truth FILE (written by lab-generate --truth), or --es URL (or set ELASTICSEARCH_URL) to read it from the index _meta\n",
      );
    });
  });

  describe("a URL that is not Elasticsearch (Kibana's port, by mistake)", () => {
    it("is 'not a supported Elasticsearch' for verify and expect, as for lab-generate, never 'no index matches'", async () => {
      const kibana = await fakeServer(asKibana);
      const directory = scratchFolder();
      try {
        const truthFile = path.join(directory, "truth.json");
        fs.writeFileSync(truthFile, JSON.stringify(TRUTH));
        const expected = `${kibana.url} answered GET / with 302, but it is not a supported Elasticsearch (7.14 or newer); is the URL (host, port, http or https) right?`;
        for (const argv of [["expect", "--es", kibana.url], ["verify", "--es", kibana.url], ["verify", "--es", kibana.url, "--truth", truthFile]]) {
          const run = await labVerify(argv, { ELASTICSEARCH_PASSWORD: "x" });
          expect(run.code, argv.join(" ")).to.equal(1);
          expect(run.stderr, argv.join(" ")).to.equal(`lab-verify ${argv[0]}: ${expected}\n`);
        }
        const { execa } = await import("execa");
        const generate = await execa(path.join(PROJECT_DIR, "bin/lab-generate.js"), ["--days", "0.5", "--es", kibana.url], { reject: false, env: { ELASTICSEARCH_PASSWORD: "x" } });
        expect(generate.exitCode).to.equal(1);
        expect(String(generate.stderr)).to.equal(`lab-generate: ${expected}`);
      } finally {
        fs.rmSync(directory, { recursive: true, force: true });
        await kibana.close();
      }
    });
  });

  describe("connection flags, the same as lab-generate's", () => {
    it("lists --es-user, --es-password, --es-api-key, --es-timeout and --ca-fingerprint for verify and expect", async () => {
      for (const command of ["verify", "expect"]) {
        const help = (await labVerify([command, "--help"])).stdout;
        for (const flag of ["--es <url>", "--es-user <name>", "--es-password <password>", "--es-api-key <key>", "--es-timeout <seconds>", "--ca-fingerprint <sha256>"]) {
          expect(help, `${command} ${flag}`).to.include(flag);
        }
      }
    });

    it("sends the user and password of the flags, of the environment, or elastic with a password alone, and an API key in preference", async () => {
      const server = await fakeServer(asElasticsearch);
      try {
        const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
        const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
          [["--es-user", "instructor", "--es-password", "pw1"], {}, basic("instructor", "pw1")],
          [[], { ELASTICSEARCH_USERNAME: "reader", ELASTICSEARCH_PASSWORD: "pw2" }, basic("reader", "pw2")],
          [[], { ELASTICSEARCH_PASSWORD: "pw3" }, basic("elastic", "pw3")],
          [["--es-api-key", "a2V5OnNlY3JldA=="], { ELASTICSEARCH_PASSWORD: "pw4" }, "ApiKey a2V5OnNlY3JldA=="],
        ];
        for (const [flags, env, authorization] of cases) {
          server.seen.length = 0;
          const run = await labVerify(["expect", "--es", server.url, "--index", "lab-access-one", "--es-timeout", "5", ...flags], env);
          expect(run.code, run.stderr).to.equal(0);
          expect(run.stdout).to.match(/^lab-verify expect: scenario "spike", seed 5/);
          expect(server.seen.map((request) => request.authorization), flags.join(" ")).to.deep.equal([authorization, authorization]);
        }
      } finally {
        await server.close();
      }
    });

    it("refuses a bad --es-timeout or --es before contacting any server, exit 2", async () => {
      expect(await labVerify(["expect", "--es", "http://127.0.0.1:9", "--es-timeout", "0"])).to.deep.equal({
        code: 2, stdout: "", stderr: "lab-verify expect: --es-timeout 0 is not allowed; allowed: seconds > 0 and <= 3600\n",
      });
      expect((await labVerify(["verify", "--es", "localhost:9200"])).stderr).to.equal('lab-verify verify: --es "localhost:9200" must use http or https\n');
    });
  });
});
