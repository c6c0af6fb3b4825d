// Driving test/support/elasticsearch.sh from TypeScript: for tests that need a server of their own
// (the outage test stops and freezes one) and for the ingest benchmark when no ELASTICSEARCH_URL is set.

import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { EsTarget } from "./es-target";

export const ELASTICSEARCH_SCRIPT = path.join(__dirname, "elasticsearch.sh");
const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Start-up takes 15–40 s on the two-core test machine; the script's own health wait is 180 s. */
const START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 90_000;

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runElasticsearchScript(command: string, instance: string, timeoutMs = 30_000, args: string[] = []): Promise<ScriptRun> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [ELASTICSEARCH_SCRIPT, command, ...args],
      { env: { ...process.env, ES_INSTANCE: instance }, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** True when this machine can start a local server (Java 17+, and the zip cached or Maven to fetch it). */
export async function canStartLocalElasticsearch(): Promise<boolean> {
  return (await runElasticsearchScript("check", "default")).code === 0;
}

function parseEnvFile(text: string, file: string): EsTarget {
  const values = new Map<string, string>();
  for (const match of text.matchAll(/^export (\w+)='([^']*)'$/gm)) values.set(match[1], match[2]);
  const url = values.get("ELASTICSEARCH_URL");
  if (url === undefined) throw new Error(`${file} has no ELASTICSEARCH_URL`);
  return { url, username: values.get("ELASTICSEARCH_USERNAME") ?? "elastic", password: values.get("ELASTICSEARCH_PASSWORD") ?? "" };
}

/** Starts (or reuses) instance `name` and returns how to reach it. Throws with the script's output when it cannot. */
export async function startElasticsearch(name: string): Promise<EsTarget> {
  const run = await runElasticsearchScript("start", name, START_TIMEOUT_MS);
  if (run.code !== 0) {
    throw new Error(`could not start Elasticsearch instance '${name}' (exit ${run.code}):\n${run.stderr.trim()}`);
  }
  const envFile = run.stdout.trim().split("\n").pop() ?? "";
  return parseEnvFile(await readFile(envFile, "utf8"), envFile);
}

/** Stops instance `name` and waits until its processes are gone; stopping a stopped instance is fine. */
export async function stopElasticsearch(name: string): Promise<void> {
  const run = await runElasticsearchScript("stop", name, STOP_TIMEOUT_MS);
  if (run.code !== 0) throw new Error(`could not stop Elasticsearch instance '${name}' (exit ${run.code}):\n${run.stderr.trim()}`);
}

/** The process group of a running instance: signalling it reaches the launcher and the server JVM. */
export async function elasticsearchProcessGroup(name: string): Promise<number> {
  const text = await readFile(path.join(PROJECT_DIR, ".es", "instances", name, "pgid"), "utf8");
  const pgid = Number.parseInt(text.trim(), 10);
  if (!Number.isSafeInteger(pgid) || pgid <= 1) throw new Error(`instance '${name}' has no valid process group id (${text.trim()})`);
  return pgid;
}

/**
 * Adds a file-realm user with built-in roles (e.g. ["viewer"]) to the running script-managed instance
 * and returns its password. The instance is the one whose env file set LAB_ES_INSTANCE, or `instance`.
 * Returns undefined when the server is not one of the script's (e.g. a Docker Elasticsearch).
 */
export async function addFileRealmUser(name: string, roles: string[], instance = process.env.LAB_ES_INSTANCE): Promise<string | undefined> {
  if (instance === undefined || instance === "") return undefined;
  const run = await runElasticsearchScript("add-user", instance, 60_000, [name, roles.join(",")]);
  if (run.code !== 0) throw new Error(`could not add user '${name}' to instance '${instance}' (exit ${run.code}):\n${run.stderr.trim()}`);
  return run.stdout.trim().split("\n").pop();
}
