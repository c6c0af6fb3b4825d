// Links the instructor hands out: Kibana's ML pages for one job over the dataset's time range.
// Kibana keeps page state in rison-encoded `_g` (global: jobs, time) and `_a` (app) query
// parameters; the shapes below are those of Kibana's ML URL generator
// (x-pack/plugins/ml/public/ml_url_generator, whose tests show e.g.
// /app/ml/explorer?_g=(ml:(jobIds:!(job)),time:(from:'…',mode:absolute,to:'…'))).

export interface TimeRange {
  /** ISO-8601 */
  from: string;
  /** ISO-8601 */
  to: string;
}

export type MlPage = "explorer" | "timeseriesexplorer";

/** The host browsers reach a published port on: 127.0.0.1 and 0.0.0.0 become localhost. */
export function publicHost(bindAddress: string): string {
  if (bindAddress === "127.0.0.1" || bindAddress === "0.0.0.0" || bindAddress === "::" || bindAddress === "::1") return "localhost";
  return bindAddress.includes(":") ? `[${bindAddress}]` : bindAddress;
}

/** Rison string: bare when it only has safe characters, quoted otherwise. */
function risonString(value: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_.\-/~]*$/.test(value) && !/^-?\d/.test(value)) return value;
  return `'${value.replace(/!/g, "!!").replace(/'/g, "!'")}'`;
}

/** `_g` state for ML pages: the job and an absolute time range. */
export function mlGlobalState(jobIds: readonly string[], range: TimeRange): string {
  const jobs = jobIds.map(risonString).join(",");
  return `(ml:(jobIds:!(${jobs})),refreshInterval:(pause:!t,value:0),time:(from:${risonString(range.from)},mode:absolute,to:${risonString(range.to)}))`;
}

/**
 * The link to a job's page. Single Metric Viewer only shows jobs whose detectors can be plotted as
 * one series (no `over_field_name`, no influencer-only analysis); the Anomaly Explorer shows every job.
 */
export function mlJobUrl(kibanaUrl: string, page: MlPage, jobId: string, range: TimeRange): string {
  const base = kibanaUrl.replace(/\/+$/, "");
  const g = encodeURIComponent(mlGlobalState([jobId], range)).replace(/%2C/g, ",").replace(/%3A/g, ":").replace(/%2F/g, "/");
  return `${base}/app/ml/${page}?_g=${g}`;
}

/** Whether a job fits the Single Metric Viewer: one detector, no population (`over`) analysis. */
export function fitsSingleMetricViewer(job: { analysis_config?: { detectors?: readonly { over_field_name?: string; by_field_name?: string; function?: string }[] } }): boolean {
  const detectors = job.analysis_config?.detectors ?? [];
  return detectors.length >= 1 && detectors.every((d) => d.over_field_name === undefined && !(d.function ?? "").includes("rare"));
}
