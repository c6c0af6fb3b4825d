// `lab-verify verify` as a step of `pulumi up` (lab:verify true): once every job's datafeed has run, read the
// jobs' results and compare them with the dataset's ground truth. The outcome is a stack output
// (allFound and the report table); a miss does not fail the deployment, since the lab itself is fine.
//
// create/update -> GET /_ml/anomaly_detectors/<job>/_stats, /results/buckets, /results/records per job
//                  (verify/index.ts: verifyJobs); the output `timing` holds when it ran
// read          -> the state itself: the report is a reading, not a thing on a server
// delete        -> nothing: reading results changes nothing

import type { GroundTruth } from "../../generator/types";
import type { AnomalyKind } from "../../generator/types";
import { formatReport, verifyJobs } from "../../verify/index";
import { createElasticsearchClient, endpointAt, type Credentials } from "../http";
import { deepEqual } from "./equal";
import { stepTiming, type NowMs, type StepTiming } from "../timings";

export interface VerificationInputs extends Credentials {
  elasticsearchUrl: string;
  jobs: { jobId: string; detects: AnomalyKind[] }[];
  truth: GroundTruth;
}

export interface VerificationOutputs extends VerificationInputs {
  allFound: boolean;
  falseAlarmCount: number;
  report: string;
  /** When the reading ran (lab/timings.ts); absent in a state made before timings were recorded */
  timing?: StepTiming;
}

export async function runVerification(inputs: VerificationInputs, nowMs: NowMs = Date.now): Promise<VerificationOutputs> {
  const startMs = nowMs();
  const client = createElasticsearchClient(endpointAt(inputs.elasticsearchUrl, inputs, 60_000));
  try {
    const report = await verifyJobs(client, { jobs: inputs.jobs, truth: inputs.truth });
    return { ...inputs, allFound: report.allFound, falseAlarmCount: report.falseAlarmCount, report: formatReport(report), timing: stepTiming("verification", startMs, nowMs()) };
  } finally {
    await client.close();
  }
}

/** Checks again when the jobs, the truth or the server change; never replaces (it made nothing). */
export function diffVerification(olds: VerificationOutputs, news: VerificationInputs): { changes: boolean; replaces: string[] } {
  const changes = !deepEqual([olds.jobs, olds.truth, olds.elasticsearchUrl], [news.jobs, news.truth, news.elasticsearchUrl]);
  return { changes, replaces: [] };
}
