// End to end, on a real Docker engine with the real pulumi CLI: `pulumi up` through the Automation
// API on a throw-away local backend, then Kibana serves the data view, an ML job scored the injected
// spike at 75 or more, and after `pulumi destroy` no container, network or volume of the cohort is
// left. Then live mode (lab:live, lab:alerts, scenario live): the traffic container follows on, a
// second up changes nothing, a stopped container is started again by up --refresh without duplicating
// data, and the live spike planted 10-20 minutes after the lab comes up is found by ML and alerted on
// (`lab-verify verify --live`). Opt in with LAB_E2E=1 (it pulls two images and needs about 6 GB of
// memory for ~15 minutes, ~45 with the live phase); otherwise, or without Docker or pulumi, it skips
// with one line saying why.

import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { Client } from "@elastic/elasticsearch";
import { LIVE_QUERY_DELAY } from "../../lab/live-datafeed";
import type { InjectedAnomaly } from "../../generator/types";
import { checkTools, missingToolMessages } from "../../lab/automation";
import { kibanaRequest } from "../../lab/http";

const PROJECT_DIR = join(__dirname, "..", "..");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function docker(args: string[]): Promise<string> {
  const { execa } = await import("execa");
  return (await execa("docker", args, { timeout: 30_000 })).stdout.trim();
}

