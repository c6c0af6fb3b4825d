// The request rate of the lab index over time, for the plot under `lab-verify verify --plot`: a date
// histogram of the documents, streamed bucket by bucket (the index may hold millions of events).

import type { Client, estypes } from "@elastic/elasticsearch";
import { esFailure } from "./es-errors";

export interface RateBucket {
  /** Bucket start, epoch ms */
  time: number;
  count: number;
}

/** Counts documents per `intervalMinutes` between start (inclusive) and end (exclusive). */
export async function readRateSeries(client: Client, index: string, range: { start: string; end: string }, intervalMinutes = 15): Promise<RateBucket[]> {
  let response: estypes.SearchResponse<unknown, { rate: estypes.AggregationsDateHistogramAggregate }>;
  try {
    response = await client.search({
      index,
      size: 0,
      track_total_hits: false,
      query: { range: { "@timestamp": { gte: range.start, lt: range.end, format: "strict_date_optional_time" } } },
      aggs: {
        rate: {
          date_histogram: {
            field: "@timestamp",
            fixed_interval: `${intervalMinutes}m`,
            min_doc_count: 0,
            extended_bounds: { min: range.start, max: new Date(Date.parse(range.end) - 1).toISOString() },
          },
        },
      },
    });
  } catch (error) {
    throw esFailure(error, `POST ${index}/_search (request rate)`);
  }
  const buckets = response.aggregations?.rate.buckets;
  const list = Array.isArray(buckets) ? buckets : Object.values(buckets ?? {});
  return list.map((bucket) => ({ time: Number(bucket.key), count: bucket.doc_count }));
}
