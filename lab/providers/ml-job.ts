// Dynamic resource: one ML job and its datafeed, run over the dataset. Calls listed in ml-job-logic.ts.

import * as pulumi from "@pulumi/pulumi";
import type { StepTiming } from "../timings";
import type { MlJobInputs, MlJobOutputs } from "./ml-job-logic";

function logic(): typeof import("./ml-job-logic") {
  // Evaluated in Pulumi's dynamic-provider host: capture nothing, load the logic from the project (see load.ts).
  require("tsx/cjs");
  return require(require("node:path").join(process.env.LAB_PROJECT_DIR ?? process.cwd(), "lab", "providers", "ml-job-logic.ts"));
}

export const mlJobProvider: pulumi.dynamic.ResourceProvider<MlJobInputs, MlJobOutputs> = {
  async create(inputs) {
    const outs = await logic().createMlJob(inputs);
    return { id: inputs.jobId, outs };
  },
  async diff(_id, olds, news) {
    return logic().diffMlJob(olds, news);
  },
  async update(_id, olds, news) {
    // Only connection details or waiting changed (diff replaces on the job itself).
    return { outs: { ...news, datafeedId: olds.datafeedId, datafeedState: olds.datafeedState, processedRecordCount: olds.processedRecordCount, timing: olds.timing } };
  },
  async read(id, props) {
    if (props === undefined) throw new Error("a lab ML job cannot be imported; let pulumi up create it");
    const { readMlJob, readResult } = logic();
    return readResult(id, props, await readMlJob(props), "the next pulumi up makes and runs it again");
  },
  async delete(_id, props) {
    const result = await logic().deleteMlJob(props);
    // The provider's stderr reaches `pulumi destroy`'s output as one line.
    if (result === "unreachable") console.error(`lab: could not delete ML job ${props.jobId} and ${props.datafeedId}: Elasticsearch at ${props.elasticsearchUrl} did not answer; they are still there if the server keeps its data`);
  },
};

export type MlJobArgs = { [K in keyof MlJobInputs]: pulumi.Input<MlJobInputs[K]> };

export class MlAnomalyJob extends pulumi.dynamic.Resource {
  declare readonly jobId: pulumi.Output<string>;
  declare readonly datafeedId: pulumi.Output<string>;
  declare readonly datafeedState: pulumi.Output<string>;
  declare readonly processedRecordCount: pulumi.Output<number | null>;
  /** Undefined in a state made before timings were recorded */
  declare readonly timing: pulumi.Output<StepTiming | undefined>;

  constructor(name: string, args: MlJobArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      mlJobProvider,
      name,
      { ...args, datafeedId: undefined, datafeedState: undefined, processedRecordCount: undefined, timing: undefined },
      { ...opts, additionalSecretOutputs: ["password", "apiKey"] },
      "lab",
      "MlJob",
    );
  }
}
