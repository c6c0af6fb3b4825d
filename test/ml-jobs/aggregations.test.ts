// The aggregated datafeeds against a real Elasticsearch (test/support/elasticsearch.sh in CI;
// skipped without ELASTICSEARCH_URL). The test server has no ML, but aggregations are the search
// API's: each job's `aggregations` body runs through `_search` exactly as its datafeed would send it
// (the datafeed's query, size 0, in 12-hour chunks as a datafeed chunks its searches; a composite
// paged by after_key), over a dataset indexed by the generator's sink. The rows must equal those
// computed from the same events in memory (verify/reference/datafeed.ts), which are what the
// reference detector scores on aggregated input; and the planted windows must stand out in them.

import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { Client } from "@elastic/elasticsearch";
import { requireEsTarget } from "../support/es-target";
import { planDataset, type DatasetPlan } from "../../generator/plan";
import { generateEvents } from "../../generator/events";
import { indexDataset } from "../../generator/sinks/elasticsearch";
import type { InjectedAnomaly as Anomaly } from "../../generator/types";
import { loadJobDefinitions, type LabJobDefinition } from "../../ml-jobs";
import { datafeedRows, planOf, sortRows, type DatafeedRow } from "../../verify/reference/datafeed";
import { searchRows } from "../support/datafeed-search";
import { deleteEverythingUnder } from "../support/es-cleanup";

const BUCKET_MS = 15 * 60_000;

/**
 * Rows equal, metrics to 1e-9 relative (Elasticsearch sums doubles in another order), and the
 * `approximate` ones (cardinality: a HyperLogLog++ estimate, "counts are approximate", see
 * https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-metrics-cardinality-aggregation.html)
 * to 1%.
 */
function expectSameRows(actual: DatafeedRow[], expected: DatafeedRow[], job: string, approximate: readonly string[] = []): void {
  const a = sortRows(actual);
  const e = sortRows(expected);
  expect(a.length, `${job}: rows`).to.equal(e.length);
  // One string per row (cheap to compare for 100,000 rows); chai shows the first rows that differ.
  const strip = (row: DatafeedRow) => JSON.stringify({ ...row, metrics: Object.keys(row.metrics).sort() });
  const differing = a.map((row, i) => i).filter((i) => strip(a[i]) !== strip(e[i]));
  expect(differing.slice(0, 3).map((i) => strip(a[i])), `${job}: rows`).to.deep.equal(differing.slice(0, 3).map((i) => strip(e[i])));
  const off = a.flatMap((row, i) =>
    Object.entries(e[i].metrics)
      .filter(([name, value]) => !(Math.abs(row.metrics[name] - value) <= Math.abs(value) * (approximate.includes(name) ? 0.01 : 1e-9)))
      .map(([name, value]) => `row ${i} ${name}: ${row.metrics[name]} != ${value}`),
  );
  expect(off.slice(0, 3), `${job}: metrics`).to.deep.equal([]);
}

/** doc_count per 15-minute bucket, optionally only the rows of one entity. */
function perBucket(rows: DatafeedRow[], entity?: { field: string; value: string }): Map<number, number> {
  const counts = new Map<number, number>();
  for (const row of rows) {
    if (entity !== undefined && row.keys[entity.field] !== entity.value) continue;
    const bucket = row.bucketStart - (row.bucketStart % BUCKET_MS);
    counts.set(bucket, (counts.get(bucket) ?? 0) + row.docCount);
  }
  return counts;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[sorted.length >> 1];
}

/** The 15-minute buckets wholly inside a window, and those of the two hours before it. */
function around(anomaly: Anomaly): { inside: number[]; before: number[] } {
  const start = Date.parse(anomaly.start);
  const end = Date.parse(anomaly.end);
  const first = Math.ceil(start / BUCKET_MS) * BUCKET_MS;
  const inside: number[] = [];
  for (let b = first; b + BUCKET_MS <= end; b += BUCKET_MS) inside.push(b);
  const before: number[] = [];
  for (let b = first - 8 * BUCKET_MS; b < first - BUCKET_MS; b += BUCKET_MS) before.push(b);
  return { inside, before };
}

