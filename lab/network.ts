// The cohort's own Docker network: Kibana reaches Elasticsearch by its alias on it, and a second
// cohort's containers (same aliases, own network) never see this one's.

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { LabNames } from "./names";

export interface LabNetworkArgs {
  names: LabNames;
}

export class LabNetwork extends pulumi.ComponentResource {
  readonly network: docker.Network;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: LabNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:docker:Network", name, {}, opts);
    this.network = new docker.Network(
      `${name}-network`,
      { name: args.names.network, driver: "bridge", labels: [{ label: args.names.label.key, value: args.names.label.value }] },
      { parent: this },
    );
    this.name = this.network.name;
    this.registerOutputs({ name: this.name });
  }
}
