// The lab's configuration: every `lab:*` key of the stack, read once, checked once, typed.
// Pulumi.yaml documents each key with its default; `parseLabConfig` is the single place that
// applies those defaults and collects every problem, so a bad stack fails before any resource
// exists and the message lists all that is wrong, each naming the key, the value and what is allowed.

import { isIP } from "node:net";
import { UsageError } from "../generator/errors";
import { parseAnomalySpec } from "../generator/anomaly-spec";
import { ANOMALY_KINDS } from "../generator/types";
import { LAB_DEFAULT_DATASET } from "./defaults";
import { JOB_SETS } from "../ml-jobs/index";

/** The Elastic Stack version the images are pinned to unless `lab:elasticVersion` says otherwise. */
export const DEFAULT_ELASTIC_VERSION = "9.5.6";

/**
 * Every key the lab reads, with the default Pulumi.yaml declares for it. Pulumi applies these itself
 * (a key declared without a default makes every fresh stack fail its config validation), so an empty
 * string here means "unset": `parseLabConfig` reads "" exactly as it reads an absent key.
 */
export const CONFIG_DEFAULTS = {
  cohort: "",
  elasticsearchUrl: "",
  elasticsearchUsername: "elastic",
  elasticsearchApiKey: "",
  elasticsearchCaFingerprint: "",
  kibanaUrl: "",
  elasticVersion: DEFAULT_ELASTIC_VERSION,
  elasticsearchPort: 9200,
  kibanaPort: 5601,
  bindAddress: "127.0.0.1",
  publicHost: "",
  elasticsearchHeapMb: 1024,
  elasticsearchMemoryMb: 4096,
  kibanaMemoryMb: 2048,
  elasticPassword: "",
  allowMmap: true,
  hostArch: "auto",
  datasetDays: LAB_DEFAULT_DATASET.days,
  datasetSeed: 42,
  datasetScenario: LAB_DEFAULT_DATASET.scenario,
  datasetRate: "",
  datasetEnd: "",
  mlJobs: "",
  dockerHost: "",
  waitForDatafeeds: true,
  verify: false,
  waitTimeoutSeconds: 600,
  live: false,
  liveAnomaly: "",
  alerts: false,
  alertEmailTo: "",
  smtpHost: "",
  smtpPort: "",
  smtpSecure: "",
  smtpUser: "",
  smtpPassword: "",
  smtpFrom: "",
  mailCatcher: false,
  mailCatcherPort: 8025,
  alertWebhookUrl: "",
} as const;

/** Keys that hold secrets: the lab refuses them unless they are stored encrypted (`pulumi config set --secret`). */
export const SECRET_KEYS = ["elasticPassword", "elasticsearchApiKey", "smtpPassword"] as const;

/** The mail catcher's sender and recipient when the instructor names none: reserved names that reach no real mailbox. */
export const MAIL_CATCHER_DEFAULT_TO = "class@lab.invalid";
export const MAIL_CATCHER_DEFAULT_FROM = "ml-lab@lab.invalid";

/** `lab:mlJobs none`: declare no ML jobs, e.g. on a cluster without machine learning. */
export const NO_ML_JOBS = "none";

/** How the lab reaches an Elasticsearch it did not create (lab:elasticsearchUrl). */
export interface ExistingCluster {
  elasticsearchUrl: string;
  /** Undefined: no data view is made */
  kibanaUrl: string | undefined;
  /** With lab:elasticPassword; unused when apiKey is set */
  username: string;
  apiKey: string | undefined;
  caFingerprint: string | undefined;
}

export type HostArch = "amd64" | "arm64" | "unknown";

/** Where the alert e-mails go: the instructor's SMTP server, or the lab's own mail catcher (Docker target). */
export type AlertEmail =
  | { kind: "smtp"; host: string; port: number; secure: boolean; user: string | undefined; password: string | undefined; from: string; to: string[] }
  | { kind: "mailCatcher"; webPort: number; from: string; to: string[] };

