// The cohort's alerting in Kibana: its connectors (index, and e-mail and webhook when configured)
// and the ML anomaly-detection rule that uses them, made and removed together. Bodies in
// alerting-requests.ts.
//
// create -> GET  /_license (Elasticsearch)               ML alerting needs trial, Platinum or
//                Enterprise: on any other licence nothing is made, and the outputs say why (skipped)
//           GET  /api/status                              until Kibana is available (bounded)
//           POST /api/actions/connector/<id>              per connector, with the lab's own id
//                409 (a leftover of an earlier run; the id is the cohort's): DELETE it, POST again
//           POST /api/alerting/rule/<id>                  the rule, its actions using each connector
//                409: DELETE the leftover, POST again
//           any failure: the rule and connectors this create made are deleted, then the error is
//           rethrown naming Kibana's URL and the step that failed
// read   -> GET  /api/alerting/rule/<id>, GET /api/actions/connector/<id> each: a 404 is gone.
//           Skipped: GET /_license again; a licence that now allows alerting reads as gone, so the
//           next up makes the rule. Unreachable is an error (or unchecked in the Docker lab)
// delete -> DELETE /api/alerting/rule/<id>, then DELETE /api/actions/connector/<id> each; 404 is gone
//
// https://www.elastic.co/docs/api/doc/kibana/group/endpoint-alerting
// https://www.elastic.co/docs/api/doc/kibana/group/endpoint-connectors
// https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-license-get

import { LabError } from "../../generator/errors";
import { HttpError, createElasticsearchClient, endpointAt, esCall, kibanaRequest, type Credentials, type Endpoint } from "../http";
import { connectorRequests, ruleIdOf, ruleRequest, type AlertingSpec, type ConnectorKind, type ConnectorRequest } from "./alerting-requests";
import { waitForKibana } from "./data-view-logic";
import { deepEqual } from "./equal";
import { failedRead, type RefreshPolicy, type Refreshed } from "./refresh";

// For the provider's read, which loads only this module (see load.ts).
export { readResult } from "./refresh";

export interface AlertingInputs extends Credentials, RefreshPolicy, AlertingSpec {
  elasticsearchUrl: string;
  kibanaUrl: string;
  /** The SMTP login's password (lab:smtpPassword); a secret */
  smtpPassword?: string;
  timeoutSeconds: number;
}

export interface AlertingOutputs extends AlertingInputs {
  /** Null when skipped */
  ruleId: string | null;
  /** Connector id per kind; empty when skipped */
  connectorIds: Partial<Record<ConnectorKind, string>>;
  /** Why nothing was made (a licence without ML alerting); null when the rule exists */
  skipped: string | null;
}

/** What, changed, makes a new rule and connectors (ids are fixed, so the old ones go first). */
export const ALERTING_REPLACING_INPUTS = ["cohort", "jobIds", "alertsIndex", "email", "webhookUrl", "smtpPassword", "kibanaUrl"] as const;

/** Licences whose features include ML alerting. */
const ML_LICENCES = ["trial", "platinum", "enterprise"];

export function diffAlerting(olds: AlertingOutputs, news: AlertingInputs): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces = ALERTING_REPLACING_INPUTS.filter((key) => !deepEqual(olds[key] ?? null, news[key] ?? null));
  const changes = replaces.length > 0 || (["elasticsearchUrl", "username", "password", "apiKey", "caFingerprint", "timeoutSeconds"] as const).some((key) => (olds[key] ?? "") !== (news[key] ?? ""));
  return { changes, replaces: [...replaces], deleteBeforeReplace: true };
}

/** The reason to skip alerting on this licence, or undefined when it allows ML alerting. */
export function licenceSkipReason(licence: { type?: string; status?: string } | undefined): string | undefined {
  const type = licence?.type ?? "unknown";
  const status = licence?.status ?? "unknown";
  if (ML_LICENCES.includes(type) && status === "active") return undefined;
  return (
    `ML alerting needs a trial, Platinum or Enterprise licence, and this cluster's licence is ${type} (${status}); ` +
    `no rule or connector was made. Start a trial (Stack Management > License management) and run pulumi up again, or set lab:alerts false`
  );
}

async function readLicence(inputs: AlertingInputs): Promise<{ type?: string; status?: string }> {
  const client = createElasticsearchClient(endpointAt(inputs.elasticsearchUrl, inputs, 30_000));
  try {
    const response = await esCall({ method: "GET", path: "/_license" }, () => client.license.get());
    return response.license;
  } finally {
    await client.close();
  }
}

function kibanaOf(inputs: AlertingInputs): Endpoint {
  return endpointAt(inputs.kibanaUrl, inputs, 30_000);
}

export const connectorPath = (id: string) => `/api/actions/connector/${encodeURIComponent(id)}`;
export const rulePath = (id: string) => `/api/alerting/rule/${encodeURIComponent(id)}`;

/** A saved object with that id exists already. */
function isConflict(error: unknown): boolean {
  return error instanceof HttpError && error.status === 409;
}

/** POSTs `body` to `path`; a 409 means the lab's own id is taken by a leftover, which is deleted first. */
async function postWithOwnId(endpoint: Endpoint, path: string, body: unknown): Promise<void> {
  try {
    await kibanaRequest(endpoint, "POST", path, { body });
  } catch (error) {
    if (!isConflict(error)) throw error;
    await kibanaRequest(endpoint, "DELETE", path, { accept: [404] });
    await kibanaRequest(endpoint, "POST", path, { body });
  }
}

