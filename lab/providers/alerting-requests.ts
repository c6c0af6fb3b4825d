// The bodies of the Kibana alerting calls the lab makes, as pure functions: the connectors (index,
// e-mail, webhook), the ML anomaly-detection rule over the cohort's jobs, and the ids they get.
// Typed after Kibana's documented request shapes; alerting-logic.ts sends them.
//
// https://www.elastic.co/docs/api/doc/kibana/group/endpoint-connectors
// https://www.elastic.co/docs/api/doc/kibana/group/endpoint-alerting
// https://www.elastic.co/docs/explore-analyze/machine-learning/anomaly-detection/ml-configuring-alerts

import { createHash } from "node:crypto";

/** Where the e-mail connector sends: the instructor's SMTP server or the lab's mail catcher. */
export interface EmailSpec {
  host: string;
  port: number;
  secure: boolean;
  from: string;
  to: string[];
  /** Undefined: the server needs no login */
  user?: string;
}

export interface AlertingSpec {
  cohort: string;
  jobIds: string[];
  alertsIndex: string;
  /** Undefined: no e-mail connector */
  email?: EmailSpec;
  /** Undefined: no webhook connector */
  webhookUrl?: string;
}

export type ConnectorKind = "index" | "email" | "webhook";

export interface ConnectorRequest {
  kind: ConnectorKind;
  id: string;
  body: { name: string; connector_type_id: ".index" | ".email" | ".webhook"; config: Record<string, unknown>; secrets: Record<string, unknown> };
  /** The rule action that uses it: the connector's params, as Mustache templates */
  actionParams: Record<string, unknown>;
}

/** The rule type of Kibana's ML "Anomaly detection alert". */
export const ML_ANOMALY_RULE_TYPE = "xpack.ml.anomaly_detection_alert";
/** The rule type's only action group: an anomaly matched the rule's conditions. */
export const ANOMALY_SCORE_MATCH_GROUP = "anomaly_score_match";

/**
 * The rule's parameters, fitted to the lab's jobs, whose bucket span is 15 minutes:
 * - severity 50: the lower bound of the "major" band (Kibana's bands: minor 25, major 50, critical
 *   75). The planted windows score in the major-to-critical range; below 50, the ordinary noise of a
 *   quarter hour of traffic would mail the class every few checks.
 * - resultType "bucket": one alert per anomalous bucket across the jobs' detectors, not one per
 *   anomaly record (a URL scan alone makes dozens of records in one bucket).
 * - includeInterim true: a real-time datafeed writes interim results for the bucket still open, so
 *   a live anomaly alerts within minutes instead of after the bucket closes. The document records
 *   whether it was interim (ml.is_interim).
 * - lookbackInterval 45m, three bucket spans: the open (interim) bucket, the one the datafeed's
 *   query delay may still be finishing, and one to spare for a check that runs late. Longer, and a
 *   rule made after a backfill would alert on its last anomalies; shorter than two spans, and a
 *   finalised bucket could fall between two checks.
 * - topNBuckets 3: the latest buckets within that lookback, all of them.
 * No kqlQueryString: Kibana accepts it from 9.3 only, and older versions refuse unknown params.
 */
export const RULE_PARAMS = { severity: 50, resultType: "bucket", includeInterim: true, lookbackInterval: "45m", topNBuckets: 3 } as const;

/**
 * A check a minute: the check only reads the jobs' results, and a live class wants the alert soon
 * after the result is written. (Kibana suggests an interval near the bucket span to save work; one
 * rule per cohort makes that saving small.)
 */
export const RULE_INTERVAL = "1m";

/**
 * Kibana keeps connectors and rules as saved objects with encrypted attributes, which take a
 * predefined id only when it is a UUID (v1 or v4), and answer 400 otherwise. So each id is a UUID
 * derived from the cohort and the object's purpose: the same on every run, so a second run finds
 * (409) what the first made instead of making another. The hash's bits are stamped with version 4
 * and the RFC 4122 variant, the shape Kibana checks for.
 */
