// Dynamic resource: the cohort's Kibana alerting rule and its connectors, made and removed
// together. Calls listed in alerting-logic.ts.

import * as pulumi from "@pulumi/pulumi";
import type { AlertingInputs, AlertingOutputs } from "./alerting-logic";

function logic(): typeof import("./alerting-logic") {
  // Evaluated in Pulumi's dynamic-provider host: capture nothing, load the logic from the project (see load.ts).
  require("tsx/cjs");
  return require(require("node:path").join(process.env.LAB_PROJECT_DIR ?? process.cwd(), "lab", "providers", "alerting-logic.ts"));
}

export const alertingProvider: pulumi.dynamic.ResourceProvider<AlertingInputs, AlertingOutputs> = {
  async create(inputs) {
    const outs = await logic().createAlerting(inputs);
    return { id: `lab-${inputs.cohort}-alerting`, outs };
  },
  async diff(_id, olds, news) {
    return logic().diffAlerting(olds, news);
  },
  async update(_id, olds, news) {
    return { outs: logic().updateAlerting(olds, news) };
  },
  async read(id, props) {
    if (props === undefined) throw new Error("the lab's alerting cannot be imported; let pulumi up create it");
    const { readAlerting, readResult } = logic();
    return readResult(id, props, await readAlerting(props), "the next pulumi up makes the rule and its connectors again");
  },
  async delete(_id, props) {
    const result = await logic().deleteAlerting(props);
    // The provider's stderr reaches `pulumi destroy`'s output as one line.
    if (result === "unreachable") {
      console.error(`lab: could not delete the alerting rule and connectors of lab ${props.cohort}: Kibana at ${props.kibanaUrl} did not answer; delete them in Kibana (Stack Management > Rules, and > Connectors) if they are still there`);
    }
  },
};

export type KibanaAlertingArgs = { [K in keyof AlertingInputs]: pulumi.Input<AlertingInputs[K]> };

export class KibanaAlerting extends pulumi.dynamic.Resource {
  declare readonly ruleId: pulumi.Output<string | null>;
  declare readonly connectorIds: pulumi.Output<Record<string, string>>;
  declare readonly skipped: pulumi.Output<string | null>;

  constructor(name: string, args: KibanaAlertingArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      alertingProvider,
      name,
      { ...args, ruleId: undefined, connectorIds: undefined, skipped: undefined },
      { ...opts, additionalSecretOutputs: ["password", "apiKey", "smtpPassword"] },
      "lab",
      "KibanaAlerting",
    );
  }
}