describe("ml-jobs: aggregated datafeeds on a real Elasticsearch", function () {
  this.timeout(600_000);
  let client: Client;
  const prefix = `lab-test-agg-${randomBytes(3).toString("hex")}`;
  const plan = planDataset({ days: 2, seed: 7, end: new Date("2026-11-20T00:00:00Z"), scenario: "mixed", meanRatePerSecond: 1 });
  const jobs = loadJobDefinitions().filter((def) => def.datafeed.aggregations !== undefined);
  let index: string;
  const fromEs = new Map<string, DatafeedRow[]>();
  const inMemory = new Map<string, DatafeedRow[]>();

  before(async function () {
    const target = requireEsTarget(this);
    client = new Client({ node: target.url, auth: { username: target.username, password: target.password } });
    const result = await indexDataset(plan, { connection: { url: target.url, username: target.username, password: target.password }, indexPrefix: prefix });
    index = result.index;
    for (const def of jobs) {
      fromEs.set(def.name, await searchRows(client, index, def, plan));
      inMemory.set(def.name, datafeedRows(generateEvents(plan), def.datafeed, def.job.analysis_config.summary_count_field_name));
    }
  });

  after(async () => {
    if (client === undefined) return;
    await deleteEverythingUnder(client, prefix);
    await client.close();
  });

  it("covers the nine aggregated jobs: the lab's seven and Elastic's two prebuilt ones", () => {
    expect(jobs.map((def) => def.name)).to.have.members([
      "lab_latency", "lab_rare_user_agent", "lab_request_rate_high", "lab_request_rate_level", "lab_request_rate_low", "lab_response_code_rates", "lab_server_errors",
      "low_request_rate_nginx", "visitor_rate_nginx",
    ]);
  });

  for (const name of ["lab_request_rate_high", "lab_request_rate_low", "lab_request_rate_level", "lab_response_code_rates", "lab_server_errors", "lab_latency", "lab_rare_user_agent", "low_request_rate_nginx", "visitor_rate_nginx"]) {
    it(`${name}: every row (bucket, terms, doc_count, max @timestamp, metrics) equals the one computed from the raw documents`, () => {
      const actual = fromEs.get(name)!;
      expect(actual.length, "rows").to.be.above(0);
      const def = jobs.find((job) => job.name === name)!;
      const aggPlan = planOf(def.datafeed.aggregations, def.job.analysis_config.summary_count_field_name);
      const approximate = [...aggPlan.metrics, ...(aggPlan.summaryCount === undefined ? [] : [aggPlan.summaryCount])].filter((m) => m.type === "cardinality").map((m) => m.name);
      expectSameRows(actual, inMemory.get(name)!, name, approximate);
    });
  }

  it("returns far fewer rows than documents, the reason to aggregate", () => {
    const documents = plan.truth.eventCount ?? [...generateEvents(plan)].length;
    for (const name of ["lab_request_rate_high", "lab_response_code_rates", "lab_rare_user_agent"]) {
      expect(fromEs.get(name)!.length, name).to.be.below(documents / 5);
    }
    expect(fromEs.get("lab_latency")!.length, "lab_latency").to.be.below(documents);
  });

  it("sums to the documents: the count rows hold every document once, the 5xx rows every 5xx response", async () => {
    const total = (rows: DatafeedRow[]) => rows.reduce((sum, row) => sum + row.docCount, 0);
    const count = (await client.count({ index })).count;
    for (const name of ["lab_request_rate_high", "lab_request_rate_low", "lab_response_code_rates", "lab_latency", "lab_rare_user_agent", "low_request_rate_nginx", "visitor_rate_nginx"]) {
      expect(total(fromEs.get(name)!), name).to.equal(count);
    }
    const errors = (await client.count({ index, query: { range: { "http.response.status_code": { gte: 500, lte: 599 } } } })).count;
    expect(total(fromEs.get("lab_server_errors")!)).to.equal(errors);
  });

  describe("the planted windows stand out in the rows", () => {
    const window = (kind: string) => plan.truth.anomalies.find((anomaly) => anomaly.kind === kind)!;

    it("spike: the window's 15-minute counts are several times those of the two hours before", () => {
      const counts = perBucket(fromEs.get("lab_request_rate_high")!);
      const { inside, before } = around(window("spike"));
      const baseline = median(before.map((b) => counts.get(b) ?? 0));
      expect(Math.min(...inside.map((b) => counts.get(b) ?? 0))).to.be.at.least(4 * baseline);
    });

    it("visitor_rate_nginx (Elastic's): the distinct visitors per 15 minutes rise in the spike and fall in the drop", () => {
      const visitors = new Map(fromEs.get("visitor_rate_nginx")!.map((row) => [row.bucketStart, row.metrics.dc_source_address]));
      const spike = around(window("spike"));
      const drop = around(window("drop"));
      const level = (buckets: number[]) => median(buckets.map((b) => visitors.get(b) ?? 0));
      expect(Math.min(...spike.inside.map((b) => visitors.get(b) ?? 0))).to.be.at.least(3 * level(spike.before));
      expect(Math.max(...drop.inside.map((b) => visitors.get(b) ?? 0))).to.be.at.most(0.4 * level(drop.before));
    });

    it("drop: the window's counts fall to well under half of those before", () => {
      const counts = perBucket(fromEs.get("lab_request_rate_low")!);
      const { inside, before } = around(window("drop"));
      const baseline = median(before.map((b) => counts.get(b) ?? 0));
      expect(Math.max(...inside.map((b) => counts.get(b) ?? 0))).to.be.at.most(0.4 * baseline);
    });

    it("latency: the entity's doc_count-weighted avg(event.duration) in the window is several times its level before", () => {
      const anomaly = window("latency");
      const entity = anomaly.entity!;
      const { inside, before } = around(anomaly);
      const mean = (buckets: number[]) => {
        let weighted = 0;
        let n = 0;
        for (const row of fromEs.get("lab_latency")!) {
          if (row.keys[entity.field] !== entity.value || !buckets.includes(row.bucketStart - (row.bucketStart % BUCKET_MS))) continue;
          weighted += row.metrics["event.duration"] * row.docCount;
          n += row.docCount;
        }
        return weighted / n;
      };
      expect(mean(inside)).to.be.at.least(3 * mean(before));
    });

    it("errors: the entity's 5xx per bucket in the window are several times its rate before, in both 5xx jobs' rows", () => {
      const anomaly = window("errors");
      const { inside, before } = around(anomaly);
      const counts = perBucket(fromEs.get("lab_server_errors")!, anomaly.entity!);
      const inWindow = inside.reduce((sum, b) => sum + (counts.get(b) ?? 0), 0) / inside.length;
      const earlier = before.reduce((sum, b) => sum + (counts.get(b) ?? 0), 0) / before.length;
      expect(inWindow).to.be.at.least(4 * Math.max(earlier, 0.5));
      // In the status-code job's rows, the 5xx partitions' site-wide count rises too.
      const status = fromEs.get("lab_response_code_rates")!.filter((row) => Number(row.keys["http.response.status_code"]) >= 500);
      const statusCounts = perBucket(status);
      const statusIn = inside.reduce((sum, b) => sum + (statusCounts.get(b) ?? 0), 0) / inside.length;
      const statusBefore = before.reduce((sum, b) => sum + (statusCounts.get(b) ?? 0), 0) / before.length;
      expect(statusIn).to.be.above(statusBefore);
    });

    it("rare_agent: the agent appears in the window's buckets and nowhere else", () => {
      const anomaly = window("rare_agent");
      const rows = fromEs.get("lab_rare_user_agent")!.filter((row) => row.keys["user_agent.original"] === anomaly.entity!.value);
      expect(rows.length).to.be.above(0);
      const start = Date.parse(anomaly.start);
      const end = Date.parse(anomaly.end);
      for (const row of rows) expect(row.bucketStart + BUCKET_MS > start && row.bucketStart < end, new Date(row.bucketStart).toISOString()).to.equal(true);
    });
  });
});
