// The lab as one graph. index.ts reads and validates the configuration, then calls `buildLab`,
// which only wires components together. Two targets share the cohort's own part:
//
// Docker (the default):
//   network ─┬─ Elasticsearch (healthy) ─┬─ kibana_system password ── Kibana (healthy) ─┬─ data view
//            │                           └─ dataset ──────────────────────────────────────┘
//            │                                     └─ ML jobs (one per configured job) ── verification
//
// Existing cluster (lab:elasticsearchUrl): no container, network or volume; only
//   dataset ─┬─ data view (when lab:kibanaUrl is set)
//            └─ ML jobs (none with lab:mlJobs none) ── verification
//
// The dataset waits for Elasticsearch only, so generation overlaps Kibana's start-up; ML jobs wait
// for the dataset (they read its index and time range); the data view needs Kibana and the index.
// With lab:alerts, Kibana's alerting (alerts index, rule, connectors) follows every ML job, and in
// Docker a mail catcher (lab:mailCatcher) joins the network before it.
// Live mode (lab:live) makes the dataset a backfill, runs the datafeeds on in real time and, in
// Docker, adds the traffic container after the dataset (lab/traffic.ts).

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { InjectedAnomaly } from "../generator/types";
import { loadJobDefinitions, type LabJobDefinition } from "../ml-jobs/index";
import { Alerting, type AlertsSummary } from "./alerting";
import type { ExistingCluster, LabConfig } from "./config";
import type { CredentialInputs } from "./credential-inputs";
import { DataView } from "./data-view";
import { Dataset } from "./dataset";
import { Elasticsearch } from "./elasticsearch";
import { Kibana } from "./kibana";
import { KibanaCredentials } from "./kibana-credentials";
import { hasLiveWindows, liveTruthOf, nextLiveAnomalyAt, type LiveTruthOutput } from "./live-outputs";
import { MlJob } from "./ml-job";
import { MailCatcher } from "./mail-catcher";
import { labNames } from "./names";
import { LabNetwork } from "./network";
import { RandomSecret } from "./providers/random-secret";
import { credentialsOf } from "./preflight";
import { ServerReady } from "./providers/server-ready";
import { collectTimings, type StepTiming } from "./timings";
import { providerCredentials } from "./credential-inputs";
import { Traffic } from "./traffic";
import { trafficArguments } from "./traffic-command";
import { Verification } from "./verification";

export interface LabJobLinks {
  jobId: pulumi.Output<string>;
  /** Undefined without a Kibana */
  anomalyExplorer: pulumi.Output<string | undefined>;
  singleMetricViewer: pulumi.Output<string | undefined>;
}

export interface LabOutputs {
  cohort: string;
  /** Undefined on an existing cluster without lab:kibanaUrl */
  kibanaUrl: string | undefined;
  elasticsearchUrl: string;
  /** Undefined when the lab logs in with an API key (it is not handed out) */
  username: string | undefined;
  password: pulumi.Output<string> | undefined;
  index: pulumi.Output<string>;
  /** nginx's error log for the same requests; undefined in live mode, which writes the access log only */
  errorIndex: pulumi.Output<string> | undefined;
  documentCount: pulumi.Output<number>;
  timeRange: pulumi.Output<{ from: string; to: string }>;
  anomalyWindows: pulumi.Output<InjectedAnomaly[]>;
  /** Undefined without a Kibana */
  dataViewId: pulumi.Output<string> | undefined;
  /** Present when lab:verify is true */
  verification: { allFound: pulumi.Output<boolean>; falseAlarmCount: pulumi.Output<number>; report: pulumi.Output<string> } | undefined;
  jobs: Record<string, LabJobLinks>;
  /** Present with lab:alerts: the rule, its connectors and the alerts index, or why alerting was skipped */
  alerts: pulumi.Output<AlertsSummary> | undefined;
  /** The mail catcher's web inbox, with lab:mailCatcher */
  mailInbox: string | undefined;
  /** lab:live with a window still to plant: ISO-8601 start of the first live window (when, not what) */
  nextLiveAnomalyAt: pulumi.Output<string | undefined> | undefined;
  /** lab:live: every live window in full, a secret (`pulumi stack output liveTruth --show-secrets`) */
  liveTruth: pulumi.Output<LiveTruthOutput> | undefined;
  /** lab:live: how the traffic runs: the Docker target's container, or the arguments `npm run live` passes to lab-generate */
  liveTraffic: { container: string } | { arguments: string[] } | undefined;
  /** Each step's start and end, earliest first (lab/timings.ts; `lab-verify timings` draws them) */
  timings: pulumi.Output<StepTiming[]>;
}