/** lab:alerts: an ML anomaly-detection rule over the cohort's jobs, and where its alerts go. */
export interface AlertsConfig {
  /** Undefined: no e-mail connector */
  email: AlertEmail | undefined;
  /** Undefined: no webhook connector */
  webhookUrl: string | undefined;
}

export interface LabConfig {
  /** Namespaces every name: network, containers, volume, index, data view, job ids */
  cohort: string;
  /** Set: the lab uses this cluster and creates no Docker resources; undefined: Docker containers */
  existingCluster: ExistingCluster | undefined;
  elasticVersion: string;
  elasticsearchPort: number;
  kibanaPort: number;
  bindAddress: string;
  elasticsearchHeapMb: number;
  elasticsearchMemoryMb: number;
  kibanaMemoryMb: number;
  /**
   * Given by the user as a secret. Docker: undefined means "generate one and keep it in the stack's
   * state". Existing cluster: the password of existingCluster.username, unless an API key is given.
   */
  elasticPassword: string | undefined;
  /** false sets node.store.allow_mmap=false, for hosts where vm.max_map_count cannot be raised */
  allowMmap: boolean;
  /** The CPU architecture of the Docker host; "unknown" for a remote engine nobody named */
  hostArch: HostArch;
  dataset: {
    days: number;
    seed: number;
    scenario: string;
    /** Mean events per second; LAB_DEFAULT_DATASET's when unset */
    meanRatePerSecond: number;
    /** ISO-8601; undefined: fixed when the dataset is first created, then kept */
    end: string | undefined;
    /** lab:liveAnomaly: the live window in lab-generate's --anomaly syntax, replacing the live scenario's; undefined: the scenario's */
    liveAnomaly?: string;
  };
  mlJobs: string[];
  dockerHost: string | undefined;
  /** How this machine and the students' browsers reach the published ports */
  publicHost: string;
  waitForDatafeeds: boolean;
  /** Run `lab-verify verify` after the jobs and export its report */
  verify: boolean;
  /** Upper bound for each wait: container health, security index, Kibana, datafeeds */
  waitTimeoutSeconds: number;
  /** lab:live: the traffic keeps coming in real time and the datafeeds keep running after the lookback */
  live: boolean;
  /** Undefined unless lab:alerts is true */
  alerts: AlertsConfig | undefined;
}

/** What the lab knows about scenarios and jobs; injected so parsing stays a pure function. */
export interface LabCatalog {
  scenarios: readonly string[];
  jobNames: readonly string[];
  /** Elastic's prebuilt jobs among jobNames: what the set name "prebuilt" in lab:mlJobs stands for */
  prebuiltJobs: readonly string[];
  /** With a live anomaly's kind (lab:liveAnomaly), the jobs that detect that kind instead of the scenario's */
  jobsForScenario(scenario: string, liveAnomalyKind?: string): string[];
  /**
   * The generator's own verdict on a dataset (planDataset's problems, keyed by its option names), so
   * that rules across settings, such as a range too short for the scenario, fail before any resource.
   */
  datasetProblems(options: { days: number; seed: number; scenario: string; meanRatePerSecond?: number; end: Date; live?: boolean; liveAnomaly?: string }): string[];
}

/** planDataset's option names, as the lab's keys. */
const DATASET_KEYS: Readonly<Record<string, string>> = {
  days: "datasetDays",
  seed: "datasetSeed",
  scenario: "datasetScenario",
  meanRatePerSecond: "datasetRate",
  end: "datasetEnd",
};

/** Anomaly placement is relative to the range, so any end gives the same verdict when lab:datasetEnd is unset (the real end is fixed at creation). */
const PLACEHOLDER_DATASET_END = new Date("2026-01-01T00:00:00Z");

/** The raw `lab:*` values as strings, keyed without the namespace; absent keys are undefined. */
export type RawLabConfig = Readonly<Record<string, string | undefined>>;

export const CONFIG_KEYS = Object.keys(CONFIG_DEFAULTS) as (keyof typeof CONFIG_DEFAULTS)[];

