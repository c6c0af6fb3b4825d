// What `npm run up` / `npm run down` decide before Pulumi runs: the stack, the local backend, the
// passphrase, and one clear line per missing tool.

import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { UsageError } from "../../generator/errors";
import { checkTools, firstErrorRecorder, missingToolMessages, pulumiEnvironment, stackNameFrom, usesExistingCluster } from "../../lab/automation";

describe("lab automation (npm run up / down)", () => {
  describe("stack name", () => {
    it("is the one argument, else LAB_STACK, else dev", () => {
      expect(stackNameFrom(["--", "cohort-a"], {})).to.equal("cohort-a");
      expect(stackNameFrom([], { LAB_STACK: "cohort-b" })).to.equal("cohort-b");
      expect(stackNameFrom([], {})).to.equal("dev");
    });

    it("refuses more than one argument or an odd name, saying what is allowed", () => {
      expect(() => stackNameFrom(["a", "b"], {})).to.throw(UsageError, 'expected at most one argument, the stack name; got "a" "b"');
      expect(() => stackNameFrom(["cohort a"], {})).to.throw(UsageError, /stack name "cohort a" is not allowed; use letters, digits/);
    });
  });

  describe("Pulumi environment", () => {
    it("keeps state in the project's .lab-state and creates a private passphrase file once", () => {
      const project = mkdtempSync(join(tmpdir(), "lab-project-"));
      const first = pulumiEnvironment(project, {});
      expect(first.vars).to.deep.equal({ PULUMI_BACKEND_URL: `file://${project}/.lab-state`, PULUMI_CONFIG_PASSPHRASE_FILE: `${project}/.lab-state/passphrase` });
      expect(first.note).to.include("passphrase");
      const passphrase = readFileSync(join(project, ".lab-state", "passphrase"), "utf8");
      expect(passphrase.trim()).to.have.length.greaterThan(20);
      expect(statSync(join(project, ".lab-state", "passphrase")).mode & 0o777).to.equal(0o600);
      const second = pulumiEnvironment(project, {});
      expect(second.note).to.equal(undefined);
      expect(readFileSync(join(project, ".lab-state", "passphrase"), "utf8")).to.equal(passphrase);
    });

    it("respects a backend and passphrase the user already chose", () => {
      const project = mkdtempSync(join(tmpdir(), "lab-project-"));
      expect(pulumiEnvironment(project, { PULUMI_BACKEND_URL: "s3://bucket", PULUMI_CONFIG_PASSPHRASE: "x" })).to.deep.equal({ vars: {} });
    });
  });

  describe("prerequisites", () => {
    it("says in one line each what is missing and how to install it", () => {
      const lines = missingToolMessages([
        { tool: "pulumi", ok: false, detail: "`pulumi` not found on PATH" },
        { tool: "docker", ok: false, detail: "Cannot connect to the Docker daemon" },
      ]);
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^The pulumi CLI is missing \(`pulumi` not found on PATH\): install it with .*get\.pulumi\.com/);
      expect(lines[1]).to.match(/^No Docker engine answers \(Cannot connect to the Docker daemon\): install and start Docker/);
      for (const line of lines) expect(line).to.not.include("\n");
      expect(missingToolMessages([{ tool: "pulumi", ok: true }])).to.deep.equal([]);
    });

    it("notices a pulumi CLI that is not on PATH", async () => {
      const checks = await checkTools({ PATH: "/nonexistent", LAB_SKIP_DOCKER_CHECK: "1" });
      expect(checks).to.deep.equal([{ tool: "pulumi", ok: false, detail: "`pulumi` not found on PATH" }]);
    });
  });

  describe("target", () => {
    it("needs no Docker engine for a stack on an existing cluster", () => {
      expect(usesExistingCluster({ "lab:elasticsearchUrl": { value: "https://es.example.com" } })).to.equal(true);
      expect(usesExistingCluster({ "lab:elasticsearchUrl": { value: "" } })).to.equal(false);
      expect(usesExistingCluster({})).to.equal(false);
    });

    it("checks only the pulumi CLI when no Docker engine is needed", async () => {
      const checks = await checkTools({ PATH: "/nonexistent" }, { pulumi: true, docker: false });
      expect(checks.map((check) => check.tool)).to.deep.equal(["pulumi"]);
    });
  });

  describe("failure summary", () => {
    const urn = (type: string, name: string) => `urn:pulumi:dev::lab::lab:data:Dataset$${type}::${name}`;

    it("names the first resource that failed and its error on one line, which Pulumi's summary does not", () => {
      const recorder = firstErrorRecorder();
      recorder.onEvent({ diagnosticEvent: { severity: "info", message: "creating", urn: urn("pulumi-nodejs:dynamic/lab:Dataset", "lab-a-dataset-index") } });
      recorder.onEvent({ diagnosticEvent: { severity: "error", message: "error: update failed\n", urn: "urn:pulumi:dev::lab::pulumi:pulumi:Stack::lab-dev" } });
      recorder.onEvent({ diagnosticEvent: { severity: "error", message: "POST /_bulk failed: 429 too many requests\nmore detail\n", urn: urn("pulumi-nodejs:dynamic/lab:Dataset", "lab-a-dataset-index") } });
      recorder.onEvent({ diagnosticEvent: { severity: "error", message: "a later failure", urn: urn("pulumi-nodejs:dynamic/lab:MlJob", "lab-a-ml-job") } });
      expect(recorder.first()).to.deep.equal({ resource: "lab-a-dataset-index (pulumi-nodejs:dynamic/lab:Dataset)", message: "POST /_bulk failed: 429 too many requests more detail" });
    });

    it("falls back to the stack's own error when no resource reported one, such as a bad setting", () => {
      const recorder = firstErrorRecorder();
      recorder.onEvent({});
      recorder.onEvent({ diagnosticEvent: { severity: "error", message: "error: preview failed\nthe lab's configuration (pulumi config) is not usable: lab:datasetDays: \"-1\" is not allowed\n", urn: "urn:pulumi:dev::lab::pulumi:pulumi:Stack::lab-dev" } });
      expect(recorder.first()).to.deep.equal({ resource: "the stack", message: 'the lab\'s configuration (pulumi config) is not usable: lab:datasetDays: "-1" is not allowed' });
      expect(firstErrorRecorder().first()).to.equal(undefined);
    });
  });
});
