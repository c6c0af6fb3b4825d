// When a server of the Docker lab became ready, for the `timings` output (lab/timings.ts). Nothing
// of the lab's own waits for a container: the docker provider holds its dependents until Docker
// reports the container healthy (`wait: true`). So this resource follows the container (its id is an
// input) and is created the moment the container is healthy; its create's time is the step's end.
// The step's start is the server's own process start, which only the server knows.
//
// create -> Elasticsearch: GET /_nodes/_local/jvm, nodes.*.jvm.start_time_in_millis
//           Kibana:        GET /api/status (logged in: anonymous callers get the level only),
//                          now - metrics.process.uptime_in_millis
//           A server that does not say (or an answer without the field) times the step from its
//           end alone: start = end, and the timeline shows a step of no length rather than failing
//           the deployment over a measurement.
// diff   -> a new container (another id) is timed again (replace); a new URL or login changes nothing
// read   -> the state itself: a timing is a record, not a thing on a server
// delete -> nothing

import type { Credentials } from "../http";
import { createElasticsearchClient, endpointAt, esCall, kibanaRequest } from "../http";
import { stepTiming, type NowMs, type StepTiming } from "../timings";

export type ReadyServer = "elasticsearch" | "kibana";

export interface ServerReadyInputs extends Credentials {
  server: ReadyServer;
  url: string;
  /** The container's id: a new container is a new start to time */
  containerId: string;
}

export interface ServerReadyOutputs extends ServerReadyInputs {
  timing: StepTiming;
}

/** Asks the server when its process started (epoch ms); undefined when it does not say. */
export type ProcessStart = (inputs: ServerReadyInputs, nowMs: number) => Promise<number | undefined>;

export const askProcessStart: ProcessStart = async (inputs, nowMs) => {
  const endpoint = endpointAt(inputs.url, inputs, 15_000);
  if (inputs.server === "kibana") {
    const status = await kibanaRequest<{ metrics?: { process?: { uptime_in_millis?: number } } }>(endpoint, "GET", "/api/status");
    const uptime = status.body?.metrics?.process?.uptime_in_millis;
    return typeof uptime === "number" ? nowMs - uptime : undefined;
  }
  const client = createElasticsearchClient(endpoint);
  try {
    const nodes = await esCall({ method: "GET", path: "/_nodes/_local/jvm" }, () => client.nodes.info({ node_id: "_local", metric: "jvm" }));
    const started = Object.values(nodes.nodes)[0]?.jvm?.start_time_in_millis;
    return typeof started === "number" ? started : undefined;
  } finally {
    await client.close();
  }
};

export async function timeServerReady(inputs: ServerReadyInputs, nowMs: NowMs = Date.now, processStart: ProcessStart = askProcessStart): Promise<ServerReadyOutputs> {
  const endMs = nowMs();
  let startMs: number | undefined;
  try {
    startMs = await processStart(inputs, endMs);
  } catch {
    // A measurement is not worth failing the lab over: the step keeps its end.
  }
  return { ...inputs, timing: stepTiming(inputs.server, Math.min(startMs ?? endMs, endMs), endMs) };
}

export function diffServerReady(olds: ServerReadyOutputs, news: ServerReadyInputs): { changes: boolean; replaces: string[] } {
  const replaces = (["server", "containerId"] as const).filter((key) => olds[key] !== news[key]);
  const changes = replaces.length > 0 || (["url", "username", "password", "apiKey", "caFingerprint"] as const).some((key) => (olds[key] ?? "") !== (news[key] ?? ""));
  return { changes, replaces: [...replaces] };
}
