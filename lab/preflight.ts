// Before a lab on an existing cluster declares anything, it asks that cluster (and its Kibana) whether
// the lab can work there: reachable, the credentials accepted, and machine learning available when
// ML jobs are configured. Every answer that says no becomes a problem naming the lab: key to change,
// so `pulumi preview` and `pulumi up` stop before any resource exists instead of failing half-way.
//
//   GET /  (or /_nodes/_local)         reachable, Elasticsearch, credentials (generator's checkConnection)
//   GET /_license                      ML anomaly detection needs a trial, Platinum or Enterprise licence
//   GET /_nodes?filter_path=...roles   some node has the "ml" role, or
//   GET /_ml/info                      ML nodes are started on demand (Elastic Cloud autoscaling: limits.max_model_memory_limit)
//   GET <kibana>/api/status            Kibana answers, when lab:kibanaUrl is set
//
// https://www.elastic.co/subscriptions (ML is not in the basic licence),
// https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-ml-info

import type { Client } from "@elastic/elasticsearch";
import { checkWithClient, createClient, type ElasticsearchConnection } from "../generator/sinks/elasticsearch";
import type { ExistingCluster } from "./config";
import { HttpError, endpointAt, kibanaRequest, type Credentials } from "./http";

/** Every wait here is short: a preview should not hang on a wrong URL. */
export const PREFLIGHT_TIMEOUT_MS = 15_000;

/** Licence types that include ML anomaly detection. */
const ML_LICENCES = new Set(["trial", "platinum", "enterprise"]);

export interface PreflightRequest {
  cluster: ExistingCluster;
  /** Undefined when an API key is used */
  password: string | undefined;
  mlJobs: readonly string[];
}

export function credentialsOf(cluster: ExistingCluster, password: string | undefined): Credentials {
  return { username: cluster.username, password: password ?? "", apiKey: cluster.apiKey, caFingerprint: cluster.caFingerprint };
}

function connectionOf(request: PreflightRequest): ElasticsearchConnection {
  return endpointAt(request.cluster.elasticsearchUrl, credentialsOf(request.cluster, request.password), PREFLIGHT_TIMEOUT_MS);
}

/** The setting that holds the credentials in use. */
function credentialsKey(cluster: ExistingCluster): string {
  return cluster.apiKey !== undefined ? "lab:elasticsearchApiKey" : "lab:elasticPassword";
}

/** The key a connection failure is about: the URL when nothing answered, the credentials when refused. */
function keyForConnectionFailure(message: string, cluster: ExistingCluster): string {
  if (/401|Unauthorized|403|Forbidden|privilege/.test(message)) return credentialsKey(cluster);
  if (/certificate|fingerprint|self.signed|TLS|SSL/i.test(message)) return "lab:elasticsearchCaFingerprint";
  return "lab:elasticsearchUrl";
}

/** Problems that stop the lab on this cluster, each naming its key; empty when the lab can go ahead. */
export async function preflightExistingCluster(request: PreflightRequest): Promise<string[]> {
  const connection = connectionOf(request);
  const client = createClient(connection);
  const problems: string[] = [];
  try {
    try {
      await checkWithClient(client, connection);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return [`${keyForConnectionFailure(message, request.cluster)}: ${message}`];
    }
    if (request.mlJobs.length > 0) {
      const reason = await whyNoMachineLearning(client);
      if (reason !== undefined) {
        problems.push(`lab:mlJobs: ${request.cluster.elasticsearchUrl} cannot run ML jobs: ${reason}. Set lab:mlJobs none to use this cluster without ML`);
      }
    }
  } finally {
    await client.close();
  }
  if (request.cluster.kibanaUrl !== undefined) {
    const kibana = endpointAt(request.cluster.kibanaUrl, credentialsOf(request.cluster, request.password), PREFLIGHT_TIMEOUT_MS);
    try {
      await kibanaRequest(kibana, "GET", "/api/status");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const key = error instanceof HttpError && (error.status === 401 || error.status === 403) ? credentialsKey(request.cluster) : "lab:kibanaUrl";
      problems.push(`${key}: Kibana at ${request.cluster.kibanaUrl} ${error instanceof HttpError && error.status === undefined ? "cannot be reached" : "refused the lab"}: ${message}`);
    }
  }
  return problems;
}

/** Undefined when ML can run; otherwise the reason, naming the licence or the missing ML node. */
export async function whyNoMachineLearning(client: Client): Promise<string | undefined> {
  let licence: { type?: string; status?: string } | undefined;
  try {
    licence = (await client.license.get({}, { requestTimeout: PREFLIGHT_TIMEOUT_MS })).license;
  } catch (error) {
    return `its licence cannot be read (GET /_license: ${error instanceof Error ? error.message : String(error)})`;
  }
  const type = licence?.type ?? "unknown";
  if (!ML_LICENCES.has(type)) return `its licence is "${type}", and ML anomaly detection needs a trial, Platinum or Enterprise licence`;
  if (licence?.status !== undefined && licence.status !== "active") return `its ${type} licence is ${licence.status}`;
  try {
    const nodes = await client.nodes.info({ filter_path: "nodes.*.roles" }, { requestTimeout: PREFLIGHT_TIMEOUT_MS });
    const roles = Object.values(nodes.nodes ?? {}).flatMap((node) => node.roles ?? []);
    if (roles.includes("ml")) return undefined;
  } catch {
    // A user without cluster monitor privileges: let _ml/info decide.
  }
  try {
    const info = (await client.ml.info({}, { requestTimeout: PREFLIGHT_TIMEOUT_MS })) as { limits?: { max_model_memory_limit?: string } };
    // Autoscaling (Elastic Cloud) starts ML nodes on demand, and then reports a model memory limit.
    if (info.limits?.max_model_memory_limit !== undefined) return undefined;
  } catch (error) {
    return `no node has the ml role, and GET /_ml/info failed (${error instanceof Error ? error.message : String(error)})`;
  }
  return "no node has the ml role (add an ML node, or enable ML autoscaling)";
}
