// Every shell command in README.md and docs/*.md runs as written, unless it is marked as needing
// what this machine may not have (docs/testing.md, "Commands in the docs"):
//
//   # needs Docker, # needs a lab, # takes minutes   never run here
//   # needs Elasticsearch                            run when ELASTICSEARCH_URL is set (always in CI)
//
// Each page runs in a fresh temporary folder that links to the project's code, so `npx lab-generate`
// and `npx lab-verify` resolve as they do in the project folder and whatever a command writes stays
// out of the checkout. Its commands run one at a time, in page order (a later one may read what an
// earlier one wrote, as a reader's would), each through `bash -o pipefail` with a time limit, and
// each must exit 0.

import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { basicAuthorization, requireEsTarget, type EsTarget } from "../support/es-target";
import { codeBlocks, type CodeBlock, type Command } from "./markdown";

const PROJECT_DIR = join(__dirname, "..", "..");
/** What a command may use from the project; `docs/` is an empty folder of its own, so that writes land in the copy. */
const LINKED = ["package.json", "package-lock.json", "node_modules", "tsconfig.json", "bin", "generator", "verify", "ml-jobs", "lab", "scripts", "index.ts", "Pulumi.yaml"];
const COMMAND_TIMEOUT_MS = 60_000;

const PAGES = ["README.md", ...readdirSync(join(PROJECT_DIR, "docs"))
  .filter((name) => name.endsWith(".md"))
  .sort()
  .map((name) => `docs/${name}`)];

interface Run {
  code: number | null;
  output: string;
  timedOut: boolean;
}

/** Runs one command line in `cwd` through bash, killing its whole process group if it overruns. */
function runCommand(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-o", "pipefail", "-c", command], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
    }, COMMAND_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "lab-docs-"));
  for (const entry of LINKED) symlinkSync(join(PROJECT_DIR, entry), join(dir, entry));
  mkdirSync(join(dir, "docs"));
  return dir;
}

async function esNames(es: EsTarget): Promise<{ indices: Set<string>; templates: Set<string> }> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${es.url}${path}`, { headers: { authorization: basicAuthorization(es) }, signal: AbortSignal.timeout(30_000) });
    expect(response.status, `GET ${path}`).to.equal(200);
    return (await response.json()) as T;
  };
  const indices = await get<{ index: string }[]>("/_cat/indices?format=json&h=index&expand_wildcards=all");
  const templates = await get<{ index_templates: { name: string }[] }>("/_index_template");
  return { indices: new Set(indices.map((row) => row.index)), templates: new Set(templates.index_templates.map((t) => t.name)) };
}

async function esDelete(es: EsTarget, path: string): Promise<void> {
  const response = await fetch(`${es.url}${path}`, { method: "DELETE", headers: { authorization: basicAuthorization(es) }, signal: AbortSignal.timeout(30_000) });
  await response.text();
}

/** One page's blocks, in order, sharing one folder: a later block may read what an earlier one wrote, as a reader's would. */
function describePage(page: string, blocks: CodeBlock[]): void {
  const runnableBlocks = blocks.filter((block) => block.commands.some(isRunnable));
  if (runnableBlocks.length === 0) return;
  // @slow: a process per command, half a minute or more on two cores; `npm run test:unit` leaves
  // these out, `npm test` and CI run them.
  describe(`${page} @slow`, function () {
    let cwd: string;
    before(() => {
      cwd = projectCopy();
    });
    after(() => {
      if (cwd !== undefined) rmSync(cwd, { recursive: true, force: true });
    });
    for (const block of runnableBlocks) describeBlock(page, block, () => cwd);
  });
}

function isRunnable(command: Command): boolean {
  return command.marker === undefined || command.marker === "Elasticsearch";
}

function describeBlock(page: string, block: CodeBlock, folder: () => string): void {
  const runnable = block.commands.filter(isRunnable);
  const needsElasticsearch = runnable.some((command) => command.marker === "Elasticsearch");
  describe(`the ${block.language} block at line ${block.line}${needsElasticsearch ? " (against a real Elasticsearch)" : ""}`, function () {
    this.timeout(COMMAND_TIMEOUT_MS + 30_000);
    let es: EsTarget | undefined;
    let namesBefore: Awaited<ReturnType<typeof esNames>> | undefined;

    before(async function () {
      if (!needsElasticsearch) return;
      es = requireEsTarget(this);
      namesBefore = await esNames(es);
    });

    after(async () => {
      if (es === undefined || namesBefore === undefined) return;
      // Leave the server as the block found it: what the commands made goes again.
      const now = await esNames(es);
      for (const index of now.indices) if (!namesBefore.indices.has(index)) await esDelete(es, `/${encodeURIComponent(index)}`);
      for (const template of now.templates) if (!namesBefore.templates.has(template)) await esDelete(es, `/_index_template/${encodeURIComponent(template)}`);
    });

    for (const command of runnable) {
      it(`runs line ${command.line} as written: ${command.text}`, async () => {
        const result = await runCommand(command.text, folder(), { ...process.env, NO_COLOR: "1" });
        expect(result.timedOut, `${page}:${command.line} still running after ${COMMAND_TIMEOUT_MS / 1000} s:\n${result.output}`).to.equal(false);
        expect(result.code, `${page}:${command.line} exited ${result.code}:\n${result.output}`).to.equal(0);
      });
    }
  });
}

describe("the commands in README.md and docs/*.md", () => {
  const pages = PAGES.map((page) => ({ page, blocks: codeBlocks(readFileSync(join(PROJECT_DIR, page), "utf8")) }));

  it("finds the pages and their shell blocks", () => {
    expect(PAGES).to.include.members(["README.md", "docs/lab.md", "docs/generator.md", "docs/ml-jobs-and-verify.md", "docs/testing.md", "docs/performance.md", "docs/architecture.md"]);
    const commands = pages.flatMap(({ blocks }) => blocks.flatMap((block) => block.commands));
    expect(commands.filter((command) => command.marker === undefined)).to.not.be.empty;
  });

  it("names a language on every code block, so that no shell block escapes this test", () => {
    const unnamed = pages.flatMap(({ page, blocks }) => blocks.filter((block) => block.language === "").map((block) => `${page}:${block.line}`));
    expect(unnamed, "blocks without a language (use sh for commands, text for output)").to.deep.equal([]);
  });

  it("knows every marker: an unknown `# needs ...` would leave its command untested", () => {
    const unknown = pages.flatMap(({ page, blocks }) => blocks.flatMap((block) => block.unknownMarkers.map((m) => `${page}:${m.line}: ${m.text}`)));
    expect(unknown).to.deep.equal([]);
  });

  for (const { page, blocks } of pages) describePage(page, blocks);
});
