// What `npm run up` and `npm run down` need besides Pulumi itself: the stack name from the command
// line, the embedded local state backend, the passphrase for that backend's secrets, and a check
// that the pulumi CLI and a Docker engine are there, with one line saying what to install if not.
//
// The Automation API (LocalWorkspace) drives the pulumi CLI; it does not replace it:
// https://www.pulumi.com/docs/iac/packages-and-automation/automation-api/

import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../generator/errors";

export const DEFAULT_STACK = "dev";
export const STATE_DIR = ".lab-state";

/** `npm run up [-- <stack>]`: one optional stack name, default "dev" (or LAB_STACK). */
export function stackNameFrom(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const args = argv.filter((arg) => arg !== "--");
  if (args.length > 1) throw new UsageError(`expected at most one argument, the stack name; got ${args.map((a) => `"${a}"`).join(" ")}`);
  const name = args[0] ?? env.LAB_STACK ?? DEFAULT_STACK;
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
    throw new UsageError(`stack name "${name}" is not allowed; use letters, digits, "-", "_" and "." (e.g. cohort-a)`);
  }
  return name;
}

/**
 * The environment for Pulumi: state in <project>/.lab-state (unless PULUMI_BACKEND_URL says otherwise),
 * and a passphrase for the secrets in it. When neither PULUMI_CONFIG_PASSPHRASE nor
 * PULUMI_CONFIG_PASSPHRASE_FILE is set, a random passphrase is kept in .lab-state/passphrase (mode 600),
 * next to the state it protects: it keeps secrets out of the stack files in Git, not from whoever can
 * read the state folder. Returns the variables to add and, when one was created, a note for the user.
 */
export function pulumiEnvironment(projectDir: string, env: NodeJS.ProcessEnv): { vars: Record<string, string>; note?: string } {
  const vars: Record<string, string> = {};
  const stateDir = join(projectDir, STATE_DIR);
  if (env.PULUMI_BACKEND_URL === undefined || env.PULUMI_BACKEND_URL === "") {
    mkdirSync(stateDir, { recursive: true });
    vars.PULUMI_BACKEND_URL = `file://${stateDir}`;
  }
  const hasPassphrase = (env.PULUMI_CONFIG_PASSPHRASE ?? "") !== "" || (env.PULUMI_CONFIG_PASSPHRASE_FILE ?? "") !== "";
  if (hasPassphrase) return { vars };
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, "passphrase");
  let note: string | undefined;
  if (!existsSync(file) || readFileSync(file, "utf8").trim() === "") {
    writeFileSync(file, `${randomBytes(24).toString("base64url")}\n`, { mode: 0o600 });
    note = `created ${join(STATE_DIR, "passphrase")}, the passphrase for this project's secrets; keep it with ${STATE_DIR}/ (plain pulumi: export PULUMI_CONFIG_PASSPHRASE_FILE=${file})`;
  }
  chmodSync(file, 0o600);
  vars.PULUMI_CONFIG_PASSPHRASE_FILE = file;
  return { vars, note };
}

export interface ToolCheck {
  tool: "pulumi" | "docker";
  ok: boolean;
  /** What the failed command said */
  detail?: string;
}

/** One line per missing tool, saying what is missing and how to get it. Empty when all is there. */
export function missingToolMessages(checks: readonly ToolCheck[]): string[] {
  return checks
    .filter((check) => !check.ok)
    .map((check) =>
      check.tool === "pulumi"
        ? `The pulumi CLI is missing${check.detail ? ` (${check.detail})` : ""}: install it with \`curl -fsSL https://get.pulumi.com | sh\` or \`brew install pulumi/tap/pulumi\` (https://www.pulumi.com/docs/install/), then run this again.`
        : `No Docker engine answers${check.detail ? ` (${check.detail})` : ""}: install and start Docker Desktop or Docker Engine (https://docs.docker.com/get-docker/), or set lab:dockerHost and LAB_SKIP_DOCKER_CHECK=1 for a remote engine.`,
    );
}

/**
 * Runs `pulumi version` and `docker info` (each unless `which` leaves it out; docker also unless
 * LAB_SKIP_DOCKER_CHECK=1), each bounded, and reports what answered.
 */
