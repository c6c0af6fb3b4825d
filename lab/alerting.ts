// The cohort's alerting (lab:alerts): the index every alert is written to, then Kibana's ML
// anomaly-detection rule over the cohort's jobs with its connectors (the index, and e-mail and a
// webhook when configured). On a licence without ML alerting the rule is skipped with a warning.

import * as pulumi from "@pulumi/pulumi";
import type { AlertsConfig } from "./config";
import { providerCredentials, type CredentialInputs } from "./credential-inputs";
import type { LabNames } from "./names";
import type { EmailSpec } from "./providers/alerting-requests";
import { KibanaAlerting } from "./providers/alerting";
import { AlertsIndex } from "./providers/alerts-index";

export interface AlertingArgs {
  cohort: string;
  names: LabNames;
  config: AlertsConfig;
  elasticsearchUrl: pulumi.Input<string>;
  kibanaUrl: pulumi.Input<string>;
  credentials: CredentialInputs;
  /** True in the Docker lab: refresh keeps this as it is while its server, a container of the stack, is down */
  serverInStack: boolean;
  jobIds: pulumi.Input<string>[];
  /** The lab's own mail catcher, when lab:mailCatcher is true */
  mailCatcher: { smtpHost: string; smtpPort: number } | undefined;
  timeoutSeconds: number;
}

/** The stack output `alerts`: what was made, or why nothing was. */
export interface AlertsSummary {
  alertsIndex: string;
  ruleId?: string;
  connectors: Record<string, string>;
  skipped?: string;
}

/** The e-mail connector's settings: the instructor's SMTP server, or the mail catcher on the lab's network. */
export function emailSpecOf(config: AlertsConfig, mailCatcher: AlertingArgs["mailCatcher"]): EmailSpec | undefined {
  const email = config.email;
  if (email === undefined) return undefined;
  if (email.kind === "smtp") {
    return { host: email.host, port: email.port, secure: email.secure, from: email.from, to: [...email.to], ...(email.user === undefined ? {} : { user: email.user }) };
  }
  if (mailCatcher === undefined) throw new Error("lab:mailCatcher passed validation but no mail catcher was declared");
  // Mailpit on the cohort's network: plain SMTP, no login.
  return { host: mailCatcher.smtpHost, port: mailCatcher.smtpPort, secure: false, from: email.from, to: [...email.to] };
}

export class Alerting extends pulumi.ComponentResource {
  readonly summary: pulumi.Output<AlertsSummary>;

  constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:kibana:Alerting", name, {}, opts);
    const credentials = providerCredentials(args.credentials);
    const index = new AlertsIndex(
      `${name}-index`,
      { elasticsearchUrl: args.elasticsearchUrl, ...credentials, serverInStack: args.serverInStack, index: args.names.alertsIndex, cohort: args.cohort },
      // Only Elasticsearch is needed, but the components' dependsOn (the ML jobs) is kept as given.
      { parent: this, dependsOn: opts?.dependsOn, deleteBeforeReplace: true },
    );
    const email = emailSpecOf(args.config, args.mailCatcher);
    const smtpPassword = args.config.email?.kind === "smtp" && args.config.email.password !== undefined ? pulumi.secret(args.config.email.password) : undefined;
    const alerting = new KibanaAlerting(
      `${name}-rule`,
      {
        elasticsearchUrl: args.elasticsearchUrl,
        kibanaUrl: args.kibanaUrl,
        ...credentials,
        serverInStack: args.serverInStack,
        cohort: args.cohort,
        // The rule watches the jobs: it is made after them (dependsOn) and names them.
        jobIds: pulumi.all(args.jobIds),
        alertsIndex: index.index,
        email,
        smtpPassword,
        webhookUrl: args.config.webhookUrl,
        timeoutSeconds: args.timeoutSeconds,
      },
      // Its ids are fixed per cohort, so the old rule and connectors go before their replacements.
      { parent: this, dependsOn: [index, ...dependencies(opts?.dependsOn)], deleteBeforeReplace: true },
    );
    alerting.skipped.apply((skipped) => {
      // pulumi up prints this among its diagnostics; the stack output `alerts.skipped` keeps it.
      if (typeof skipped === "string" && skipped !== "") pulumi.log.warn(`lab:alerts: ${skipped}`, this);
    });
    this.summary = pulumi.all([index.index, alerting.ruleId, alerting.connectorIds, alerting.skipped]).apply(([alertsIndex, ruleId, connectors, skipped]) => ({
      alertsIndex,
      ...(ruleId === null || ruleId === undefined ? {} : { ruleId }),
      connectors: connectors ?? {},
      ...(skipped === null || skipped === undefined ? {} : { skipped }),
    }));
    this.registerOutputs({ summary: this.summary });
  }
}

function dependencies(dependsOn: pulumi.ComponentResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (dependsOn === undefined) return [];
  return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}