// Cohorts end up in ML job ids (lowercase alphanumerics, '-' and '_', at most 64 characters, starting
// and ending alphanumeric: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-ml-put-job),
// index names (lowercase) and Docker names; the strictest rule of the three wins.
const COHORT_PATTERN = /^[a-z][a-z0-9-]{0,18}[a-z0-9]$|^[a-z]$/;
const VERSION_PATTERN = /^(\d+)\.(\d+)\.(\d+)$/;
const DOCKER_HOST_PATTERN = /^(unix|tcp|ssh|npipe):\/\/.+$/;
// As Elasticsearch prints it (hex pairs with colons) or as openssl prints it (plain hex).
const FINGERPRINT_PATTERN = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/;
const MAX_JOB_ID_LENGTH = 64;

export function defaultCohort(stack: string): string {
  const cleaned = stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").replace(/-+$/, "");
  return cleaned.slice(0, 20).replace(/-+$/, "") || "lab";
}

export function labJobId(cohort: string, jobName: string): string {
  return `lab-${cohort}-${jobName}`;
}

/**
 * Applies defaults and validates every key. Throws one UsageError naming every problem.
 * `stack` gives the default cohort; `localArch` is `process.arch` of the machine running Pulumi;
 * `isSecret` says whether the stack stores a key encrypted (absent: not checked).
 */
