// Follow mode against the suite's real Elasticsearch, driven by a virtual clock: the backfill, an
// hour of live traffic in seconds, a resume, a stop by SIGTERM (the real bin, real time), a frozen
// server (SIGSTOP) and one that is gone. Each test uses its own index prefix; all are removed after.

import { expect } from "chai";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "@elastic/elasticsearch";
import { requireEsTarget } from "../../support/es-target";
import { elasticsearchProcessGroup } from "../../support/es-instance";
import { VirtualClock } from "../../../generator/clock";
import { generateLiveEvents } from "../../../generator/events";
import { baseRatePerSecond } from "../../../generator/traffic";
import { followLive, StreamFailed } from "../../../generator/follow";
import { liveIndexNameFor, planFollow, type FollowOptions } from "../../../generator/follow-plan";
import { followSinkFor, prepareFollowIndex } from "../../../generator/sinks/elasticsearch-follow";
import { indexDataset, type ElasticsearchConnection } from "../../../generator/sinks/elasticsearch";
import { planDataset } from "../../../generator/plan";
import type { GroundTruth } from "../../../generator/types";
import { deleteEverythingUnder } from "../../support/es-cleanup";

const BIN = path.resolve(__dirname, "../../../bin/lab-generate.js");
const MINUTE = 60_000;
const START = Date.parse("2026-11-30T08:00:20Z");

/** Aborts once the clock reaches `untilMs`. */
function stopAt(clock: VirtualClock, untilMs: number): AbortSignal {
  const controller = new AbortController();
  const check = () => (clock.now() >= untilMs ? controller.abort() : setImmediate(check));
  setImmediate(check);
  return controller.signal;
}

/** How many live events the stream has before `untilMs` (from its origin). */
function liveCount(options: FollowOptions, originMs: number, untilMs: number): number {
  let count = 0;
  for (const live of generateLiveEvents(planFollow(options, new Date(originMs)), originMs)) {
    if (live.timeMs >= untilMs) break;
    count++;
  }
  return count;
}

