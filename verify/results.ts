// Reads one job's results from Elasticsearch: job stats (has it run?), buckets (overall score per
// bucket, also drawn under the rate plot) and records (the per-entity anomalies compared with the
// ground truth). Results APIs: GET _ml/anomaly_detectors/<job>/_stats, .../results/buckets and
// .../results/records.

import type { Client, estypes } from "@elastic/elasticsearch";
import type { AnomalyKind } from "../generator/types";
import type { JobRun, RecordResult } from "./compare";
import { esFailure, isNotFound } from "./es-errors";

export interface BucketScore {
  /** Bucket start, epoch ms */
  timestamp: number;
  anomalyScore: number;
}

export interface JobResults {
  run: JobRun;
  buckets: BucketScore[];
  /** Set when the record count was too large to page and low-scoring records were skipped */
  recordScoreFloor: number;
}

const PAGE_SIZE = 1000;
/** Results are paged with from/size, which the results index caps at 10 000 hits (index.max_result_window). */
const MAX_RESULT_WINDOW = 10_000;
/** When a job has more records than one window holds, read only those at or above these scores in turn. */
const SCORE_FLOORS = [0, 1, 5, 10, 25, 50];

export function toRecordResult(record: estypes.MlAnomaly): RecordResult {
  const entities: RecordResult["entities"] = [];
  const add = (field: string | undefined, value: string | undefined) => {
    if (field !== undefined && value !== undefined && !entities.some((e) => e.field === field && e.value === value)) entities.push({ field, value });
  };
  add(record.partition_field_name, record.partition_field_value);
  add(record.by_field_name, record.by_field_value);
  add(record.over_field_name, record.over_field_value);
  for (const influence of record.influencers ?? []) {
    for (const value of influence.influencer_field_values) add(influence.influencer_field_name, String(value));
  }
  return {
    timestamp: Number(record.timestamp),
    bucketSpanSeconds: Number(record.bucket_span),
    recordScore: record.record_score,
    detectorIndex: record.detector_index,
    function: record.function,
    entities,
  };
}

/** Which results to read: all of them, or only buckets from `start` (epoch ms) on, as a live check needs. */
export interface ResultsRange {
  start?: number;
}

/** The `start` parameter of the results APIs, or nothing, so a full read sends what it always sent. */
function startParam(range: ResultsRange): { start?: string } {
  return range.start === undefined ? {} : { start: new Date(range.start).toISOString() };
}

async function readBuckets(client: Client, jobId: string, range: ResultsRange): Promise<BucketScore[]> {
  const buckets: BucketScore[] = [];
  for (let from = 0; from < MAX_RESULT_WINDOW; from += PAGE_SIZE) {
    let page: estypes.MlGetBucketsResponse;
    try {
      page = await client.ml.getBuckets({ job_id: jobId, exclude_interim: true, sort: "timestamp", desc: false, ...startParam(range), page: { from, size: PAGE_SIZE } });
    } catch (error) {
      throw esFailure(error, `GET _ml/anomaly_detectors/${jobId}/results/buckets`);
    }
    for (const bucket of page.buckets) buckets.push({ timestamp: Number(bucket.timestamp), anomalyScore: bucket.anomaly_score });
    if (page.buckets.length < PAGE_SIZE || buckets.length >= page.count) break;
  }
  return buckets;
}

async function readRecordsAbove(client: Client, jobId: string, floor: number, range: ResultsRange): Promise<{ records: RecordResult[]; count: number }> {
  const records: RecordResult[] = [];
  let count = 0;
  for (let from = 0; from < MAX_RESULT_WINDOW; from += PAGE_SIZE) {
    let page: estypes.MlGetRecordsResponse;
    try {
      page = await client.ml.getRecords({
        job_id: jobId, exclude_interim: true, sort: "timestamp", desc: false, record_score: floor, ...startParam(range), page: { from, size: PAGE_SIZE },
      });
    } catch (error) {
      throw esFailure(error, `GET _ml/anomaly_detectors/${jobId}/results/records`);
    }
    count = page.count;
    if (count > MAX_RESULT_WINDOW) return { records: [], count };
    records.push(...page.records.map(toRecordResult));
    if (page.records.length < PAGE_SIZE || records.length >= count) break;
  }
  return { records, count };
}

/** Reads a job's stats, buckets and records; a job that does not exist comes back with exists: false. */
export async function readJobResults(client: Client, jobId: string, detects: AnomalyKind[], range: ResultsRange = {}): Promise<JobResults> {
  let stats: estypes.MlGetJobStatsResponse;
  try {
    stats = await client.ml.getJobStats({ job_id: jobId });
  } catch (error) {
    if (isNotFound(error)) {
      return { run: { jobId, detects, exists: false, processedRecordCount: 0, bucketCount: 0, records: [] }, buckets: [], recordScoreFloor: 0 };
    }
    throw esFailure(error, `GET _ml/anomaly_detectors/${jobId}/_stats`);
  }
  const job = stats.jobs.find((j) => j.job_id === jobId);
  if (job === undefined) {
    return { run: { jobId, detects, exists: false, processedRecordCount: 0, bucketCount: 0, records: [] }, buckets: [], recordScoreFloor: 0 };
  }
  const counts = job.data_counts;
  const latest = counts.latest_record_timestamp;
  const buckets = await readBuckets(client, jobId, range);
  let records: RecordResult[] = [];
  let floorUsed = 0;
  for (const floor of SCORE_FLOORS) {
    const result = await readRecordsAbove(client, jobId, floor, range);
    floorUsed = floor;
    if (result.count <= MAX_RESULT_WINDOW) {
      records = result.records;
      break;
    }
  }
  return {
    run: {
      jobId,
      detects,
      exists: true,
      state: job.state,
      processedRecordCount: counts.processed_record_count,
      latestRecordTime: latest === undefined ? undefined : Number(latest),
      bucketCount: Math.max(counts.bucket_count, buckets.length),
      records,
    },
    buckets,
    recordScoreFloor: floorUsed,
  };
}
