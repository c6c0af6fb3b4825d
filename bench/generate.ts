// Generation benchmark (issue 2, "Speed and memory"). Run alone with `npx tsx bench/generate.ts`,
// or as part of `npm run bench`.
//
// (a) Speed. 7 days at the default rate go through the NDJSON sink to /dev/null. The floor is what
//     no generator can beat: JSON.stringify plus write of the same documents, already built in
//     memory, through the same sink. Holding millions of documents would measure the garbage
//     collector instead, so the floor is taken over the first FLOOR_SAMPLE events and compared per
//     event. The target is a ratio within 1.5x.
// (b) Memory. 1, 7 and 30 days (scenario spike, which fits in one day) each run in a child process (a fresh heap), writing to /dev/null;
//     the child reports its peak resident set size (getrusage maxrss). Streaming means the peak
//     must not grow with the number of days, and 30 days must stay under 200 MB.

import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { planDataset, DEFAULT_MEAN_RATE_PER_SECOND, type DatasetPlan } from "../generator/plan";
import { generateEvents } from "../generator/events";
import { writeNdjson } from "../generator/sinks/ndjson";
import type { AccessLogEvent } from "../generator/types";

const DEV_NULL = "/dev/null";
/** A fixed end, so every run of the benchmark generates the same documents. */
const END = new Date("2026-11-16T00:00:00Z");
const SEED = 1;
const FLOOR_SAMPLE = 300_000;
const FLOOR_ROUNDS = 5;
const MEMORY_DAYS = [1, 7, 30];
const MEMORY_LIMIT_MB = 200;

const plan = (days: number, scenario: string): DatasetPlan => planDataset({ days, seed: SEED, end: END, scenario });

function* firstEvents(source: Iterable<AccessLogEvent>, count: number): Generator<AccessLogEvent> {
  let taken = 0;
  for (const event of source) {
    if (taken++ >= count) return;
    yield event;
  }
}

interface Timing {
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds of this process (user + system, all threads): what the ratios use, because on a
   * shared machine the wall clock mostly measures the other processes. */
  cpuSeconds: number;
  count: number;
}

