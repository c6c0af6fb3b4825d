// Engine overhead benchmark: what the real Pulumi engine adds to writing the dataset. It times
// `pulumi up --yes --skip-preview` of a fresh existing-cluster stack (dataset only: lab:mlJobs none,
// no Kibana) against `lab-generate --es` writing the same dataset into the same cluster, in the same
// run, and reports the ratio. Target: at most 1.15, with the absolute seconds beside it. A second,
// tiny dataset (a few hundred events) shows the engine's fixed cost in seconds, which is what the
// ratio shrinks towards as the dataset grows.
//
// What each side is timed for, as a user waits for it:
//   floor  npx lab-generate --es URL ...: Node and tsx start-up, connection check, template, index,
//          generating and indexing every event, refresh, count check
//   lab    pulumi up: the CLI, the language host running index.ts (config, preflight against the
//          cluster), the dynamic-provider host, the same dataset write, and the state written back
// Both delete their index afterwards; rounds alternate which goes first.
//
// Needs the real toolchain (`bash test/support/pulumi.sh path`, built when missing) and an
// Elasticsearch: ELASTICSEARCH_URL (with ELASTICSEARCH_USERNAME/PASSWORD), or one started here with
// test/support/elasticsearch.sh. Size and repetition: LAB_BENCH_LAB_DAYS (default 7) at
// LAB_BENCH_LAB_RATE events per second (default 5, the generator's default dataset: about 3.1 million
// events), LAB_BENCH_LAB_ROUNDS (3). LAB_BENCH_LAB_PARTS=path runs only the critical path below,
// LAB_BENCH_LAB_PARTS=engine only this part.
//
// Then the critical path of a whole `up`: bench/critical-path.ts.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { basicAuthorization, esTarget, type EsTarget } from "../test/support/es-target";
import { canStartLocalElasticsearch, startElasticsearch, stopElasticsearch } from "../test/support/es-instance";
import { criticalPath } from "./critical-path";
import { median, numberSetting } from "./settings";

const PROJECT_DIR = path.join(__dirname, "..");
const TARGET_RATIO = 1.15;
const BENCH_INSTANCE = "bench-lab";
const COHORT = "bench";
const STACK = "bench-engine";
const END = "2026-11-20T00:00:00Z";
const SEED = 42;
const SCENARIO = "spike";

async function deleteLabIndices(target: EsTarget, prefix: string): Promise<void> {
  for (const path of [`/${prefix}-*`, `/_index_template/${prefix}`]) {
    await fetch(`${target.url}${path}`, { method: "DELETE", headers: { authorization: basicAuthorization(target) }, signal: AbortSignal.timeout(60_000) });
  }
}