describe("lab end to end (LAB_E2E=1, Docker, pulumi)", function () {
  this.timeout(90 * 60_000);
  const cohort = `e2e-${process.pid % 100000}`;
  let stack: Stack | undefined;

  before(async function () {
    if (process.env.LAB_E2E !== "1") {
      console.log("    (skipped: set LAB_E2E=1 to run the end-to-end lab on Docker)");
      this.skip();
    }
    const missing = missingToolMessages(await checkTools(process.env));
    if (missing.length > 0) {
      console.log(`    (skipped: ${missing[0]})`);
      this.skip();
    }
    const backend = mkdtempSync(join(tmpdir(), "lab-e2e-state-"));
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: cohort, workDir: PROJECT_DIR },
      { envVars: { PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "lab-e2e" } },
    );
    await stack.setAllConfig({
      "lab:cohort": { value: cohort },
      "lab:elasticsearchPort": { value: String(await freePort()) },
      "lab:kibanaPort": { value: String(await freePort()) },
      "lab:datasetScenario": { value: "spike" },
      "lab:datasetDays": { value: "7" },
      "lab:waitForDatafeeds": { value: "true" },
    });
  });

  after(async () => {
    if (stack === undefined) return;
    // Whatever happened above, leave nothing running.
    await stack.destroy({ onOutput: () => undefined }).catch(() => undefined);
    await stack.workspace.removeStack(stack.name).catch(() => undefined);
  });

  it("brings up the lab, finds the spike with ML, and destroys every trace of the cohort", async () => {
    const up = await stack!.up({ onOutput: (text) => process.stdout.write(text) });
    const out = (key: string) => up.outputs[key]?.value as unknown;
    expect(up.outputs.password.secret, "the password output is a secret").to.equal(true);
    const password = String(out("password"));
    const kibanaUrl = String(out("kibanaUrl"));
    const index = String(out("index"));

    // Kibana serves the data view, over the dataset's index, as the default.
    const kibana = { url: kibanaUrl, username: "elastic", password };
    const view = await kibanaRequest<{ data_view: { title: string; timeFieldName: string } }>(kibana, "GET", `/api/data_views/data_view/${String(out("dataViewId"))}`);
    expect(view.body.data_view).to.include({ title: index, timeFieldName: "@timestamp" });
    const defaultView = await kibanaRequest<{ data_view_id: string }>(kibana, "GET", "/api/data_views/default");
    expect(defaultView.body.data_view_id).to.equal(out("dataViewId"));

    // An ML job scored the injected spike at 75 or more, inside its window (allowing one bucket before).
    const spike = (out("anomalyWindows") as InjectedAnomaly[]).find((w) => w.kind === "spike");
    expect(spike, "the spike scenario injects a spike").to.not.equal(undefined);
    const es = new Client({ node: String(out("elasticsearchUrl")), auth: { username: "elastic", password } });
    try {
      const jobs = out("jobs") as Record<string, { jobId: string }>;
      const windowStart = new Date(spike!.start).getTime() - 60 * 60_000;
      let best = 0;
      for (const { jobId } of Object.values(jobs)) {
        const records = await es.ml.getRecords({ job_id: jobId, record_score: 75, start: new Date(windowStart).toISOString(), end: spike!.end, sort: "record_score", desc: true });
        for (const record of records.records) best = Math.max(best, record.record_score);
      }
      expect(best, "highest record score inside the spike window").to.be.at.least(75);
    } finally {
      await es.close();
    }

    // A second up changes nothing: every container field is declared as Docker reads it back.
    await stack!.preview({ expectNoChanges: true, onOutput: (text) => process.stdout.write(text) });

    // A container removed by hand comes back with up --refresh, with its data kept on the volume.
    const countOf = async (): Promise<number> => {
      const client = new Client({ node: String(out("elasticsearchUrl")), auth: { username: "elastic", password } });
      try {
        return (await client.count({ index })).count;
      } finally {
        await client.close();
      }
    };
    const countBefore = await countOf();
    await docker(["rm", "-f", `lab-${cohort}-elasticsearch`]);
    await stack!.up({ refresh: true, onOutput: (text) => process.stdout.write(text) });
    expect(await countOf(), "documents after the repair").to.equal(countBefore);

    // Destroy leaves no container, network or volume of the cohort.
    await stack!.destroy({ onOutput: (text) => process.stdout.write(text) });
    const label = `label=lab.cohort=${cohort}`;
    expect(await docker(["ps", "-a", "-q", "--filter", label])).to.equal("");
    expect(await docker(["network", "ls", "-q", "--filter", label])).to.equal("");
    expect(await docker(["volume", "ls", "-q", "--filter", label])).to.equal("");
  });

  it("live mode: the traffic container follows on, restarts without duplicates, and the live spike is found and alerted on", async () => {
    await stack!.setAllConfig({
      "lab:live": { value: "true" },
      "lab:alerts": { value: "true" },
      "lab:datasetScenario": { value: "live" },
      // The spike 5 minutes after the backfill ends, so the alert comes within the test's wait.
      "lab:liveAnomaly": { value: "spike,start=+5m,minutes=30" },
      "lab:datasetDays": { value: "2" },
    });
    const up = await stack!.up({ onOutput: (text) => process.stdout.write(text) });
    const out = (key: string) => up.outputs[key]?.value as unknown;
    const password = String(out("password"));
    const index = String(out("index"));
    const traffic = `lab-${cohort}-traffic`;
    expect(await docker(["inspect", "-f", "{{.State.Running}} {{.HostConfig.ReadonlyRootfs}} {{.Config.User}}", traffic])).to.equal("true true node");
    expect(up.outputs.liveTruth.secret, "the live truth is a secret").to.equal(true);
    const nextAt = Date.parse(String(out("nextLiveAnomalyAt")));
    expect(nextAt, "the live spike comes 5 minutes after the backfill ends").to.equal(Date.parse((out("timeRange") as { to: string }).to) + 5 * 60_000);

    // A second up changes nothing, the traffic container and the image included.
    await stack!.preview({ expectNoChanges: true, onOutput: (text) => process.stdout.write(text) });

    // A stopped traffic container is started again by up --refresh, and resumes without duplicates:
    // every document id is unique, so the count equals the number of distinct ids.
    const es = new Client({ node: String(out("elasticsearchUrl")), auth: { username: "elastic", password } });
    try {
      await docker(["stop", traffic]);
      await stack!.up({ refresh: true, onOutput: (text) => process.stdout.write(text) });
      expect(await docker(["inspect", "-f", "{{.State.Running}}", traffic])).to.equal("true");
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      await es.indices.refresh({ index });
      const { count } = await es.count({ index });
      const ids = await es.search({ index, size: 0, aggs: { ids: { cardinality: { field: "_id", precision_threshold: 40_000 } } } }).catch(() => undefined);
      const distinct = (ids?.aggregations?.ids as { value?: number } | undefined)?.value;
      if (distinct !== undefined && count <= 40_000) expect(distinct, "distinct ids after the restart").to.equal(count);

      // Wait until the spike's bucket has closed and been searched, then ask lab-verify for the ML
      // record and the alert document in lab-<cohort>-alerts.
      const bucketMs = 15 * 60_000;
      const readyAt = Math.ceil((nextAt + 30 * 60_000) / bucketMs) * bucketMs + parseGoSeconds(LIVE_QUERY_DELAY) * 1000 + 3 * 60_000;
      const { execa } = await import("execa");
      let verdict: { exitCode?: number; stdout: string } = { stdout: "" };
      while (Date.now() < readyAt + 15 * 60_000) {
        await new Promise((resolve) => setTimeout(resolve, Date.now() < readyAt ? Math.min(60_000, Math.max(1_000, readyAt - Date.now())) : 60_000));
        if (Date.now() < readyAt) continue;
        verdict = await execa(process.execPath, [join(PROJECT_DIR, "bin", "lab-verify.js"), "verify", "--live", "--json", "--es", String(out("elasticsearchUrl")), "--index", index, "--job-prefix", `lab-${cohort}-`], {
          env: { ELASTICSEARCH_USERNAME: "elastic", ELASTICSEARCH_PASSWORD: password },
          reject: false,
          timeout: 120_000,
        });
        if (verdict.exitCode === 0) break;
      }
      expect(verdict.exitCode, `lab-verify verify --live: ${verdict.stdout}`).to.equal(0);
      const alerts = await es.count({ index: `lab-${cohort}-alerts` });
      expect(alerts.count, `alert documents in lab-${cohort}-alerts`).to.be.greaterThan(0);
    } finally {
      await es.close();
    }

    // Destroy stops the generator (SIGTERM, a final flush) and removes its container.
    await stack!.destroy({ onOutput: (text) => process.stdout.write(text) });
    expect(await docker(["ps", "-a", "-q", "--filter", `label=lab.cohort=${cohort}`])).to.equal("");
  });
});

/** Seconds of a simple duration such as "90s". */
function parseGoSeconds(duration: string): number {
  return Number(/^(\d+)s$/.exec(duration)?.[1] ?? 0);
}
