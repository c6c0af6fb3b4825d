// The dataset step: the generator's labelled traffic, written into the lab's Elasticsearch.
// It needs a healthy Elasticsearch and nothing else, so generation overlaps Kibana's start-up.
// In live mode (lab:live) it is the backfill of a follow-mode stream that ends when it is first
// created (`end`, the origin); the traffic generator resumes the same index from there.
// Beside the access index, nginx's error log for the same requests goes into an index of its own
// (`errorIndex`, under the cohort's error prefix); live mode writes the access log only.

import * as pulumi from "@pulumi/pulumi";
import type { GroundTruth, InjectedAnomaly } from "../generator/types";
import { providerCredentials, type CredentialInputs } from "./credential-inputs";
import { DatasetIndex } from "./providers/dataset";
import type { StepTiming } from "./timings";

export interface DatasetArgs {
  elasticsearchUrl: pulumi.Input<string>;
  credentials: CredentialInputs;
  /** True in the Docker lab: refresh keeps this as it is while its server, a container of the stack, is down */
  serverInStack: boolean;
  indexPrefix: string;
  days: number;
  seed: number;
  scenario: string;
  meanRatePerSecond: number | undefined;
  requestedEnd: string | undefined;
  timeoutSeconds: number;
  /** lab:live */
  live: boolean;
  /** lab:liveAnomaly (live mode only) */
  liveAnomaly?: string;
}

export class Dataset extends pulumi.ComponentResource {
  readonly index: pulumi.Output<string>;
  readonly count: pulumi.Output<number>;
  /** The error log's index; undefined in live mode */
  readonly errorIndex: pulumi.Output<string | undefined>;
  readonly start: pulumi.Output<string>;
  readonly end: pulumi.Output<string>;
  readonly anomalies: pulumi.Output<InjectedAnomaly[]>;
  readonly truth: pulumi.Output<GroundTruth>;
  /** When the dataset was written, with docs/s; undefined in a state made before timings were recorded */
  readonly timing: pulumi.Output<StepTiming | undefined>;

  constructor(name: string, args: DatasetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:data:Dataset", name, {}, opts);
    const data = new DatasetIndex(
      `${name}-index`,
      {
        elasticsearchUrl: args.elasticsearchUrl,
        ...providerCredentials(args.credentials),
        serverInStack: args.serverInStack,
        indexPrefix: args.indexPrefix,
        days: args.days,
        seed: args.seed,
        scenario: args.scenario,
        meanRatePerSecond: args.meanRatePerSecond,
        requestedEnd: args.requestedEnd,
        timeoutSeconds: args.timeoutSeconds,
        // Only set in live mode, so that a plain dataset's inputs stay exactly what they were.
        ...(args.live ? { live: true } : {}),
        ...(args.live && args.liveAnomaly !== undefined ? { liveAnomaly: args.liveAnomaly } : {}),
      },
      // The URLs are plain strings, so nothing ties this call to the servers being up but this:
      { parent: this, dependsOn: opts?.dependsOn },
    );
    this.index = data.index;
    this.count = data.count;
    this.errorIndex = data.errorIndex;
    this.start = data.start;
    this.end = data.end;
    this.anomalies = data.anomalies;
    this.truth = data.truth;
    this.timing = data.timing;
    this.registerOutputs({ index: this.index, count: this.count, errorIndex: this.errorIndex, start: this.start, end: this.end, anomalies: this.anomalies });
  }
}