describe("lab-generate --follow into a real Elasticsearch", function () {
  this.timeout(180_000);
  let connection: ElasticsearchConnection;
  let client: Client;
  let target: { url: string; username: string; password: string };
  const prefix = `lab-test-follow-${randomBytes(3).toString("hex")}`;
  const options: FollowOptions = { days: 0.05, seed: 21, anomalies: [{ kind: "spike", startAfterMinutes: 20, durationMinutes: 20 }] };

  before(function () {
    target = requireEsTarget(this);
    connection = { url: target.url, username: target.username, password: target.password };
    client = new Client({ node: target.url, auth: { username: target.username, password: target.password } });
  });

  after(async () => {
    if (client === undefined) return;
    await deleteEverythingUnder(client, prefix);
    await client.close();
  });

  async function documents(index: string): Promise<number> {
    await client.indices.refresh({ index });
    return (await client.count({ index })).count;
  }

  async function savedTruth(index: string): Promise<GroundTruth> {
    const mapping = await client.indices.getMapping({ index });
    return (Object.values(mapping)[0].mappings._meta as { lab: { truth: GroundTruth } }).lab.truth;
  }

  async function follow(indexPrefix: string, clock: VirtualClock, untilMs: number) {
    const prepared = await prepareFollowIndex(options, { connection, indexPrefix }, { now: () => clock.now() });
    const sink = followSinkFor(connection, prepared.index);
    const flushes: number[] = [];
    try {
      // A flush every 20 s of virtual time keeps an hour to 180 bulk requests.
      const result = await followLive(prepared, sink, { clock, signal: stopAt(clock, untilMs), flushIntervalMs: 20_000, onFlush: (stats) => flushes.push(stats.nowMs) });
      return { prepared, result, flushes };
    } finally {
      await sink.close();
    }
  }

  it("backfills up to now, then writes an hour of live traffic: every event once, the live window in _meta with its label", async () => {
    const indexPrefix = `${prefix}-a`;
    const clock = new VirtualClock(START);
    const { prepared, result, flushes } = await follow(indexPrefix, clock, START + 60 * MINUTE);
    expect(prepared.backfilled).to.equal(true);
    // The cadence: a flush every interval of the clock, never a longer gap.
    for (let i = 1; i < flushes.length; i++) expect(flushes[i] - flushes[i - 1]).to.be.at.most(20_000);
    expect(flushes.length).to.be.at.least(180);
    expect(prepared.index).to.equal(liveIndexNameFor(indexPrefix, options));
    const origin = Date.parse("2026-11-30T08:00:00Z");
    expect(prepared.plan.origin.getTime()).to.equal(origin);
    const through = Date.parse(result.truth.live!.through);
    expect(await documents(prepared.index)).to.equal(prepared.count + liveCount(options, origin, through));
    expect(result.total).to.equal(await documents(prepared.index));

    const truth = await savedTruth(prepared.index);
    expect(truth.live).to.include({ since: "2026-11-30T08:00:00.000Z", status: "stopped", nextWindowStart: null });
    expect(truth.anomalies.map((a) => [a.id, a.kind, a.phase, a.start, a.end])).to.deep.equal([["live-spike-1", "spike", "live", "2026-11-30T08:20:00.000Z", "2026-11-30T08:40:00.000Z"]]);
    expect(truth.eventCount).to.equal(result.total);

    // The spike is in the data at its time: the 20 minutes of the window hold several times the 20 before it.
    const inRange = async (from: string, to: string) => (await client.count({ index: prepared.index, query: { range: { "@timestamp": { gte: from, lt: to } } } })).count;
    const before = await inRange("2026-11-30T08:00:00Z", "2026-11-30T08:20:00Z");
    const during = await inRange("2026-11-30T08:20:00Z", "2026-11-30T08:40:00Z");
    expect(during / before).to.be.above(5);
    // The rate: the 20 minutes before the spike hold what the traffic model expects, within 5% (about 4 standard deviations).
    let expected = 0;
    for (let t = origin; t < origin + 20 * MINUTE; t += MINUTE) expected += baseRatePerSecond(5, t + MINUTE / 2) * 60;
    expect(before / expected).to.be.within(0.95, 1.05);
    // And nothing was written ahead of its time.
    expect(await inRange(result.truth.live!.through, "2100-01-01T00:00:00Z")).to.equal(0);
  });

  it("resumes with the same command from the minute of the last event: no duplicates and no gap", async () => {
    const indexPrefix = `${prefix}-b`;
    const clock = new VirtualClock(START);
    const first = await follow(indexPrefix, clock, START + 12 * MINUTE + 7_000);
    clock.advance(9 * MINUTE);
    const second = await follow(indexPrefix, clock, clock.now() + 25 * MINUTE);
    expect(second.prepared.backfilled).to.equal(false);
    expect(second.prepared.index).to.equal(first.prepared.index);
    expect(second.prepared.resumeFromMs).to.equal(Date.parse("2026-11-30T08:12:00Z"));
    const origin = Date.parse("2026-11-30T08:00:00Z");
    const through = Date.parse(second.result.truth.live!.through);
    expect(await documents(first.prepared.index)).to.equal(first.prepared.count + liveCount(options, origin, through));
    expect(second.result.total).to.equal(await documents(first.prepared.index));
    // The window began during the second run and is planted once.
    expect((await savedTruth(first.prepared.index)).anomalies.map((a) => a.id)).to.deep.equal(["live-spike-1"]);
  });

  it("refuses to continue an index written without --follow", async () => {
    const indexPrefix = `${prefix}-c`;
    const index = liveIndexNameFor(indexPrefix, options);
    await indexDataset(planDataset({ days: 0.01, seed: 1, end: new Date(START), scenario: "none" }), { connection, indexPrefix, index });
    let failure: unknown;
    try {
      await prepareFollowIndex(options, { connection, indexPrefix }, { now: () => START });
    } catch (error) {
      failure = error;
    }
    expect((failure as Error).message).to.equal(`index ${index} holds a dataset written without --follow, so live traffic cannot continue it; delete the index or choose another --index`);
  });

  it("rides out a frozen server (SIGSTOP for 4 s) and loses no event", async function () {
    const instance = process.env.LAB_ES_INSTANCE;
    if (instance === undefined || instance === "") {
      console.log("    (skipped: the server is not one test/support/elasticsearch.sh started, so it cannot be frozen)");
      this.skip();
    }
    const indexPrefix = `${prefix}-d`;
    const clock = new VirtualClock(START);
    const prepared = await prepareFollowIndex(options, { connection: { ...connection, requestTimeoutMs: 1_500 }, indexPrefix }, { now: () => clock.now() });
    const sink = followSinkFor({ ...connection, requestTimeoutMs: 1_500 }, prepared.index);
    const pgid = await elasticsearchProcessGroup(instance!);
    const retries: string[] = [];
    let frozen = false;
    let thawed: Promise<void> | undefined;
    const controller = new AbortController();
    try {
      const result = await followLive(prepared, sink, {
        clock,
        signal: controller.signal,
        onFlush: (stats) => {
          if (!frozen && stats.nowMs >= START + 2 * MINUTE) {
            frozen = true;
            process.kill(-pgid, "SIGSTOP");
            thawed = new Promise((resolve) => setTimeout(() => resolve(process.kill(-pgid, "SIGCONT") && undefined), 4_000));
          }
          if (stats.nowMs >= START + 6 * MINUTE) controller.abort();
        },
        onRetry: (attempt, waitMs, error) => retries.push(`${attempt}:${waitMs}:${error.message.slice(0, 40)}`),
      });
      expect(retries.length, "the freeze was noticed").to.be.above(0);
      const origin = Date.parse("2026-11-30T08:00:00Z");
      expect(await documents(prepared.index)).to.equal(prepared.count + liveCount(options, origin, Date.parse(result.truth.live!.through)));
    } finally {
      await thawed;
      process.kill(-pgid, "SIGCONT");
      await sink.close();
    }
  });

  it("gives up on a server that is gone, within the outage timeout, with a message saying how to resume", async () => {
    const clock = new VirtualClock(START);
    const prepared = await prepareFollowIndex(options, { connection, indexPrefix: `${prefix}-e` }, { now: () => clock.now() });
    const gone = followSinkFor({ url: "http://127.0.0.1:9", username: "elastic", password: "x", requestTimeoutMs: 1_000 }, prepared.index);
    const started = Date.now();
    let failure: unknown;
    try {
      await followLive(prepared, gone, { clock, outageTimeoutMs: 60_000 });
    } catch (error) {
      failure = error;
    } finally {
      await gone.close();
    }
    expect(failure).to.be.instanceOf(StreamFailed);
    expect((failure as Error).message).to.match(/^gave up after 1m \(7 attempts\) of index \S+ at http:\/\/127\.0\.0\.1:9 refusing writes: POST \/_bulk on http:\/\/127\.0\.0\.1:9 failed: .*; run the same command again to resume from there$/);
    expect(Date.now() - started, "a bounded wait").to.be.below(10_000);
  });

  it("stops on SIGTERM after a final flush (the real bin, real time): exit 143 and every due event written", async function () {
    const { execa } = await import("execa");
    const indexPrefix = `${prefix}-f`;
    const truthFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "follow-")), "truth.json");
    const child = execa(BIN, ["--follow", "--es", target.url, "--index-prefix", indexPrefix, "--days", "0.01", "--seed", "5", "--scenario", "live", "--flush-interval", "1s", "--truth", truthFile], {
      reject: false,
      env: { ELASTICSEARCH_USERNAME: target.username, ELASTICSEARCH_PASSWORD: target.password },
      timeout: 120_000,
    });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    while (!/following in real time/.test(stderr)) {
      if (child.exitCode !== null) throw new Error(`lab-generate exited early:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode, stderr).to.equal(143);
    expect(stderr).to.match(/terminated \(SIGTERM\), stopping and cleaning up\nlab-generate: stopped: [\d,]+ events written up to \S+; the same command resumes\n$/);
    const truth = JSON.parse(fs.readFileSync(truthFile, "utf8")) as GroundTruth;
    const index = liveIndexNameFor(indexPrefix, { days: 0.01, seed: 5, scenario: "live" });
    expect(truth.live!.status).to.equal("stopped");
    expect(await documents(index)).to.equal(truth.eventCount);
    expect((await savedTruth(index)).live).to.deep.equal(truth.live);
    const origin = Date.parse(truth.live!.since);
    const backfill = (await client.count({ index, query: { range: { "@timestamp": { lt: truth.live!.since } } } })).count;
    expect(truth.eventCount).to.equal(backfill + liveCount({ days: 0.01, seed: 5, scenario: "live" }, origin, Date.parse(truth.live!.through)));
  });
});
