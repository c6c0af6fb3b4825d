// The lab's ML job library: one JSON file per job in this folder (Kibana's export format), read and
// validated here, and turned into the requests Elasticsearch's `_ml` APIs take.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { estypes } from "@elastic/elasticsearch";
import { UsageError } from "../generator/errors";
import { SCENARIOS } from "../generator/scenarios";
import type { AnomalyKind } from "../generator/types";
import { DEFAULT_INDEX_PATTERN, ERROR_INDEX_PATTERN, validateJobFile, type DatafeedBody, type JobBody, type PrebuiltOrigin } from "./validate";

export { DEFAULT_INDEX_PATTERN, ERROR_INDEX_PATTERN, parseByteSize, parseTimeValue, queryFields, validateJobFile, type PrebuiltOrigin } from "./validate";
export { LAB_ERROR_INDEX_FIELDS, LAB_INDEX_FIELDS } from "./fields";

export interface LabJobDefinition {
  name: string;
  /** One line: what the job detects and which scenario exercises it */
  description: string;
  detects: AnomalyKind[];
  /** Set for Elastic's prebuilt jobs (custom_settings.lab.prebuilt): the module and the published file they come from */
  prebuilt?: PrebuiltOrigin;
  /** The put-job body without job_id */
  job: JobBody;
  /** The put-datafeed body without datafeed_id, job_id and indices */
  datafeed: DatafeedBody;
  /** The index pattern the file names: DEFAULT_INDEX_PATTERN, or ERROR_INDEX_PATTERN for a job on the error log */
  indexPattern: string;
}

export const JOBS_DIR = __dirname;

/** Reads and validates every `*.json` in `dir`; throws one UsageError listing every problem in every file. */
export function loadJobDefinitions(dir: string = JOBS_DIR): LabJobDefinition[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith(".json")).sort();
  } catch (error) {
    throw new UsageError(`cannot read the ML job folder ${dir}: ${(error as Error).message}`);
  }
  if (files.length === 0) throw new UsageError(`no job files (*.json) in ${dir}`);
  const problems: string[] = [];
  const definitions: LabJobDefinition[] = [];
  const owner = new Map<string, string>();
  for (const file of files) {
    const path = join(dir, file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      problems.push(`${path}: not valid JSON: ${(error as Error).message}`);
      continue;
    }
    const result = validateJobFile(path, parsed);
    if (result.definition === undefined) {
      problems.push(...result.problems);
      continue;
    }
    const earlier = owner.get(result.definition.name);
    if (earlier !== undefined) {
      problems.push(`${path}: job "${result.definition.name}": job.job_id: already defined in ${earlier}`);
      continue;
    }
    owner.set(result.definition.name, path);
    definitions.push(result.definition);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return definitions;
}

/**
 * Names that stand for a set of jobs wherever jobs are chosen (`lab:mlJobs`): the lab's own jobs
 * tuned for the scenario's incident, which the lab runs by default, or Elastic's prebuilt jobs,
 * which run only when asked for, so that the default lab does not take twice as long to come up.
 */
export const JOB_SETS = {
  tuned: "the lab's jobs tuned for the scenario's anomaly kinds (the default)",
  prebuilt: "Elastic's prebuilt jobs, as the nginx integration's ML module creates them",
} as const;
export type JobSetName = keyof typeof JOB_SETS;

/** Elastic's prebuilt jobs of the library, in library order. */
export function prebuiltJobs(definitions: readonly LabJobDefinition[] = loadJobDefinitions()): string[] {
  return definitions.filter((def) => def.prebuilt !== undefined).map((def) => def.name);
}

/** The lab's own jobs (not prebuilt) whose `detects` covers at least one of the given kinds, in library order. */
export function jobsForKinds(kinds: readonly AnomalyKind[], definitions: readonly LabJobDefinition[]): string[] {
  return definitions.filter((def) => def.prebuilt === undefined && def.detects.some((kind) => kinds.includes(kind))).map((def) => def.name);
}

/**
 * The lab's tuned jobs that fit a scenario: those detecting one of its anomaly kinds. A scenario
 * without anomalies (clean traffic) gets every tuned job, because what it teaches is that none of
 * them fires. Elastic's prebuilt jobs are never chosen here: they are asked for as a set.
 */
export function jobsForScenario(scenario: string, definitions: readonly LabJobDefinition[] = loadJobDefinitions()): string[] {
  const entry = SCENARIOS[scenario];
  if (entry === undefined) {
    throw new UsageError(`unknown scenario "${scenario}"; known scenarios: ${Object.keys(SCENARIOS).join(", ")}`);
  }
  const kinds = [...new Set(entry.anomalies.map((anomaly) => anomaly.kind))];
  if (kinds.length === 0) return definitions.filter((def) => def.prebuilt === undefined).map((def) => def.name);
  return jobsForKinds(kinds, definitions);
}

/**
 * The put-job and put-datafeed requests for one definition, under the given job id. The datafeed
 * reads `indexPattern` (the cohort's access index), or `errorIndexPattern` (its error index) when the
 * job file's datafeed names the error log's pattern, `lab-error-*`; each defaults to the file's own.
 */
export function jobRequests(
  def: LabJobDefinition,
  target: { jobId: string; indexPattern?: string; errorIndexPattern?: string },
): { job: estypes.MlPutJobRequest; datafeed: estypes.MlPutDatafeedRequest } {
  const body = structuredClone(def.job) as unknown as Omit<estypes.MlPutJobRequest, "job_id">;
  const datafeedBody = structuredClone(def.datafeed) as Omit<estypes.MlPutDatafeedRequest, "datafeed_id" | "job_id" | "indices">;
  return {
    job: { ...body, job_id: target.jobId },
    datafeed: {
      ...datafeedBody,
      datafeed_id: `datafeed-${target.jobId}`,
      job_id: target.jobId,
      indices: [def.indexPattern === ERROR_INDEX_PATTERN ? (target.errorIndexPattern ?? ERROR_INDEX_PATTERN) : (target.indexPattern ?? DEFAULT_INDEX_PATTERN)],
    },
  };
}