export function buildLab(config: LabConfig, definitions: readonly LabJobDefinition[] = loadJobDefinitions()): LabOutputs {
  return config.existingCluster === undefined ? buildDockerLab(config, definitions) : buildExistingClusterLab(config, config.existingCluster, definitions);
}

/** Where the cohort's own part goes, and what it must wait for. */
interface Cluster {
  elasticsearchUrl: string;
  /** Undefined: no data view, no Kibana links */
  kibanaUrl: string | undefined;
  credentials: CredentialInputs;
  /** True when the servers are containers of this stack (see lab/providers/refresh.ts) */
  serverInStack: boolean;
  /** What must be ready before the dataset is written */
  elasticsearchReady: pulumi.Resource[];
  /** What must be ready before the data view is made */
  kibanaReady: pulumi.Resource[];
  /** The Docker lab's mail catcher, with lab:mailCatcher */
  mailCatcher?: MailCatcher;
  /** Live mode in Docker: starts the traffic container once the dataset's backfill is written */
  startTraffic?: (dataset: Dataset) => pulumi.Resource;
  /** The servers' own steps (the Docker lab's containers becoming ready) */
  serverTimings?: pulumi.Output<StepTiming | undefined>[];
}

/** The lab on an existing cluster: only the cohort's own part, logged in as configured. */
function buildExistingClusterLab(config: LabConfig, cluster: ExistingCluster, definitions: readonly LabJobDefinition[]): LabOutputs {
  const usesApiKey = cluster.apiKey !== undefined;
  const credentials: CredentialInputs = credentialsOf(cluster, config.elasticPassword);
  const outputs = buildCohort(config, definitions, {
    elasticsearchUrl: cluster.elasticsearchUrl,
    kibanaUrl: cluster.kibanaUrl,
    credentials,
    serverInStack: false,
    elasticsearchReady: [],
    kibanaReady: [],
  });
  const { dataset: _dataset, ...cohort } = outputs;
  return {
    ...cohort,
    // `npm run live` runs the generator with these, and the credentials in its environment.
    liveTraffic: config.live ? { arguments: trafficArguments({ elasticsearchUrl: cluster.elasticsearchUrl, indexPrefix: labNames(config.cohort).indexPrefix, ...config.dataset }) } : undefined,
    username: usesApiKey ? undefined : cluster.username,
    password: usesApiKey || config.elasticPassword === undefined ? undefined : pulumi.secret(config.elasticPassword),
  };
}

