// Which jobs `lab-verify verify` checks and what each detects. Jobs created from the lab's library carry
// `custom_settings.lab.detects` and the group "elastic-ml-lab", so the cluster itself says which
// anomaly kinds each job is meant to find; a job without it is matched to the library by name.

import type { Client, estypes } from "@elastic/elasticsearch";
import { UsageError } from "../generator/errors";
import { ANOMALY_KINDS, type AnomalyKind } from "../generator/types";
import { parseTimeValue, type LabJobDefinition } from "../ml-jobs";
import { esFailure, isNotFound } from "./es-errors";

export const LAB_JOB_GROUP = "elastic-ml-lab";

export interface ResolvedJob {
  jobId: string;
  detects: AnomalyKind[];
  /** From the job's analysis_config; undefined for a job that does not exist */
  bucketSpanSeconds?: number;
}

export interface JobSelection {
  /** Explicit job ids (--job, repeatable) */
  jobIds?: string[];
  /** Every job whose id starts with this (--job-prefix) */
  prefix?: string;
}

function declaredKinds(job: estypes.MlJob | undefined): AnomalyKind[] | undefined {
  const lab = (job?.custom_settings as { lab?: { detects?: unknown } } | undefined)?.lab;
  if (!Array.isArray(lab?.detects)) return undefined;
  return lab.detects.filter((kind): kind is AnomalyKind => (ANOMALY_KINDS as readonly unknown[]).includes(kind));
}

/** `{ bucketSpanSeconds }` when the job states one, else nothing, so a job without it reads as before. */
function bucketSpan(job: estypes.MlJob | undefined): { bucketSpanSeconds?: number } {
  const ms = parseTimeValue(job?.analysis_config?.bucket_span);
  return ms === undefined ? {} : { bucketSpanSeconds: ms / 1000 };
}

/** The library job whose name the id is, or ends with (a prefixed copy such as "cohort1-lab_latency"). */
function libraryKinds(jobId: string, library: readonly LabJobDefinition[]): AnomalyKind[] | undefined {
  const match = [...library].sort((a, b) => b.name.length - a.name.length).find((def) => jobId === def.name || jobId.endsWith(def.name));
  return match?.detects;
}

async function getJobs(client: Client, expression: string): Promise<estypes.MlJob[]> {
  try {
    return (await client.ml.getJobs({ job_id: expression, allow_no_match: true })).jobs;
  } catch (error) {
    if (isNotFound(error)) return [];
    throw esFailure(error, `GET _ml/anomaly_detectors/${expression}`);
  }
}

export async function resolveJobs(client: Client, selection: JobSelection, library: readonly LabJobDefinition[]): Promise<ResolvedJob[]> {
  const explicit = selection.jobIds ?? [];
  if (explicit.length > 0 && selection.prefix !== undefined) throw new UsageError("give either --job (repeatable) or --job-prefix, not both");
  if (explicit.length > 0) {
    const resolved: ResolvedJob[] = [];
    for (const jobId of explicit) {
      const [job] = await getJobs(client, jobId);
      const detects = declaredKinds(job) ?? libraryKinds(jobId, library);
      if (detects === undefined) {
        throw new UsageError(`--job ${jobId}: cannot tell which anomaly kinds it detects: it has no custom_settings.lab.detects and matches no job of the library (${library.map((d) => d.name).join(", ")})`);
      }
      resolved.push({ jobId, detects, ...bucketSpan(job) });
    }
    return resolved;
  }
  const expression = selection.prefix !== undefined ? `${selection.prefix}*` : LAB_JOB_GROUP;
  const jobs = await getJobs(client, expression);
  if (jobs.length === 0) {
    throw new UsageError(
      selection.prefix !== undefined
        ? `--job-prefix ${selection.prefix}: no ML job id starts with it`
        : `no ML job in the group "${LAB_JOB_GROUP}"; create the lab's jobs first, or name jobs with --job / --job-prefix`,
    );
  }
  return jobs
    .map((job) => ({ jobId: job.job_id, detects: declaredKinds(job) ?? libraryKinds(job.job_id, library) ?? [], ...bucketSpan(job) }))
    .sort((a, b) => a.jobId.localeCompare(b.jobId));
}
