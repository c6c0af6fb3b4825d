// Parsing and validating the lab's configuration: defaults, every problem at once, and Pulumi.yaml
// documenting each key with the default the code applies.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { UsageError } from "../../generator/errors";
import { labCatalog } from "../../lab/read-config";
import { CONFIG_DEFAULTS, CONFIG_KEYS, DEFAULT_ELASTIC_VERSION, defaultCohort, hostOfDockerUrl, parseLabConfig, type LabCatalog, type RawLabConfig } from "../../lab/config";
import { LAB_DEFAULT_DATASET } from "../../lab/defaults";

const catalog: LabCatalog = {
  scenarios: ["spike", "mixed", "none"],
  jobNames: ["request_rate_high", "request_rate_low", "url_scanning", "low_request_rate_nginx", "visitor_rate_nginx"],
  prebuiltJobs: ["low_request_rate_nginx", "visitor_rate_nginx"],
  jobsForScenario: (scenario) => (scenario === "spike" ? ["request_rate_high"] : ["request_rate_high", "request_rate_low", "url_scanning"]),
  datasetProblems: () => [],
};
const local = { stack: "dev", localArch: "x64" };

function problemsOf(raw: RawLabConfig, context: { stack: string; localArch: string; isSecret?: (key: string) => boolean } = local, withCatalog: LabCatalog = catalog): string[] {
  try {
    parseLabConfig(raw, withCatalog, context);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return [...(error as UsageError).problems];
  }
  throw new Error("expected a UsageError");
}

