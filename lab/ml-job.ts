// One ML anomaly-detection job from ml-jobs/, pointed at the dataset's index and run over exactly
// the dataset's time range, plus the Kibana links to its results.

import * as pulumi from "@pulumi/pulumi";
import { jobRequests, type LabJobDefinition } from "../ml-jobs/index";
import { providerCredentials, type CredentialInputs } from "./credential-inputs";
import { MlAnomalyJob } from "./providers/ml-job";
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
  index: pulumi.Input<string>;
  start: pulumi.Input<string>;
  end: pulumi.Input<string>;
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

  constructor(name: string, args: MlJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:ml:Job", name, {}, opts);
    const requests = pulumi.output(args.index).apply((index) => jobRequests(args.definition, { jobId: args.jobId, indexPattern: index }));
    const job = new MlAnomalyJob(
      `${name}-job`,
      {
        elasticsearchUrl: args.elasticsearchUrl,
        ...providerCredentials(args.credentials),
        serverInStack: args.serverInStack,
        jobId: args.jobId,
        job: requests.job,
        datafeed: requests.datafeed,
        start: args.start,
        end: args.end,
        waitForCompletion: args.waitForCompletion,
        timeoutSeconds: args.timeoutSeconds,
      },
      // The URLs are plain strings, so nothing ties this call to the servers being up but this:
      // Its id is fixed per cohort, so the old one must go before its replacement is made.
      { parent: this, dependsOn: opts?.dependsOn, deleteBeforeReplace: true },
    );
    this.jobId = job.jobId;
    this.datafeedState = job.datafeedState;
    const range = pulumi.all([args.start, args.end]).apply(([from, to]) => ({ from, to }));
    const kibanaUrl = args.kibanaUrl;
    this.anomalyExplorerUrl = range.apply((r) => (kibanaUrl === undefined ? undefined : mlJobUrl(kibanaUrl, "explorer", args.jobId, r)));
    this.singleMetricViewerUrl = range.apply((r) =>
      kibanaUrl !== undefined && fitsSingleMetricViewer(args.definition.job) ? mlJobUrl(kibanaUrl, "timeseriesexplorer", args.jobId, r) : undefined,
    );
    this.registerOutputs({ jobId: this.jobId, anomalyExplorerUrl: this.anomalyExplorerUrl, singleMetricViewerUrl: this.singleMetricViewerUrl });
  }
}
