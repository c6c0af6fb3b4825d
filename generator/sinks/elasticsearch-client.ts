// Talking to Elasticsearch: a client with bounded waits, a connection check that runs before
// anything is written, and the translation of the client's errors into one-line LabErrors that
// name the URL, the request (method and path), the status and the server's reason.

import type { Client, errors } from "@elastic/elasticsearch";
import { esLibrary } from "./es-library";
import { LabError, UsageError } from "../errors";

export interface ElasticsearchConnection {
  /** http(s)://host:port of one Elasticsearch node */
  url: string;
  username?: string;
  password?: string;
  /** Base64 "id:key" API key, as Elasticsearch returns it in `encoded`; takes precedence over username/password. */
  apiKey?: string;
  /** Bound on every request; default 60 s (a bulk request of a few MB on a busy two-core machine takes a few seconds). */
  requestTimeoutMs?: number;
  /** SHA-256 fingerprint of the CA that signed the server's certificate, for a self-signed https setup. */
  caFingerprint?: string;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Retries of a request that could not connect; timeouts are not retried (the transport's default), so every wait is bounded. */
const CONNECTION_RETRIES = 2;
/** The connection check answers quickly or not at all: a server that cannot answer GET / in 10 s is not one to load millions of documents into. */
const CHECK_TIMEOUT_MS = 10_000;

/** Checks the URL and builds a client whose every request has a bounded timeout and a bounded number of retries. */
export function createClient(connection: ElasticsearchConnection): Client {
  const url = parseElasticsearchUrl(connection.url);
  const timeout = connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new UsageError(`requestTimeoutMs must be a positive number of milliseconds, got ${connection.requestTimeoutMs}`);
  }
  const { Client } = esLibrary();
  return new Client({
    // Without the trailing slash URL.href adds: the client appends the request path, and "//" is a different endpoint.
    node: url.href.replace(/\/+$/, ""),
    auth: authFor(connection),
    requestTimeout: timeout,
    maxRetries: CONNECTION_RETRIES,
    caFingerprint: connection.caFingerprint,
    // The fingerprint is the trust: the client checks it against the issuer of every connection's
    // certificate, but Node refuses a self-signed chain before that check runs unless told not to
    // (the set-up Elastic documents for caFingerprint). Without a fingerprint, Node's checks stay on.
    ...(connection.caFingerprint !== undefined ? { tls: { rejectUnauthorized: false } } : {}),
  });
}

/**
 * Asks the server who it is (GET /) with a short timeout, so that a wrong URL, a stopped server or
 * wrong credentials fail here, before a template or a document is written.
 */
export async function checkConnection(connection: ElasticsearchConnection): Promise<{ version: string }> {
  const client = createClient(connection);
  try {
    return await checkWithClient(client, connection);
  } finally {
    await client.close();
  }
}

export async function checkWithClient(client: Client, connection: ElasticsearchConnection): Promise<{ version: string }> {
  const { errors } = esLibrary();
  const timeout = Math.min(connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, CHECK_TIMEOUT_MS);
  const quick = { requestTimeout: timeout, maxRetries: 1 };
  try {
    const info = await client.info({}, { ...quick, meta: true });
    // A 2xx or 3xx without Elasticsearch's answer: Kibana's port, for one, redirects GET / to its app.
    const version = (info.body as { version?: { number?: unknown } } | undefined)?.version?.number;
    if (typeof version !== "string") throw notElasticsearch(connection, "GET /", info.statusCode);
    return { version };
  } catch (error) {
    if (error instanceof LabError) throw error;
    // Credentials are checked before routing, so a 401 here is final. GET / can still be refused
    // with valid credentials: it needs the `monitor` privilege (403), and the integ-test
    // distribution the test suite runs does not serve it at all (405). Ask the node instead.
    if (error instanceof errors.ResponseError && error.statusCode !== 401 && error.headers?.["x-elastic-product"] !== "Elasticsearch") {
      throw notElasticsearch(connection, "GET /", error.statusCode);
    }
    if (!(error instanceof errors.ResponseError) || ![403, 404, 405].includes(error.statusCode ?? 0)) {
      throw describeConnectionFailure(error, connection, "GET /");
    }
  }
  try {
    const nodes = await client.nodes.info({ node_id: "_local", filter_path: "nodes.*.version" }, quick);
    const version = Object.values(nodes.nodes ?? {})[0]?.version;
    return { version: version ?? "unknown" };
  } catch (error) {
    if (!(error instanceof errors.ResponseError) || error.statusCode !== 403) {
      throw describeConnectionFailure(error, connection, "GET /_nodes/_local");
    }
  }
  // A user allowed only to write the lab's indices still proves valid credentials through _authenticate, which every user may call.
  try {
    await client.security.authenticate({}, quick);
    return { version: "unknown (the user may not read the cluster's version)" };
  } catch (error) {
    throw describeConnectionFailure(error, connection, "GET /_security/_authenticate");
  }
}

/** One line for a failed first contact: unreachable, timed out, not Elasticsearch, or credentials refused. */
export function describeConnectionFailure(error: unknown, connection: ElasticsearchConnection, request: string): LabError {
  const { errors } = esLibrary();
  const where = `Elasticsearch at ${redactUrl(connection.url)}`;
  if (error instanceof errors.ResponseError && error.statusCode === 401) {
    const who = connection.apiKey !== undefined
      ? "the API key"
      : connection.username !== undefined
        ? `the password for user '${connection.username}'`
        : "a request without credentials (security is on: give a username and password or an API key)";
    return new LabError(`${where} refused ${who}: 401 Unauthorized on ${request}; check the credentials`);
  }
  if (error instanceof errors.ResponseError && error.statusCode === 403) {
    return new LabError(`${where} denied ${request}: 403 Forbidden, ${serverReason(error)}; the user lacks a privilege`);
  }
  if (error instanceof errors.TimeoutError) {
    return new LabError(`${where} did not answer ${request} within ${seconds(Math.min(connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, CHECK_TIMEOUT_MS))} s; is the server overloaded or the address wrong?`);
  }
  if (error instanceof errors.ProductNotSupportedError) {
    return notElasticsearch(connection, request, error.meta?.statusCode);
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.NoLivingConnectionsError) {
    const attempts = error.meta?.meta.attempts;
    const tried = attempts === undefined ? "" : ` (${attempts + 1} attempt${attempts === 0 ? "" : "s"})`;
    return new LabError(`cannot reach ${where}: ${request} failed${tried}: ${error.message}${tlsHint(error.message, connection)}`);
  }
  return describeRequestFailure(error, connection, request);
}

/** The URL answers, but not as Elasticsearch: a wrong port (Kibana's 5601, say), a proxy's page, another service. */
function notElasticsearch(connection: ElasticsearchConnection, request: string, status: number | undefined): LabError {
  const answered = status === undefined ? "" : ` with ${status}`;
  return new LabError(`${redactUrl(connection.url)} answered ${request}${answered}, but it is not a supported Elasticsearch (7.14 or newer); is the URL (host, port, http or https) right?`);
}

const UNTRUSTED_CERTIFICATE = /self[- ]signed certificate|unable to verify the first certificate|unable to get local issuer certificate/i;

/**
 * What to do about a certificate this machine does not trust. Elasticsearch's own security set-up
 * signs its HTTP certificate with a CA of its own, so the first https contact fails this way; the
 * client trusts that CA once given its fingerprint.
 */
function tlsHint(message: string, connection: ElasticsearchConnection): string {
  if (!UNTRUSTED_CERTIFICATE.test(message) || connection.caFingerprint !== undefined) return "";
  return "; the server's certificate is signed by a CA this machine does not trust: pass that CA's SHA-256 fingerprint with --ca-fingerprint (e.g. openssl x509 -fingerprint -sha256 -noout -in config/certs/http_ca.crt)";
}

/** One line for a failed request after the connection was established: method, path, status and the server's reason. */
export function describeRequestFailure(error: unknown, connection: ElasticsearchConnection, fallbackRequest: string): LabError {
  const { errors } = esLibrary();
  if (error instanceof LabError || error instanceof UsageError) return error as LabError;
  const request = requestOf(error) ?? fallbackRequest;
  const where = redactUrl(connection.url);
  if (error instanceof errors.ResponseError) {
    return new LabError(`${request} on ${where} failed: ${error.statusCode ?? "no status"} ${serverReason(error)}`);
  }
  if (error instanceof errors.TimeoutError) {
    return new LabError(`${request} on ${where} timed out after ${seconds(connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)} s`);
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.NoLivingConnectionsError) {
    return new LabError(`${request} on ${where} failed: the connection was lost (${error.message}); is the server still running?`);
  }
  if (error instanceof errors.RequestAbortedError) {
    return new LabError(`${request} on ${where} was aborted`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LabError(`${request} on ${where} failed: ${message}`);
}

/** The server's own words: the error type and reason of the first root cause, e.g. "mapper_parsing_exception: failed to parse field [source.ip]". */
export function serverReason(error: InstanceType<typeof errors.ResponseError>): string {
  const body = error.body as { error?: unknown } | string | undefined;
  if (body !== undefined && typeof body === "object" && body.error !== undefined) {
    return describeErrorCause(body.error);
  }
  if (typeof body === "string" && body !== "") return body.slice(0, 300);
  return error.message;
}

/** "type: reason" of an Elasticsearch error cause (as in bulk items and error bodies), with its root cause when it says more. */
export function describeErrorCause(cause: unknown): string {
  if (typeof cause === "string") return cause;
  if (cause === null || typeof cause !== "object") return String(cause);
  const { type, reason, caused_by: causedBy, root_cause: rootCause } = cause as {
    type?: string;
    reason?: string;
    caused_by?: unknown;
    root_cause?: unknown[];
  };
  let text = [type, reason].filter((part) => part !== undefined && part !== null).join(": ");
  const deeper = causedBy ?? rootCause?.[0];
  if (deeper !== undefined && deeper !== null && typeof deeper === "object") {
    const inner = describeErrorCause(deeper);
    if (inner !== "" && !text.includes(inner)) text += ` (caused by ${inner})`;
  }
  return text === "" ? JSON.stringify(cause).slice(0, 300) : text;
}

/** The URL without any user:password part, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.href.replace(/\/$/, "");
  } catch {
    return url;
  }
}

function parseElasticsearchUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`Elasticsearch URL "${url}" is not a URL; expected http(s)://host:port, e.g. http://127.0.0.1:9200`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UsageError(`Elasticsearch URL "${redactUrl(url)}" must use http or https, not ${parsed.protocol.replace(/:$/, "")}`);
  }
  return parsed;
}

function authFor(connection: ElasticsearchConnection): { apiKey: string } | { username: string; password: string } | undefined {
  if (connection.apiKey !== undefined && connection.apiKey !== "") return { apiKey: connection.apiKey };
  if (connection.username !== undefined && connection.username !== "") {
    return { username: connection.username, password: connection.password ?? "" };
  }
  return undefined;
}

function seconds(milliseconds: number): string {
  return String(Number((milliseconds / 1000).toFixed(milliseconds < 10_000 ? 1 : 0)));
}

function requestOf(error: unknown): string | undefined {
  const params = (error as { meta?: { meta?: { request?: { params?: { method?: string; path?: string } } } } })?.meta?.meta?.request?.params;
  if (params?.method === undefined || params.path === undefined) return undefined;
  return `${params.method} ${params.path}`;
}
