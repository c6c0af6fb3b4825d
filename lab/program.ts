// The lab as one graph. index.ts reads and validates the configuration, then calls `buildLab`,
// which only wires components together:
//
//   network ─┬─ Elasticsearch (healthy) ─┬─ kibana_system password ── Kibana (healthy) ─┬─ data view
//            │                           └─ dataset ──────────────────────────────────────┘
//            │                                     └─ ML jobs (one per configured job)
//
// The dataset waits for Elasticsearch only, so generation overlaps Kibana's start-up; ML jobs wait
// for the dataset (they read its index and time range); the data view needs Kibana and the index.

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { InjectedAnomaly } from "../generator/types";
import { loadJobDefinitions, type LabJobDefinition } from "../ml-jobs/index";
import type { LabConfig } from "./config";
import { DataView } from "./data-view";
import { Dataset } from "./dataset";
import { Elasticsearch } from "./elasticsearch";
import { Kibana } from "./kibana";
import { KibanaCredentials } from "./kibana-credentials";
import { MlJob } from "./ml-job";
import { labNames } from "./names";
import { LabNetwork } from "./network";
import { RandomSecret } from "./providers/random-secret";
import { Verification } from "./verification";

export interface LabJobLinks {
  jobId: pulumi.Output<string>;
  anomalyExplorer: pulumi.Output<string>;
  singleMetricViewer: pulumi.Output<string | undefined>;
}

export interface LabOutputs {
  cohort: string;
  kibanaUrl: string;
  elasticsearchUrl: string;
  username: string;
  password: pulumi.Output<string>;
  index: pulumi.Output<string>;
  documentCount: pulumi.Output<number>;
  timeRange: pulumi.Output<{ from: string; to: string }>;
  anomalyWindows: pulumi.Output<InjectedAnomaly[]>;
  dataViewId: pulumi.Output<string>;
  /** Present when lab:verify is true */
  verification: { allFound: pulumi.Output<boolean>; falseAlarmCount: pulumi.Output<number>; report: pulumi.Output<string> } | undefined;
  jobs: Record<string, LabJobLinks>;
}

export function buildLab(config: LabConfig, definitions: readonly LabJobDefinition[] = loadJobDefinitions()): LabOutputs {
  const names = labNames(config.cohort);
  const timeoutSeconds = config.waitTimeoutSeconds;

  // A remote engine (ssh://, tcp://) gets an explicit provider; every Docker resource below uses it.
  const dockerProvider = config.dockerHost === undefined ? undefined : new docker.Provider(`lab-${config.cohort}-docker`, { host: config.dockerHost });
  const dockerOpts: pulumi.ComponentResourceOptions = dockerProvider === undefined ? {} : { providers: [dockerProvider] };

  const elasticPassword =
    config.elasticPassword === undefined
      ? pulumi.secret(new RandomSecret(`lab-${config.cohort}-elastic-password`, { length: 24, purpose: "elastic" }).value)
      : pulumi.secret(config.elasticPassword);

  const network = new LabNetwork(`lab-${config.cohort}`, { names }, dockerOpts);

  const elasticsearch = new Elasticsearch(
    `lab-${config.cohort}-es`,
    {
      names,
      version: config.elasticVersion,
      network: network.name,
      port: config.elasticsearchPort,
      bindAddress: config.bindAddress,
      publicHost: config.publicHost,
      heapMb: config.elasticsearchHeapMb,
      memoryMb: config.elasticsearchMemoryMb,
      allowMmap: config.allowMmap,
      hostArch: config.hostArch,
      elasticPassword,
      waitTimeoutSeconds: timeoutSeconds,
    },
    dockerOpts,
  );

  const credentials = new KibanaCredentials(
    `lab-${config.cohort}-kibana-credentials`,
    { elasticsearchUrl: elasticsearch.url, elasticPassword, timeoutSeconds },
    { dependsOn: [elasticsearch] },
  );

  const kibana = new Kibana(
    `lab-${config.cohort}-kibana`,
    {
      names,
      version: config.elasticVersion,
      network: network.name,
      elasticsearchInternalUrl: elasticsearch.internalUrl,
      port: config.kibanaPort,
      bindAddress: config.bindAddress,
      publicHost: config.publicHost,
      memoryMb: config.kibanaMemoryMb,
      kibanaSystemUsername: credentials.username,
      kibanaSystemPassword: credentials.password,
      waitTimeoutSeconds: timeoutSeconds,
    },
    { ...dockerOpts, dependsOn: [credentials] },
  );

  const dataset = new Dataset(
    `lab-${config.cohort}-dataset`,
    {
      elasticsearchUrl: elasticsearch.url,
      elasticPassword,
      indexPrefix: names.indexPrefix,
      days: config.dataset.days,
      seed: config.dataset.seed,
      scenario: config.dataset.scenario,
      meanRatePerSecond: config.dataset.meanRatePerSecond,
      requestedEnd: config.dataset.end,
      timeoutSeconds,
    },
    { dependsOn: [elasticsearch] },
  );

  const dataView = new DataView(
    `lab-${config.cohort}-data-view`,
    {
      kibanaUrl: kibana.url,
      elasticPassword,
      dataViewId: names.dataViewId,
      title: dataset.index,
      name: `Lab access logs (${config.cohort})`,
      timeoutSeconds,
    },
    { dependsOn: [kibana, dataset] },
  );

  const jobs: Record<string, LabJobLinks> = {};
  const jobResources: MlJob[] = [];
  for (const jobName of config.mlJobs) {
    const definition = definitions.find((def) => def.name === jobName);
    if (definition === undefined) throw new Error(`ML job "${jobName}" passed validation but is not in the job library`);
    const job = new MlJob(
      `lab-${config.cohort}-ml-${jobName}`,
      {
        definition,
        jobId: names.jobId(jobName),
        elasticsearchUrl: elasticsearch.url,
        elasticPassword,
        kibanaUrl: kibana.url,
        index: dataset.index,
        start: dataset.start,
        end: dataset.end,
        waitForCompletion: config.waitForDatafeeds,
        timeoutSeconds,
      },
      { dependsOn: [elasticsearch, dataset] },
    );
    jobResources.push(job);
    jobs[jobName] = { jobId: job.jobId, anomalyExplorer: job.anomalyExplorerUrl, singleMetricViewer: job.singleMetricViewerUrl };
  }

  const verification = config.verify
    ? new Verification(
        `lab-${config.cohort}-verify`,
        {
          elasticsearchUrl: elasticsearch.url,
          elasticPassword,
          jobs: config.mlJobs.map((name) => ({ jobId: names.jobId(name), detects: [...(definitions.find((def) => def.name === name)?.detects ?? [])] })),
          truth: dataset.truth,
        },
        { dependsOn: jobResources },
      )
    : undefined;

  return {
    cohort: config.cohort,
    kibanaUrl: kibana.url,
    elasticsearchUrl: elasticsearch.url,
    username: "elastic",
    password: pulumi.secret(elasticPassword),
    index: dataset.index,
    documentCount: dataset.count,
    timeRange: pulumi.all([dataset.start, dataset.end]).apply(([from, to]) => ({ from, to })),
    anomalyWindows: dataset.anomalies,
    dataViewId: dataView.dataViewId,
    verification: verification === undefined ? undefined : { allFound: verification.allFound, falseAlarmCount: verification.falseAlarmCount, report: verification.report },
    jobs,
  };
}