function buildDockerLab(config: LabConfig, definitions: readonly LabJobDefinition[]): LabOutputs {
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

  // When each container became ready, for the timings output. Nothing waits for these: they follow
  // their container (its id is an input) and stay off the critical path.
  const readiness = (server: "elasticsearch" | "kibana", url: string, containerId: pulumi.Output<string>) =>
    new ServerReady(`lab-${config.cohort}-${server === "elasticsearch" ? "es" : "kibana"}-ready`, {
      server,
      url,
      containerId,
      ...providerCredentials({ username: "elastic", password: elasticPassword }),
    }).timing;
  const serverTimings = [readiness("elasticsearch", elasticsearch.url, elasticsearch.container.id), readiness("kibana", kibana.url, kibana.container.id)];

  // The alert e-mail's inbox, with lab:mailCatcher: Kibana reaches it on the cohort's network.
  const mailCatcher =
    config.alerts?.email?.kind === "mailCatcher"
      ? new MailCatcher(
          `lab-${config.cohort}-mail`,
          { names, network: network.name, webPort: config.alerts.email.webPort, bindAddress: config.bindAddress, publicHost: config.publicHost, waitTimeoutSeconds: timeoutSeconds },
          dockerOpts,
        )
      : undefined;

  // Live mode: the generator follows on in real time, resuming the index the dataset backfilled.
  const startTraffic = (dataset: Dataset) =>
    new Traffic(
      `lab-${config.cohort}-traffic`,
      {
        names,
        network: network.name,
        options: { elasticsearchUrl: elasticsearch.internalUrl, indexPrefix: names.indexPrefix, ...config.dataset },
        username: "elastic",
        password: elasticPassword,
      },
      { ...dockerOpts, dependsOn: [dataset] },
    );

  const outputs = buildCohort(config, definitions, {
    elasticsearchUrl: elasticsearch.url,
    kibanaUrl: kibana.url,
    credentials: { username: "elastic", password: elasticPassword },
    serverInStack: true,
    elasticsearchReady: [elasticsearch],
    kibanaReady: [kibana],
    mailCatcher,
    startTraffic: config.live ? startTraffic : undefined,
    serverTimings,
  });
  const { dataset: _dataset, ...cohort } = outputs;
  return { ...cohort, liveTraffic: config.live ? { container: names.trafficContainer } : undefined, username: "elastic", password: pulumi.secret(elasticPassword) };
}