export function parseLabConfig(
  raw: RawLabConfig,
  catalog: LabCatalog,
  context: { stack: string; localArch: string; isSecret?: (key: string) => boolean },
): LabConfig {
  const problems: string[] = [];
  const known = new Set<string>(CONFIG_KEYS);
  for (const key of Object.keys(raw)) {
    if (!known.has(key) && raw[key] !== undefined) {
      problems.push(`lab:${key}: not a lab setting; known keys: ${CONFIG_KEYS.join(", ")}`);
    }
  }
  const text = (key: keyof typeof CONFIG_DEFAULTS): string | undefined => {
    const value = raw[key];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const integer = (key: keyof typeof CONFIG_DEFAULTS, fallback: number, min: number, max: number, unit = ""): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`lab:${key}: "${value}" is not allowed; use a whole number from ${min} to ${max}${unit}`);
      return fallback;
    }
    return Number(value);
  };
  const bool = (key: keyof typeof CONFIG_DEFAULTS, fallback: boolean): boolean => {
    const value = text(key);
    if (value === undefined) return fallback;
    if (value === "true") return true;
    if (value === "false") return false;
    problems.push(`lab:${key}: "${value}" is not allowed; use true or false`);
    return fallback;
  };

  const cohort = text("cohort") ?? defaultCohort(context.stack);
  if (!COHORT_PATTERN.test(cohort)) {
    problems.push(
      `lab:cohort: "${cohort}" is not allowed; use 1 to 20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (it becomes part of container, index and ML job names)`,
    );
  }

  const elasticVersion = text("elasticVersion") ?? DEFAULT_ELASTIC_VERSION;
  const version = VERSION_PATTERN.exec(elasticVersion);
  if (version === null || Number(version[1]) < 8 || (Number(version[1]) === 8 && Number(version[2]) < 6)) {
    problems.push(
      `lab:elasticVersion: "${elasticVersion}" is not allowed; use a full release number from 8.6.0 on, e.g. ${DEFAULT_ELASTIC_VERSION} (the tag of docker.elastic.co/elasticsearch/elasticsearch and kibana/kibana)`,
    );
  }

  const elasticsearchPort = integer("elasticsearchPort", 9200, 1, 65535);
  const kibanaPort = integer("kibanaPort", 5601, 1, 65535);
  if (elasticsearchPort === kibanaPort) {
    problems.push(`lab:kibanaPort: ${kibanaPort} is also lab:elasticsearchPort; the two host ports must differ`);
  }

  const bindAddress = text("bindAddress") ?? "127.0.0.1";
  if (isIP(bindAddress) === 0) {
    problems.push(`lab:bindAddress: "${bindAddress}" is not allowed; use an IP address of the Docker host, e.g. 127.0.0.1 (only this machine) or 0.0.0.0 (every interface)`);
  }

  const elasticsearchMemoryMb = integer("elasticsearchMemoryMb", 4096, 1024, 262144, " (MiB)");
  const elasticsearchHeapMb = integer("elasticsearchHeapMb", 1024, 256, 31744, " (MiB)");
  // Elastic's guidance: heap at most half of the memory, the rest for the file cache and, here,
  // the ML native processes that run outside the JVM heap.
  // https://www.elastic.co/docs/reference/elasticsearch/jvm-settings#set-jvm-heap-size
  if (elasticsearchHeapMb * 2 > elasticsearchMemoryMb) {
    problems.push(
      `lab:elasticsearchHeapMb: ${elasticsearchHeapMb} is more than half of lab:elasticsearchMemoryMb (${elasticsearchMemoryMb}); use at most ${Math.floor(elasticsearchMemoryMb / 2)}, because ML jobs run outside the heap`,
    );
  }
  const kibanaMemoryMb = integer("kibanaMemoryMb", 2048, 1024, 65536, " (MiB)");

  const secret = (key: (typeof SECRET_KEYS)[number]): string | undefined => {
    const value = raw[key];
    if (value === undefined || value === "") return undefined;
    // The value itself is a secret: name the rule, never the value.
    if (context.isSecret !== undefined && !context.isSecret(key)) {
      problems.push(`lab:${key}: the value is stored in plain text; set it again with \`pulumi config set --secret lab:${key} ...\` so that it is encrypted`);
    }
    return value;
  };
  const elasticPassword = secret("elasticPassword");
  if (elasticPassword !== undefined && (elasticPassword.length < 6 || /[\s"'\\$`]/.test(elasticPassword))) {
    problems.push(
      `lab:elasticPassword: the given secret is not allowed; use at least 6 characters without spaces, quotes, backslashes, '$' or backticks (or unset it to have one generated)`,
    );
  }
  const existingCluster = parseExistingCluster(text, secret("elasticsearchApiKey"), elasticPassword, problems);

  const allowMmap = bool("allowMmap", true);
  const archText = text("hostArch") ?? "auto";
  let hostArch: HostArch = "unknown";
  if (archText === "auto") {
    if (text("dockerHost") === undefined) hostArch = context.localArch === "arm64" ? "arm64" : context.localArch === "x64" ? "amd64" : "unknown";
  } else if (archText === "amd64" || archText === "arm64") {
    hostArch = archText;
  } else {
    problems.push(`lab:hostArch: "${archText}" is not allowed; use auto, amd64 or arm64`);
  }

  const problemsBeforeDataset = problems.length;
  const days = integer("datasetDays", LAB_DEFAULT_DATASET.days, 1, 365, " (days)");
  const seed = integer("datasetSeed", 42, 0, 2 ** 31 - 1);
  // Scenario names ignore case, as the generator's --scenario does.
  const scenario = (text("datasetScenario") ?? LAB_DEFAULT_DATASET.scenario).toLowerCase();
  const scenarioKnown = catalog.scenarios.includes(scenario);
  if (!scenarioKnown) {
    problems.push(`lab:datasetScenario: "${scenario}" is not allowed; use one of ${catalog.scenarios.join(", ")}`);
  }
  // Elastic's prebuilt jobs count over the whole service, where the errors window needs more traffic
  // than the lab's own jobs do (lab/defaults.ts); asked for, they get the rate their claims hold at.
  const jobsText = text("mlJobs");
  const prebuiltAsked = jobsText !== undefined && parseList(jobsText).some((name) => name === "prebuilt" || catalog.prebuiltJobs.includes(name));
  let meanRatePerSecond: number = prebuiltAsked ? LAB_DEFAULT_DATASET.prebuiltMeanRatePerSecond : LAB_DEFAULT_DATASET.meanRatePerSecond;
  const rateText = text("datasetRate");
  if (rateText !== undefined) {
    const rate = Number(rateText);
    if (!Number.isFinite(rate) || rate <= 0 || rate > 10000) {
      problems.push(`lab:datasetRate: "${rateText}" is not allowed; use a number of events per second above 0 and at most 10000`);
    } else {
      meanRatePerSecond = rate;
    }
  }
  const endText = text("datasetEnd");
  let end: string | undefined;
  if (endText !== undefined) {
    const parsed = new Date(endText);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(endText) || Number.isNaN(parsed.getTime())) {
      problems.push(`lab:datasetEnd: "${endText}" is not allowed; use an ISO-8601 time such as 2026-11-20T00:00:00Z, or unset it`);
    } else {
      end = parsed.toISOString();
    }
  }

  // Each setting is valid on its own; ask the generator whether they fit together.
  if (problems.length === problemsBeforeDataset) {
    // With lab:live the dataset is a follow-mode backfill, whose scenario may plant windows in live traffic.
    const verdict = catalog.datasetProblems({ days, seed, scenario, meanRatePerSecond, end: end === undefined ? PLACEHOLDER_DATASET_END : new Date(end), live: text("live") === "true", liveAnomaly: text("liveAnomaly") });
    for (const problem of verdict) {
      // The live window's own problems (anomalies[0].magnitude: ...) are lab:liveAnomaly's.
      if (problem.startsWith("anomalies[0]")) {
        problems.push(`lab:liveAnomaly: ${problem.replace(/^anomalies\[0\]\.?/, "")}`);
        continue;
      }
      const key = /^(\w+):/.exec(problem)?.[1];
      const labKey = key === undefined ? undefined : DATASET_KEYS[key];
      problems.push(labKey === undefined ? `lab:dataset: ${problem}` : `lab:${labKey}${problem.slice(key!.length)}`);
    }
  }

  let mlJobs: string[] = [];
  // lab:liveAnomaly replaces the live scenario's window, so its kind chooses the jobs (checked below).
  const liveAnomalyText = text("liveAnomaly");
  const liveAnomalyKind = liveAnomalyText === undefined ? undefined : parseAnomalySpec(liveAnomalyText, 1, []).kind;
  const tunedJobs = () => (!scenarioKnown ? [] : liveAnomalyKind !== undefined && (ANOMALY_KINDS as readonly string[]).includes(liveAnomalyKind) ? catalog.jobsForScenario(scenario, liveAnomalyKind) : catalog.jobsForScenario(scenario));
  if (jobsText === undefined) {
    mlJobs = tunedJobs();
  } else if (jobsText.toLowerCase() === NO_ML_JOBS) {
    mlJobs = [];
  } else {
    const named = parseList(jobsText);
    const unknown = named.filter((name) => !catalog.jobNames.includes(name) && !(name in JOB_SETS));
    if (unknown.length > 0 || named.length === 0) {
      problems.push(
        `lab:mlJobs: "${jobsText}" is not allowed${unknown.length > 0 ? ` (unknown: ${unknown.join(", ")})` : ""}; use ${NO_ML_JOBS}, a set (${Object.entries(JOB_SETS).map(([set, what]) => `${set}: ${what}`).join("; ")}), or a comma-separated list or JSON array of sets and job names: ${catalog.jobNames.join(", ")}`,
      );
    }
    const duplicates = named.filter((name, i) => named.indexOf(name) !== i);
    if (duplicates.length > 0) problems.push(`lab:mlJobs: "${jobsText}" names ${duplicates.join(", ")} twice; name each job once`);
    // A set stands for its jobs; a job named beside a set that holds it runs once.
    const expanded = named.flatMap((name) => (name === "tuned" ? tunedJobs() : name === "prebuilt" ? [...catalog.prebuiltJobs] : [name]));
    mlJobs = expanded.filter((name, i) => expanded.indexOf(name) === i);
  }
  if (COHORT_PATTERN.test(cohort)) {
    for (const name of mlJobs) {
      const jobId = labJobId(cohort, name);
      if (jobId.length > MAX_JOB_ID_LENGTH) {
        problems.push(`lab:cohort: "${cohort}" makes the ML job id "${jobId}" longer than 64 characters; use a shorter cohort`);
      }
    }
  }

  const dockerHost = text("dockerHost");
  if (dockerHost !== undefined && !DOCKER_HOST_PATTERN.test(dockerHost)) {
    problems.push(`lab:dockerHost: "${dockerHost}" is not allowed; use unix://, tcp://, ssh:// or npipe:// followed by the address, e.g. ssh://user@host`);
  }

  const givenPublicHost = text("publicHost");
  const remoteHost = dockerHost === undefined ? undefined : hostOfDockerUrl(dockerHost);
  const publicHost = givenPublicHost ?? remoteHost ?? "127.0.0.1";
  if (givenPublicHost !== undefined && !/^[A-Za-z0-9.\-:\[\]]+$/.test(givenPublicHost)) {
    problems.push(`lab:publicHost: "${givenPublicHost}" is not allowed; use a host name or IP address, without scheme or port`);
  }
  if (remoteHost !== undefined && givenPublicHost === undefined && (bindAddress === "127.0.0.1" || bindAddress === "::1")) {
    problems.push(
      `lab:bindAddress: "${bindAddress}" publishes the ports on the remote Docker host ${remoteHost} only, where this machine cannot reach them; set lab:bindAddress to an address of that host (e.g. 0.0.0.0), or tunnel the ports and set lab:publicHost to 127.0.0.1`,
    );
  }

  const waitForDatafeeds = bool("waitForDatafeeds", true);
  const verify = bool("verify", false);
  if (verify && !waitForDatafeeds) {
    problems.push(`lab:verify: "true" needs lab:waitForDatafeeds true, since results can only be checked once the datafeeds have run`);
  }
  const waitTimeoutSeconds = integer("waitTimeoutSeconds", 600, 30, 7200, " (seconds)");

  const live = bool("live", false);
  if (live && end !== undefined) {
    problems.push(`lab:datasetEnd: "${endText}" cannot be used with lab:live true, whose backfill ends when the lab comes up; unset lab:datasetEnd`);
  }
  const liveAnomaly = text("liveAnomaly");
  if (liveAnomaly !== undefined) {
    if (!live || scenario !== "live") {
      problems.push(`lab:liveAnomaly: replaces the live window of lab:datasetScenario live in live mode; set lab:live true and lab:datasetScenario live, or unset lab:liveAnomaly`);
    } else {
      const specProblems: string[] = [];
      const request = parseAnomalySpec(liveAnomaly, 1, specProblems);
      for (const problem of specProblems) problems.push(`lab:liveAnomaly: ${problem.replace(/^--anomaly #1 /, "")}`);
      if (specProblems.length === 0 && request.startAfterMinutes === undefined) {
        problems.push(`lab:liveAnomaly: "${liveAnomaly}" has no relative start; allowed: a start after the lab comes up, such as spike,start=+5m,minutes=30`);
      }
    }
  }
  const alerts = parseAlerts({ text, integer, bool, secret: () => secret("smtpPassword") }, { live, existingCluster: existingCluster !== undefined, hasKibana: existingCluster === undefined || existingCluster.kibanaUrl !== undefined, hasJobs: mlJobs.length > 0 }, problems);

  if (problems.length > 0) throw new UsageError(problems.map((p) => `${p}`));
  return {
    cohort,
    existingCluster,
    elasticVersion,
    elasticsearchPort,
    kibanaPort,
    bindAddress,
    elasticsearchHeapMb,
    elasticsearchMemoryMb,
    kibanaMemoryMb,
    elasticPassword,
    allowMmap,
    hostArch,
    dataset: { days, seed, scenario, meanRatePerSecond, end, ...(liveAnomaly !== undefined ? { liveAnomaly } : {}) },
    mlJobs,
    dockerHost,
    publicHost,
    waitForDatafeeds,
    verify,
    waitTimeoutSeconds,
    live,
    alerts,
  };
}