function stopwatch(): () => { seconds: number; cpuSeconds: number } {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: Number(process.hrtime.bigint() - wall) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

async function timeNdjson(events: Iterable<AccessLogEvent>): Promise<Timing & { bytes: number }> {
  const stop = stopwatch();
  const result = await writeNdjson(events, DEV_NULL);
  return { ...stop(), count: result.count, bytes: result.bytes };
}

function timeGenerationOnly(source: Iterable<AccessLogEvent>): Timing {
  const stop = stopwatch();
  let count = 0;
  for (const event of source) if (event.event.duration >= 0) count++;
  return { ...stop(), count };
}

const perEventNs = (run: Timing) => (run.cpuSeconds * 1e9) / run.count;
const format = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function speed(): Promise<{ eventsPerSecond: number; ratio: number }> {
  const week = plan(7, "mixed");
  // The floor: the first FLOOR_SAMPLE documents, built beforehand, serialised and written.
  const prebuilt = [...firstEvents(generateEvents(week), FLOOR_SAMPLE)];
  // Warm-up, so that neither side pays for compiling the sink.
  await timeNdjson(prebuilt.slice(0, 20_000));
  await timeNdjson(firstEvents(generateEvents(week), 20_000));

  const floorRuns: number[] = [];
  const sampleRuns: number[] = [];
  for (let round = 0; round < FLOOR_ROUNDS; round++) {
    floorRuns.push(perEventNs(await timeNdjson(prebuilt)));
    sampleRuns.push(perEventNs(await timeNdjson(firstEvents(generateEvents(week), FLOOR_SAMPLE))));
  }
  const floorNs = Math.min(...floorRuns);
  const sampleNs = Math.min(...sampleRuns);
  prebuilt.length = 0;

  const generationOnly = timeGenerationOnly(generateEvents(week));
  const full = await timeNdjson(generateEvents(week));
  const fullNs = perEventNs(full);
  const eventsPerSecond = full.count / full.seconds;
  const ratio = fullNs / floorNs;

  console.log(`7 days at ${DEFAULT_MEAN_RATE_PER_SECOND} events/s (scenario mixed, seed ${SEED}): ${format(full.count)} events, ${format(full.bytes / 1e6)} MB of NDJSON`);
  console.log(`  (per-event costs are CPU time of this process; wall time is shown where it is the claim)`);
  console.log(`  generate + NDJSON to ${DEV_NULL}:    ${format(full.seconds, 2)} s wall, ${format(eventsPerSecond)} events/s, ${format(fullNs)} ns/event CPU`);
  console.log(`  generation alone (no serialising): ${format(generationOnly.cpuSeconds, 2)} s CPU, ${format(perEventNs(generationOnly))} ns/event`);
  console.log(`  floor: stringify + write of ${format(FLOOR_SAMPLE)} prebuilt documents: ${format(floorNs)} ns/event (best of ${FLOOR_ROUNDS})`);
  console.log(`  same ${format(FLOOR_SAMPLE)} documents generated on the fly: ${format(sampleNs)} ns/event (best of ${FLOOR_ROUNDS}), ratio ${format(sampleNs / floorNs, 2)}x`);
  console.log(`  ratio, full 7 days vs floor: ${format(ratio, 2)}x (target: within 1.5x) -> ${ratio <= 1.5 ? "OK" : "MISSED"}`);
  return { eventsPerSecond, ratio };
}

/** Runs in the child: generates `days` to /dev/null and prints its peak RSS as JSON. */
async function memoryChild(days: number): Promise<void> {
  const result = await writeNdjson(generateEvents(plan(days, "spike")), DEV_NULL);
  // maxRSS is in kilobytes (getrusage ru_maxrss on Linux).
  const peakRssMb = (process.resourceUsage().maxRSS * 1024) / 1e6;
  process.stdout.write(JSON.stringify({ days, events: result.count, peakRssMb }) + "\n");
}

export function memory(): Array<{ days: number; events: number; peakRssMb: number }> {
  const rows: Array<{ days: number; events: number; peakRssMb: number }> = [];
  for (const days of MEMORY_DAYS) {
    // The loader is resolved from this file, so the benchmark runs from any working directory.
    const tsxLoader = pathToFileURL(require.resolve("tsx")).href;
    const child = spawnSync(process.execPath, ["--import", tsxLoader, __filename, "--memory-child", String(days)], {
      encoding: "utf8",
      maxBuffer: 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`memory child for ${days} days failed (exit ${child.status}): ${child.stderr.trim()}`);
    const line = child.stdout.trim().split("\n").pop()!;
    rows.push(JSON.parse(line));
  }
  console.log(`peak RSS writing NDJSON to ${DEV_NULL} (scenario spike), each in a fresh process:`);
  for (const row of rows) console.log(`  ${String(row.days).padStart(2)} days: ${format(row.events).padStart(11)} events, peak RSS ${format(row.peakRssMb, 1)} MB`);
  const [smallest] = rows;
  const largest = rows[rows.length - 1];
  const growth = largest.peakRssMb / smallest.peakRssMb;
  console.log(
    `  ${largest.days} days vs ${smallest.days} day: ${format(growth, 2)}x the memory for ${format(largest.events / smallest.events, 1)}x the events; ` +
      `${largest.days} days ${largest.peakRssMb < MEMORY_LIMIT_MB ? "under" : "OVER"} ${MEMORY_LIMIT_MB} MB`,
  );
  return rows;
}

export async function main(): Promise<void> {
  await speed();
  memory();
}

if (require.main === module) {
  const childIndex = process.argv.indexOf("--memory-child");
  const run = childIndex >= 0 ? memoryChild(Number(process.argv[childIndex + 1])) : main();
  run.catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