async function timed(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<number> {
  const { execa } = await import("execa");
  const started = process.hrtime.bigint();
  const result = await execa(command, args, { cwd: PROJECT_DIR, env, input, reject: false, all: true, timeout: 900_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${result.exitCode}):\n${(result.all ?? "").slice(-3000)}`);
  return seconds;
}

const PARTS = ["engine", "path"];

/** The engine's overhead, then the critical path of a whole `up` (critical-path.ts); LAB_BENCH_LAB_PARTS picks some. */
export async function main(): Promise<void> {
  const parts = (process.env.LAB_BENCH_LAB_PARTS ?? "").split(",").map((part) => part.trim()).filter((part) => part !== "");
  const unknown = parts.filter((part) => !PARTS.includes(part));
  if (unknown.length > 0) throw new Error(`LAB_BENCH_LAB_PARTS=${process.env.LAB_BENCH_LAB_PARTS}: unknown part ${unknown.join(", ")}; choose from ${PARTS.join(", ")}`);
  const chosen = parts.length === 0 ? PARTS : parts;
  if (chosen.includes("engine")) await engineOverhead(Math.round(numberSetting("LAB_BENCH_LAB_ROUNDS", 3)));
  if (chosen.includes("path")) await criticalPath();
}

async function engineOverhead(rounds: number): Promise<void> {
  const days = numberSetting("LAB_BENCH_LAB_DAYS", 7);
  const rate = numberSetting("LAB_BENCH_LAB_RATE", 5);
  const toolchain = execFileSync("bash", [path.join(PROJECT_DIR, "test", "support", "pulumi.sh"), "path"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

  let target = esTarget();
  let started = false;
  if (target === undefined) {
    if (!(await canStartLocalElasticsearch())) throw new Error("no ELASTICSEARCH_URL and no way to start one here (needs Java 17+ and Maven)");
    target = await startElasticsearch(BENCH_INSTANCE);
    started = true;
  }
  const backend = mkdtempSync(path.join(os.tmpdir(), "lab-bench-state-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${toolchain}:${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "1",
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
  };
  delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
  const labPrefix = `lab-${COHORT}-access`;
  const floorPrefix = "lab-benchfloor-access";
  const pulumi = (args: string[], input?: string) => timed("pulumi", [...args, "--non-interactive"], env, input);
  try {
    const version = execFileSync("pulumi", ["version"], { env, encoding: "utf8" }).trim();
    console.log(`pulumi ${version}; Elasticsearch at ${target.url}`);
    await pulumi(["stack", "init", STACK]);
    await pulumi(["config", "set", "--stack", STACK, "--secret", "lab:elasticPassword"], target.password);
    const fixed = { cohort: COHORT, elasticsearchUrl: target.url, elasticsearchUsername: target.username, mlJobs: "none", datasetScenario: SCENARIO, datasetSeed: String(SEED), datasetEnd: END };
    const tiny = await compare({ days: 1, rate: 0.005, rounds });
    const full = await compare({ days, rate, rounds });
    console.log(`fixed cost of the engine (1 day at 0.005/s, a few hundred events): ${(tiny.lab - tiny.floor).toFixed(1)} s (pulumi up ${tiny.lab.toFixed(1)} s, lab-generate ${tiny.floor.toFixed(1)} s)`);
    console.log(`pulumi up (existing cluster, dataset only, ${days} days at ${rate}/s): median ${full.lab.toFixed(1)} s`);
    console.log(`lab-generate --es, same dataset:                median ${full.floor.toFixed(1)} s`);
    const ratio = full.lab / full.floor;
    console.log(`engine overhead: ratio ${ratio.toFixed(2)} (target at most ${TARGET_RATIO}): ${ratio <= TARGET_RATIO ? "met" : "NOT met"}, ${(full.lab - full.floor).toFixed(1)} s added`);

    async function compare(size: { days: number; rate: number; rounds: number }): Promise<{ lab: number; floor: number }> {
      const settings = { ...fixed, datasetDays: String(size.days), datasetRate: String(size.rate) };
      await pulumi(["config", "set-all", "--stack", STACK, ...Object.entries(settings).flatMap(([key, value]) => ["--plaintext", `lab:${key}=${value}`])]);
      console.log(`${size.days} days of "${SCENARIO}" at ${size.rate}/s, ${size.rounds} rounds`);
      const labRun = async () => {
        const seconds = await pulumi(["up", "--yes", "--skip-preview", "--stack", STACK]);
        await pulumi(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
        return seconds;
      };
      const floorRun = async () => {
        const args = ["lab-generate", "--es", target!.url, "--days", String(size.days), "--rate", String(size.rate), "--scenario", SCENARIO, "--seed", String(SEED), "--end", END, "--index-prefix", floorPrefix, "--quiet"];
        const seconds = await timed("npx", args, { ...env, ELASTICSEARCH_USERNAME: target!.username, ELASTICSEARCH_PASSWORD: target!.password });
        await deleteLabIndices(target!, floorPrefix);
        return seconds;
      };

      const lab: number[] = [];
      const floor: number[] = [];
      for (let round = 0; round < size.rounds; round += 1) {
        if (round % 2 === 0) {
          floor.push(await floorRun());
          lab.push(await labRun());
        } else {
          lab.push(await labRun());
          floor.push(await floorRun());
        }
        console.log(`  round ${round + 1}: lab-generate --es ${floor.at(-1)!.toFixed(1)} s, pulumi up ${lab.at(-1)!.toFixed(1)} s`);
      }
      return { lab: median(lab), floor: median(floor) };
    }
  } finally {
    await pulumi(["stack", "rm", "--force", "--yes", "--stack", STACK]).catch(() => undefined);
    rmSync(path.join(PROJECT_DIR, `Pulumi.${STACK}.yaml`), { force: true });
    rmSync(backend, { recursive: true, force: true });
    await deleteLabIndices(target, labPrefix).catch(() => undefined);
    await deleteLabIndices(target, floorPrefix).catch(() => undefined);
    if (started) await stopElasticsearch(BENCH_INSTANCE);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
