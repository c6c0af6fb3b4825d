// One ML anomaly-detection job from ml-jobs/, pointed at the dataset's index and run over exactly
// the dataset's time range, plus the Kibana links to its results. In live mode (lab:live) its
// datafeed starts at the dataset's start with no end and runs on in real time (lab/live-datafeed.ts).

import * as pulumi from "@pulumi/pulumi";
import { jobRequests, type LabJobDefinition } from "../ml-jobs/index";
import { providerCredentials, type CredentialInputs } from "./credential-inputs";
import { liveDatafeed } from "./live-datafeed";
import { MlAnomalyJob } from "./providers/ml-job";
import type { StepTiming } from "./timings";
import { fitsSingleMetricViewer, mlJobUrl } from "./urls";

export interface MlJobArgs {
  definition: LabJobDefinition;
  jobId: string;
  elasticsearchUrl: pulumi.Input<string>;
  credentials: CredentialInputs;
  /** True in the Docker lab: refresh keeps this as it is while its server, a container of the stack, is down */
  serverInStack: boolean;
  /** Undefined: no Kibana, so no links */
  kibanaUrl: string | undefined;
  /** The access index, read by every job but those on nginx's error log */
  index: pulumi.Input<string>;
  /** The error index (or a pattern), read by a job whose file names `lab-error-*` */
  errorIndex: pulumi.Input<string>;
  start: pulumi.Input<string>;
  end: pulumi.Input<string>;
  /** lab:live: the datafeed gets no end and runs on in real time; the links reach up to "now" */
  live: boolean;
  waitForCompletion: boolean;
  timeoutSeconds: number;
}

export class MlJob extends pulumi.ComponentResource {
  readonly jobId: pulumi.Output<string>;
  /** Undefined without a Kibana */
  readonly anomalyExplorerUrl: pulumi.Output<string | undefined>;
  /** Undefined for jobs the Single Metric Viewer cannot plot (population and rare analyses), or without a Kibana */
  readonly singleMetricViewerUrl: pulumi.Output<string | undefined>;
  readonly datafeedState: pulumi.Output<string>;
  /** When the job was made and its datafeed ran; undefined in a state made before timings were recorded */
  readonly timing: pulumi.Output<StepTiming | undefined>;

  constructor(name: string, args: MlJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:ml:Job", name, {}, opts);
    const requests = pulumi
      .all([args.index, args.errorIndex])
      .apply(([index, errorIndex]) => jobRequests(args.definition, { jobId: args.jobId, indexPattern: index, errorIndexPattern: errorIndex }));
    const job = new MlAnomalyJob(
      `${name}-job`,
      {
        elasticsearchUrl: args.elasticsearchUrl,
        ...providerCredentials(args.credentials),
        serverInStack: args.serverInStack,
        jobId: args.jobId,
        job: requests.job,
        datafeed: args.live ? requests.datafeed.apply(liveDatafeed) : requests.datafeed,
        start: args.start,
        // Absent, not undefined-valued: a stack made before live mode existed keeps an identical input.
        ...(args.live ? {} : { end: args.end }),
        waitForCompletion: args.waitForCompletion,
        timeoutSeconds: args.timeoutSeconds,
      },
      // The URLs are plain strings, so nothing ties this call to the servers being up but this:
      // Its id is fixed per cohort, so the old one must go before its replacement is made.
      { parent: this, dependsOn: opts?.dependsOn, deleteBeforeReplace: true },
    );
    this.jobId = job.jobId;
    this.datafeedState = job.datafeedState;
    this.timing = job.timing;
    // Kibana reads "now" as the moment the page is shown, so a live job's links keep up with the traffic.
    const range = pulumi.all([args.start, args.end]).apply(([from, to]) => ({ from, to: args.live ? "now" : to }));
    const kibanaUrl = args.kibanaUrl;
    this.anomalyExplorerUrl = range.apply((r) => (kibanaUrl === undefined ? undefined : mlJobUrl(kibanaUrl, "explorer", args.jobId, r)));
    this.singleMetricViewerUrl = range.apply((r) =>
      kibanaUrl !== undefined && fitsSingleMetricViewer(args.definition.job) ? mlJobUrl(kibanaUrl, "timeseriesexplorer", args.jobId, r) : undefined,
    );
    this.registerOutputs({ jobId: this.jobId, anomalyExplorerUrl: this.anomalyExplorerUrl, singleMetricViewerUrl: this.singleMetricViewerUrl });
  }
}
