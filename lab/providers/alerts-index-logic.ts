// The index the cohort's alerts are written to (lab-<cohort>-alerts), made up front with an explicit
// mapping: left to dynamic mapping, the index connector's first document would make the score a
// string and the anomaly's time a keyword, and `lab-verify --live` could neither range nor sort them.
//
// create -> PUT  /<index>            settings, mappings with `_meta.lab` (the lab's marker)
//                400 resource_already_exists: GET /<index>/_mapping; the lab's (a run whose state was
//                lost) is kept with the alerts it holds; any other index is refused, untouched
// read   -> GET  /<index>/_mapping   404, or no lab marker: gone. Unreachable is an error
// delete -> GET  /<index>/_mapping, then DELETE /<index> only when it carries the lab's marker;
//           404 is done; an index without the marker is left alone and reported
//
// https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-indices-create

import type { Client, estypes } from "@elastic/elasticsearch";
import { LabError } from "../../generator/errors";
import { LAB_GENERATOR } from "../../generator/sinks/elasticsearch-index";
import { HttpError, createElasticsearchClient, endpointAt, esCall, statusOf, type Credentials } from "../http";
import { failedRead, type RefreshPolicy, type Refreshed } from "./refresh";

// For the provider's read, which loads only this module (see load.ts).
export { readResult } from "./refresh";

export interface AlertsIndexInputs extends Credentials, RefreshPolicy {
  elasticsearchUrl: string;
  index: string;
  cohort: string;
}

export type AlertsIndexOutputs = AlertsIndexInputs;

/** What `_meta.lab` of the alerts index holds: whose it is, and that it holds alerts, not a dataset. */
export interface AlertsIndexMarker {
  generator: typeof LAB_GENERATOR;
  kind: "alerts";
  cohort: string;
}

/**
 * The index's mapping: the field names are those of the alert document (alerting-requests.ts) and
 * what `lab-verify --live` reads. `dynamic: false` keeps any field Kibana adds in `_source` without
 * mapping it, instead of refusing the document.
 */
export function alertsIndexMappings(cohort: string): estypes.MappingTypeMapping {
  const keyword = { type: "keyword" } as const;
  const marker: AlertsIndexMarker = { generator: LAB_GENERATOR, kind: "alerts", cohort };
  return {
    dynamic: false,
    _meta: { lab: marker },
    properties: {
      "@timestamp": { type: "date" },
      rule: { properties: { id: keyword, name: keyword } },
      ml: {
        properties: {
          job_ids: keyword,
          anomaly_score: { type: "float" },
          anomaly_timestamp: { type: "date" },
          is_interim: keyword,
          anomaly_explorer_url: keyword,
        },
      },
      message: keyword,
      lab: { properties: { cohort: keyword } },
    },
  };
}

/** One primary; a replica only where a second node can hold it, so a single-node lab stays green. */
export const ALERTS_INDEX_SETTINGS: estypes.IndicesIndexSettings = { number_of_shards: 1, auto_expand_replicas: "0-1" };

export function diffAlertsIndex(olds: AlertsIndexOutputs, news: AlertsIndexInputs): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces = (["index", "cohort"] as const).filter((key) => olds[key] !== news[key]);
  const changes = replaces.length > 0 || (["elasticsearchUrl", "username", "password", "apiKey", "caFingerprint"] as const).some((key) => (olds[key] ?? "") !== (news[key] ?? ""));
  // The name is fixed per cohort: the old index goes before the new one is made.
  return { changes, replaces: [...replaces], deleteBeforeReplace: true };
}

function clientOf(inputs: AlertsIndexInputs): Client {
  return createElasticsearchClient(endpointAt(inputs.elasticsearchUrl, inputs, 30_000));
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof HttpError && error.status === 400 && /resource_already_exists/.test(error.reason);
}

/** "absent", "foreign" (no lab marker) or the marker. */
async function readMarker(client: Client, index: string): Promise<AlertsIndexMarker | "absent" | "foreign"> {
  let response: estypes.IndicesGetMappingResponse;
  try {
    response = await esCall({ method: "GET", path: `/${index}/_mapping` }, () => client.indices.getMapping({ index }));
  } catch (error) {
    if (statusOf(error) === 404) return "absent";
    throw error;
  }
  const lab = (Object.values(response)[0]?.mappings?._meta as { lab?: Partial<AlertsIndexMarker> } | undefined)?.lab;
  return lab?.generator === LAB_GENERATOR && lab.kind === "alerts" ? (lab as AlertsIndexMarker) : "foreign";
}

export async function createAlertsIndex(inputs: AlertsIndexInputs): Promise<AlertsIndexOutputs> {
  const client = clientOf(inputs);
  try {
    try {
      await esCall({ method: "PUT", path: `/${inputs.index}` }, () =>
        client.indices.create({ index: inputs.index, settings: ALERTS_INDEX_SETTINGS, mappings: alertsIndexMappings(inputs.cohort) }),
      );
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const marker = await readMarker(client, inputs.index);
      if (marker === "foreign") {
        throw new LabError(`index ${inputs.index} exists and was not created by the lab (its mapping has no _meta.lab alerts marker); refusing to write alerts into it. Delete or rename it, then run pulumi up again`);
      }
      // The lab's own, left by a run whose state was lost: its alerts stay.
    }
    return { ...inputs };
  } finally {
    await client.close();
  }
}

/** The index as `pulumi refresh` sees it: gone when deleted or no longer the lab's. */
export async function readAlertsIndex(state: AlertsIndexOutputs): Promise<Refreshed<AlertsIndexOutputs>> {
  const client = clientOf(state);
  try {
    const marker = await readMarker(client, state.index);
    if (marker === "absent") return { state: "gone", reason: `the alerts index ${state.index} does not exist` };
    if (marker === "foreign") return { state: "gone", reason: `index ${state.index} is not the lab's alerts index (no _meta.lab alerts marker)` };
    return { state: "present", outputs: state };
  } catch (error) {
    return failedRead(`the alerts index ${state.index}`, state, error, error instanceof HttpError && error.status === undefined, `Elasticsearch at ${state.elasticsearchUrl}`);
  } finally {
    await client.close();
  }
}

/** Deletes the index when it carries the lab's marker. An unreachable server is reported, not thrown. */
export async function deleteAlertsIndex(outputs: AlertsIndexOutputs): Promise<"deleted" | "absent" | "foreign" | "unreachable"> {
  const client = clientOf(outputs);
  try {
    const marker = await readMarker(client, outputs.index);
    if (marker === "absent" || marker === "foreign") return marker;
    try {
      await esCall({ method: "DELETE", path: `/${outputs.index}` }, () => client.indices.delete({ index: outputs.index }));
    } catch (error) {
      if (statusOf(error) === 404) return "absent";
      throw error;
    }
    return "deleted";
  } catch (error) {
    if (error instanceof HttpError && error.status === undefined) return "unreachable";
    throw error;
  } finally {
    await client.close();
  }
}
