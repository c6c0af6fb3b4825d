// The critical path of `pulumi up`, measured where this machine can and modelled where it cannot
// (part of `npm run bench -- lab`). Against the real test Elasticsearch:
//   1. time to a healthy server: test/support/elasticsearch.sh starting an instance of its own
//      (JVM start, security, cluster yellow), the stand-in for the container's health wait;
//   2. time to the lab's default dataset indexed, through the dataset provider's own create
//      (lab/providers/dataset-logic.ts), with the docs/s it records;
//   3. the datafeeds of the default lab's jobs (the tuned ones for its scenario): each aggregated
//      one's body through _search over the dataset, as its datafeed sends it
//      (test/support/datafeed-search.ts), each raw one's scroll of its own query and fields, and, to
//      compare, one scroll of every document, which each aggregated datafeed would do if raw.
// Then it models the whole `up` (bench/up-model.ts) with Kibana's start overlapping the dataset,
// from these figures scaled to a 4-core laptop and from documented or measured figures for what
// cannot run here (Docker, Kibana, ML). Target: cached images to ML results in at most 3 minutes.
//
// The laptop's figures, a stated assumption: the same speed per core. The server's start and the
// indexing use every core, so they divide by laptop cores / cores here; each datafeed's searches run
// on one search thread, so the datafeeds, side by side, take the longest of them or their sum over
// the laptop's cores. Other work here only makes the figures larger: the load average before the
// run is printed beside them.
//
// Settings: LAB_BENCH_PATH_DAYS and LAB_BENCH_PATH_RATE (default: the lab's default dataset; a
// smaller one is measured, and the default's times are extrapolated from it in proportion to the
// documents, and said to be), LAB_BENCH_CORES_HERE (2) and LAB_BENCH_LAPTOP_CORES (4) for the
// scaling, LAB_BENCH_KIBANA_SECONDS (60) for Kibana's start.

import os from "node:os";
import { Client, type estypes } from "@elastic/elasticsearch";
import { CONFIG_DEFAULTS } from "../lab/config";
import { LAB_DEFAULT_DATASET } from "../lab/defaults";
import { createDataset, deleteDatasetIndex } from "../lab/providers/dataset-logic";
import { jobRequests, jobsForScenario, loadJobDefinitions, type LabJobDefinition } from "../ml-jobs";
import { searchRows } from "../test/support/datafeed-search";
import { canStartLocalElasticsearch, startElasticsearch, stopElasticsearch } from "../test/support/es-instance";
import { esTarget, type EsTarget } from "../test/support/es-target";
import { formatTimeline } from "../verify/timeline";
import { planDataset } from "../generator/plan";
import { expectedEventCount } from "../generator/progress";
import { numberSetting } from "./settings";
import { modelUp } from "./up-model";

const INSTANCE = "bench-path";
const END = "2026-11-24T00:00:00.000Z";
const TARGET_SECONDS = 180;

// What cannot be measured here, and where each figure comes from.
/** `pulumi up`'s fixed cost, measured by this benchmark's engine part (docs/performance.md: about 6 s) */
const ENGINE_SECONDS = 6;
/** Network and volume: about 2 s each under the real engine and Docker (FIELD-NOTES); made side by side */
const NETWORK_AND_VOLUME_SECONDS = 2;
/** The kibana_system password: one PUT and one _authenticate once the node is healthy */
const PASSWORD_SECONDS = 2;
/** Job, datafeed, open, start and the 5 s polls until stopped, beside the datafeed's own searches */
const ML_JOB_OVERHEAD_SECONDS = 8;
/** The data view and the verification: a few requests each */
const DATA_VIEW_SECONDS = 1;
const VERIFICATION_SECONDS = 2;

function seconds(fromNs: bigint): number {
  return Number(process.hrtime.bigint() - fromNs) / 1e9;
}

/** The fields a job's detectors and influencers read: what a raw datafeed fetches per document. */
function fieldsOf(def: LabJobDefinition): string[] {
  const config = def.job.analysis_config;
  const fields = config.detectors.flatMap((d) => [d.field_name, d.by_field_name, d.over_field_name, d.partition_field_name]);
  return [...new Set(["@timestamp", ...fields, ...(config.influencers ?? [])].filter((f): f is string => typeof f === "string"))];
}

/** One scroll over the documents a query matches, 10,000 at a time, with the job's fields as doc values: one raw datafeed's reads. */
async function scrollAll(client: Client, index: string | string[], fields: string[], query: unknown = { match_all: {} }): Promise<number> {
  let read = 0;
  let response = await client.search({ index, scroll: "2m", size: 10_000, _source: false, docvalue_fields: fields, query: query as estypes.QueryDslQueryContainer, sort: ["_doc"] });
  while (response.hits.hits.length > 0) {
    read += response.hits.hits.length;
    response = await client.scroll({ scroll_id: response._scroll_id!, scroll: "2m" });
  }
  if (response._scroll_id !== undefined) await client.clearScroll({ scroll_id: response._scroll_id });
  return read;
}

