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
  async delete(_id, props) {
    await logic().deleteDataView(props);
  },
};

export type DataViewArgs = { [K in keyof DataViewInputs]: pulumi.Input<DataViewInputs[K]> };

export class KibanaDataView extends pulumi.dynamic.Resource {
  declare readonly dataViewId: pulumi.Output<string>;
  declare readonly title: pulumi.Output<string>;
  declare readonly isDefault: pulumi.Output<boolean>;

  constructor(name: string, args: DataViewArgs, opts?: pulumi.CustomResourceOptions) {
    super(dataViewProvider, name, { ...args, isDefault: undefined }, { ...opts, additionalSecretOutputs: ["password"] }, "lab", "DataView");
  }
}