export function labObjectId(cohort: string, purpose: string): string {
  const bytes = createHash("sha256").update(`elastic-ml-lab:${cohort}:${purpose}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function ruleIdOf(cohort: string): string {
  return labObjectId(cohort, "rule");
}

export function connectorIdOf(cohort: string, kind: ConnectorKind): string {
  return labObjectId(cohort, `connector-${kind}`);
}

/**
 * The alert document, as the index connector writes it and `lab-verify --live` reads it. The
 * values are Mustache templates over the rule's documented action variables (context.jobIds,
 * context.score, context.timestampIso8601, context.isInterim, context.anomalyExplorerUrl,
 * context.message); the index connector adds @timestamp (executionTimeField).
 */
export function alertDocument(cohort: string): Record<string, unknown> {
  return {
    rule: { id: "{{rule.id}}", name: "{{rule.name}}" },
    ml: {
      job_ids: "{{context.jobIds}}",
      anomaly_score: "{{context.score}}",
      anomaly_timestamp: "{{context.timestampIso8601}}",
      is_interim: "{{context.isInterim}}",
      anomaly_explorer_url: "{{{context.anomalyExplorerUrl}}}",
    },
    message: "{{context.message}}",
    lab: { cohort },
  };
}

/**
 * The webhook's JSON body, with the same fields. Kibana renders a webhook body with JSON escaping,
 * so a quote in the message cannot break the document; for that reason every value is double-braced.
 */
export function webhookBody(cohort: string): string {
  const fields = [
    `"rule":{"id":"{{rule.id}}","name":"{{rule.name}}"}`,
    `"ml":{"job_ids":"{{context.jobIds}}","anomaly_score":"{{context.score}}","anomaly_timestamp":"{{context.timestampIso8601}}","is_interim":"{{context.isInterim}}","anomaly_explorer_url":"{{context.anomalyExplorerUrl}}"}`,
    `"message":"{{context.message}}"`,
    `"lab":{"cohort":${JSON.stringify(cohort)}}`,
  ];
  return `{${fields.join(",")}}`;
}

export function ruleName(cohort: string): string {
  return `Lab ML anomalies (${cohort})`;
}

/** Every connector the spec asks for: the index one always, then e-mail and webhook when configured. */
export function connectorRequests(spec: AlertingSpec): ConnectorRequest[] {
  const { cohort } = spec;
  const requests: ConnectorRequest[] = [
    {
      kind: "index",
      id: connectorIdOf(cohort, "index"),
      body: {
        name: `Lab alerts index (${cohort})`,
        connector_type_id: ".index",
        // refresh: a document is searchable as soon as the action returns, for lab-verify and Discover.
        config: { index: spec.alertsIndex, executionTimeField: "@timestamp", refresh: true },
        secrets: {},
      },
      actionParams: { documents: [alertDocument(cohort)] },
    },
  ];
  if (spec.email !== undefined) {
    const email = spec.email;
    const hasAuth = email.user !== undefined;
    requests.push({
      kind: "email",
      id: connectorIdOf(cohort, "email"),
      body: {
        name: `Lab alert e-mail (${cohort})`,
        connector_type_id: ".email",
        // service "other": a plain SMTP server given by host and port, not one of Nodemailer's named services.
        config: { service: "other", host: email.host, port: email.port, secure: email.secure, from: email.from, hasAuth },
        // The password joins in alerting-logic.ts, from a secret input; it never appears in a pure request.
        secrets: hasAuth ? { user: email.user } : {},
      },
      actionParams: {
        to: email.to,
        subject: `ML anomaly in lab ${cohort}: score {{context.score}}`,
        message: [
          "{{context.message}}",
          "",
          "- jobs: {{context.jobIds}}",
          "- bucket: {{context.timestampIso8601}} (interim: {{context.isInterim}})",
          "- score: {{context.score}}",
          "",
          "[Open the Anomaly Explorer]({{{context.anomalyExplorerUrl}}})",
        ].join("\n"),
      },
    });
  }
  if (spec.webhookUrl !== undefined) {
    requests.push({
      kind: "webhook",
      id: connectorIdOf(cohort, "webhook"),
      body: {
        name: `Lab alert webhook (${cohort})`,
        connector_type_id: ".webhook",
        config: { url: spec.webhookUrl, method: "post", headers: { "Content-Type": "application/json" }, hasAuth: false },
        secrets: {},
      },
      actionParams: { body: webhookBody(cohort) },
    });
  }
  return requests;
}

export interface RuleRequest {
  name: string;
  rule_type_id: typeof ML_ANOMALY_RULE_TYPE;
  consumer: string;
  schedule: { interval: string };
  tags: string[];
  params: { jobSelection: { jobIds: string[]; groupIds: string[] } } & typeof RULE_PARAMS;
  actions: { group: string; id: string; params: Record<string, unknown>; frequency: { summary: boolean; notify_when: string; throttle: null } }[];
}

/**
 * The rule over the cohort's jobs, with one action per connector.
 * - consumer "ml": the rule type's producer, so the rule shows in the ML app and in Stack
 *   Management > Rules alike.
 * - frequency inside each action (Kibana 8.6 and later; the rule-level notify_when is deprecated):
 *   "onActionGroupChange" acts once when an alert becomes active, so an anomalous bucket makes one
 *   document and one e-mail, not one a minute for as long as it stays within the lookback.
 */
export function ruleRequest(spec: AlertingSpec, connectors: readonly ConnectorRequest[]): RuleRequest {
  return {
    name: ruleName(spec.cohort),
    rule_type_id: ML_ANOMALY_RULE_TYPE,
    consumer: "ml",
    schedule: { interval: RULE_INTERVAL },
    tags: [`lab-${spec.cohort}`],
    params: { jobSelection: { jobIds: [...spec.jobIds], groupIds: [] }, ...RULE_PARAMS },
    actions: connectors.map((connector) => ({
      group: ANOMALY_SCORE_MATCH_GROUP,
      id: connector.id,
      params: connector.actionParams,
      frequency: { summary: false, notify_when: "onActionGroupChange", throttle: null },
    })),
  };
}