type KeyReader = {
  text: (key: keyof typeof CONFIG_DEFAULTS) => string | undefined;
  integer: (key: keyof typeof CONFIG_DEFAULTS, fallback: number, min: number, max: number, unit?: string) => number;
  bool: (key: keyof typeof CONFIG_DEFAULTS, fallback: boolean) => boolean;
  secret: () => string | undefined;
};

const EMAIL_KEYS = ["alertEmailTo", "smtpPort", "smtpSecure", "smtpUser", "smtpFrom"] as const;
const EMAIL_ADDRESS = /^[^\s@,]+@[^\s@,]+$/;

/**
 * The alerting settings. Every key but lab:alerts only means something with lab:alerts true, and
 * every e-mail key only with a place to send the mail (lab:smtpHost or lab:mailCatcher), so a
 * setting that would be silently ignored is named instead.
 */
function parseAlerts(
  read: KeyReader,
  target: { live: boolean; existingCluster: boolean; hasKibana: boolean; hasJobs: boolean },
  problems: string[],
): AlertsConfig | undefined {
  const { text, integer, bool } = read;
  const alerts = bool("alerts", false);
  const mailCatcher = bool("mailCatcher", false);
  const mailCatcherPort = integer("mailCatcherPort", 8025, 1, 65535);
  const smtpHost = text("smtpHost");
  const password = read.secret();
  const webhookUrl = text("alertWebhookUrl");
  const given = (key: keyof typeof CONFIG_DEFAULTS) => text(key) !== undefined;

  if (!alerts) {
    const stray = [...(mailCatcher ? ["mailCatcher"] : []), ...(smtpHost !== undefined ? ["smtpHost"] : []), ...EMAIL_KEYS.filter(given), ...(password !== undefined ? ["smtpPassword"] : []), ...(webhookUrl !== undefined ? ["alertWebhookUrl"] : [])];
    for (const key of stray) problems.push(`lab:${key}: is only used with lab:alerts true; set lab:alerts true, or unset lab:${key}`);
    return undefined;
  }
  if (!target.live) {
    problems.push(`lab:alerts: "true" needs lab:live true: the rule only sees anomalies found after it exists, so there must be live traffic with a window still to come`);
  }
  if (!target.hasKibana) problems.push(`lab:alerts: "true" needs Kibana, whose alerting API makes the rule; set lab:kibanaUrl`);
  if (!target.hasJobs) problems.push(`lab:alerts: "true" needs ML jobs to watch; unset lab:mlJobs or name some jobs`);
  if (mailCatcher && target.existingCluster) {
    problems.push(`lab:mailCatcher: "true" runs a container on the lab's Docker network, which an existing cluster's Kibana cannot reach; use lab:smtpHost instead`);
  }
  if (mailCatcher && smtpHost !== undefined) problems.push(`lab:mailCatcher: "true" and lab:smtpHost "${smtpHost}" both say where the e-mail goes; choose one`);

  let webhook: string | undefined;
  if (webhookUrl !== undefined) {
    if (isHttpUrl(webhookUrl)) webhook = webhookUrl;
    else problems.push(`lab:alertWebhookUrl: "${webhookUrl}" is not allowed; use an http:// or https:// URL without credentials`);
  }

  const to = parseList(text("alertEmailTo") ?? "");
  for (const address of to) if (!EMAIL_ADDRESS.test(address)) problems.push(`lab:alertEmailTo: "${address}" is not an e-mail address; use a comma-separated list such as instructor@example.com`);
  const from = text("smtpFrom");
  if (from !== undefined && !EMAIL_ADDRESS.test(from)) problems.push(`lab:smtpFrom: "${from}" is not an e-mail address; use one such as ml-lab@example.com`);

  if (smtpHost === undefined && !mailCatcher) {
    const orphans = [...EMAIL_KEYS.filter(given), ...(password !== undefined ? ["smtpPassword"] : [])];
    for (const key of orphans) {
      problems.push(`lab:${key}: is an e-mail setting but lab:smtpHost is not set; set lab:smtpHost to your SMTP server${target.existingCluster ? "" : " (or lab:mailCatcher true for the lab's own inbox)"}, or unset lab:${key}`);
    }
    return { email: undefined, webhookUrl: webhook };
  }
  if (mailCatcher) {
    for (const key of ["smtpPort", "smtpSecure", "smtpUser"] as const) {
      if (given(key)) problems.push(`lab:${key}: does not apply to lab:mailCatcher, which needs no SMTP settings; unset lab:${key}`);
    }
    if (password !== undefined) problems.push(`lab:smtpPassword: does not apply to lab:mailCatcher, which needs no SMTP settings; unset lab:smtpPassword`);
    return { email: { kind: "mailCatcher", webPort: mailCatcherPort, from: from ?? MAIL_CATCHER_DEFAULT_FROM, to: to.length > 0 ? to : [MAIL_CATCHER_DEFAULT_TO] }, webhookUrl: webhook };
  }
  if (!/^[A-Za-z0-9.\-:\[\]]+$/.test(smtpHost!)) problems.push(`lab:smtpHost: "${smtpHost}" is not allowed; use a host name or IP address, without scheme or port`);
  if (to.length === 0) problems.push(`lab:alertEmailTo: is needed with lab:smtpHost; set the addresses that get the alert e-mail, comma-separated`);
  if (from === undefined) problems.push(`lab:smtpFrom: is needed with lab:smtpHost; set the sender address your SMTP server accepts`);
  const port = integer("smtpPort", 587, 1, 65535);
  const secure = bool("smtpSecure", port === 465);
  const user = text("smtpUser");
  if (password !== undefined && user === undefined) problems.push(`lab:smtpUser: is needed with lab:smtpPassword; set the SMTP login name`);
  return { email: { kind: "smtp", host: smtpHost!, port, secure, user, password, from: from ?? "", to }, webhookUrl: webhook };
}

