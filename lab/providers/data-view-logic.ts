// The Kibana data view (index pattern) over the dataset, made Kibana's default.
//
// create -> GET  /api/status                       until Kibana is available (bounded)
//           POST /api/data_views/data_view         { data_view: { id, title, name, timeFieldName } }
//                the id exists, left by an earlier run (a saved-object conflict, which Kibana's route
//                answers with 400 "... conflict", or 409): DELETE it and create again, once
//                400 "Duplicate data view: <title>" (another view reads the same index, e.g. left
//                by a run whose state was lost): create again with override: true, which replaces it
//           POST /api/data_views/default           { data_view_id, force: true }
//                if that fails, the new data view is deleted again before the error is rethrown
// update -> POST /api/data_views/data_view/<id>    { data_view: { name } }, and the default again
// read   -> GET  /api/data_views/data_view/<id>     404: gone; GET /api/data_views/default for isDefault.
//           Unreachable is an error, never "gone"
// delete -> POST /api/data_views/default           { data_view_id: null, force: true } when it is ours
//           DELETE /api/data_views/data_view/<id>  (404 = already gone)
//
// https://www.elastic.co/docs/api/doc/kibana/group/endpoint-data-views

import { failedRead, type RefreshPolicy, type Refreshed } from "./refresh";

// For the provider's read, which loads only this module (see load.ts).
export { readResult } from "./refresh";
import { HttpError, endpointAt, kibanaRequest, retryUntil, type Credentials, type Endpoint } from "../http";

export interface DataViewInputs extends Credentials, RefreshPolicy {
  kibanaUrl: string;
  dataViewId: string;
  /** The index pattern the view reads */
  title: string;
  /** Shown in Kibana's pickers */
  name: string;
  timeFieldName: string;
  makeDefault: boolean;
  timeoutSeconds: number;
}

export interface DataViewOutputs extends DataViewInputs {
  isDefault: boolean;
}

export const DATA_VIEW_REPLACING_INPUTS = ["dataViewId", "title", "timeFieldName"] as const;

/** The create request body, typed after Kibana's published OpenAPI schema (`create_data_view_request_object`). */
export interface CreateDataViewRequest {
  data_view: { id: string; title: string; name: string; timeFieldName: string; allowNoIndex?: boolean };
  override?: boolean;
}

export function createDataViewRequest(inputs: DataViewInputs, override = false): CreateDataViewRequest {
  return { data_view: { id: inputs.dataViewId, title: inputs.title, name: inputs.name, timeFieldName: inputs.timeFieldName }, override };
}

/** An existing saved object with the view's id: Kibana's data views route turns the 409 into a 400. */
export function isIdConflict(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 409 || (error.status === 400 && /conflict/i.test(error.reason)));
}

/**
 * Kibana's answer to a create whose title another data view already has: 400 "Duplicate data view:
 * <title>" (its data views route maps every error but 404 to 400), not 409.
 */
export function isDuplicateTitle(error: unknown): boolean {
  return error instanceof HttpError && error.status === 400 && /duplicate data view/i.test(error.reason);
}

export function diffDataView(olds: DataViewOutputs, news: DataViewInputs): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces = DATA_VIEW_REPLACING_INPUTS.filter((key) => olds[key] !== news[key]);
  const changes =
    replaces.length > 0 ||
    (["name", "makeDefault", "kibanaUrl", "username", "password", "apiKey", "caFingerprint"] as const).some((key) => (olds[key] ?? "") !== (news[key] ?? "")) ||
    // A refresh found that another view became the default: make ours the default again.
    (news.makeDefault && !olds.isDefault);
  // The id is fixed per cohort: created first, the replacement would meet the old view's id, and the
  // old view's delete would then remove the new one. So the old one goes first.
  return { changes, replaces: [...replaces], deleteBeforeReplace: true };
}

function endpointOf(inputs: DataViewInputs): Endpoint {
  return endpointAt(inputs.kibanaUrl, inputs, 30_000);
}

function dataViewPath(id: string): string {
  return `/api/data_views/data_view/${encodeURIComponent(id)}`;
}

/** Waits until Kibana answers /api/status with an available overall level. */
export async function waitForKibana(endpoint: Endpoint, timeoutSeconds: number, intervalMs = 3000): Promise<void> {
  await retryUntil(
    async () => {
      const { body } = await kibanaRequest<{ status?: { overall?: { level?: string; state?: string } } }>(endpoint, "GET", "/api/status");
      const level = body?.status?.overall?.level ?? body?.status?.overall?.state;
      if (level !== "available" && level !== "green") throw new HttpError("GET", "/api/status", 200, `Kibana is not ready yet (overall status: ${level ?? "unknown"})`);
    },
    {
      what: `Kibana at ${endpoint.url} to become available`,
      timeoutMs: timeoutSeconds * 1000,
      intervalMs,
      retryable: (error) => error instanceof HttpError && (error.status === undefined || error.status === 200 || error.status === 503 || error.status === 502),
    },
  );
}