export async function criticalPath(): Promise<void> {
  const days = numberSetting("LAB_BENCH_PATH_DAYS", CONFIG_DEFAULTS.datasetDays);
  // The lab's own default rate (lab/defaults.ts), not the generator's: they need not agree.
  const rate = numberSetting("LAB_BENCH_PATH_RATE", LAB_DEFAULT_DATASET.meanRatePerSecond);
  const defaultPlan = { seed: CONFIG_DEFAULTS.datasetSeed, scenario: CONFIG_DEFAULTS.datasetScenario, end: new Date(END), meanRatePerSecond: LAB_DEFAULT_DATASET.meanRatePerSecond };
  const defaultDocuments = expectedEventCount(planDataset({ ...defaultPlan, days: CONFIG_DEFAULTS.datasetDays }));
  const laptopCores = numberSetting("LAB_BENCH_LAPTOP_CORES", 4);
  const coresHere = numberSetting("LAB_BENCH_CORES_HERE", 2);
  const kibanaSeconds = numberSetting("LAB_BENCH_KIBANA_SECONDS", 60);
  // Other work's share of the cores, before this benchmark adds its own.
  const loadBefore = os.loadavg()[0];
  console.log(`\ncritical path of pulumi up: ${days} days of "${CONFIG_DEFAULTS.datasetScenario}", seed ${CONFIG_DEFAULTS.datasetSeed}, ${rate}/s (the lab's default: ${CONFIG_DEFAULTS.datasetDays} days at ${LAB_DEFAULT_DATASET.meanRatePerSecond}/s, about ${defaultDocuments.toLocaleString("en-US")} documents)`);

  let target: EsTarget | undefined;
  let healthySeconds: number | undefined;
  let started = false;
  if (await canStartLocalElasticsearch()) {
    const t = process.hrtime.bigint();
    target = await startElasticsearch(INSTANCE);
    healthySeconds = seconds(t);
    started = true;
    console.log(`  healthy server: ${healthySeconds.toFixed(1)} s (test/support/elasticsearch.sh start: JVM, security, cluster yellow)`);
  } else {
    target = esTarget();
    if (target === undefined) throw new Error("no ELASTICSEARCH_URL and no way to start one here (needs Java 17+ and Maven)");
    console.log("  healthy server: not measured (no Java and Maven to start one); using ELASTICSEARCH_URL");
  }
  const client = new Client({ node: target.url, auth: { username: target.username, password: target.password }, requestTimeout: 600_000 });
  try {
    const dataset = await createDataset(
      {
        elasticsearchUrl: target.url,
        username: target.username,
        password: target.password,
        indexPrefix: "lab-benchpath-access",
        days,
        meanRatePerSecond: rate,
        seed: CONFIG_DEFAULTS.datasetSeed,
        scenario: CONFIG_DEFAULTS.datasetScenario,
        requestedEnd: END,
        timeoutSeconds: 120,
      },
      new Date(END),
      { log: (line) => console.log(`    ${line}`) },
    );
    const timing = dataset.timing!;
    const datasetSeconds = (Date.parse(timing.end) - Date.parse(timing.start)) / 1000;
    console.log(`  dataset indexed: ${datasetSeconds.toFixed(1)} s, ${dataset.count.toLocaleString("en-US")} documents, ${timing.docsPerSecond!.toLocaleString("en-US")} docs/s`);
    // Indexing and the datafeeds' searches cost in proportion to the documents: a smaller dataset's
    // times, scaled to the default's documents, stand in for the default's.
    const toDefault = defaultDocuments / dataset.count;
    const extrapolated = Math.abs(toDefault - 1) > 0.05;
    // What a cohort costs on disk (docs/lab.md, "Sizing a shared cluster"): straight after the load,
    // before merges settle.
    const stores = await client.cat.indices({ index: [dataset.index, ...(dataset.errorIndex === undefined ? [] : [dataset.errorIndex])], bytes: "b", format: "json", h: ["index", "docs.count", "store.size"] });
    for (const row of stores) console.log(`    ${row.index}: ${Number(row["docs.count"]).toLocaleString("en-US")} documents, ${(Number(row["store.size"]) / 1e6).toFixed(0)} MB on disk, ${Math.round(Number(row["store.size"]) / Math.max(1, Number(row["docs.count"])))} bytes per document (unmerged)`);
    if (extrapolated) console.log(`  the lab's default dataset, extrapolated (x${toDefault.toFixed(1)} the documents): ${(datasetSeconds * toDefault).toFixed(1)} s`);

    const range = { start: new Date(dataset.start), end: new Date(dataset.end) };
    // The default lab's jobs: the tuned ones for its scenario (lab:mlJobs unset), each read as its
    // datafeed reads: the aggregated ones through their aggregation body, the raw ones by a scroll
    // of their own query and fields, on the index they read.
    const names = jobsForScenario(CONFIG_DEFAULTS.datasetScenario);
    const definitions = loadJobDefinitions().filter((def) => names.includes(def.name));
    const feeds: { name: string; seconds: number; aggregated: boolean }[] = [];
    for (const def of definitions) {
      const t = process.hrtime.bigint();
      if (def.datafeed.aggregations !== undefined) {
        const rows = await searchRows(client, dataset.index, def, range);
        feeds.push({ name: def.name, seconds: seconds(t), aggregated: true });
        console.log(`    ${def.name}: ${rows.length.toLocaleString("en-US")} rows in ${feeds.at(-1)!.seconds.toFixed(1)} s (aggregated)`);
      } else {
        // The index the lab's datafeed would read: the error index for a job on the error log.
        const { datafeed } = jobRequests(def, { jobId: def.name, indexPattern: dataset.index, errorIndexPattern: dataset.errorIndex });
        const read = await scrollAll(client, datafeed.indices as string[], fieldsOf(def), datafeed.query);
        feeds.push({ name: def.name, seconds: seconds(t), aggregated: false });
        console.log(`    ${def.name}: ${read.toLocaleString("en-US")} documents scrolled in ${feeds.at(-1)!.seconds.toFixed(1)} s (raw)`);
      }
    }
    const aggregatedFeeds = feeds.filter((feed) => feed.aggregated);
    const aggregatedSeconds = aggregatedFeeds.reduce((sum, feed) => sum + feed.seconds, 0);
    // What the aggregated ones would cost raw: each would scroll every document for its fields.
    const t = process.hrtime.bigint();
    const aggregatedDefinitions = definitions.filter((def) => def.datafeed.aggregations !== undefined);
    const read = await scrollAll(client, dataset.index, [...new Set(aggregatedDefinitions.flatMap(fieldsOf))]);
    const scrollSeconds = seconds(t);
    console.log(`  aggregated datafeeds' queries: ${aggregatedFeeds.length} of them in ${aggregatedSeconds.toFixed(1)} s together (slowest ${Math.max(0, ...aggregatedFeeds.map((feed) => feed.seconds)).toFixed(1)} s)`);
    console.log(`  one scroll of the raw documents with their fields: ${read.toLocaleString("en-US")} documents in ${scrollSeconds.toFixed(1)} s (${Math.round(read / scrollSeconds).toLocaleString("en-US")} docs/s); raw, the ${aggregatedFeeds.length} would scroll ${aggregatedFeeds.length} times: ${(scrollSeconds * aggregatedFeeds.length).toFixed(1)} s, ${((scrollSeconds * aggregatedFeeds.length) / aggregatedSeconds).toFixed(1)}x their aggregated queries`);

    // The laptop's figures. Indexing and the server's start use every core (the write thread pool
    // has one thread per core, and the generator its own), so they scale with the cores. A datafeed's
    // searches on the one-shard index run on one search thread each, at the same speed per core: the
    // datafeeds, started together, take the longest of them or their sum spread over the cores,
    // whichever is more. Other work on this machine makes the measured steps slower, so a busy run
    // gives an upper bound.
    const scale = laptopCores / coresHere;
    const feedSeconds = feeds.map((feed) => feed.seconds * toDefault);
    const datafeedsOnLaptop = Math.max(...feedSeconds, feedSeconds.reduce((a, b) => a + b, 0) / laptopCores);
    console.log(`  load average before the run: ${loadBefore.toFixed(1)} on ${coresHere} cores; the laptop's ${laptopCores} cores make indexing and the server's start ${scale.toFixed(1)}x faster; the ${feeds.length} datafeeds side by side take ${datafeedsOnLaptop.toFixed(1)} s of searches (the longest: ${feeds[feedSeconds.indexOf(Math.max(...feedSeconds))].name})`);

    const model = modelUp({
      engine: ENGINE_SECONDS,
      networkAndVolume: NETWORK_AND_VOLUME_SECONDS,
      // Without a measurement: about 20 s from create to healthy under the real engine and Docker (FIELD-NOTES).
      elasticsearch: healthySeconds === undefined ? 20 : healthySeconds / scale,
      kibanaSystemPassword: PASSWORD_SECONDS,
      kibana: kibanaSeconds,
      dataset: (datasetSeconds * toDefault) / scale,
      dataView: DATA_VIEW_SECONDS,
      datafeeds: datafeedsOnLaptop + ML_JOB_OVERHEAD_SECONDS,
      verification: VERIFICATION_SECONDS,
    });
    console.log(`\n  modelled pulumi up of the default lab on a ${laptopCores}-core laptop from cached images (server start and indexing divided by ${scale.toFixed(1)}, datafeeds side by side${extrapolated ? ", dataset and datafeeds extrapolated to the default's documents" : ""}; Kibana ${kibanaSeconds} s, not scaled):`);
    console.log(formatTimeline(model.timeline).replace(/^lab-verify timings: /, "  "));
    const met = model.mlResultsAt <= TARGET_SECONDS;
    console.log(`\n  ML results at ${model.mlResultsAt.toFixed(0)} s (target at most ${TARGET_SECONDS} s): ${met ? "met" : "NOT met"}; critical path: ${model.criticalPath.join(" -> ")}`);
    await deleteDatasetIndex(dataset, 60_000);
  } finally {
    await client.close();
    if (started) await stopElasticsearch(INSTANCE);
  }
}

if (require.main === module) {
  criticalPath().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
