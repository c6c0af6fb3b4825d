// Turns a failure of the Elasticsearch client into a LabError a person can act on: the request,
// the status and the server's reason, or "cannot reach" for connection problems. No stack traces.

import { esLibrary } from "../generator/sinks/es-library";
import { LabError } from "../generator/errors";

export function isNotFound(error: unknown): boolean {
  return error instanceof esLibrary().errors.ResponseError && error.statusCode === 404;
}

export function esFailure(error: unknown, request: string, url?: string): LabError {
  const { errors } = esLibrary();
  if (error instanceof errors.ResponseError) {
    const body = error.body as { error?: { type?: string; reason?: string } | string } | undefined;
    const reason =
      typeof body?.error === "object" ? `${body.error.type ?? "error"}: ${body.error.reason ?? ""}` : typeof body?.error === "string" ? body.error : error.message;
    const hint =
      error.statusCode === 401
        ? " (check ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD, or --es-user / --es-password)"
        : request.includes("_ml/") && reason.includes("no handler found")
          ? " (this Elasticsearch has no machine learning: ML needs a distribution with the ml module and a trial or Platinum licence)"
          : "";
    return new LabError(`${request} failed: HTTP ${error.statusCode}: ${reason}${hint}`);
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.TimeoutError || error instanceof errors.NoLivingConnectionsError) {
    return new LabError(`${request} failed: cannot reach Elasticsearch${url === undefined ? "" : ` at ${url}`}: ${error.message}`);
  }
  return new LabError(`${request} failed: ${(error as Error).message ?? String(error)}`);
}