/** The cohort's own part, the same on both targets: dataset, data view, ML jobs, verification. */
function buildCohort(config: LabConfig, definitions: readonly LabJobDefinition[], cluster: Cluster): Omit<LabOutputs, "username" | "password" | "liveTraffic"> & { dataset: Dataset } {
  const names = labNames(config.cohort);
  const timeoutSeconds = config.waitTimeoutSeconds;

  const dataset = new Dataset(
    `lab-${config.cohort}-dataset`,
    {
      elasticsearchUrl: cluster.elasticsearchUrl,
      credentials: cluster.credentials,
      serverInStack: cluster.serverInStack,
      indexPrefix: names.indexPrefix,
      days: config.dataset.days,
      seed: config.dataset.seed,
      scenario: config.dataset.scenario,
      meanRatePerSecond: config.dataset.meanRatePerSecond,
      requestedEnd: config.dataset.end,
      liveAnomaly: config.dataset.liveAnomaly,
      timeoutSeconds,
      live: config.live,
    },
    { dependsOn: cluster.elasticsearchReady },
  );

  const dataView =
    cluster.kibanaUrl === undefined
      ? undefined
      : new DataView(
          `lab-${config.cohort}-data-view`,
          {
            kibanaUrl: cluster.kibanaUrl,
            credentials: cluster.credentials,
            serverInStack: cluster.serverInStack,
            dataViewId: names.dataViewId,
            title: dataset.index,
            name: `Lab access logs (${config.cohort})`,
            timeoutSeconds,
          },
          { dependsOn: [...cluster.kibanaReady, dataset] },
        );

  // The traffic runs before any datafeed starts: a real-time datafeed never goes back for events
  // written behind it, so live traffic that began after the lookback would leave a hole in what ML sees.
  const traffic = cluster.startTraffic?.(dataset);

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
        elasticsearchUrl: cluster.elasticsearchUrl,
        credentials: cluster.credentials,
        serverInStack: cluster.serverInStack,
        kibanaUrl: cluster.kibanaUrl,
        index: dataset.index,
        // Live mode writes no error log: a job on it then reads the cohort's own (empty) pattern, never another cohort's.
        errorIndex: dataset.errorIndex.apply((errorIndex) => errorIndex ?? `${names.errorIndexPrefix}-*`),
        start: dataset.start,
        end: dataset.end,
        live: config.live,
        waitForCompletion: config.waitForDatafeeds,
        timeoutSeconds,
      },
      { dependsOn: [...cluster.elasticsearchReady, dataset, ...(traffic === undefined ? [] : [traffic])] },
    );
    jobResources.push(job);
    jobs[jobName] = { jobId: job.jobId, anomalyExplorer: job.anomalyExplorerUrl, singleMetricViewer: job.singleMetricViewerUrl };
  }

  const verification = config.verify
    ? new Verification(
        `lab-${config.cohort}-verify`,
        {
          elasticsearchUrl: cluster.elasticsearchUrl,
          credentials: cluster.credentials,
          jobs: config.mlJobs.map((name) => ({ jobId: names.jobId(name), detects: [...(definitions.find((def) => def.name === name)?.detects ?? [])] })),
          truth: dataset.truth,
        },
        { dependsOn: jobResources },
      )
    : undefined;

  // The rule watches the jobs, so it is made after them, and before the live window it must catch.
  const alerting =
    config.alerts === undefined || cluster.kibanaUrl === undefined
      ? undefined
      : new Alerting(
          `lab-${config.cohort}-alerting`,
          {
            cohort: config.cohort,
            names,
            config: config.alerts,
            elasticsearchUrl: cluster.elasticsearchUrl,
            kibanaUrl: cluster.kibanaUrl,
            credentials: cluster.credentials,
            serverInStack: cluster.serverInStack,
            jobIds: jobResources.map((job) => job.jobId),
            mailCatcher: cluster.mailCatcher === undefined ? undefined : { smtpHost: cluster.mailCatcher.smtpHost, smtpPort: cluster.mailCatcher.smtpPort },
            timeoutSeconds,
          },
          { dependsOn: [...cluster.kibanaReady, ...jobResources, ...(cluster.mailCatcher === undefined ? [] : [cluster.mailCatcher])] },
        );

  // Live mode: when the next live window starts, and all of them in full as a secret. anomalyWindows
  // stays the backfill's (the dataset's outputs describe the backfill only).
  const live = config.live && hasLiveWindows(config.dataset);
  return {
    dataset,
    nextLiveAnomalyAt: live ? dataset.end.apply((origin) => nextLiveAnomalyAt(config.dataset, origin)) : undefined,
    liveTruth: live ? pulumi.secret(dataset.end.apply((origin) => liveTruthOf(config.dataset, origin))) : undefined,
    cohort: config.cohort,
    kibanaUrl: cluster.kibanaUrl,
    elasticsearchUrl: cluster.elasticsearchUrl,
    index: dataset.index,
    errorIndex: config.live ? undefined : dataset.errorIndex.apply((errorIndex) => errorIndex as string),
    documentCount: dataset.count,
    timeRange: pulumi.all([dataset.start, dataset.end]).apply(([from, to]) => ({ from, to })),
    anomalyWindows: dataset.anomalies,
    dataViewId: dataView?.dataViewId,
    verification: verification === undefined ? undefined : { allFound: verification.allFound, falseAlarmCount: verification.falseAlarmCount, report: verification.report },
    jobs,
    alerts: alerting?.summary,
    mailInbox: cluster.mailCatcher?.inboxUrl,
    timings: pulumi
      .all([...(cluster.serverTimings ?? []), dataset.timing, ...jobResources.map((job) => job.timing), ...(verification === undefined ? [] : [verification.timing])])
      .apply(collectTimings),
  };
}

/** The stack outputs: every value the lab has, and no key whose value is undefined. */
export function stackOutputs(lab: LabOutputs): Record<string, unknown> {
  const outputs: Record<string, unknown> = {
    cohort: lab.cohort,
    kibanaUrl: lab.kibanaUrl,
    elasticsearchUrl: lab.elasticsearchUrl,
    username: lab.username,
    password: lab.password,
    index: lab.index,
    errorIndex: lab.errorIndex,
    documentCount: lab.documentCount,
    timeRange: lab.timeRange,
    anomalyWindows: lab.anomalyWindows,
    dataViewId: lab.dataViewId,
    jobs: lab.jobs,
    verification: lab.verification,
    alerts: lab.alerts,
    mailInbox: lab.mailInbox,
    nextLiveAnomalyAt: lab.nextLiveAnomalyAt,
    liveTruth: lab.liveTruth,
    liveTraffic: lab.liveTraffic,
    timings: lab.timings,
  };
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}
