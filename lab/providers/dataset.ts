// Dynamic resource: the generated dataset in the lab's Elasticsearch. Calls listed in dataset-logic.ts.

import * as pulumi from "@pulumi/pulumi";
import type { InjectedAnomaly } from "../../generator/types";
import type { StepTiming } from "../timings";
import type { DatasetInputs, DatasetOutputs } from "./dataset-logic";

function logic(): typeof import("./dataset-logic") {
  // Evaluated in Pulumi's dynamic-provider host: capture nothing, load the logic from the project (see load.ts).
  require("tsx/cjs");
  return require(require("node:path").join(process.env.LAB_PROJECT_DIR ?? process.cwd(), "lab", "providers", "dataset-logic.ts"));
}

export const datasetProvider: pulumi.dynamic.ResourceProvider<DatasetInputs, DatasetOutputs> = {
  async create(inputs) {
    // Progress lines through Pulumi's log API. In the dynamic-provider host it has no engine
    // connection and writes to stdout, which the engine shows while the step runs (docs/lab.md).
    const log = (line: string) => void require("@pulumi/pulumi").log.info(line);
    const outs = await logic().createDataset(inputs, new Date(), { log });
    return { id: outs.index, outs };
  },
  async diff(_id, olds, news) {
    return logic().diffDataset(olds, news);
  },
  async update(_id, olds, news) {
    // Only connection details changed (diff replaces on everything else): the data stays.
    const { index, count, errorIndex, errorCount, start, end, anomalies, truth, timing } = olds;
    return { outs: { ...news, index, count, start, end, anomalies, truth, timing, ...(errorIndex === undefined ? {} : { errorIndex, errorCount }) } };
  },
  async read(id, props) {
    if (props === undefined) throw new Error("a lab dataset cannot be imported; let pulumi up create it");
    const { readDataset, readResult } = logic();
    return readResult(id, props, await readDataset(props), "the next pulumi up writes it again");
  },
  async delete(_id, props) {
    const methods = logic();
    // The provider's stderr reaches `pulumi destroy`'s output as one line each.
    for (const line of methods.leftBehind(props, await methods.deleteDatasetIndex(props))) console.error(line);
  },
};

export type DatasetArgs = { [K in keyof DatasetInputs]: pulumi.Input<DatasetInputs[K]> };

export class DatasetIndex extends pulumi.dynamic.Resource {
  declare readonly index: pulumi.Output<string>;
  declare readonly count: pulumi.Output<number>;
  /** Absent in live mode */
  declare readonly errorIndex: pulumi.Output<string | undefined>;
  declare readonly errorCount: pulumi.Output<number | undefined>;
  declare readonly start: pulumi.Output<string>;
  declare readonly end: pulumi.Output<string>;
  declare readonly anomalies: pulumi.Output<InjectedAnomaly[]>;
  declare readonly truth: pulumi.Output<DatasetOutputs["truth"]>;
  /** Undefined in a state made before timings were recorded */
  declare readonly timing: pulumi.Output<StepTiming | undefined>;

  constructor(name: string, args: DatasetArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      datasetProvider,
      name,
      { ...args, index: undefined, count: undefined, errorIndex: undefined, errorCount: undefined, start: undefined, end: undefined, anomalies: undefined, truth: undefined, timing: undefined },
      { ...opts, additionalSecretOutputs: ["password", "apiKey"] },
      "lab",
      "Dataset",
    );
  }
}
