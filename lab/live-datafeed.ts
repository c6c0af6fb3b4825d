// Live mode's datafeeds (lab:live): started at the dataset's start with no end, so that after the
// lookback over the backfill they keep running in real time over the traffic the generator writes.
// Pure: the provider (providers/ml-job-logic.ts) and the program (ml-job.ts) both use it.
//
// Put datafeed: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-ml-put-datafeed
// Datafeed stats: https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-ml-get-datafeed-stats
// Delayed data: https://www.elastic.co/docs/explore-analyze/machine-learning/anomaly-detection/ml-delayed-data-detection

import type { estypes } from "@elastic/elasticsearch";
import { readAggregationPlan } from "../ml-jobs/aggregations";

/**
 * How far behind "now" each real-time search stays. Elasticsearch's default is a random value from
 * 60 s to 120 s; a fixed one makes the lab predictable. An event becomes searchable within about 6 s
 * of its timestamp (the generator flushes every 5 s; the index refreshes every 1 s), and follow mode
 * writes a minute of traffic at most one minute late, so 90 s leaves margin: a document that arrives
 * after its search has run is never analysed (delayed data).
 */
export const LIVE_QUERY_DELAY = "90s";

/**
 * How often the datafeed searches in real time: a fifteenth of the jobs' 15-minute bucket span.
 * Shorter than the bucket span, so the job writes interim results for the open bucket every minute
 * (later overwritten by the final ones), and a planted spike shows up within minutes rather than at
 * the bucket's close. One small search a minute per job is nothing for the cluster.
 */
export const LIVE_FREQUENCY = "60s";

/**
 * The real-time frequency for one datafeed: LIVE_FREQUENCY, or, for an aggregated datafeed whose
 * histogram interval is longer (Elastic's prebuilt nginx jobs aggregate into 15-minute buckets), that
 * interval: Elasticsearch refuses a frequency that is not a whole multiple of the histogram interval
 * (https://www.elastic.co/guide/en/machine-learning/current/ml-configuring-aggregation.html).
 */
export function liveFrequency(datafeed: Pick<estypes.MlPutDatafeedRequest, "aggregations">): string {
  const liveMs = 60_000;
  const plan = datafeed.aggregations === undefined ? undefined : readAggregationPlan(datafeed.aggregations, "@timestamp", () => undefined);
  const intervalMs = plan?.intervalMs ?? 0;
  if (intervalMs <= 0 || liveMs % intervalMs === 0) return LIVE_FREQUENCY;
  return `${Math.ceil(liveMs / intervalMs) * (intervalMs / 1000)}s`;
}

/** The datafeed a live job runs: the library's, with the real-time settings above. */
export function liveDatafeed(datafeed: estypes.MlPutDatafeedRequest): estypes.MlPutDatafeedRequest {
  return { ...datafeed, query_delay: LIVE_QUERY_DELAY, frequency: liveFrequency(datafeed) };
}

/** Where a started datafeed is: still in its lookback, or caught up and running in real time. */
export type LookbackProgress = { caughtUp: true } | { caughtUp: false; reason: string } | { stopped: true; reason: string };

/**
 * Whether a live datafeed's lookback has caught up, from its _stats. `running_state.real_time_running`
 * says that the datafeed "has finished running on the available past data" and, having no end, now
 * runs on real-time data; `real_time_configured` says it has no end. A live datafeed that stopped will
 * not catch up at all (its job failed, or someone stopped it), which the caller reports at once.
 */
export function lookbackProgress(stats: Pick<estypes.MlDatafeedStats, "datafeed_id" | "state" | "running_state"> | undefined, datafeedId: string): LookbackProgress {
  if (stats === undefined) return { caughtUp: false, reason: `no statistics for datafeed ${datafeedId} yet` };
  if (stats.state === "stopped" || stats.state === "stopping") {
    return { stopped: true, reason: `datafeed ${datafeedId} is ${stats.state}, so it will not follow live traffic; its job may have failed (GET /_ml/anomaly_detectors/<job>/_stats shows why)` };
  }
  if (stats.state !== "started") return { caughtUp: false, reason: `datafeed ${datafeedId} is ${stats.state}` };
  const running = stats.running_state;
  if (running === undefined) return { caughtUp: false, reason: `datafeed ${datafeedId} reports no running state yet` };
  if (!running.real_time_configured) return { caughtUp: false, reason: `datafeed ${datafeedId} was started with an end time, not in real time` };
  if (!running.real_time_running) return { caughtUp: false, reason: `datafeed ${datafeedId} is still in its lookback over the backfill` };
  return { caughtUp: true };
}
