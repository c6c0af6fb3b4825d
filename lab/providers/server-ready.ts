// Dynamic resource: when a container of the Docker lab became ready. Calls listed in server-ready-logic.ts.

import * as pulumi from "@pulumi/pulumi";
import type { StepTiming } from "../timings";
import type { ServerReadyInputs, ServerReadyOutputs } from "./server-ready-logic";

function logic(): typeof import("./server-ready-logic") {
  // Evaluated in Pulumi's dynamic-provider host: capture nothing, load the logic from the project (see load.ts).
  require("tsx/cjs");
  return require(require("node:path").join(process.env.LAB_PROJECT_DIR ?? process.cwd(), "lab", "providers", "server-ready-logic.ts"));
}

export const serverReadyProvider: pulumi.dynamic.ResourceProvider<ServerReadyInputs, ServerReadyOutputs> = {
  async create(inputs) {
    return { id: `${inputs.server}-ready-${inputs.containerId}`, outs: await logic().timeServerReady(inputs) };
  },
  async diff(_id, olds, news) {
    return logic().diffServerReady(olds, news);
  },
  async update(_id, olds, news) {
    // Only the URL or login changed: the timing stays the one of the container's start.
    return { outs: { ...news, timing: olds.timing } };
  },
  async read(id, props) {
    // A record of when the server became ready, not a thing on a server.
    return { id, props };
  },
  async delete() {
    // Nothing was made.
  },
};

export type ServerReadyArgs = { [K in keyof ServerReadyInputs]: pulumi.Input<ServerReadyInputs[K]> };

export class ServerReady extends pulumi.dynamic.Resource {
  declare readonly timing: pulumi.Output<StepTiming>;

  constructor(name: string, args: ServerReadyArgs, opts?: pulumi.CustomResourceOptions) {
    super(serverReadyProvider, name, { ...args, timing: undefined }, { ...opts, additionalSecretOutputs: ["password", "apiKey"] }, "lab", "ServerReady");
  }
}
