// Reads the alert documents the lab's alerting writes (see alert-match.ts for their fields).
//   POST <alerts index>/_search   alerts sent from a given time on, oldest first

import type { Client, estypes } from "@elastic/elasticsearch";
import { toAlertDoc, type AlertDoc } from "./alert-match";
import { esFailure, isNotFound } from "./es-errors";

export interface AlertsRead {
  /** False while the index does not exist: the index connector creates it with the first alert. */
  indexExists: boolean;
  alerts: AlertDoc[];
  /** Documents without a readable @timestamp or ml.anomaly_timestamp */
  unreadable: number;
}

/** A lab sends a handful of alerts per window; more than this many since a window began means a noisy rule, and the oldest are enough. */
const MAX_ALERTS = 1000;

/** The alerts sent at or after `sinceMs`, oldest first. A missing index is no alert yet, not an error. */
export async function readAlerts(client: Client, index: string, sinceMs: number): Promise<AlertsRead> {
  let response: estypes.SearchResponse<unknown>;
  try {
    response = await client.search({
      index,
      size: MAX_ALERTS,
      query: { range: { "@timestamp": { gte: new Date(sinceMs).toISOString() } } },
      sort: [{ "@timestamp": { order: "asc", unmapped_type: "date" } }],
    });
  } catch (error) {
    if (isNotFound(error)) return { indexExists: false, alerts: [], unreadable: 0 };
    throw esFailure(error, `POST ${index}/_search`);
  }
  const alerts: AlertDoc[] = [];
  let unreadable = 0;
  for (const hit of response.hits.hits) {
    const alert = toAlertDoc(hit._source);
    if (alert === undefined) unreadable += 1;
    else alerts.push(alert);
  }
  return { indexExists: true, alerts, unreadable };
}