async function setDefault(endpoint: Endpoint, dataViewId: string | null): Promise<void> {
  await kibanaRequest(endpoint, "POST", "/api/data_views/default", { body: { data_view_id: dataViewId, force: true } });
}

/** `timing.intervalMs`: the pause between checks of Kibana's status (default 3 s); tests shorten it. */
export async function createDataView(inputs: DataViewInputs, timing: { intervalMs?: number } = {}): Promise<DataViewOutputs> {
  const endpoint = endpointOf(inputs);
  await waitForKibana(endpoint, inputs.timeoutSeconds, timing.intervalMs);
  const request = createDataViewRequest(inputs);
  try {
    await kibanaRequest(endpoint, "POST", "/api/data_views/data_view", { body: request });
  } catch (error) {
    if (isDuplicateTitle(error)) {
      // The title is the cohort's own dataset index: the other view is a leftover reading our data.
      await kibanaRequest(endpoint, "POST", "/api/data_views/data_view", { body: createDataViewRequest(inputs, true) });
    } else if (isIdConflict(error)) {
      // The id is the cohort's own (lab-<cohort>-access): a leftover of an earlier run, not someone else's.
      await kibanaRequest(endpoint, "DELETE", dataViewPath(inputs.dataViewId), { accept: [404] });
      await kibanaRequest(endpoint, "POST", "/api/data_views/data_view", { body: request });
    } else {
      throw error;
    }
  }
  if (inputs.makeDefault) {
    try {
      await setDefault(endpoint, inputs.dataViewId);
    } catch (error) {
      await kibanaRequest(endpoint, "DELETE", dataViewPath(inputs.dataViewId), { accept: [404] }).catch(() => undefined);
      throw error;
    }
  }
  return { ...inputs, isDefault: inputs.makeDefault };
}

export async function updateDataView(olds: DataViewOutputs, news: DataViewInputs): Promise<DataViewOutputs> {
  const endpoint = endpointOf(news);
  if (olds.name !== news.name) {
    await kibanaRequest(endpoint, "POST", dataViewPath(news.dataViewId), { body: { data_view: { name: news.name } } });
  }
  if (news.makeDefault && !olds.isDefault) await setDefault(endpoint, news.dataViewId);
  if (!news.makeDefault && olds.isDefault) await unsetDefaultIfOurs(endpoint, news.dataViewId);
  return { ...news, isDefault: news.makeDefault };
}

/**
 * The data view as `pulumi refresh` sees it (see refresh.ts): gone when Kibana no longer has it (the
 * next `up` makes it again), else present with `isDefault` as Kibana reports it. Kibana not answering
 * or failing is an error, or "unchecked" when Kibana is a container of this stack.
 */
export async function readDataView(state: DataViewOutputs): Promise<Refreshed<DataViewOutputs>> {
  const endpoint = endpointOf(state);
  try {
    const { status } = await kibanaRequest(endpoint, "GET", dataViewPath(state.dataViewId), { accept: [404] });
    if (status === 404) return { state: "gone", reason: `data view ${state.dataViewId} is gone from Kibana` };
    const { body } = await kibanaRequest<{ data_view_id?: string | null }>(endpoint, "GET", "/api/data_views/default");
    return { state: "present", outputs: { ...state, isDefault: body?.data_view_id === state.dataViewId } };
  } catch (error) {
    // Kibana answers 503 while it starts, which a recreated container does.
    const unreachable = error instanceof HttpError && (error.status === undefined || error.status === 502 || error.status === 503);
    return failedRead(`data view ${state.dataViewId}`, state, error, unreachable, `Kibana at ${state.kibanaUrl}`);
  }
}

async function unsetDefaultIfOurs(endpoint: Endpoint, dataViewId: string): Promise<void> {
  const { body } = await kibanaRequest<{ data_view_id?: string | null }>(endpoint, "GET", "/api/data_views/default");
  if (body?.data_view_id === dataViewId) await setDefault(endpoint, null);
}

/** Deletes the data view; 404 means already gone. An unreachable Kibana counts as gone: its saved objects live in the lab's Elasticsearch volume. */
export async function deleteDataView(outputs: DataViewOutputs): Promise<"deleted" | "absent" | "unreachable"> {
  const endpoint = endpointOf(outputs);
  try {
    if (outputs.isDefault) await unsetDefaultIfOurs(endpoint, outputs.dataViewId);
    const { status } = await kibanaRequest(endpoint, "DELETE", dataViewPath(outputs.dataViewId), { accept: [404] });
    return status === 404 ? "absent" : "deleted";
  } catch (error) {
    if (error instanceof HttpError && error.status === undefined) return "unreachable";
    throw error;
  }
}
