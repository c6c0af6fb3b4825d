// The lab's two ways of talking to the stack, and the errors they raise.
// - Elasticsearch: the official client. Its ResponseError is turned into an HttpError that names
//   method, path, status and Elasticsearch's own reason.
// - Kibana: plain `fetch` against Kibana's HTTP API (it has no official Node client), with the
//   `kbn-xsrf` header every non-GET Kibana API call needs.
// Both are bounded: a request timeout per call, and `retryUntil` for waits with a deadline.

import { Client, errors } from "@elastic/elasticsearch";
import { LabError } from "../generator/errors";

/**
 * How a dynamic provider logs in. Every provider's inputs carry these fields, so that one cluster's
 * settings (lab:elasticsearchApiKey, lab:elasticsearchCaFingerprint) reach every call.
 */
export interface Credentials {
  username: string;
  password: string;
  /** Base64 "id:key"; when set it is used instead of username and password */
  apiKey?: string;
  /** SHA-256 fingerprint of the CA of a self-signed https Elasticsearch */
  caFingerprint?: string;
}

export interface Endpoint extends Credentials {
  url: string;
  /** Per request; default 30 s */
  requestTimeoutMs?: number;
}

/** An endpoint at `url` with a provider's credentials. */
export function endpointAt(url: string, credentials: Credentials, requestTimeoutMs?: number): Endpoint {
  return { url, username: credentials.username, password: credentials.password, apiKey: credentials.apiKey, caFingerprint: credentials.caFingerprint, requestTimeoutMs };
}

function hasApiKey(credentials: Credentials): credentials is Credentials & { apiKey: string } {
  return credentials.apiKey !== undefined && credentials.apiKey !== "";
}

/** The Authorization header value for Kibana's API. */
export function authorizationHeader(credentials: Credentials): string {
  return hasApiKey(credentials) ? `ApiKey ${credentials.apiKey}` : `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/** A refused or failed HTTP call: says which request, what came back and the server's reason. */
export class HttpError extends LabError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly reason: string,
  ) {
    super(`${method} ${path} ${status === undefined ? "failed" : `returned ${status}`}: ${reason}`);
  }
}

export function createElasticsearchClient(endpoint: Endpoint): Client {
  return new Client({
    node: endpoint.url,
    auth: hasApiKey(endpoint) ? { apiKey: endpoint.apiKey } : { username: endpoint.username, password: endpoint.password },
    caFingerprint: endpoint.caFingerprint === undefined || endpoint.caFingerprint === "" ? undefined : endpoint.caFingerprint,
    requestTimeout: endpoint.requestTimeoutMs ?? 30_000,
    // Retries are the callers' business (retryUntil, with a deadline and a message).
    maxRetries: 0,
  });
}

/** Elasticsearch's reason for a failure, from the error body (`error.reason`, its root cause) or the transport. */
export function elasticsearchReason(body: unknown): string | undefined {
  if (typeof body === "string") return body === "" ? undefined : body.slice(0, 500);
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  const message = (body as { message?: unknown }).message;
  // Kibana: { statusCode, error: "Bad Request", message: "the reason" }
  if (typeof error === "string") return typeof message === "string" && message !== "" ? message : error;
  if (typeof error === "object" && error !== null) {
    const e = error as { type?: string; reason?: string; root_cause?: { type?: string; reason?: string }[] };
    const root = e.root_cause?.[0];
    const reason = e.reason ?? root?.reason;
    const type = e.type ?? root?.type;
    if (reason !== undefined) return type === undefined ? reason : `${type}: ${reason}`;
    if (type !== undefined) return type;
  }
  return typeof message === "string" ? message : undefined;
}

/**
 * Wraps what the Elasticsearch client threw into an HttpError naming the request. `request` is the
 * caller's own description, used when the error carries none (connection refused, timeout).
 */
export function elasticsearchError(error: unknown, request: { method: string; path: string }): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof errors.ResponseError) {
    const params = error.meta.meta?.request?.params;
    return new HttpError(
      params?.method ?? request.method,
      params?.path ?? request.path,
      error.statusCode,
      elasticsearchReason(error.body) ?? error.message,
    );
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.TimeoutError || error instanceof errors.NoLivingConnectionsError) {
    return new HttpError(request.method, request.path, undefined, `${error.name}: ${error.message}`);
  }
  return new HttpError(request.method, request.path, undefined, error instanceof Error ? error.message : String(error));
}

/** Runs one Elasticsearch call; failures come back as HttpError with `request` as the fallback description. */
export async function esCall<T>(request: { method: string; path: string }, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw elasticsearchError(error, request);
  }
}

/** The HTTP status of an HttpError, for callers that tolerate some (404 on delete). */
export function statusOf(error: unknown): number | undefined {
  return error instanceof HttpError ? error.status : undefined;
}

export interface KibanaResponse<T = unknown> {
  status: number;
  body: T;
}

/**
 * One call to Kibana's HTTP API. Non-2xx statuses throw HttpError, except those in `accept`,
 * which come back to the caller (e.g. 404 when deleting).
 */
export async function kibanaRequest<T = unknown>(
  endpoint: Endpoint,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  options: { body?: unknown; accept?: readonly number[] } = {},
): Promise<KibanaResponse<T>> {
  const url = endpoint.url.replace(/\/+$/, "") + path;
  const headers: Record<string, string> = {
    authorization: authorizationHeader(endpoint),
    "kbn-xsrf": "elastic-ml-lab",
    accept: "application/json",
  };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(endpoint.requestTimeoutMs ?? 30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new HttpError(method, path, undefined, `cannot reach Kibana at ${endpoint.url} (${detail})`);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    // not JSON (a proxy's error page): keep the text as the reason
  }
  if (response.ok || options.accept?.includes(response.status)) return { status: response.status, body: body as T };
  throw new HttpError(method, path, response.status, elasticsearchReason(body) ?? (response.statusText || "no reason given"));
}

export interface RetryOptions {
  /** What is being waited for, for the final message: "the security index to accept the kibana_system password" */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Which failures are worth another try; others are thrown at once */
  retryable(error: unknown): boolean;
  /** Injected clock and sleep, for tests */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Calls `attempt` until it succeeds, a failure is not retryable, or the deadline passes; then says what it waited for and the last failure. */
export async function retryUntil<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  let tries = 0;
  for (;;) {
    tries += 1;
    try {
      return await attempt();
    } catch (error) {
      if (!options.retryable(error)) throw error;
      if (now() + (options.intervalMs ?? 2000) > deadline) {
        const last = error instanceof Error ? error.message : String(error);
        throw new LabError(`gave up waiting for ${options.what} after ${Math.round(options.timeoutMs / 1000)} s (${tries} tries); last failure: ${last}`);
      }
      await sleep(options.intervalMs ?? 2000);
    }
  }
}
