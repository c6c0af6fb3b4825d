import { expect } from "chai";
import { HISTORY_SCENARIO_NAMES, SCENARIOS } from "../../generator/scenarios";
import type { AccessLogEvent, GroundTruth } from "../../generator/types";
import { generateEvents } from "../../generator/events";
import { planDataset } from "../../generator/plan";
import { loadJobDefinitions } from "../../ml-jobs";
import { accessEvent } from "../support/access-event";
import { BucketAggregator } from "../../verify/reference/aggregate";
import { SIGNAL_JOBS, summariseFromDatafeeds } from "../../verify/reference/aggregated";
import { datafeedRows } from "../../verify/reference/datafeed";
import { summarise } from "../../verify/reference/detector";
import { scoreBuckets, type Alarm } from "../../verify/reference/detector";
import { evaluateAlarms } from "../../verify/reference/evaluate";
import { runScenario, seedRange, type DetectorInput, type ScenarioFigures } from "../../verify/reference/run";
import { TEST_SEEDS, TEST_SIZES } from "../../verify/reference/sizes";
import { normalUpperLog10, poissonLowerLog10, poissonUpperLog10 } from "../../verify/reference/stats";
import { slowTestsExcluded, startQualityRuns } from "../support/quality-runs";

function event(iso: string, overrides: { ip?: string; path?: string; host?: string; agent?: string; status?: number; durationMs?: number } = {}): AccessLogEvent {
  return accessEvent({
    timestamp: iso,
    durationNs: (overrides.durationMs ?? 50) * 1e6,
    status: overrides.status,
    original: overrides.path,
    ip: overrides.ip,
    agent: overrides.agent ?? "curl/8",
    host: overrides.host,
  });
}

