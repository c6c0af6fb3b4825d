// Dynamic resource: the Kibana data view over the dataset. Calls listed in data-view-logic.ts.

import * as pulumi from "@pulumi/pulumi";
import type { DataViewInputs, DataViewOutputs } from "./data-view-logic";

function logic(): typeof import("./data-view-logic") {
  // Evaluated in Pulumi's dynamic-provider host: capture nothing, load the logic from the project (see load.ts).
  require("tsx/cjs");
  return require(require("node:path").join(process.env.LAB_PROJECT_DIR ?? process.cwd(), "lab", "providers", "data-view-logic.ts"));
}

export const dataViewProvider: pulumi.dynamic.ResourceProvider<DataViewInputs, DataViewOutputs> = {
  async create(inputs) {
    const outs = await logic().createDataView(inputs);
    return { id: inputs.dataViewId, outs };
  },
  async diff(_id, olds, news) {
    return logic().diffDataView(olds, news);
  },
  async update(_id, olds, news) {
    return { outs: await logic().updateDataView(olds, news) };
  },
  async read(id, props) {
    if (props === undefined) throw new Error("a lab data view cannot be imported; let pulumi up create it");
    const { readDataView, readResult } = logic();
    return readResult(id, props, await readDataView(props), "the next pulumi up makes it again");
  },
  async delete(_id, props) {
    const result = await logic().deleteDataView(props);
    // The provider's stderr reaches `pulumi destroy`'s output as one line.
    if (result === "unreachable") console.error(`lab: could not delete data view ${props.dataViewId}: Kibana at ${props.kibanaUrl} did not answer; delete it in Kibana (Stack Management > Data views) if it is still there`);
  },
};

export type DataViewArgs = { [K in keyof DataViewInputs]: pulumi.Input<DataViewInputs[K]> };

export class KibanaDataView extends pulumi.dynamic.Resource {
  declare readonly dataViewId: pulumi.Output<string>;
  declare readonly title: pulumi.Output<string>;
  declare readonly isDefault: pulumi.Output<boolean>;

  constructor(name: string, args: DataViewArgs, opts?: pulumi.CustomResourceOptions) {
    super(dataViewProvider, name, { ...args, isDefault: undefined }, { ...opts, additionalSecretOutputs: ["password", "apiKey"] }, "lab", "DataView");
  }
}
