// Ingest benchmark (issues 3 and 11): documents per second into a real Elasticsearch through the
// generator's sink (`indexDataset`), against floors measured in the same run: the same NDJSON posted
// straight to `_bulk`, in batches cut by the same rule and size (helpers.bulk sends once a batch
// reaches flushBytes) with the same number of requests in flight. Two floors:
//   plain  the index as created, refreshing every second: what a straightforward loader gets;
//   tuned  the same load settings as the sink (generator/sinks/load-settings.ts: no refresh, no
//          replicas, settings restored and one refresh at the end).
// Targets: the sink reaches at least 90% of the tuned floor (it adds nothing of its own that costs);
// the tuned floor over the plain one is what Elasticsearch's tuning guide buys (goal 1.2x).
//
// What each side is timed for, from first request to the last document being searchable:
//   sink   indexDataset: connection check, template, index creation, generating and serialising every
//          event, load settings, helpers.bulk, restore and refresh, count check, the `_meta` update;
//   floor  create the index, (tuned: put the load settings,) POST prepared NDJSON slices read from a
//          file, (tuned: restore the settings,) refresh, count.
// So the ratio charges the sink for everything it does on top of what Elasticsearch needs. It also
// reports the bytes per document: of the JSON sent, and of the index on disk after the load.
//
// Run alone with `npx tsx bench/ingest.ts`, or in `npm run bench`. It uses ELASTICSEARCH_URL
// (with ELASTICSEARCH_USERNAME/PASSWORD) when set; otherwise it starts and stops its own server with
// test/support/elasticsearch.sh (Java 17+ and Maven). Every run writes fresh indices and deletes them.
// Size and repetition: LAB_BENCH_INGEST_DAYS (default 0.3, about 155 000 events), LAB_BENCH_INGEST_ROUNDS (3);
// request size and requests in flight: LAB_BENCH_INGEST_FLUSH_BYTES and LAB_BENCH_INGEST_CONCURRENCY
// (default: the sink's defaults), to measure another bulk size on every side alike.

import { createWriteStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { documentId, generateEvents } from "../generator/events";
import { planDataset, type DatasetPlan } from "../generator/plan";
import { DEFAULT_CONCURRENCY, DEFAULT_FLUSH_BYTES, indexDataset, indexTemplateFor } from "../generator/sinks/elasticsearch";
import { LOAD_SETTINGS, restoreBody } from "../generator/sinks/load-settings";
import { basicAuthorization, esTarget, type EsTarget } from "../test/support/es-target";
import { canStartLocalElasticsearch, startElasticsearch, stopElasticsearch } from "../test/support/es-instance";
import { median, numberSetting } from "./settings";

/** The sink against the tuned floor: it must stay at least this fast. */
const TARGET_RATIO = 0.9;
/** The tuned floor against the plain one: the goal for what the load settings buy. */
const TUNING_GOAL = 1.2;
const PREFIX = "lab-bench";
const SEED = 42;
/** A fixed end, so every run indexes the same documents. */
const END = new Date("2026-11-16T00:00:00Z");
const BENCH_INSTANCE = "bench";
const REQUEST_TIMEOUT_MS = 120_000;

interface Batch {
  offset: number;
  length: number;
  documents: number;
}

interface PreparedNdjson {
  file: string;
  batches: Batch[];
  documents: number;
  bytes: number;
  /** Bytes of the documents' JSON alone, without the action lines and newlines */
  documentBytes: number;
}

interface Timing {
  seconds: number;
  documents: number;
}

const format = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const docsPerSecond = (timing: Timing) => timing.documents / timing.seconds;

/** A tiny REST helper for the floor and the set-up, with the same bounded wait as the sink. */
async function request(target: EsTarget, method: string, requestPath: string, body?: string | Buffer, contentType = "application/json"): Promise<unknown> {
  const response = await fetch(`${target.url}${requestPath}`, {
    method,
    headers: { authorization: basicAuthorization(target), ...(body === undefined ? {} : { "content-type": contentType }) },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${requestPath} failed: ${response.status} ${text.slice(0, 300)}`);
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

/**
 * Writes the dataset as bulk NDJSON (`index` action with the sink's deterministic id, then the
 * document, serialised as the client does: JSON.stringify) and records where each batch starts and
 * ends. A batch is cut as soon as it reaches `flushBytes`, which is helpers.bulk's rule. The file is
 * streamed out, so memory does not grow with the dataset.
 */
async function prepareNdjson(plan: DatasetPlan, flushBytes: number, directory: string): Promise<PreparedNdjson> {
  const file = path.join(directory, "dataset.ndjson");
  const out = createWriteStream(file);
  const batches: Batch[] = [];
  let offset = 0;
  let batchStart = 0;
  let batchDocuments = 0;
  let documents = 0;
  let documentBytes = 0;
  for (const event of generateEvents(plan)) {
    const json = JSON.stringify(event);
    documentBytes += Buffer.byteLength(json);
    const chunk = `${JSON.stringify({ index: { _id: documentId(plan, documents) } })}\n${json}\n`;
    documents += 1;
    batchDocuments += 1;
    offset += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, "drain");
    if (offset - batchStart >= flushBytes) {
      batches.push({ offset: batchStart, length: offset - batchStart, documents: batchDocuments });
      batchStart = offset;
      batchDocuments = 0;
    }
  }
  if (batchDocuments > 0) batches.push({ offset: batchStart, length: offset - batchStart, documents: batchDocuments });
  out.end();
  await once(out, "finish");
  return { file, batches, documents, bytes: offset, documentBytes };
}

/**
 * A floor: the prepared NDJSON, slice by slice, straight to `<index>/_bulk` with `concurrency`
 * requests in flight; `tuned` loads with the sink's load settings and restores the template's after.
 */
async function floorRun(target: EsTarget, prepared: PreparedNdjson, batches: Batch[], index: string, concurrency: number, tuned: boolean): Promise<Timing> {
  const handle = await open(prepared.file, "r");
  try {
    const started = process.hrtime.bigint();
    await request(target, "PUT", `/${index}`);
    if (tuned) await request(target, "PUT", `/${index}/_settings`, JSON.stringify(LOAD_SETTINGS));
    let next = 0;
    let documents = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        const body = Buffer.allocUnsafe(batch.length);
        await handle.read(body, 0, batch.length, batch.offset);
        const result = (await request(target, "POST", `/${index}/_bulk`, body, "application/x-ndjson")) as { errors: boolean; items: unknown[] };
        if (result.errors) throw new Error(`the floor's bulk request into ${index} had rejected documents: ${JSON.stringify(result.items.find((item) => JSON.stringify(item).includes('"error"'))).slice(0, 300)}`);
        documents += batch.documents;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (tuned) {
      const templateSettings = { "index.refresh_interval": null, "index.auto_expand_replicas": "0-1", "index.number_of_replicas": null };
      await request(target, "PUT", `/${index}/_settings`, JSON.stringify(restoreBody(templateSettings)));
    }
    await request(target, "POST", `/${index}/_refresh`);
    const { count } = (await request(target, "GET", `/${index}/_count`)) as { count: number };
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (count !== documents) throw new Error(`the floor's index ${index} holds ${count} documents, expected ${documents}`);
    return { seconds, documents };
  } finally {
    await handle.close();
  }
}

/** The sink: `indexDataset` end to end, into a fresh index. */
async function sinkRun(target: EsTarget, plan: DatasetPlan, index: string, flushBytes: number, concurrency: number): Promise<Timing> {
  const started = process.hrtime.bigint();
  const result = await indexDataset(plan, {
    connection: { url: target.url, username: target.username, password: target.password, requestTimeoutMs: REQUEST_TIMEOUT_MS },
    indexPrefix: PREFIX,
    index,
    flushBytes,
    concurrency,
    // The floor posts the access documents only; the error log's index would be extra work on one side.
    errorLog: false,
  });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, documents: result.count };
}

async function deleteIndex(target: EsTarget, index: string): Promise<void> {
  try {
    await request(target, "DELETE", `/${index}`);
  } catch (error) {
    if (!String(error).includes(" 404 ")) throw error;
  }
}

/** Bytes on disk per document of an index just loaded (primaries, before any merge down to one segment). */
async function storeBytesPerDocument(target: EsTarget, index: string): Promise<number> {
  const stats = (await request(target, "GET", `/${index}/_stats/store,docs`)) as { _all: { primaries: { store: { size_in_bytes: number }; docs: { count: number } } } };
  return stats._all.primaries.store.size_in_bytes / stats._all.primaries.docs.count;
}

export interface IngestFigures {
  plainFloor: number;
  tunedFloor: number;
  sink: number;
  /** sink / tuned floor, median of the rounds (target >= 0.9) */
  ratio: number;
  /** tuned floor / plain floor, median of the rounds (goal 1.2) */
  tuning: number;
  /** sink / plain floor, median of the rounds */
  sinkOverPlain: number;
  jsonBytesPerDocument: number;
  storeBytesPerDocument: number;
}

type Side = "plain" | "tuned" | "sink";
const SIDES: readonly Side[] = ["plain", "tuned", "sink"];

async function measure(target: EsTarget): Promise<IngestFigures> {
  const days = numberSetting("LAB_BENCH_INGEST_DAYS", 0.3);
  const rounds = Math.round(numberSetting("LAB_BENCH_INGEST_ROUNDS", 3));
  const flushBytes = Math.round(numberSetting("LAB_BENCH_INGEST_FLUSH_BYTES", DEFAULT_FLUSH_BYTES));
  const concurrency = Math.round(numberSetting("LAB_BENCH_INGEST_CONCURRENCY", DEFAULT_CONCURRENCY));
  const plan = planDataset({ days, seed: SEED, end: END, scenario: "spike" });
  const directory = await mkdtemp(path.join(os.tmpdir(), "lab-bench-ingest-"));
  const runId = `${Date.now().toString(36)}-${process.pid}`;
  const created: string[] = [];
  try {
    const prepared = await prepareNdjson(plan, flushBytes, directory);
    const health = (await request(target, "GET", "/_cluster/health")) as { status: string };
    const nodes = (await request(target, "GET", "/_nodes/_local?filter_path=nodes.*.version,nodes.*.jvm.mem.heap_max_in_bytes")) as {
      nodes: Record<string, { version: string; jvm: { mem: { heap_max_in_bytes: number } } }>;
    };
    const node = Object.values(nodes.nodes)[0];
    const jsonBytesPerDocument = prepared.documentBytes / prepared.documents;
    console.log(
      `${format(prepared.documents)} events (${days} days, scenario spike, seed ${SEED}), ${format(prepared.bytes / 1e6, 1)} MB of bulk NDJSON in ` +
        `${prepared.batches.length} requests of ${format(flushBytes / 1024)} KiB, ${concurrency} in flight; ${format(jsonBytesPerDocument)} bytes of JSON per document`,
    );
    console.log(`Elasticsearch ${node.version} at ${target.url} (${health.status}, heap ${format(node.jvm.mem.heap_max_in_bytes / 2 ** 20)} MiB); ${os.cpus().length} CPUs shared with this process`);

    // The floors' indices get the same mappings as the sink's: the template covers every name.
    const { name: templateName, ...template } = indexTemplateFor(PREFIX);
    await request(target, "PUT", `/_index_template/${templateName}`, JSON.stringify(template));

    // Warm-up: the server's JIT and caches, so that whichever side goes first is not penalised.
    const warmIndex = `${PREFIX}-warmup-${runId}`;
    created.push(warmIndex);
    await floorRun(target, prepared, prepared.batches.slice(0, Math.min(20, prepared.batches.length)), warmIndex, concurrency, false);
    await deleteIndex(target, warmIndex);

    const timings: Record<Side, Timing[]> = { plain: [], tuned: [], sink: [] };
    let storeBytes = 0;
    for (let round = 1; round <= rounds; round++) {
      // Rotate who goes first, so that a change in the machine's load hits every side alike.
      const order = SIDES.map((_, i) => SIDES[(i + round - 1) % SIDES.length]);
      const timing: Partial<Record<Side, Timing>> = {};
      for (const side of order) {
        const index = `${PREFIX}-${side}-${runId}-${round}`;
        created.push(index);
        timing[side] = side === "sink" ? await sinkRun(target, plan, index, flushBytes, concurrency) : await floorRun(target, prepared, prepared.batches, index, concurrency, side === "tuned");
        if (side === "sink" && round === 1) storeBytes = await storeBytesPerDocument(target, index);
        // Deleted at once, so that its background merges do not slow down the next side.
        await deleteIndex(target, index);
      }
      for (const side of SIDES) {
        if (timing[side] === undefined) throw new Error(`the ${side} side of round ${round} did not run`);
        timings[side].push(timing[side]!);
      }
      if (timing.sink!.documents !== prepared.documents) throw new Error(`the sink indexed ${timing.sink!.documents} documents, the dataset has ${prepared.documents}`);
      console.log(
        `  round ${round} (${order.join(", ")}): plain floor ${format(docsPerSecond(timing.plain!))} docs/s (${format(timing.plain!.seconds, 1)} s), ` +
          `tuned floor ${format(docsPerSecond(timing.tuned!))} docs/s (${format(timing.tuned!.seconds, 1)} s), sink ${format(docsPerSecond(timing.sink!))} docs/s (${format(timing.sink!.seconds, 1)} s)`,
      );
    }
    // Headlines: medians of the per-round ratios. Each round's sides ran back to back, so a ratio
    // compares like with like even when other work on the machine changes the absolute speed.
    const perRound = (over: Side, under: Side) => timings[over].map((timing, round) => docsPerSecond(timing) / docsPerSecond(timings[under][round]));
    const ratios = perRound("sink", "tuned");
    const tunings = perRound("tuned", "plain");
    const overPlain = perRound("sink", "plain");
    const speed = (side: Side) => median(timings[side].map(docsPerSecond));
    const best = (side: Side) => format(Math.max(...timings[side].map(docsPerSecond)));
    const list = (values: number[]) => values.map((value) => format(value, 2)).join(", ");
    const figures: IngestFigures = {
      plainFloor: speed("plain"),
      tunedFloor: speed("tuned"),
      sink: speed("sink"),
      ratio: median(ratios),
      tuning: median(tunings),
      sinkOverPlain: median(overPlain),
      jsonBytesPerDocument,
      storeBytesPerDocument: storeBytes,
    };
    console.log(`  plain floor, NDJSON straight to _bulk:        ${format(figures.plainFloor)} docs/s (median of ${rounds}; best ${best("plain")})`);
    console.log(`  tuned floor, the same with the load settings: ${format(figures.tunedFloor)} docs/s (median of ${rounds}; best ${best("tuned")})`);
    console.log(`  sink, indexDataset end to end:                ${format(figures.sink)} docs/s (median of ${rounds}; best ${best("sink")})`);
    console.log(`  ratio sink/tuned floor: ${format(figures.ratio, 2)} (rounds ${list(ratios)}; target: at least ${TARGET_RATIO}) -> ${figures.ratio >= TARGET_RATIO ? "OK" : "MISSED"}`);
    console.log(`  tuning, tuned/plain floor: ${format(figures.tuning, 2)} (rounds ${list(tunings)}; goal: ${TUNING_GOAL}) -> ${figures.tuning >= TUNING_GOAL ? "REACHED" : "NOT REACHED"}`);
    console.log(`  sink/plain floor: ${format(figures.sinkOverPlain, 2)} (rounds ${list(overPlain)})`);
    console.log(`  bytes per document: ${format(jsonBytesPerDocument)} of JSON sent, ${format(storeBytes)} on disk after the load (primaries, unmerged)`);
    return figures;
  } finally {
    for (const index of created) await deleteIndex(target, index).catch(() => undefined);
    await request(target, "DELETE", `/_index_template/${PREFIX}`).catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  }
}

export async function main(): Promise<IngestFigures> {
  const configured = esTarget();
  if (configured !== undefined) return measure(configured);
  if (!(await canStartLocalElasticsearch())) {
    throw new Error(
      "the ingest benchmark needs an Elasticsearch: set ELASTICSEARCH_URL (and ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD), " +
        "or install Java 17+ and Maven so that it can start one with test/support/elasticsearch.sh " +
        "(`bash test/support/elasticsearch.sh check` says what is missing)",
    );
  }
  console.log(`no ELASTICSEARCH_URL: starting a throw-away Elasticsearch (ES_INSTANCE=${BENCH_INSTANCE}) with test/support/elasticsearch.sh`);
  const target = await startElasticsearch(BENCH_INSTANCE);
  try {
    return await measure(target);
  } finally {
    await stopElasticsearch(BENCH_INSTANCE);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