export async function checkTools(env: NodeJS.ProcessEnv, which: { pulumi: boolean; docker: boolean } = { pulumi: true, docker: true }): Promise<ToolCheck[]> {
  const { execa } = await import("execa");
  const probe = async (tool: ToolCheck["tool"], args: string[]): Promise<ToolCheck> => {
    try {
      await execa(tool, args, { timeout: 20_000, env, stdin: "ignore" });
      return { tool, ok: true };
    } catch (error) {
      const e = error as { code?: string; timedOut?: boolean; stderr?: string; shortMessage?: string };
      const detail = e.code === "ENOENT" ? `\`${tool}\` not found on PATH` : e.timedOut ? `\`${tool} ${args[0]}\` did not answer in 20 s` : (e.stderr ?? e.shortMessage ?? "").trim().split("\n").at(-1);
      return { tool, ok: false, detail };
    }
  };
  const checks: Promise<ToolCheck>[] = [];
  if (which.pulumi) checks.push(probe("pulumi", ["version"]));
  if (which.docker && env.LAB_SKIP_DOCKER_CHECK !== "1") checks.push(probe("docker", ["info", "--format", "{{.ServerVersion}}"]));
  return Promise.all(checks);
}

export interface LabCommand {
  stackName: string;
  /** The stack, created (npm run up) or selected, with the Pulumi environment below */
  stack: Stack;
  /** The stack names an existing cluster (lab:elasticsearchUrl): no Docker, servers outside the stack */
  existingCluster: boolean;
  vars: Record<string, string>;
  note?: string;
}

/**
 * The common start of `npm run up` and `npm run down`: the stack name and the Pulumi environment,
 * or undefined after saying on one line which tools are missing (the caller exits 1). The stack's
 * settings decide whether a Docker engine is needed: not for a lab on an existing cluster.
 */
export async function prepareLabCommand(
  projectDir: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  { createStack }: { createStack: boolean } = { createStack: true },
): Promise<LabCommand | undefined> {
  const stackName = stackNameFrom(argv, env);
  const pulumiEnv = pulumiEnvironment(projectDir, env);
  const missing = missingToolMessages(await checkTools(env, { pulumi: true, docker: false }));
  if (missing.length > 0) {
    console.error(missing.join(" Also: "));
    return undefined;
  }
  const where = { stackName, workDir: projectDir };
  const stack = createStack ? await LocalWorkspace.createOrSelectStack(where, { envVars: pulumiEnv.vars }) : await LocalWorkspace.selectStack(where, { envVars: pulumiEnv.vars });
  const existingCluster = usesExistingCluster(await stack.getAllConfig());
  const noDocker = existingCluster ? [] : missingToolMessages(await checkTools(env, { pulumi: false, docker: true }));
  if (noDocker.length > 0) {
    console.error(noDocker.join(" Also: "));
    return undefined;
  }
  return { stackName, stack, existingCluster, ...pulumiEnv };
}

/** Whether a stack's settings (as the Automation API returns them) name an existing cluster. */
export function usesExistingCluster(config: Readonly<Record<string, { value: string }>>): boolean {
  return (config["lab:elasticsearchUrl"]?.value ?? "").trim() !== "";
}

/** The first error Pulumi reported for a resource, as one line naming it, from the engine's events. */
export interface FirstError {
  resource: string;
  message: string;
}

/**
 * Keeps the first error diagnostic of a run: `npm run up` ends with it, since Pulumi's own summary
 * line ("3 errored") names no cause. Diagnostics about the stack itself are kept only when no
 * resource reported one.
 */
export function firstErrorRecorder(): { onEvent(event: { diagnosticEvent?: { severity: string; message: string; urn?: string } }): void; first(): FirstError | undefined } {
  let first: FirstError | undefined;
  let stackLevel: FirstError | undefined;
  return {
    onEvent(event) {
      const diagnostic = event.diagnosticEvent;
      if (diagnostic === undefined || diagnostic.severity !== "error") return;
      // One line: a configuration error lists its problems on lines of their own.
      const lines = diagnostic.message.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !/^error: (update|preview|refresh|destroy) failed$/.test(line));
      const joined = lines.join(" ");
      const message = joined.length > 500 ? `${joined.slice(0, 497)}...` : joined;
      const urn = diagnostic.urn ?? "";
      const resource = urn === "" ? "the stack" : `${urn.split("::").at(-1)} (${urn.split("::").at(-2)?.split("$").at(-1)})`;
      if (urn === "" || urn.includes("::pulumi:pulumi:Stack::")) stackLevel ??= { resource: "the stack", message };
      else first ??= { resource, message };
    },
    first: () => first ?? stackLevel,
  };
}

/** The last few non-empty lines of a failure from the pulumi CLI, joined into one line: Pulumi has already streamed the rest. */
export function lastLinesOf(message: string, count = 3): string {
  return message.split("\n").filter((line) => line.trim() !== "").slice(-count).join(" | ");
}
