// `lab-verify verify` as a library: read each job's results, compare them with the ground truth.

import type { Client } from "@elastic/elasticsearch";
import type { AnomalyKind, GroundTruth } from "../generator/types";
import { compareResults, type CompareOptions, type VerifyReport } from "./compare";
import { readJobResults, type JobResults } from "./results";

export { compareResults, type VerifyReport, type AnomalyVerdict, type JobVerdict, type JobRun, type RecordResult } from "./compare";
export { formatReport } from "./format";
export { readTruthFile, readTruthFromIndex, parseTruth } from "./truth";
export { renderRatePlot, countPerBucket } from "./plot";

export interface VerifyArgs extends CompareOptions {
  jobs: { jobId: string; detects: AnomalyKind[] }[];
  truth: GroundTruth;
}

/** Reads every job's results one job at a time (a results read is a few small searches). */
export async function collectJobResults(client: Client, jobs: VerifyArgs["jobs"]): Promise<JobResults[]> {
  const results: JobResults[] = [];
  for (const job of jobs) results.push(await readJobResults(client, job.jobId, job.detects));
  return results;
}

/** Reads the jobs' results and compares them with the truth. `report.allFound` is the verdict. */
export async function verifyJobs(client: Client, args: VerifyArgs): Promise<VerifyReport> {
  const results = await collectJobResults(client, args.jobs);
  return compareResults(args.truth, results.map((r) => r.run), args);
}