describe("lab config", () => {
  describe("defaults", () => {
    it("gives a stack with no settings a complete, local, secured lab", () => {
      const config = parseLabConfig({}, catalog, local);
      expect(config).to.deep.equal({
        cohort: "dev",
        existingCluster: undefined,
        elasticVersion: DEFAULT_ELASTIC_VERSION,
        elasticsearchPort: 9200,
        kibanaPort: 5601,
        bindAddress: "127.0.0.1",
        elasticsearchHeapMb: 1024,
        elasticsearchMemoryMb: 4096,
        kibanaMemoryMb: 2048,
        elasticPassword: undefined,
        allowMmap: true,
        hostArch: "amd64",
        dataset: { days: 14, seed: 42, scenario: "mixed", meanRatePerSecond: LAB_DEFAULT_DATASET.meanRatePerSecond, end: undefined },
        mlJobs: ["request_rate_high", "request_rate_low", "url_scanning"],
        dockerHost: undefined,
        publicHost: "127.0.0.1",
        waitForDatafeeds: true,
        verify: false,
        waitTimeoutSeconds: 600,
        live: false,
        alerts: undefined,
      });
    });

    it("reads every default Pulumi.yaml declares (which Pulumi applies itself) exactly as an unset key", () => {
      const applied = Object.fromEntries(Object.entries(CONFIG_DEFAULTS).map(([key, value]) => [key, String(value)]));
      expect(parseLabConfig(applied, catalog, local)).to.deep.equal(parseLabConfig({}, catalog, local));
    });

    it("takes a scenario name in any case, as lab-generate does", () => {
      expect(parseLabConfig({ datasetScenario: "Spike" }, catalog, local).dataset.scenario).to.equal("spike");
    });

    it("declares no ML job for lab:mlJobs none", () => {
      expect(parseLabConfig({ mlJobs: "none" }, catalog, local).mlJobs).to.deep.equal([]);
    });

    it("takes the ML jobs that fit the scenario unless lab:mlJobs names them", () => {
      expect(parseLabConfig({ datasetScenario: "spike" }, catalog, local).mlJobs).to.deep.equal(["request_rate_high"]);
      expect(parseLabConfig({ mlJobs: "url_scanning, request_rate_low" }, catalog, local).mlJobs).to.deep.equal(["url_scanning", "request_rate_low"]);
      expect(parseLabConfig({ mlJobs: '["url_scanning"]' }, catalog, local).mlJobs).to.deep.equal(["url_scanning"]);
    });

    it("runs Elastic's prebuilt jobs only when lab:mlJobs asks for the set \"prebuilt\"", () => {
      expect(parseLabConfig({}, catalog, local).mlJobs).to.not.include.members(["low_request_rate_nginx"]);
      expect(parseLabConfig({ mlJobs: "prebuilt" }, catalog, local).mlJobs).to.deep.equal(["low_request_rate_nginx", "visitor_rate_nginx"]);
    });

    it("reads \"tuned\" as the scenario's jobs, so both sets run side by side on the same data when named together", () => {
      expect(parseLabConfig({ datasetScenario: "spike", mlJobs: "tuned" }, catalog, local).mlJobs).to.deep.equal(["request_rate_high"]);
      expect(parseLabConfig({ datasetScenario: "spike", mlJobs: "tuned,prebuilt" }, catalog, local).mlJobs).to.deep.equal(["request_rate_high", "low_request_rate_nginx", "visitor_rate_nginx"]);
    });

    it("defaults the rate to what Elastic's prebuilt jobs need when lab:mlJobs names them, and checks the dataset at that rate", () => {
      const rates: (number | undefined)[] = [];
      const spy: LabCatalog = { ...catalog, datasetProblems: (options) => (rates.push(options.meanRatePerSecond), []) };
      expect(parseLabConfig({}, spy, local).dataset.meanRatePerSecond).to.equal(LAB_DEFAULT_DATASET.meanRatePerSecond);
      expect(parseLabConfig({ mlJobs: "tuned" }, spy, local).dataset.meanRatePerSecond).to.equal(LAB_DEFAULT_DATASET.meanRatePerSecond);
      for (const mlJobs of ["prebuilt", "tuned,prebuilt", "visitor_rate_nginx", '["url_scanning","low_request_rate_nginx"]']) {
        expect(parseLabConfig({ mlJobs }, spy, local).dataset.meanRatePerSecond, mlJobs).to.equal(LAB_DEFAULT_DATASET.prebuiltMeanRatePerSecond);
      }
      expect(rates).to.deep.equal([LAB_DEFAULT_DATASET.meanRatePerSecond, LAB_DEFAULT_DATASET.meanRatePerSecond, ...Array(4).fill(LAB_DEFAULT_DATASET.prebuiltMeanRatePerSecond)]);
      expect(parseLabConfig({ mlJobs: "prebuilt", datasetRate: "0.5" }, spy, local).dataset.meanRatePerSecond, "a rate set by hand").to.equal(0.5);
    });

    it("runs a job named beside a set that holds it once", () => {
      expect(parseLabConfig({ mlJobs: "prebuilt, visitor_rate_nginx" }, catalog, local).mlJobs).to.deep.equal(["low_request_rate_nginx", "visitor_rate_nginx"]);
    });

    it("names the sets in the problem for an unknown job", () => {
      const problem = problemsOf({ mlJobs: "elastic" }).find((p) => p.startsWith("lab:mlJobs:"));
      expect(problem).to.include("unknown: elastic").and.include("prebuilt: Elastic's prebuilt jobs").and.include("tuned: ");
    });

    it("derives a valid cohort from any stack name", () => {
      expect(defaultCohort("Cohort_A.2026")).to.equal("cohort-a-2026");
      expect(defaultCohort("42")).to.equal("lab");
      expect(parseLabConfig({}, catalog, { stack: "Workshop-Berlin-2026-Autumn", localArch: "x64" }).cohort).to.equal("workshop-berlin-2026");
    });

    it("adds -XX:UseSVE=0 only where the host is arm64, and plays safe on an unnamed remote host", () => {
      expect(parseLabConfig({}, catalog, { stack: "dev", localArch: "arm64" }).hostArch).to.equal("arm64");
      expect(parseLabConfig({ dockerHost: "ssh://me@lab-host", bindAddress: "0.0.0.0" }, catalog, { stack: "dev", localArch: "arm64" }).hostArch).to.equal("unknown");
      expect(parseLabConfig({ hostArch: "amd64" }, catalog, { stack: "dev", localArch: "arm64" }).hostArch).to.equal("amd64");
    });

    it("reaches a remote Docker host's ports by its host name", () => {
      const config = parseLabConfig({ dockerHost: "ssh://me@lab-host:2222", bindAddress: "0.0.0.0" }, catalog, local);
      expect(config.publicHost).to.equal("lab-host");
      expect(hostOfDockerUrl("tcp://10.0.0.5:2376")).to.equal("10.0.0.5");
      expect(hostOfDockerUrl("unix:///var/run/docker.sock")).to.equal(undefined);
    });

    it("keeps a given dataset end, normalised to ISO-8601 UTC", () => {
      expect(parseLabConfig({ datasetEnd: "2026-11-20T00:00:00+01:00" }, catalog, local).dataset.end).to.equal("2026-11-19T23:00:00.000Z");
    });
  });

  describe("validation", () => {
    it("lists every problem at once, each naming its key, its value and what is allowed", () => {
      const problems = problemsOf({
        cohort: "Cohort A",
        elasticVersion: "latest",
        elasticsearchPort: "0",
        kibanaPort: "http",
        bindAddress: "localhost",
        datasetDays: "-3",
        datasetScenario: "tsunami",
        datasetRate: "fast",
        waitForDatafeeds: "yes",
        dockerHost: "docker.example.com",
      });
      expect(problems).to.have.length(10);
      expect(problems[0]).to.equal(
        'lab:cohort: "Cohort A" is not allowed; use 1 to 20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (it becomes part of container, index and ML job names)',
      );
      for (const [key, value] of [
        ["elasticVersion", "latest"],
        ["elasticsearchPort", "0"],
        ["kibanaPort", "http"],
        ["bindAddress", "localhost"],
        ["datasetDays", "-3"],
        ["datasetScenario", "tsunami"],
        ["datasetRate", "fast"],
        ["waitForDatafeeds", "yes"],
        ["dockerHost", "docker.example.com"],
      ]) {
        const problem = problems.find((p) => p.startsWith(`lab:${key}:`));
        expect(problem, key).to.be.a("string").and.include(`"${value}"`).and.include("use");
      }
    });

    it("keeps the heap at most half of the container's memory, since ML runs outside the heap", () => {
      expect(problemsOf({ elasticsearchHeapMb: "3000", elasticsearchMemoryMb: "4096" })).to.deep.equal([
        "lab:elasticsearchHeapMb: 3000 is more than half of lab:elasticsearchMemoryMb (4096); use at most 2048, because ML jobs run outside the heap",
      ]);
      expect(parseLabConfig({ elasticsearchHeapMb: "2048", elasticsearchMemoryMb: "4096" }, catalog, local).elasticsearchHeapMb).to.equal(2048);
    });

    it("asks the generator whether the dataset settings fit together, before any resource", () => {
      // mixed places six windows in the second half of the range, 2 hours apart: 1 day is too short.
      const problems = problemsOf({ datasetDays: "1" }, local, labCatalog());
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^lab:datasetDays: 1 is too short for the anomalies placed at random .*; allowed: at least 1\.42 days/);
      expect(() => parseLabConfig({ datasetDays: "1", datasetScenario: "spike" }, labCatalog(), local)).to.not.throw();
    });

    it("names the generator's problems by the lab's keys, and does not ask it while a setting is already wrong", () => {
      let asked = 0;
      const verdict: LabCatalog = { ...catalog, datasetProblems: () => (asked++, ["meanRatePerSecond: 5000 is too high here", "scenario and rate do not fit"]) };
      expect(problemsOf({}, local, verdict)).to.deep.equal(["lab:datasetRate: 5000 is too high here", "lab:dataset: scenario and rate do not fit"]);
      expect(asked).to.equal(1);
      problemsOf({ datasetDays: "0" }, local, verdict);
      expect(asked).to.equal(1);
    });

    it("refuses the same host port for Elasticsearch and Kibana", () => {
      expect(problemsOf({ elasticsearchPort: "8080", kibanaPort: "8080" })).to.deep.equal([
        "lab:kibanaPort: 8080 is also lab:elasticsearchPort; the two host ports must differ",
      ]);
    });

    it("rejects a weak password without ever echoing it", () => {
      const problems = problemsOf({ elasticPassword: "abc" });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^lab:elasticPassword: /).and.not.include("abc");
    });

    it("names unknown ML jobs and unknown keys", () => {
      const problems = problemsOf({ mlJobs: "request_rate_high,wizardry", kibanaport: "5601" });
      expect(problems.find((p) => p.startsWith("lab:mlJobs:"))).to.include("unknown: wizardry").and.include("request_rate_low");
      expect(problems.find((p) => p.startsWith("lab:kibanaport:"))).to.include("not a lab setting");
    });

    it("explains that loopback ports on a remote Docker host are out of reach", () => {
      const problems = problemsOf({ dockerHost: "ssh://me@lab-host" });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.include("lab:bindAddress").and.include("lab-host").and.include("lab:publicHost");
      expect(parseLabConfig({ dockerHost: "ssh://me@lab-host", publicHost: "127.0.0.1" }, catalog, local).publicHost).to.equal("127.0.0.1");
    });

    it("refuses lab:verify without waiting for the datafeeds", () => {
      expect(problemsOf({ verify: "true", waitForDatafeeds: "false" })).to.deep.equal([
        'lab:verify: "true" needs lab:waitForDatafeeds true, since results can only be checked once the datafeeds have run',
      ]);
    });

    it("keeps ML job ids within Elasticsearch's 64 characters", () => {
      const long = { ...catalog, jobNames: ["a_job_name_that_is_really_quite_long_indeed_yes"], jobsForScenario: () => ["a_job_name_that_is_really_quite_long_indeed_yes"] };
      expect(() => parseLabConfig({ cohort: "a-rather-long-cohort" }, long, local)).to.throw(UsageError, /longer than 64 characters/);
    });
  });

  describe("existing cluster", () => {
    const existing = { elasticsearchUrl: "https://es.example.com:9243/", elasticPassword: "secret-1" };

    it("uses the cluster lab:elasticsearchUrl names, as lab:elasticsearchUsername (default elastic)", () => {
      expect(parseLabConfig(existing, catalog, local).existingCluster).to.deep.equal({
        elasticsearchUrl: "https://es.example.com:9243",
        kibanaUrl: undefined,
        username: "elastic",
        apiKey: undefined,
        caFingerprint: undefined,
      });
      const withKibana = parseLabConfig({ ...existing, kibanaUrl: "https://kb.example.com", elasticsearchUsername: "trainer", elasticsearchCaFingerprint: "ab:".repeat(31) + "ab" }, catalog, local);
      expect(withKibana.existingCluster?.kibanaUrl).to.equal("https://kb.example.com");
      expect(withKibana.existingCluster?.username).to.equal("trainer");
    });

    it("needs a password or an API key, and names each bad URL or fingerprint", () => {
      expect(problemsOf({ elasticsearchUrl: "https://es.example.com" })).to.deep.equal([
        "lab:elasticPassword: is needed to log in to lab:elasticsearchUrl as lab:elasticsearchUsername; set it with --secret, or set lab:elasticsearchApiKey instead",
      ]);
      expect(parseLabConfig({ elasticsearchUrl: "https://es.example.com", elasticsearchApiKey: "aWQ6a2V5" }, catalog, local).existingCluster?.apiKey).to.equal("aWQ6a2V5");
      const problems = problemsOf({ ...existing, elasticsearchUrl: "es.example.com:9200", kibanaUrl: "https://user:pw@kb", elasticsearchCaFingerprint: "abc" });
      expect(problems).to.have.length(3);
      expect(problems[0]).to.match(/^lab:elasticsearchUrl: "es\.example\.com:9200" is not allowed; use an http:\/\/ or https:\/\/ URL/);
      expect(problems[1]).to.match(/^lab:kibanaUrl: /);
      expect(problems[2]).to.match(/^lab:elasticsearchCaFingerprint: "abc" is not allowed; use the CA certificate's SHA-256 fingerprint/);
    });

    it("names the existing-cluster keys set without lab:elasticsearchUrl", () => {
      expect(problemsOf({ kibanaUrl: "https://kb.example.com" })).to.deep.equal([
        "lab:kibanaUrl: is only used with lab:elasticsearchUrl (an existing cluster); set that too, or unset lab:kibanaUrl for the Docker lab",
      ]);
    });

    it("refuses a password or API key the stack keeps in plain text, without echoing it", () => {
      const plainText = { ...local, isSecret: () => false };
      const problems = problemsOf({ ...existing, elasticsearchApiKey: "aWQ6a2V5" }, plainText);
      expect(problems).to.have.length(2);
      expect(problems.join("\n")).to.include("lab:elasticPassword: the value is stored in plain text").and.include("lab:elasticsearchApiKey").and.not.include("secret-1").and.not.include("aWQ6a2V5");
      expect(parseLabConfig(existing, catalog, { ...local, isSecret: () => true }).elasticPassword).to.equal("secret-1");
    });
  });

  describe("live mode and alerting", () => {
    const live = { live: "true", datasetScenario: "spike" };
    const liveCatalog: LabCatalog = { ...catalog, scenarios: [...catalog.scenarios, "live"] };

    it("runs live without alerts by default, and alerts with only the index connector when nothing else is set", () => {
      const config = parseLabConfig(live, catalog, local);
      expect(config.live).to.equal(true);
      expect(config.alerts).to.equal(undefined);
      expect(parseLabConfig({ ...live, alerts: "true" }, catalog, local).alerts).to.deep.equal({ email: undefined, webhookUrl: undefined });
    });

    it("refuses lab:alerts without lab:live, and a pinned lab:datasetEnd with lab:live", () => {
      expect(problemsOf({ alerts: "true" })).to.deep.equal([
        'lab:alerts: "true" needs lab:live true: the rule only sees anomalies found after it exists, so there must be live traffic with a window still to come',
      ]);
      expect(problemsOf({ ...live, datasetEnd: "2026-11-20T00:00:00Z" })).to.deep.equal([
        'lab:datasetEnd: "2026-11-20T00:00:00Z" cannot be used with lab:live true, whose backfill ends when the lab comes up; unset lab:datasetEnd',
      ]);
    });

    it("takes lab:liveAnomaly as the live scenario's window, in lab-generate's --anomaly syntax with a relative start", () => {
      expect(parseLabConfig({ ...live, datasetScenario: "live", liveAnomaly: "spike,start=+5m,minutes=30" }, liveCatalog, local).dataset.liveAnomaly).to.equal("spike,start=+5m,minutes=30");
      expect(problemsOf({ ...live, datasetScenario: "spike", liveAnomaly: "spike,start=+5m" }, local, liveCatalog)).to.deep.equal([
        "lab:liveAnomaly: replaces the live window of lab:datasetScenario live in live mode; set lab:live true and lab:datasetScenario live, or unset lab:liveAnomaly",
      ]);
      expect(problemsOf({ ...live, datasetScenario: "live", liveAnomaly: "spike,start=2026-11-30T10:00:00Z" }, local, liveCatalog)).to.deep.equal([
        'lab:liveAnomaly: "spike,start=2026-11-30T10:00:00Z" has no relative start; allowed: a start after the lab comes up, such as spike,start=+5m,minutes=30',
      ]);
      expect(problemsOf({ ...live, datasetScenario: "live", liveAnomaly: "meteor,start=+5m" }, local, liveCatalog)).to.deep.equal([
        'lab:liveAnomaly: "meteor,start=+5m": unknown kind "meteor"; allowed: spike, drop, latency, errors, scan, rare_agent, new_error, level_shift, ramp',
      ]);
    });

    it("chooses the jobs that detect lab:liveAnomaly's kind when lab:mlJobs is unset", () => {
      const config = parseLabConfig({ live: "true", datasetScenario: "live", liveAnomaly: "latency,start=+12m,minutes=45" }, labCatalog(), local);
      expect(config.mlJobs).to.deep.equal(["lab_latency"]);
      expect(parseLabConfig({ live: "true", datasetScenario: "live" }, labCatalog(), local).mlJobs).to.deep.equal(["lab_request_rate_high"]);
    });

    it("lets the generator judge lab:liveAnomaly's values, naming the key", () => {
      expect(problemsOf({ live: "true", datasetScenario: "live", liveAnomaly: "spike,start=+5m,magnitude=0" }, local, labCatalog())).to.deep.equal([
        "lab:liveAnomaly: magnitude: 0 is not allowed for spike (factor applied to the request rate); allowed: a number > 1 and <= 100 (default 10)",
      ]);
    });

    it("names every e-mail setting given without an SMTP host", () => {
      expect(problemsOf({ ...live, alerts: "true", alertEmailTo: "a@example.com", smtpUser: "mailer" })).to.deep.equal([
        "lab:alertEmailTo: is an e-mail setting but lab:smtpHost is not set; set lab:smtpHost to your SMTP server (or lab:mailCatcher true for the lab's own inbox), or unset lab:alertEmailTo",
        "lab:smtpUser: is an e-mail setting but lab:smtpHost is not set; set lab:smtpHost to your SMTP server (or lab:mailCatcher true for the lab's own inbox), or unset lab:smtpUser",
      ]);
    });

    it("names alerting settings given without lab:alerts", () => {
      expect(problemsOf({ ...live, smtpHost: "mail.example.com", alertWebhookUrl: "https://hooks.example.com/x" })).to.deep.equal([
        "lab:smtpHost: is only used with lab:alerts true; set lab:alerts true, or unset lab:smtpHost",
        "lab:alertWebhookUrl: is only used with lab:alerts true; set lab:alerts true, or unset lab:alertWebhookUrl",
      ]);
    });

    it("reads the instructor's SMTP server, with the port deciding TLS unless lab:smtpSecure says otherwise", () => {
      const smtp = { ...live, alerts: "true", smtpHost: "mail.example.com", smtpFrom: "lab@example.com", alertEmailTo: "a@example.com, b@example.com", smtpUser: "mailer", smtpPassword: "pw-123" };
      expect(parseLabConfig(smtp, catalog, local).alerts?.email).to.deep.equal({
        kind: "smtp", host: "mail.example.com", port: 587, secure: false, user: "mailer", password: "pw-123", from: "lab@example.com", to: ["a@example.com", "b@example.com"],
      });
      expect(parseLabConfig({ ...smtp, smtpPort: "465" }, catalog, local).alerts?.email).to.include({ port: 465, secure: true });
      expect(problemsOf({ ...live, alerts: "true", smtpHost: "mail.example.com" })).to.deep.equal([
        "lab:alertEmailTo: is needed with lab:smtpHost; set the addresses that get the alert e-mail, comma-separated",
        "lab:smtpFrom: is needed with lab:smtpHost; set the sender address your SMTP server accepts",
      ]);
    });

    it("refuses an SMTP password kept in plain text, without echoing it", () => {
      const smtp = { ...live, alerts: "true", smtpHost: "mail.example.com", smtpFrom: "lab@example.com", alertEmailTo: "a@example.com", smtpUser: "mailer", smtpPassword: "pw-123" };
      const problems = problemsOf(smtp, { ...local, isSecret: (key: string) => key !== "smtpPassword" });
      expect(problems).to.deep.equal(["lab:smtpPassword: the value is stored in plain text; set it again with `pulumi config set --secret lab:smtpPassword ...` so that it is encrypted"]);
    });

    it("gives the mail catcher reserved addresses, and refuses it on an existing cluster or beside an SMTP host", () => {
      expect(parseLabConfig({ ...live, alerts: "true", mailCatcher: "true" }, catalog, local).alerts?.email).to.deep.equal({
        kind: "mailCatcher", webPort: 8025, from: "ml-lab@lab.invalid", to: ["class@lab.invalid"],
      });
      const problems = problemsOf({ ...live, alerts: "true", mailCatcher: "true", smtpHost: "mail.example.com", elasticsearchUrl: "https://es.example.com", kibanaUrl: "https://kb.example.com", elasticPassword: "secret-1" });
      expect(problems.map((p) => p.slice(0, p.indexOf(":", 4)))).to.deep.equal(["lab:mailCatcher", "lab:mailCatcher"]);
    });

    it("needs a Kibana and jobs to alert on, and an http(s) webhook", () => {
      const problems = problemsOf({ ...live, alerts: "true", mlJobs: "none", elasticsearchUrl: "https://es.example.com", elasticPassword: "secret-1", alertWebhookUrl: "ftp://x" });
      expect(problems).to.deep.equal([
        'lab:alerts: "true" needs Kibana, whose alerting API makes the rule; set lab:kibanaUrl',
        'lab:alerts: "true" needs ML jobs to watch; unset lab:mlJobs or name some jobs',
        'lab:alertWebhookUrl: "ftp://x" is not allowed; use an http:// or https:// URL without credentials',
      ]);
    });
  });

  describe("Pulumi.yaml", () => {
    const yaml = readFileSync(join(__dirname, "..", "..", "Pulumi.yaml"), "utf8");
    const documented = new Map<string, { description: boolean; default?: string }>();
    let current: string | undefined;
    for (const line of yaml.slice(yaml.indexOf("\nconfig:")).split("\n").slice(2)) {
      const key = /^ {2}([A-Za-z]+):\s*$/.exec(line);
      if (key !== null) {
        current = key[1];
        documented.set(current, { description: false });
        continue;
      }
      if (current === undefined) continue;
      if (/^ {4}description:/.test(line)) documented.get(current)!.description = true;
      const def = /^ {4}default:\s*"?([^"]*)"?\s*$/.exec(line);
      if (def !== null) documented.get(current)!.default = def[1];
    }

    it("documents every key the lab reads, and no other", () => {
      expect([...documented.keys()].sort()).to.deep.equal([...CONFIG_KEYS].sort());
      for (const [key, entry] of documented) expect(entry.description, key).to.equal(true);
    });

    it("gives every key a default, since Pulumi refuses a fresh stack that lacks a key declared without one", () => {
      for (const [key, entry] of documented) expect(entry.default, key).to.not.equal(undefined);
    });

    it("does not declare a secret key, since Pulumi refuses a secret with a plain default", () => {
      expect(yaml).to.not.match(/^ {4}secret: true/m);
    });

    /** A key's one-line description, as Pulumi.yaml states it. */
    const descriptionOf = (key: string) => new RegExp(`^  ${key}:\\n(?: {4}.*\\n)*? {4}description: (.*)$`, "m").exec(yaml)?.[1] ?? "";

    it("names every scenario the generator has in lab:datasetScenario's description", () => {
      for (const name of labCatalog().scenarios) expect(descriptionOf("datasetScenario"), name).to.match(new RegExp(`\\b${name}\\b`));
    });

    it("states the lab's default rates in lab:datasetRate's description", () => {
      const description = descriptionOf("datasetRate");
      expect(description).to.include(`${LAB_DEFAULT_DATASET.meanRatePerSecond}`).and.include(`${LAB_DEFAULT_DATASET.prebuiltMeanRatePerSecond}`);
    });

    it("gives real job names in its lab:mlJobs example", () => {
      const example = /e\.g\. ([a-z_,]+)\)/.exec(yaml.slice(yaml.indexOf("  mlJobs:")))?.[1];
      expect(example).to.be.a("string");
      for (const name of example!.split(",")) expect(labCatalog().jobNames, name).to.include(name);
    });

    it("states the same defaults the code applies", () => {
      for (const [key, entry] of documented) {
        if (entry.default === undefined) continue;
        expect(entry.default, key).to.equal(String(CONFIG_DEFAULTS[key as keyof typeof CONFIG_DEFAULTS]));
      }
      expect(documented.get("elasticVersion")?.default).to.equal(DEFAULT_ELASTIC_VERSION);
    });
  });
});
