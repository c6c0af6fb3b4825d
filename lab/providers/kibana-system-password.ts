// Dynamic resource: the kibana_system password, set through Elasticsearch's security API.
// The calls it makes are listed in kibana-system-password-logic.ts.

import * as pulumi from "@pulumi/pulumi";
import type { KibanaSystemPasswordInputs, KibanaSystemPasswordOutputs } from "./kibana-system-password-logic";

function logic(): typeof import("./kibana-system-password-logic") {
  // Evaluated in Pulumi's dynamic-provider host: capture nothing, load the logic from the project (see load.ts).
  require("tsx/cjs");
  return require(require("node:path").join(process.env.LAB_PROJECT_DIR ?? process.cwd(), "lab", "providers", "kibana-system-password-logic.ts"));
}

export const kibanaSystemPasswordProvider: pulumi.dynamic.ResourceProvider<KibanaSystemPasswordInputs, KibanaSystemPasswordOutputs> = {
  async create(inputs) {
    const outs = await logic().setKibanaSystemPassword(inputs);
    return { id: `kibana_system@${inputs.elasticsearchUrl}`, outs };
  },
  async diff(_id, olds, news) {
    // Nothing here is worth a replacement: a new password or server is set by `update`.
    const changed = (["elasticsearchUrl", "username", "password", "kibanaSystemPassword"] as const).some((key) => olds[key] !== news[key]);
    return { changes: changed, replaces: [] };
  },
  async update(_id, _olds, news) {
    return { outs: await logic().setKibanaSystemPassword(news) };
  },
  async read(id, props) {
    if (props === undefined) throw new Error("the kibana_system password cannot be imported; let pulumi up set it");
    const { readKibanaSystemPassword, readResult } = logic();
    return readResult(id, props, await readKibanaSystemPassword(props), "the next pulumi up sets it again");
  },
  async delete() {
    // The password lives in the node's security index, which goes with the Elasticsearch volume.
  },
};

export type KibanaSystemPasswordArgs = { [K in keyof KibanaSystemPasswordInputs]: pulumi.Input<KibanaSystemPasswordInputs[K]> };

export class KibanaSystemPassword extends pulumi.dynamic.Resource {
  declare readonly kibanaSystemUsername: pulumi.Output<string>;
  declare readonly kibanaSystemPassword: pulumi.Output<string>;

  constructor(name: string, args: KibanaSystemPasswordArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      kibanaSystemPasswordProvider,
      name,
      { ...args, kibanaSystemUsername: undefined },
      { ...opts, additionalSecretOutputs: ["password", "kibanaSystemPassword"] },
      "lab",
      "KibanaSystemPassword",
    );
  }
}