/** The connector's body with the SMTP password joined to its secrets. */
function withPassword(connector: ConnectorRequest, smtpPassword: string | undefined): ConnectorRequest["body"] {
  if (connector.kind !== "email" || smtpPassword === undefined) return connector.body;
  return { ...connector.body, secrets: { ...connector.body.secrets, password: smtpPassword } };
}

/**
 * Makes the connectors and the rule, or nothing: see the header. `timing.intervalMs` is the pause
 * between checks of Kibana's status (default 3 s); tests shorten it.
 */
export async function createAlerting(inputs: AlertingInputs, timing: { intervalMs?: number } = {}): Promise<AlertingOutputs> {
  let licence: { type?: string; status?: string };
  try {
    licence = await readLicence(inputs);
  } catch (error) {
    throw new LabError(`cannot set up the alerting of lab ${inputs.cohort}: reading the licence from Elasticsearch at ${inputs.elasticsearchUrl} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const skipped = licenceSkipReason(licence);
  if (skipped !== undefined) return { ...inputs, ruleId: null, connectorIds: {}, skipped };

  const endpoint = kibanaOf(inputs);
  const failure = (what: string, error: unknown) =>
    new LabError(`cannot set up the alerting of lab ${inputs.cohort} in Kibana at ${inputs.kibanaUrl}: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  try {
    await waitForKibana(endpoint, inputs.timeoutSeconds, timing.intervalMs);
  } catch (error) {
    throw failure("waiting for Kibana", error);
  }

  const connectors = connectorRequests(inputs);
  const ruleId = ruleIdOf(inputs.cohort);
  const made: string[] = [];
  let step = "";
  try {
    for (const connector of connectors) {
      step = `creating the ${connector.kind} connector ${connector.id}`;
      await postWithOwnId(endpoint, connectorPath(connector.id), withPassword(connector, inputs.smtpPassword));
      made.push(connectorPath(connector.id));
    }
    step = `creating the rule ${ruleId}`;
    await postWithOwnId(endpoint, rulePath(ruleId), ruleRequest(inputs, connectors));
  } catch (error) {
    // Transactional: the connectors made above would otherwise be left behind without a rule, and
    // the rule, if its create got as far as Kibana, without its state in Pulumi.
    for (const path of [rulePath(ruleId), ...made.reverse()]) {
      await kibanaRequest(endpoint, "DELETE", path, { accept: [404] }).catch(() => undefined);
    }
    throw failure(step, error);
  }
  return { ...inputs, ruleId, connectorIds: Object.fromEntries(connectors.map((c) => [c.kind, c.id])), skipped: null };
}

/** Only connection details changed (diff replaces on the rest): the objects stay as they are. */
export function updateAlerting(olds: AlertingOutputs, news: AlertingInputs): AlertingOutputs {
  return { ...news, ruleId: olds.ruleId, connectorIds: olds.connectorIds, skipped: olds.skipped };
}

/**
 * The rule and connectors as `pulumi refresh` sees them (see refresh.ts): gone when the rule or any
 * connector is gone from Kibana, so the next up makes them again; a skipped state is gone once the
 * licence allows alerting. A server that does not answer is an error, or unchecked in the Docker lab.
 */
export async function readAlerting(state: AlertingOutputs): Promise<Refreshed<AlertingOutputs>> {
  if (state.skipped !== null) {
    try {
      const reason = licenceSkipReason(await readLicence(state));
      if (reason === undefined) return { state: "gone", reason: `the alerting of lab ${state.cohort} was skipped, and the licence now allows it` };
      return { state: "present", outputs: { ...state, skipped: reason } };
    } catch (error) {
      return failedRead(`the licence for the alerting of lab ${state.cohort}`, state, error, error instanceof HttpError && error.status === undefined, `Elasticsearch at ${state.elasticsearchUrl}`);
    }
  }
  const endpoint = kibanaOf(state);
  try {
    const paths = [...(state.ruleId === null ? [] : [rulePath(state.ruleId)]), ...Object.values(state.connectorIds).map((id) => connectorPath(id))];
    for (const path of paths) {
      const { status } = await kibanaRequest(endpoint, "GET", path, { accept: [404] });
      if (status === 404) return { state: "gone", reason: `the alerting of lab ${state.cohort} is incomplete: GET ${path} returned 404` };
    }
    return { state: "present", outputs: state };
  } catch (error) {
    // Kibana answers 503 while it starts, which a recreated container does.
    const unreachable = error instanceof HttpError && (error.status === undefined || error.status === 502 || error.status === 503);
    return failedRead(`the alerting rule of lab ${state.cohort}`, state, error, unreachable, `Kibana at ${state.kibanaUrl}`);
  }
}

/** Deletes the rule, then its connectors; 404 means already gone. An unreachable Kibana is reported, not thrown. */
export async function deleteAlerting(outputs: AlertingOutputs): Promise<"deleted" | "unreachable"> {
  if (outputs.skipped !== null) return "deleted";
  const endpoint = kibanaOf(outputs);
  const paths = [...(outputs.ruleId === null ? [] : [rulePath(outputs.ruleId)]), ...Object.values(outputs.connectorIds).map((id) => connectorPath(id))];
  try {
    for (const path of paths) await kibanaRequest(endpoint, "DELETE", path, { accept: [404] });
    return "deleted";
  } catch (error) {
    if (error instanceof HttpError && error.status === undefined) return "unreachable";
    throw error;
  }
}