describe("verify/reference: the offline reference detector", () => {
  describe("tail probabilities", () => {
    it("match closed forms for the Poisson and normal tails", () => {
      expect(poissonUpperLog10(1, 1)).to.be.closeTo(Math.log10(1 - Math.exp(-1)), 1e-12);
      expect(poissonLowerLog10(0, 3)).to.be.closeTo(-3 / Math.LN10, 1e-12);
      expect(poissonLowerLog10(2, 3)).to.be.closeTo(Math.log10(Math.exp(-3) * 8.5), 1e-12);
      expect(normalUpperLog10(1.959964)).to.be.closeTo(Math.log10(0.025), 1e-6);
      expect(normalUpperLog10(4.99)).to.be.closeTo(normalUpperLog10(5.01), 0.1);
    });

    it("keep their order far out in the tail instead of underflowing to zero", () => {
      expect(poissonUpperLog10(1000, 100)).to.be.below(-500).and.above(-700);
      expect(normalUpperLog10(40)).to.be.below(-340);
    });
  });

  describe("bucket summaries", () => {
    it("count per bucket, fill gaps with empty buckets and keep per-client distinct URLs, not events", () => {
      const aggregator = new BucketAggregator(15);
      const done = [
        ...aggregator.add(event("2026-11-20T10:01:00.000Z", { path: "/a" })),
        ...aggregator.add(event("2026-11-20T10:02:30.250Z", { path: "/b" })),
        ...aggregator.add(event("2026-11-20T10:03:00.000Z", { path: "/a", status: 503, host: "web-02" })),
        ...aggregator.add(event("2026-11-20T10:47:00.000Z", { ip: "10.0.0.2" })),
        ...aggregator.finish(),
      ];
      expect(done.map((b) => [new Date(b.start).toISOString(), b.count])).to.deep.equal([
        ["2026-11-20T10:00:00.000Z", 3],
        ["2026-11-20T10:15:00.000Z", 0],
        ["2026-11-20T10:30:00.000Z", 0],
        ["2026-11-20T10:45:00.000Z", 1],
      ]);
      expect(done[0].topClients).to.deep.equal([{ ip: "10.0.0.1", distinctUrls: 2, requests: 3 }]);
      expect(done[0].hosts.get("web-02")).to.include({ n: 1, errors: 1 });
      expect(done[0].urls.get("/a")!.n).to.equal(2);
    });
  });

  describe("datafeed rows and summaries from them (aggregated input)", () => {
    const jobs = loadJobDefinitions();
    const datafeedOf = (name: string) => jobs.find((job) => job.name === name)!.datafeed;

    it("compute a datafeed's rows as Elasticsearch returns them: per interval and terms, doc_count, max @timestamp, avg", () => {
      const events = [
        event("2026-11-20T10:01:00.000Z", { host: "web-01", path: "/a", durationMs: 10 }),
        event("2026-11-20T10:01:30.000Z", { host: "web-01", path: "/a", durationMs: 30 }),
        event("2026-11-20T10:01:59.999Z", { host: "web-02", path: "/a", durationMs: 50, status: 503 }),
        event("2026-11-20T10:02:00.000Z", { host: "web-01", path: "/b", durationMs: 70 }),
      ];
      const latency = datafeedRows(events, datafeedOf("lab_latency"));
      expect(latency.map((row) => [new Date(row.bucketStart).toISOString().slice(11, 16), row.keys["host.name"], row.keys["url.path"], row.docCount, row.metrics["event.duration"] / 1e6])).to.deep.equal([
        ["10:01", "web-01", "/a", 2, 20],
        ["10:01", "web-02", "/a", 1, 50],
        ["10:02", "web-01", "/b", 1, 70],
      ]);
      expect(latency[0].time).to.equal(Date.parse("2026-11-20T10:01:30.000Z"));
      // A date_histogram's rows carry the bucket's max @timestamp; the 5xx job's query keeps one event.
      const rate = datafeedRows(events, datafeedOf("lab_request_rate_high"));
      expect(rate.map((row) => [row.keys["host.name"], row.docCount, new Date(row.time).toISOString().slice(11, 23)])).to.deep.equal([
        ["web-01", 2, "10:01:59.999"],
        ["web-02", 1, "10:01:59.999"],
        ["web-01", 1, "10:02:00.000"],
      ]);
      expect(datafeedRows(events, datafeedOf("lab_server_errors")).map((row) => row.keys)).to.deep.equal([
        { "url.path": "/a", "host.name": "web-02", "http.response.status_code": "503" },
      ]);
    });

    it("give the detector the same counts, 5xx, requests per host and URL and agents per bucket as the events do; only the latency tallies differ", () => {
      const plan = planDataset({ days: 1.5, seed: 3, end: new Date("2026-11-20T00:00:00Z"), scenario: "mixed", meanRatePerSecond: 0.25 });
      const raw = summarise(generateEvents(plan)).buckets;
      const aggregated = summariseFromDatafeeds(generateEvents(plan), 15, jobs);
      expect(aggregated.buckets.map((b) => b.start)).to.deep.equal(raw.map((b) => b.start));
      const tallies = (map: Map<string, { n: number; errors: number }>) => Object.fromEntries([...map].map(([key, s]) => [key, [s.n, s.errors]]));
      aggregated.buckets.forEach((bucket, i) => {
        expect(bucket.count).to.equal(raw[i].count);
        expect(tallies(bucket.hosts)).to.deep.equal(tallies(raw[i].hosts));
        expect(tallies(bucket.urls)).to.deep.equal(tallies(raw[i].urls));
        expect(Object.fromEntries(bucket.agents)).to.deep.equal(Object.fromEntries(raw[i].agents));
        expect(bucket.topClients).to.deep.equal(raw[i].topClients);
      });
      const low = datafeedRows(generateEvents(plan), datafeedOf("lab_request_rate_low"));
      const high = datafeedRows(generateEvents(plan), datafeedOf(SIGNAL_JOBS.count));
      expect(low).to.deep.equal(high);
      expect(aggregated.rowsByJob[SIGNAL_JOBS.count]).to.be.below(aggregated.eventCount / 3);
    });
  });

  describe("evaluation against the ground truth", () => {
    const truth: GroundTruth = {
      generator: "elastic-ml-lab", seed: 1, scenario: "mixed", start: "2026-11-18T00:00:00.000Z", end: "2026-11-20T00:00:00.000Z", days: 2, meanRatePerSecond: 1,
      anomalies: [
        { id: "latency-1", kind: "latency", start: "2026-11-19T10:05:00.000Z", end: "2026-11-19T11:05:00.000Z", magnitude: 5, entity: { field: "host.name", value: "web-02" }, description: "" },
      ],
    };
    const alarm = (iso: string, signal: Alarm["signal"], entity: Alarm["entity"]): Alarm => ({ bucketStart: Date.parse(iso), signal, entity, score: 20, actual: 1, typical: 1 });

    it("detects a window only with the signal its kind calls for, on its entity, and counts other alarmed buckets against precision", () => {
      const wrongEntity = evaluateAlarms(truth, [alarm("2026-11-19T10:15:00.000Z", "latency", { field: "host.name", value: "web-01" })], 900_000);
      expect(wrongEntity.windows[0].detected).to.equal(false);
      const found = evaluateAlarms(
        truth,
        [
          alarm("2026-11-19T10:00:00.000Z", "latency", { field: "host.name", value: "web-02" }),
          alarm("2026-11-19T11:00:00.000Z", "latency", { field: "url.path", value: "/cart" }),
          alarm("2026-11-19T15:00:00.000Z", "count_high", null),
        ],
        900_000,
      );
      expect(found.windows[0]).to.include({ detected: true, firstAlarm: "2026-11-19T10:00:00.000Z" });
      expect(found).to.include({ alarmedBuckets: 3, truePositiveBuckets: 2 });
      expect(found.precision).to.be.closeTo(2 / 3, 1e-12);
      expect(found.falseAlarms.map((a) => a.signal)).to.deep.equal(["count_high"]);
    });

    it("marks a count window on fewer days than its signal needs as lacking history, and others not", () => {
      const spike = { id: "spike-1", kind: "spike" as const, start: "2026-11-19T10:00:00.000Z", end: "2026-11-19T10:30:00.000Z", magnitude: 10, entity: null, description: "" };
      const short = evaluateAlarms({ ...truth, anomalies: [spike, ...truth.anomalies] }, [], 900_000);
      expect(short.windows.map((w) => w.history)).to.deep.equal([{ neededDays: 3, days: 2 }, undefined]);
      expect(evaluateAlarms({ ...truth, days: 3, anomalies: [spike] }, [], 900_000).windows[0]).to.not.have.property("history");
    });
  });

  // What the new kinds teach, checked on every seed of the quality runs below: a level shift is
  // flagged at the step and nothing alarms on it once its adaptation time (the truth's end) is over;
  // a ramp is found late, never in the bucket where it begins.
  const promise: Record<string, string> = {
    level_shift: ", flagged at the step and quiet once its two-hour adaptation time is over",
    ramp: ", each found late",
    new_error: ", each by its new error-log category",
  };
  const checkKind = (figures: ScenarioFigures) => {
    for (const window of figures.found) {
      const startBucket = Math.floor(Date.parse(window.start) / 900_000) * 900_000;
      const delay = Date.parse(window.firstAlarm!) - startBucket;
      if (window.kind === "level_shift") expect(delay, `seed ${window.seed} ${window.id}: first alarm at the step`).to.be.at.most(900_000);
      if (window.kind === "ramp") expect(delay, `seed ${window.seed} ${window.id}: found late`).to.be.at.least(900_000);
    }
    if (figures.scenario === "level_shift") expect(figures.falseAlarmsBySignal.level ?? 0, "level alarms after the adaptation time").to.equal(0);
  };

  // The quality bar, run twice over TEST_SEEDS seeds: on the rows the aggregated datafeeds return
  // (what the lab's jobs read: every datafeed but the population and categorization ones is
  // aggregated, and those two read the events on this path too), and on the events themselves, the
  // path `lab-verify expect` takes.
  // @slow: minutes of detection on two cores, the bulk of the suite's time; `npm run test:unit`
  // (the fast subset) leaves them out by this tag, `npm test` and CI run them.
  const qualityRuns: { input: DetectorInput; seeds: number; reading: string }[] = [
    { input: "datafeeds", seeds: TEST_SEEDS, reading: " from the datafeeds' rows" },
    { input: "events", seeds: TEST_SEEDS, reading: " from the events" },
  ];
  // Computed beside the rest of the suite (test/support/quality-runs.ts), unless this run leaves @slow out.
  const background = slowTestsExcluded()
    ? undefined
    : startQualityRuns(qualityRuns.flatMap((run) => HISTORY_SCENARIO_NAMES.map((scenario) => ({ scenario, input: run.input, seeds: run.seeds }))));
  after(() => background?.stop());
  for (const run of qualityRuns) {
    describe(`quality over ${run.seeds} seeds per scenario${run.reading} @slow`, () => {
      for (const scenario of HISTORY_SCENARIO_NAMES) {
        const size = TEST_SIZES[scenario];
        const clean = SCENARIOS[scenario].anomalies.length === 0;
        const span = `${size.days} day${size.days === 1 ? "" : "s"} at ${size.meanRatePerSecond}/s`;
        const title = clean
          ? `raises no alarm at all on "${scenario}"${run.reading} (clean traffic, ${span})`
          : `finds every "${scenario}" window${run.reading} with bucket precision >= 0.9${promise[scenario] ?? ""} (${span})`;
        it(title, async function () {
          this.timeout(1_800_000);
          const request = { scenario, input: run.input, seeds: run.seeds };
          const figures = background === undefined ? runScenario(scenario, seedRange(1, run.seeds), size, {}, run.input) : await background.figures(request);
          checkKind(figures);
          const missed = figures.missed.map((m) => `seed ${m.seed} ${m.id} (best score ${m.bestScore.toFixed(1)})`);
          expect(missed, "windows missed").to.deep.equal([]);
          if (clean) {
            expect(figures.alarmedBuckets, "alarmed buckets on clean traffic").to.equal(0);
          } else {
            expect(figures.windowsDetected).to.equal(run.seeds * SCENARIOS[scenario].anomalies.length);
            expect(figures.precision, `bucket precision (${figures.truePositiveBuckets}/${figures.alarmedBuckets})`).to.be.at.least(0.9);
          }
        });
      }
    });
  }
});