/**
 * The existing-cluster settings: undefined when lab:elasticsearchUrl is unset (the Docker target),
 * where setting lab:kibanaUrl or lab:elasticsearchApiKey is a mistake worth naming.
 */
function parseExistingCluster(
  text: (key: keyof typeof CONFIG_DEFAULTS) => string | undefined,
  apiKey: string | undefined,
  password: string | undefined,
  problems: string[],
): ExistingCluster | undefined {
  const elasticsearchUrl = text("elasticsearchUrl");
  const kibanaUrl = text("kibanaUrl");
  const caFingerprint = text("elasticsearchCaFingerprint");
  if (elasticsearchUrl === undefined) {
    for (const [key, value] of [["kibanaUrl", kibanaUrl], ["elasticsearchApiKey", apiKey], ["elasticsearchCaFingerprint", caFingerprint]] as const) {
      if (value !== undefined) problems.push(`lab:${key}: is only used with lab:elasticsearchUrl (an existing cluster); set that too, or unset lab:${key} for the Docker lab`);
    }
    return undefined;
  }
  for (const [key, value] of [["elasticsearchUrl", elasticsearchUrl], ["kibanaUrl", kibanaUrl]] as const) {
    if (value !== undefined && !isHttpUrl(value)) {
      problems.push(`lab:${key}: "${value}" is not allowed; use an http:// or https:// URL without credentials, e.g. https://my-deployment.es.example.com:443`);
    }
  }
  if (caFingerprint !== undefined && !FINGERPRINT_PATTERN.test(caFingerprint)) {
    problems.push(`lab:elasticsearchCaFingerprint: "${caFingerprint}" is not allowed; use the CA certificate's SHA-256 fingerprint, 64 hex digits with or without colons`);
  }
  if (apiKey === undefined && password === undefined) {
    problems.push(`lab:elasticPassword: is needed to log in to lab:elasticsearchUrl as lab:elasticsearchUsername; set it with --secret, or set lab:elasticsearchApiKey instead`);
  }
  return {
    elasticsearchUrl: elasticsearchUrl.replace(/\/+$/, ""),
    kibanaUrl: kibanaUrl?.replace(/\/+$/, ""),
    username: text("elasticsearchUsername") ?? CONFIG_DEFAULTS.elasticsearchUsername,
    apiKey,
    caFingerprint,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "" && url.search === "" && url.hash === "";
  } catch {
    return false;
  }
}

/** The host part of a Docker URL: ssh://user@host:22 -> host; unix:// and npipe:// are local. */
export function hostOfDockerUrl(url: string): string | undefined {
  const match = /^(?:tcp|ssh):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(url);
  return match?.[1];
}

function parseList(value: string): string[] {
  if (value.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed.map(String).map((s) => s.trim()).filter((s) => s !== "");
    } catch {
      // fall through to the comma-separated reading, whose problem message shows the value
    }
  }
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
