// Follow-mode benchmark: memory and lag of `lab-generate --follow` at ten times the default rate
// (50 events per second) into a real Elasticsearch, each against a floor measured in the same run.
//
//   memory  A child process (so no other benchmark's heap counts), bundled and run with the Node
//           options of the traffic image (FOLLOW_NODE_OPTIONS), backfills a small index, then
//           follows on a virtual clock: 10 minutes, then on to 2 hours, sampling RSS every virtual
//           minute. Floor: the same process's RSS after the backfill, before the first live event.
//           Claims: RSS stays under 150 MB, and the RSS at 2 hours is no more than the RSS at 10
//           minutes plus noise (flat: memory does not grow with time).
//   lag     The same, on the machine's clock for LAB_BENCH_FOLLOW_SECONDS (default 60) with the
//           default 5 s flush interval: for each flush, how long its oldest event waited after its
//           time before Elasticsearch acknowledged it. Floor: the flush interval itself, which is
//           what a write that costs nothing would give. Claim: the worst lag stays under the flush
//           interval plus 1 s.
//
// Run alone with `npx tsx bench/follow.ts`, or in `npm run bench`. ELASTICSEARCH_URL (and
// ELASTICSEARCH_USERNAME/PASSWORD) when set, else a throw-away server from test/support/elasticsearch.sh.

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client } from "@elastic/elasticsearch";
import { systemClock, VirtualClock, type Clock } from "../generator/clock";
import { DEFAULT_FLUSH_INTERVAL_MS, FOLLOW_NODE_OPTIONS, followLive, type FollowStats } from "../generator/follow";
import type { FollowOptions } from "../generator/follow-plan";
import { followSinkFor, prepareFollowIndex } from "../generator/sinks/elasticsearch-follow";
import { esTarget, type EsTarget } from "../test/support/es-target";
import { canStartLocalElasticsearch, startElasticsearch, stopElasticsearch } from "../test/support/es-instance";
import { median, numberSetting } from "./settings";

const BENCH_INSTANCE = "bench";
const PREFIX = "lab-bench-follow";
const MINUTE = 60_000;
const RSS_LIMIT_MB = 150;
/** Ten times the generator's default of 5 events per second. */
const OPTIONS: FollowOptions = { days: 0.05, seed: 42, scenario: "live", meanRatePerSecond: 50 };
const START = Date.parse("2026-11-30T08:00:00Z");

const mb = (bytes: number) => bytes / 1024 / 1024;

interface MemoryFigures {
  floorMb: number;
  at10MinMb: number;
  at2HoursMb: number;
  maxMb: number;
  liveEvents: number;
}

interface LagFigures {
  flushes: number;
  liveEvents: number;
  medianLagMs: number;
  maxLagMs: number;
}

