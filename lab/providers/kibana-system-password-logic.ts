// Kibana's credentials: the built-in `kibana_system` user's password, set through Elasticsearch.
//
// create/update -> PUT /_security/user/kibana_system/_password    (as `elastic`; POST works too)
//                  retried while the security index is not ready yet (503, "security index",
//                  connection refused), up to a deadline; then
//                  GET /_security/_authenticate as kibana_system, to prove the password works
// read          -> GET /_security/_authenticate as kibana_system: 401 means the password no longer
//                  works (a new volume, a reset), which reads as gone so the next `up` sets it again;
//                  an unreachable server is an error, never "gone"
// delete        -> nothing: the password is part of the node's security index, which goes with
//                  the Elasticsearch volume
//
// https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-security-change-password
// This replaces the one-shot "setup" container of start-local and docker-elk, and the login race
// Kibana hits when it starts before the password exists (FIELD-NOTES, failure 3).

import { HttpError, createElasticsearchClient, esCall, retryUntil } from "../http";
import { failedRead, type RefreshPolicy, type Refreshed } from "./refresh";

// For the provider's read, which loads only this module (see load.ts).
export { readResult } from "./refresh";

export const KIBANA_SYSTEM_USER = "kibana_system";

export interface KibanaSystemPasswordInputs extends RefreshPolicy {
  elasticsearchUrl: string;
  /** The superuser that may change passwords */
  username: string;
  password: string;
  /** The new kibana_system password */
  kibanaSystemPassword: string;
  timeoutSeconds: number;
}

export interface KibanaSystemPasswordOutputs extends KibanaSystemPasswordInputs {
  kibanaSystemUsername: string;
}

/** Failures worth another try while a fresh node comes up: not reachable yet, security index not ready, auth not ready. */
export function isSecurityNotReady(error: unknown): boolean {
  if (!(error instanceof HttpError)) return false;
  if (error.status === undefined) return true;
  if (error.status === 503 || error.status === 429 || error.status === 502) return true;
  // Not 401: the container is only healthy once `elastic` authenticates, so a 401 here is a wrong
  // password, and waiting would not fix it. Writes before the security index is ready fail with 5xx.
  return error.status >= 500 && /security|index|shard|not available|unavailable/i.test(error.reason);
}

/** `timing.intervalMs`: the pause between tries (default 2 s); tests shorten it. */
export async function setKibanaSystemPassword(inputs: KibanaSystemPasswordInputs, timing: { intervalMs?: number } = {}): Promise<KibanaSystemPasswordOutputs> {
  const timeoutMs = inputs.timeoutSeconds * 1000;
  const admin = createElasticsearchClient({ url: inputs.elasticsearchUrl, username: inputs.username, password: inputs.password, requestTimeoutMs: 15_000 });
  const path = `/_security/user/${KIBANA_SYSTEM_USER}/_password`;
  try {
    await retryUntil(
      () => esCall({ method: "PUT", path }, () => admin.security.changePassword({ username: KIBANA_SYSTEM_USER, password: inputs.kibanaSystemPassword, refresh: "wait_for" })),
      { what: `Elasticsearch at ${inputs.elasticsearchUrl} to accept the kibana_system password (security index not ready)`, timeoutMs, intervalMs: timing.intervalMs, retryable: isSecurityNotReady },
    );
  } finally {
    await admin.close();
  }
  const kibana = createElasticsearchClient({ url: inputs.elasticsearchUrl, username: KIBANA_SYSTEM_USER, password: inputs.kibanaSystemPassword, requestTimeoutMs: 15_000 });
  try {
    const me = await retryUntil(() => esCall({ method: "GET", path: "/_security/_authenticate" }, () => kibana.security.authenticate()), {
      what: "kibana_system to authenticate with its new password",
      timeoutMs: Math.min(timeoutMs, 60_000),
      intervalMs: timing.intervalMs,
      retryable: isSecurityNotReady,
    });
    if (me.username !== KIBANA_SYSTEM_USER) {
      throw new HttpError("GET", "/_security/_authenticate", 200, `authenticated as "${me.username}", expected ${KIBANA_SYSTEM_USER}`);
    }
  } finally {
    await kibana.close();
  }
  return { ...inputs, kibanaSystemUsername: KIBANA_SYSTEM_USER };
}

/**
 * Whether kibana_system still logs in with the state's password, for `pulumi refresh` (see
 * refresh.ts): present when it does, gone when Elasticsearch refuses it (401), so the next `up` sets
 * it again. Anything else is an error, or "unchecked" while the stack's own Elasticsearch is down.
 */
export async function readKibanaSystemPassword(state: KibanaSystemPasswordOutputs): Promise<Refreshed<KibanaSystemPasswordOutputs>> {
  const gone: Refreshed<KibanaSystemPasswordOutputs> = { state: "gone", reason: "kibana_system no longer logs in with the lab's password" };
  const kibana = createElasticsearchClient({ url: state.elasticsearchUrl, username: KIBANA_SYSTEM_USER, password: state.kibanaSystemPassword, requestTimeoutMs: 15_000 });
  try {
    const me = await esCall({ method: "GET", path: "/_security/_authenticate" }, () => kibana.security.authenticate());
    return me.username === KIBANA_SYSTEM_USER ? { state: "present", outputs: state } : gone;
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) return gone;
    return failedRead("the kibana_system password", state, error, error instanceof HttpError && error.status === undefined, `Elasticsearch at ${state.elasticsearchUrl}`);
  } finally {
    await kibana.close();
  }
}
