// What an aggregated datafeed asks Elasticsearch for, run through _search: the datafeed's query and
// aggregation body over the dataset's range, in 12-hour chunks (as a datafeed's chunking would),
// composite aggregations paged with `after`. Shared by the real-server aggregation tests
// (test/ml-jobs/aggregations.test.ts) and the critical-path benchmark (bench/lab.ts).

import type { Client } from "@elastic/elasticsearch";
import type { LabJobDefinition } from "../../ml-jobs";
import { planOf, rowsFromComposite, rowsFromHistogram, type DatafeedRow } from "../../verify/reference/datafeed";

export const CHUNK_MS = 12 * 3_600_000;

/** The rows the datafeed of `def` would hand to ML for [range.start, range.end). */
export async function searchRows(client: Client, index: string, def: LabJobDefinition, range: { start: Date; end: Date }): Promise<DatafeedRow[]> {
  const aggPlan = planOf(def.datafeed.aggregations, def.job.analysis_config.summary_count_field_name);
  const rows: DatafeedRow[] = [];
  for (let from = range.start.getTime(); from < range.end.getTime(); from += CHUNK_MS) {
    const query = {
      bool: {
        filter: [
          def.datafeed.query ?? { match_all: {} },
          { range: { "@timestamp": { gte: from, lt: Math.min(from + CHUNK_MS, range.end.getTime()), format: "epoch_millis" } } },
        ],
      },
    };
    if (aggPlan.kind === "date_histogram") {
      const response = await client.search({ index, size: 0, query: query as never, aggregations: def.datafeed.aggregations as never });
      rows.push(...rowsFromHistogram(aggPlan, response.aggregations as Record<string, any>));
    } else {
      let after: unknown;
      do {
        const aggregations = structuredClone(def.datafeed.aggregations) as Record<string, any>;
        if (after !== undefined) aggregations[aggPlan.name].composite.after = after;
        const response = await client.search({ index, size: 0, query: query as never, aggregations });
        const composite = (response.aggregations as Record<string, any>)[aggPlan.name];
        rows.push(...rowsFromComposite(aggPlan, composite.buckets));
        after = composite.buckets.length > 0 ? composite.after_key : undefined;
      } while (after !== undefined);
    }
  }
  return rows;
}
