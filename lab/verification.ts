// `lab-verify verify` as the last step of the lab (lab:verify true): did the jobs find what was planted?

import * as pulumi from "@pulumi/pulumi";
import type { AnomalyKind, GroundTruth } from "../generator/types";
import { providerCredentials, type CredentialInputs } from "./credential-inputs";
import { LabVerification } from "./providers/verification";
import type { StepTiming } from "./timings";

export interface VerificationArgs {
  elasticsearchUrl: pulumi.Input<string>;
  credentials: CredentialInputs;
  jobs: { jobId: string; detects: AnomalyKind[] }[];
  truth: pulumi.Input<GroundTruth>;
}

export class Verification extends pulumi.ComponentResource {
  readonly allFound: pulumi.Output<boolean>;
  readonly falseAlarmCount: pulumi.Output<number>;
  readonly report: pulumi.Output<string>;
  readonly timing: pulumi.Output<StepTiming | undefined>;

  constructor(name: string, args: VerificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:ml:Verification", name, {}, opts);
    const check = new LabVerification(
      `${name}-check`,
      { elasticsearchUrl: args.elasticsearchUrl, ...providerCredentials(args.credentials), jobs: args.jobs, truth: args.truth },
      // The jobs' results exist only once their datafeeds have run: wait for every job.
      { parent: this, dependsOn: opts?.dependsOn },
    );
    this.allFound = check.allFound;
    this.falseAlarmCount = check.falseAlarmCount;
    this.report = check.report;
    this.timing = check.timing;
    this.registerOutputs({ allFound: this.allFound, falseAlarmCount: this.falseAlarmCount, report: this.report });
  }
}
