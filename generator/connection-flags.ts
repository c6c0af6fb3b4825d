// The Elasticsearch connection flags that lab-generate and lab-verify share, defined and read in
// one place, so that both tools reach a server the same way: each flag first, then its environment
// variable. A password without a user is for `elastic`, the built-in superuser that a fresh
// Elasticsearch prints the password of and that the lab itself uses.

import type { Command } from "commander";
import { DEFAULT_REQUEST_TIMEOUT_MS, redactUrl, type ElasticsearchConnection } from "./sinks/elasticsearch-client";

export interface ConnectionFlags {
  esUser?: string;
  esPassword?: string;
  esApiKey?: string;
  esTimeout?: string;
  caFingerprint?: string;
}

export const DEFAULT_USERNAME = "elastic";
const MAX_TIMEOUT_SECONDS = 3600;

/** The flags and the option keys Commander gives them, for messages such as "--es-user applies to --es only". */
export const CONNECTION_FLAGS: ReadonlyArray<readonly [flag: string, key: keyof ConnectionFlags]> = [
  ["--es-user", "esUser"],
  ["--es-password", "esPassword"],
  ["--es-api-key", "esApiKey"],
  ["--es-timeout", "esTimeout"],
  ["--ca-fingerprint", "caFingerprint"],
];

/** Adds --es-user, --es-password, --es-api-key, --es-timeout and --ca-fingerprint; the caller adds its own --es. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option("--es-user <name>", `Elasticsearch user (env ELASTICSEARCH_USERNAME; ${DEFAULT_USERNAME} when only a password is given)`)
    .option("--es-password <password>", "Elasticsearch password (env ELASTICSEARCH_PASSWORD)")
    .option("--es-api-key <key>", "Elasticsearch API key, base64 id:key (env ELASTICSEARCH_API_KEY); replaces user and password")
    .option("--es-timeout <seconds>", `bound on each Elasticsearch request (default: ${DEFAULT_REQUEST_TIMEOUT_MS / 1000})`)
    .option("--ca-fingerprint <sha256>", "SHA-256 fingerprint of the CA of an https Elasticsearch with a self-signed certificate");
}

/** The text after the flags' own lines in --help: where credentials come from. */
export const CREDENTIALS_HELP = `Credentials come from --es-user/--es-password or --es-api-key, else from the environment:
  ELASTICSEARCH_USERNAME, ELASTICSEARCH_PASSWORD, ELASTICSEARCH_API_KEY (prefer the environment:
  flags show in the process list).`;

/**
 * Checks the URL and reads the connection flags, falling back on the environment. Problems are
 * added to `problems`, each naming the flag, the value and what is allowed; the connection is only
 * usable when none were added.
 */
export function parseConnection(url: string, flags: ConnectionFlags, env: NodeJS.ProcessEnv, problems: string[]): ElasticsearchConnection {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") problems.push(`--es ${JSON.stringify(redactUrl(url))} must use http or https`);
  } catch {
    problems.push(`--es ${JSON.stringify(url)} is not a URL; expected http(s)://host:port, e.g. http://127.0.0.1:9200`);
  }
  // An empty variable is as good as an unset one: `export ELASTICSEARCH_API_KEY=` must not win over a password.
  const nonEmpty = (value: string | undefined) => (value === undefined || value === "" ? undefined : value);
  const apiKey = nonEmpty(flags.esApiKey) ?? nonEmpty(env.ELASTICSEARCH_API_KEY);
  const password = flags.esPassword ?? env.ELASTICSEARCH_PASSWORD;
  const username = nonEmpty(flags.esUser) ?? nonEmpty(env.ELASTICSEARCH_USERNAME) ?? (password === undefined ? undefined : DEFAULT_USERNAME);
  let timeoutMs: number | undefined;
  if (flags.esTimeout !== undefined) {
    const seconds = flags.esTimeout.trim() === "" ? Number.NaN : Number(flags.esTimeout);
    if (!Number.isFinite(seconds)) problems.push(`--es-timeout ${JSON.stringify(flags.esTimeout)} is not a number`);
    else if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) problems.push(`--es-timeout ${flags.esTimeout} is not allowed; allowed: seconds > 0 and <= ${MAX_TIMEOUT_SECONDS}`);
    else timeoutMs = Math.round(seconds * 1000);
  }
  return {
    url,
    ...(apiKey !== undefined ? { apiKey } : username !== undefined ? { username, password: password ?? "" } : {}),
    ...(timeoutMs !== undefined ? { requestTimeoutMs: timeoutMs } : {}),
    ...(flags.caFingerprint !== undefined ? { caFingerprint: flags.caFingerprint } : {}),
  };
}
