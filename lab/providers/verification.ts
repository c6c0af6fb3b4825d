// Dynamic resource: `lab-verify verify` run once the ML jobs are done. Calls listed in verification-logic.ts.

import * as pulumi from "@pulumi/pulumi";
import type { StepTiming } from "../timings";
import type { VerificationInputs, VerificationOutputs } from "./verification-logic";

function logic(): typeof import("./verification-logic") {
  // Evaluated in Pulumi's dynamic-provider host: capture nothing, load the logic from the project (see load.ts).
  require("tsx/cjs");
  return require(require("node:path").join(process.env.LAB_PROJECT_DIR ?? process.cwd(), "lab", "providers", "verification-logic.ts"));
}

export const verificationProvider: pulumi.dynamic.ResourceProvider<VerificationInputs, VerificationOutputs> = {
  async create(inputs) {
    return { id: `verify-${inputs.jobs.map((j) => j.jobId).join(",")}`, outs: await logic().runVerification(inputs) };
  },
  async diff(_id, olds, news) {
    return logic().diffVerification(olds, news);
  },
  async update(_id, _olds, news) {
    return { outs: await logic().runVerification(news) };
  },
  async read(id, props) {
    // The report is a reading of the jobs' results, not a thing on a server: refresh keeps it, and
    // the next `up` reads again when the jobs or the truth change (see diffVerification).
    return { id, props };
  },
  async delete() {
    // Reading results changed nothing.
  },
};

export type VerificationArgs = { [K in keyof VerificationInputs]: pulumi.Input<VerificationInputs[K]> };

export class LabVerification extends pulumi.dynamic.Resource {
  declare readonly allFound: pulumi.Output<boolean>;
  declare readonly falseAlarmCount: pulumi.Output<number>;
  declare readonly report: pulumi.Output<string>;
  /** Undefined in a state made before timings were recorded */
  declare readonly timing: pulumi.Output<StepTiming | undefined>;

  constructor(name: string, args: VerificationArgs, opts?: pulumi.CustomResourceOptions) {
    super(verificationProvider, name, { ...args, allFound: undefined, falseAlarmCount: undefined, report: undefined, timing: undefined }, { ...opts, additionalSecretOutputs: ["password", "apiKey"] }, "lab", "Verification");
  }
}