function settle(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

/** Follows `untilMs` of clock time into a fresh index; calls `onFlush` with each flush's stats. */
async function follow(target: EsTarget, prefix: string, clock: Clock, untilMs: number, onFlush: (stats: FollowStats) => void, afterBackfill: () => void = () => undefined): Promise<number> {
  const connection = { url: target.url, username: target.username, password: target.password };
  const prepared = await prepareFollowIndex(OPTIONS, { connection, indexPrefix: prefix }, { now: () => clock.now() });
  afterBackfill();
  const sink = followSinkFor(connection, prepared.index);
  const controller = new AbortController();
  try {
    const result = await followLive(prepared, sink, {
      clock,
      signal: controller.signal,
      onFlush: (stats) => {
        onFlush(stats);
        if (stats.nowMs >= untilMs) controller.abort();
      },
    });
    return result.total - prepared.count;
  } finally {
    await sink.close();
  }
}

/** The child process's work: memory on a virtual clock. Prints one JSON line. */
async function memoryWorker(target: EsTarget): Promise<void> {
  const clock = new VirtualClock(START + 20_000);
  let floor = 0;
  let at10 = 0;
  let max = 0;
  let last = 0;
  let nextSampleMs = START + MINUTE;
  const liveEvents = await follow(target, `${PREFIX}-mem`, clock, START + 120 * MINUTE, (stats) => {
    if (stats.nowMs < nextSampleMs) return;
    nextSampleMs += MINUTE;
    last = process.memoryUsage().rss;
    max = Math.max(max, last);
    if (at10 === 0 && stats.nowMs >= START + 10 * MINUTE) at10 = last;
  }, () => {
    floor = settle();
  });
  const figures: MemoryFigures = { floorMb: mb(floor), at10MinMb: mb(at10), at2HoursMb: mb(last), maxMb: mb(max), liveEvents };
  process.stdout.write(JSON.stringify(figures) + "\n");
}

/**
 * Runs the memory worker in a child process of plain Node, from a bundle built the way the traffic
 * image builds its own (esbuild, as in the Dockerfile), so the figure is the generator's and not
 * the TypeScript loader's, which alone holds tens of MB.
 */
async function measureMemory(target: EsTarget): Promise<MemoryFigures> {
  const { execa } = await import("execa");
  const directory = await mkdtemp(path.join(os.tmpdir(), "lab-bench-follow-"));
  try {
    const bundle = path.join(directory, "follow-worker.cjs");
    const esbuild = path.join(__dirname, "..", "node_modules", ".bin", "esbuild");
    await execa(esbuild, [path.join(__dirname, "follow.ts"), "--bundle", "--platform=node", "--target=node20", "--log-level=warning", `--outfile=${bundle}`]);
    const run = await execa(process.execPath, ["--expose-gc", ...FOLLOW_NODE_OPTIONS.split(" "), bundle, "--memory-worker"], {
      env: { ELASTICSEARCH_URL: target.url, ELASTICSEARCH_USERNAME: target.username, ELASTICSEARCH_PASSWORD: target.password },
      timeout: 600_000,
    });
    return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as MemoryFigures;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function measureLag(target: EsTarget, seconds: number): Promise<LagFigures> {
  const lags: number[] = [];
  let flushes = 0;
  const startMs = systemClock.now();
  const liveEvents = await follow(target, `${PREFIX}-lag`, systemClock, startMs + seconds * 1000, (stats) => {
    flushes += 1;
    if (!stats.catchUp && stats.lagMs !== undefined) lags.push(stats.lagMs);
  });
  return { flushes, liveEvents, medianLagMs: median(lags), maxLagMs: Math.max(...lags) };
}

async function cleanUp(target: EsTarget): Promise<void> {
  const client = new Client({ node: target.url, auth: { username: target.username, password: target.password } });
  try {
    const indices = Object.keys(await client.indices.get({ index: `${PREFIX}*`, allow_no_indices: true }));
    if (indices.length > 0) await client.indices.delete({ index: indices });
    for (const { name } of (await client.indices.getIndexTemplate({ name: `${PREFIX}*` }).catch(() => ({ index_templates: [] }))).index_templates) {
      await client.indices.deleteIndexTemplate({ name });
    }
  } finally {
    await client.close();
  }
}

async function measure(target: EsTarget): Promise<{ memory: MemoryFigures; lag: LagFigures }> {
  const seconds = numberSetting("LAB_BENCH_FOLLOW_SECONDS", 60);
  await cleanUp(target);
  try {
    const memory = await measureMemory(target);
    console.log(`memory: ${memory.liveEvents.toLocaleString("en-US")} live events over 2 virtual hours at ${OPTIONS.meanRatePerSecond}/s`);
    console.log(`  floor (after the backfill) ${memory.floorMb.toFixed(0)} MB RSS; at 10 min ${memory.at10MinMb.toFixed(0)} MB; at 2 h ${memory.at2HoursMb.toFixed(0)} MB; max ${memory.maxMb.toFixed(0)} MB`);
    console.log(`  ratio max / floor ${(memory.maxMb / memory.floorMb).toFixed(2)}; growth from 10 min to 2 h ${(memory.at2HoursMb - memory.at10MinMb).toFixed(0)} MB; limit ${RSS_LIMIT_MB} MB: ${memory.maxMb < RSS_LIMIT_MB ? "met" : "NOT met"}`);
    const lag = await measureLag(target, seconds);
    const limitMs = DEFAULT_FLUSH_INTERVAL_MS + 1_000;
    console.log(`lag: ${lag.flushes} flushes, ${lag.liveEvents.toLocaleString("en-US")} live events in ${seconds} s of real time at ${OPTIONS.meanRatePerSecond}/s`);
    console.log(`  median ${(lag.medianLagMs / 1000).toFixed(2)} s, worst ${(lag.maxLagMs / 1000).toFixed(2)} s; floor (the flush interval) ${(DEFAULT_FLUSH_INTERVAL_MS / 1000).toFixed(0)} s`);
    console.log(`  ratio worst / floor ${(lag.maxLagMs / DEFAULT_FLUSH_INTERVAL_MS).toFixed(3)}; limit flush interval + 1 s: ${lag.maxLagMs < limitMs ? "met" : "NOT met"}`);
    return { memory, lag };
  } finally {
    await cleanUp(target);
  }
}

export async function main(): Promise<{ memory: MemoryFigures; lag: LagFigures }> {
  const configured = esTarget();
  if (configured !== undefined) return measure(configured);
  if (!(await canStartLocalElasticsearch())) {
    throw new Error("the follow benchmark needs an Elasticsearch: set ELASTICSEARCH_URL, or install Java 17+ and Maven so that test/support/elasticsearch.sh can start one");
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
  const worker = process.argv.includes("--memory-worker");
  (worker ? memoryWorker(esTarget()!) : main()).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
