// Dynamic resource: the index the cohort's alerts are written to. Calls listed in alerts-index-logic.ts.

import * as pulumi from "@pulumi/pulumi";
import type { AlertsIndexInputs, AlertsIndexOutputs } from "./alerts-index-logic";

function logic(): typeof import("./alerts-index-logic") {
  // Evaluated in Pulumi's dynamic-provider host: capture nothing, load the logic from the project (see load.ts).
  require("tsx/cjs");
  return require(require("node:path").join(process.env.LAB_PROJECT_DIR ?? process.cwd(), "lab", "providers", "alerts-index-logic.ts"));
}

export const alertsIndexProvider: pulumi.dynamic.ResourceProvider<AlertsIndexInputs, AlertsIndexOutputs> = {
  async create(inputs) {
    return { id: inputs.index, outs: await logic().createAlertsIndex(inputs) };
  },
  async diff(_id, olds, news) {
    return logic().diffAlertsIndex(olds, news);
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async read(id, props) {
    if (props === undefined) throw new Error("the lab's alerts index cannot be imported; let pulumi up create it");
    const { readAlertsIndex, readResult } = logic();
    return readResult(id, props, await readAlertsIndex(props), "the next pulumi up makes it again");
  },
  async delete(_id, props) {
    const result = await logic().deleteAlertsIndex(props);
    // The provider's stderr reaches `pulumi destroy`'s output as one line.
    if (result === "foreign") console.error(`lab: left index ${props.index} alone: it is not the lab's alerts index (no _meta.lab alerts marker)`);
    if (result === "unreachable") console.error(`lab: could not delete index ${props.index}: Elasticsearch at ${props.elasticsearchUrl} did not answer; delete it later with DELETE /${props.index}`);
  },
};

export type AlertsIndexArgs = { [K in keyof AlertsIndexInputs]: pulumi.Input<AlertsIndexInputs[K]> };

export class AlertsIndex extends pulumi.dynamic.Resource {
  declare readonly index: pulumi.Output<string>;

  constructor(name: string, args: AlertsIndexArgs, opts?: pulumi.CustomResourceOptions) {
    super(alertsIndexProvider, name, args, { ...opts, additionalSecretOutputs: ["password", "apiKey"] }, "lab", "AlertsIndex");
  }
}
