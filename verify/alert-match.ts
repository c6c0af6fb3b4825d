// Which alert documents speak of a live window. The lab's alerting writes one document per alert to
// `lab-<cohort>-alerts` (Kibana's index connector, filled from the ML rule's context), with
//   @timestamp             when the rule's action ran
//   ml.anomaly_timestamp   the anomalous bucket or record (ISO-8601, or epoch ms)
//   ml.job_ids             the jobs, comma-separated
//   ml.anomaly_score, ml.is_interim, message, rule.id, rule.name, lab.cohort
// An alert belongs to a window by the anomaly it reports, not by when it was sent: any alert sent
// after the window starts (a later false alarm, an alert about another window) would otherwise
// count. Pure: verify/alerts.ts reads the documents.

export interface AlertDoc {
  /** Epoch ms the action ran */
  sentAt: number;
  /** Epoch ms of the anomalous bucket the alert reports */
  anomalyAt: number;
  jobIds: string[];
  /** null when the document has none, or not a number */
  score: number | null;
  isInterim: boolean;
  ruleName: string | null;
}

/** A time as the index connector may write it: an ISO-8601 string, or epoch ms as a number or digits. */
function timeOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A field as `a.b.c`: `_source` keeps what was sent, nested objects, dotted keys or a mix of both. */
function field(source: unknown, path: string): unknown {
  if (typeof source !== "object" || source === null) return undefined;
  const record = source as Record<string, unknown>;
  if (path in record) return record[path];
  const parts = path.split(".");
  for (let i = 1; i < parts.length; i++) {
    const head = parts.slice(0, i).join(".");
    if (head in record) return field(record[head], parts.slice(i).join("."));
  }
  return undefined;
}

/** The alert in one document's `_source`, or undefined when it lacks the times that place it. */
export function toAlertDoc(source: unknown): AlertDoc | undefined {
  const sentAt = timeOf(field(source, "@timestamp"));
  const anomalyAt = timeOf(field(source, "ml.anomaly_timestamp"));
  if (sentAt === undefined || anomalyAt === undefined) return undefined;
  const jobIds = field(source, "ml.job_ids");
  const list = Array.isArray(jobIds) ? jobIds.map(String) : typeof jobIds === "string" ? jobIds.split(",") : [];
  const score = Number(field(source, "ml.anomaly_score"));
  const interim = field(source, "ml.is_interim");
  const ruleName = field(source, "rule.name");
  return {
    sentAt,
    anomalyAt,
    jobIds: list.map((id) => id.trim()).filter((id) => id !== ""),
    score: field(source, "ml.anomaly_score") === undefined || !Number.isFinite(score) ? null : score,
    isInterim: interim === true || interim === "true",
    ruleName: typeof ruleName === "string" ? ruleName : null,
  };
}

export interface AlertWindow {
  /** Epoch ms, inclusive */
  start: number;
  /** Epoch ms, exclusive */
  end: number;
  /** The jobs that detect the window's kind */
  jobIds: string[];
  /** The longest bucket span of those jobs, ms */
  bucketSpanMs: number;
}

/**
 * The alerts about `window`, earliest sent first. An alert matches when the anomaly it reports is a
 * bucket that overlaps the window or is the one right after it (ML's bucket timestamps are bucket
 * starts, and verify counts a record in the bucket after the window as late, so the same goes for
 * its alert), and when it names one of the window's jobs. An alert that names no job at all is
 * judged by its time alone.
 */
export function alertsForWindow(alerts: readonly AlertDoc[], window: AlertWindow): AlertDoc[] {
  return alerts
    .filter((alert) => alert.anomalyAt > window.start - window.bucketSpanMs && alert.anomalyAt < window.end + window.bucketSpanMs)
    .filter((alert) => alert.jobIds.length === 0 || alert.jobIds.some((id) => window.jobIds.includes(id)))
    .sort((a, b) => a.sentAt - b.sentAt);
}
