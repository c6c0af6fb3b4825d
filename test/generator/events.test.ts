import { expect } from "chai";
import { createHash } from "node:crypto";
import { documentId, errorDocumentId, generateEvents } from "../../generator/events";
import { planDataset, type DatasetOptions, type DatasetPlan } from "../../generator/plan";
import { buildPopulation, DURATION_SIGMA } from "../../generator/population";
import { baseRatePerSecond, DAY_MS, HOUR_MS, MINUTE_MS } from "../../generator/traffic";
import type { AccessLogEvent, InjectedAnomaly } from "../../generator/types";

// Tuesday 2026-11-17 .. Thursday 2026-11-19: two weekdays, so "the same time yesterday" has the same weekly factor.
const END = new Date("2026-11-19T00:00:00Z");
const YESTERDAY_2PM = Date.parse("2026-11-17T14:00:00Z");
const TODAY_2PM = Date.parse("2026-11-18T14:00:00Z");

const at = (iso: string) => new Date(iso);
const END_OF_PIN = new Date("2026-11-17T00:00:00Z");
const PINNED_FIRST_EVENT =
  '{"@timestamp":"2026-11-16T12:00:00.728Z",' +
  '"message":"46.185.76.133 - - [16/Nov/2026:12:00:00 +0000] \\"GET /static/js/app.3f9a2c.js HTTP/2.0\\" 304 0 \\"https://shop.example.com/products/orchid-boots\\" \\"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0\\"",' +
  '"event":{"dataset":"nginx.access","module":"nginx","kind":"event","category":["web"],"type":["access"],"outcome":"success","duration":1820477,"created":"2026-11-16T12:00:02.701Z"},' +
  '"http":{"version":"2.0","request":{"method":"GET","referrer":"https://shop.example.com/products/orchid-boots"},"response":{"status_code":304,"body":{"bytes":0}}},' +
  '"url":{"original":"/static/js/app.3f9a2c.js","path":"/static/js/app.3f9a2c.js"},' +
  '"source":{"address":"46.185.76.133","ip":"46.185.76.133","geo":{"continent_name":"Europe","country_iso_code":"DE","country_name":"Germany","region_name":"Land Berlin","city_name":"Berlin","location":{"lat":52.52,"lon":13.405}},"as":{"number":64517,"organization":{"name":"Example Broadband DE"}}},' +
  '"user_agent":{"original":"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0","name":"Firefox","version":"132.0","os":{"name":"Windows","version":"10","full":"Windows 10"},"device":{"name":"Other"}},' +
  '"host":{"name":"web-02"},' +
  '"service":{"name":"shop-web"},' +
  '"ecs":{"version":"8.11.0"},' +
  '"data_stream":{"type":"logs","dataset":"nginx.access","namespace":"default"}}';
const timeOf = (event: AccessLogEvent) => Date.parse(event["@timestamp"]);
const isServerError = (event: AccessLogEvent) => event.http.response.status_code >= 500;

function digest(plan: DatasetPlan): { count: number; sha256: string } {
  const hash = createHash("sha256");
  let count = 0;
  for (const event of generateEvents(plan)) {
    hash.update(JSON.stringify(event));
    hash.update("\n");
    count++;
  }
  return { count, sha256: hash.digest("hex") };
}

function collect(plan: DatasetPlan, keep: (event: AccessLogEvent) => boolean): AccessLogEvent[] {
  const kept: AccessLogEvent[] = [];
  for (const event of generateEvents(plan)) if (keep(event)) kept.push(event);
  return kept;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Expected normal events in [fromMs, toMs), integrating the model's rate minute by minute. */
function expectedCount(meanRate: number, fromMs: number, toMs: number): number {
  let sum = 0;
  for (let timeMs = fromMs; timeMs < toMs; timeMs += MINUTE_MS) sum += baseRatePerSecond(meanRate, timeMs) * Math.min(60, (toMs - timeMs) / 1000);
  return sum;
}

const twoDays = (options: Partial<DatasetOptions>): DatasetPlan => planDataset({ days: 2, seed: 7, end: END, meanRatePerSecond: 2, ...options });

describe("generator/events", () => {
  describe("determinism", () => {
    it("gives identical bytes for the same options and different bytes for another seed", function () {
      // Three runs of 86,000 documents, serialised and hashed: about 6 s alone, but over the default 20 s
      // on a loaded 2-core machine since the documents took the nginx shape (three times the bytes).
      this.timeout(60_000);
      const options: DatasetOptions = { days: 2, seed: 99, end: END, scenario: "mixed", meanRatePerSecond: 0.5 };
      const first = digest(planDataset(options));
      expect(first.count).to.be.above(50_000);
      expect(digest(planDataset(options))).to.deep.equal(first);
      expect(digest(planDataset({ ...options, seed: 100 })).sha256).to.not.equal(first.sha256);
    });

    it("pins the output of one small plan, so a change that alters every dataset cannot go unnoticed", () => {
      // Update these only for an intended change of the traffic model, and say so in the changelog:
      // users share seeds expecting the same data.
      const plan = planDataset({ days: 0.5, seed: 1, end: END_OF_PIN, scenario: "scan", meanRatePerSecond: 1 });
      const [first] = generateEvents(plan);
      expect(JSON.stringify(first)).to.equal(PINNED_FIRST_EVENT);
      // Issue 11 added the nginx fields from a random stream of their own: the count, the timestamps,
      // paths, statuses, durations and agents are still those of the earlier pin.
      expect(digest(plan)).to.deep.equal({ count: 64_034, sha256: "9477cb7d34477d4ce775493569fc321b1a7257c51c28a313ca2f15ae00cc7b64" });
    });

    it("gives stable document ids: same plan and sequence, same id; otherwise different", () => {
      const options: DatasetOptions = { days: 1, seed: 5, end: END, scenario: "none" };
      const plan = planDataset(options);
      expect(documentId(planDataset(options), 12)).to.equal(documentId(plan, 12));
      expect(documentId(plan, 12)).to.not.equal(documentId(plan, 13));
      expect(documentId(planDataset({ ...options, seed: 6 }), 12)).to.not.equal(documentId(plan, 12));
      expect(documentId(planDataset({ ...options, end: at("2026-11-20T00:00:00Z") }), 12)).to.not.equal(documentId(plan, 12));
      expect(documentId(planDataset({ ...options, dataset: "lab.other" }), 12)).to.not.equal(documentId(plan, 12));
      const ids = new Set(Array.from({ length: 100_000 }, (_, sequence) => documentId(plan, sequence)));
      expect(ids.size).to.equal(100_000);
      expect(documentId(plan, 0)).to.match(/^[0-9a-f]{16}-0$/);
      expect(() => documentId(plan, -1)).to.throw(RangeError);
      // The error log's ids: as stable, and never one of the requests'.
      expect(errorDocumentId(planDataset(options), 12)).to.equal(errorDocumentId(plan, 12));
      expect(errorDocumentId(plan, 0)).to.match(/^[0-9a-f]{16}-e-0$/);
      expect(errorDocumentId(plan, 12)).to.not.equal(documentId(plan, 12));
      expect(ids.has(errorDocumentId(plan, 12))).to.equal(false);
      expect(() => errorDocumentId(plan, 1.5)).to.throw(RangeError);
    });
  });

  describe("documents", () => {
    it("are ECS documents in time order, inside the range, with the documented formats", () => {
      const plan = planDataset({ days: 1, seed: 3, end: END, scenario: "scan", meanRatePerSecond: 1 });
      const startMs = plan.start.getTime();
      const endMs = plan.end.getTime();
      let previous = startMs;
      let count = 0;
      const wrong: string[] = [];
      for (const event of generateEvents(plan)) {
        count++;
        const timestamp = event["@timestamp"];
        const timeMs = Date.parse(timestamp);
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(timestamp) || new Date(timeMs).toISOString() !== timestamp) wrong.push(`timestamp ${timestamp}`);
        if (timeMs < previous || timeMs >= endMs) wrong.push(`order ${timestamp}`);
        previous = timeMs;
        if (!Number.isInteger(event.event.duration) || event.event.duration <= 0) wrong.push(`duration ${event.event.duration}`);
        if (event.event.dataset !== "nginx.access" || event.data_stream.dataset !== "nginx.access") wrong.push(`dataset ${event.event.dataset}`);
        if (event.source.address !== event.source.ip) wrong.push(`address ${event.source.address}`);
        if (!event.url.original.startsWith(event.url.path)) wrong.push(`original ${event.url.original}`);
        if (event.event.created <= timestamp) wrong.push(`created ${event.event.created}`);
        if (event.event.outcome !== (event.http.response.status_code < 400 ? "success" : "failure")) wrong.push(`outcome ${event.event.outcome}`);
        const status = event.http.response.status_code;
        if (!Number.isInteger(status) || status < 100 || status > 599) wrong.push(`status ${status}`);
        if (!Number.isInteger(event.http.response.body.bytes) || event.http.response.body.bytes < 0) wrong.push(`bytes ${event.http.response.body.bytes}`);
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(event.source.ip)) wrong.push(`ip ${event.source.ip}`);
        if (!/^[A-Z]{2}$/.test(event.source.geo.country_iso_code)) wrong.push(`country ${event.source.geo.country_iso_code}`);
        if (!event.url.path.startsWith("/")) wrong.push(`path ${event.url.path}`);
        if (!["GET", "POST", "HEAD"].includes(event.http.request.method)) wrong.push(`method ${event.http.request.method}`);
        if (wrong.length > 5) break;
      }
      expect(wrong).to.deep.equal([]);
      expect(count).to.be.above(80_000);
      const [first] = generateEvents(plan);
      expect(Object.keys(first)).to.deep.equal(["@timestamp", "message", "event", "http", "url", "source", "user_agent", "host", "service", "ecs", "data_stream"]);
      expect(first.event).to.deep.include({ module: "nginx", kind: "event", category: ["web"], type: ["access"] });
      expect(first["@timestamp"] >= plan.truth.start).to.equal(true);
    });

    it("uses the dataset name it is given", () => {
      const [first] = generateEvents(planDataset({ days: 1, seed: 3, end: END, scenario: "none", dataset: "shop.access" }));
      expect(first.event.dataset).to.equal("shop.access");
      expect(first.data_stream.dataset).to.equal("shop.access");
    });

    it("streams: the first events of a year at a high rate come without building the year", () => {
      const plan = planDataset({ days: 366, seed: 1, end: END, scenario: "none", meanRatePerSecond: 10_000 });
      const iterator = generateEvents(plan);
      const first = iterator.next().value as AccessLogEvent;
      expect(Date.parse(first["@timestamp"]) - plan.start.getTime()).to.be.below(1000);
      iterator.return(undefined);
    });
  });

  describe("traffic shape", () => {
    it("follows the daily and weekly cycle: busy afternoons, quiet nights, lighter weekends", () => {
      // Tuesday 2026-11-10 .. Tuesday 2026-11-17: five weekdays and a weekend.
      const plan = planDataset({ days: 7, seed: 11, end: at("2026-11-17T00:00:00Z"), scenario: "none", meanRatePerSecond: 1 });
      const perDayHour = Array.from({ length: 7 }, () => new Array(24).fill(0));
      for (const event of generateEvents(plan)) {
        const date = new Date(timeOf(event));
        perDayHour[date.getUTCDay()][date.getUTCHours()]++;
      }
      const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
      const weekdays = [1, 2, 3, 4, 5].map((day) => perDayHour[day]);
      const weekend = [0, 6].map((day) => perDayHour[day]);
      for (const hours of weekdays) expect(sum(hours.slice(13, 17)) / sum(hours.slice(1, 5))).to.be.above(3);
      const weekdayTotal = sum(weekdays.map(sum)) / 5;
      const weekendTotal = sum(weekend.map(sum)) / 2;
      expect(weekendTotal / weekdayTotal).to.be.closeTo(0.6, 0.03);
      // Every hour matches the model's rate within five standard deviations of a Poisson count.
      const monday = Date.parse("2026-11-16T00:00:00Z");
      for (let hour = 0; hour < 24; hour++) {
        const expected = expectedCount(1, monday + hour * HOUR_MS, monday + (hour + 1) * HOUR_MS);
        expect(perDayHour[1][hour], `Monday ${hour}:00`).to.be.closeTo(expected, 5 * Math.sqrt(expected));
      }
    });

    it("looks like a web service: mostly 200, some 3xx and 4xx, rare 5xx, mostly GET", () => {
      const plan = planDataset({ days: 1, seed: 12, end: END, scenario: "none", meanRatePerSecond: 2 });
      const statusClass = new Map<number, number>();
      let ok = 0;
      let total = 0;
      const methods = new Map<string, number>();
      for (const event of generateEvents(plan)) {
        total++;
        const status = event.http.response.status_code;
        if (status === 200) ok++;
        statusClass.set(Math.floor(status / 100), (statusClass.get(Math.floor(status / 100)) ?? 0) + 1);
        methods.set(event.http.request.method, (methods.get(event.http.request.method) ?? 0) + 1);
      }
      const share = (count: number | undefined) => (count ?? 0) / total;
      expect(share(ok)).to.be.within(0.8, 0.95);
      expect(share(statusClass.get(3))).to.be.within(0.03, 0.15);
      expect(share(statusClass.get(4))).to.be.within(0.01, 0.08);
      expect(share(statusClass.get(5))).to.be.within(0.0005, 0.01);
      expect(share(methods.get("GET"))).to.be.above(0.9);
      expect(share(methods.get("POST"))).to.be.within(0.01, 0.1);
    });

    it("has Zipf-like URL popularity: the n-th URL gets about 1/n of the first one's requests", () => {
      const plan = planDataset({ days: 1, seed: 13, end: END, scenario: "none", meanRatePerSecond: 2 });
      const population = buildPopulation(plan.seed);
      const counts = new Map<string, number>();
      let total = 0;
      for (const event of generateEvents(plan)) {
        counts.set(event.url.path, (counts.get(event.url.path) ?? 0) + 1);
        total++;
      }
      const top = counts.get(population.urls[0].path)!;
      expect(top / total).to.be.closeTo(population.urlShares[0], 0.005);
      expect(top / counts.get(population.urls[9].path)!).to.be.closeTo(10, 1);
      expect(top / counts.get(population.urls[99].path)!).to.be.closeTo(100, 20);
      const ranked = [...counts.values()].sort((a, b) => b - a);
      expect(ranked.slice(0, 10).reduce((sum, count) => sum + count, 0) / total).to.be.within(0.4, 0.6);
    });

    it("has log-normal response times around each URL's median", () => {
      const plan = planDataset({ days: 1, seed: 14, end: END, scenario: "none", meanRatePerSecond: 2 });
      const population = buildPopulation(plan.seed);
      const url = population.urls[0];
      const logs = collect(plan, (event) => event.url.path === url.path && event.host.name === "web-01").map((event) => Math.log(event.event.duration / 1e6));
      const mean = logs.reduce((sum, value) => sum + value, 0) / logs.length;
      const sd = Math.sqrt(logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / logs.length);
      expect(Math.exp(mean)).to.be.closeTo(url.medianDurationMs, url.medianDurationMs * 0.03);
      expect(sd).to.be.closeTo(DURATION_SIGMA, 0.02);
    });

    it("has returning visitors, and no normal client that requests many distinct URLs", () => {
      const plan = planDataset({ days: 2, seed: 15, end: END, scenario: "none", meanRatePerSecond: 5 });
      const midMs = plan.start.getTime() + DAY_MS;
      const firstDay = new Set<string>();
      let secondDayEvents = 0;
      let secondDayFromReturning = 0;
      let bucket = -1;
      let distinctPerClient = new Map<string, Set<string>>();
      let mostDistinct = 0;
      for (const event of generateEvents(plan)) {
        const timeMs = timeOf(event);
        if (timeMs < midMs) firstDay.add(event.source.ip);
        else {
          secondDayEvents++;
          if (firstDay.has(event.source.ip)) secondDayFromReturning++;
        }
        const eventBucket = Math.floor(timeMs / (15 * MINUTE_MS));
        if (eventBucket !== bucket) {
          for (const paths of distinctPerClient.values()) mostDistinct = Math.max(mostDistinct, paths.size);
          distinctPerClient = new Map();
          bucket = eventBucket;
        }
        const paths = distinctPerClient.get(event.source.ip) ?? new Set<string>();
        paths.add(event.url.path);
        distinctPerClient.set(event.source.ip, paths);
      }
      expect(secondDayFromReturning / secondDayEvents).to.be.above(0.8);
      expect(mostDistinct).to.be.below(20);
    });
  });

  describe("anomalies, each visible in its own signal", () => {
    it("spike: per-minute rate is the magnitude times the baseline at that time of day", () => {
      const plan = twoDays({ anomalies: [{ kind: "spike", start: new Date(TODAY_2PM), durationMinutes: 30, magnitude: 10 }] });
      const today = new Array(30).fill(0);
      const yesterday = new Array(30).fill(0);
      for (const event of generateEvents(plan)) {
        const timeMs = timeOf(event);
        if (timeMs >= TODAY_2PM && timeMs < TODAY_2PM + 30 * MINUTE_MS) today[Math.floor((timeMs - TODAY_2PM) / MINUTE_MS)]++;
        if (timeMs >= YESTERDAY_2PM && timeMs < YESTERDAY_2PM + 30 * MINUTE_MS) yesterday[Math.floor((timeMs - YESTERDAY_2PM) / MINUTE_MS)]++;
      }
      for (let minute = 0; minute < 30; minute++) {
        const expected = 10 * expectedCount(2, TODAY_2PM + minute * MINUTE_MS, TODAY_2PM + (minute + 1) * MINUTE_MS);
        expect(today[minute], `minute ${minute}`).to.be.closeTo(expected, 5 * Math.sqrt(expected));
      }
      const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
      expect(sum(today) / sum(yesterday)).to.be.closeTo(10, 0.8);
      // And the minute after the window is back to normal.
      const after = collect(plan, (event) => timeOf(event) >= TODAY_2PM + 30 * MINUTE_MS && timeOf(event) < TODAY_2PM + 31 * MINUTE_MS).length;
      expect(after).to.be.closeTo(expectedCount(2, TODAY_2PM + 30 * MINUTE_MS, TODAY_2PM + 31 * MINUTE_MS), 60);
    });

    it("drop: the count falls to the magnitude's share of normal", () => {
      const plan = twoDays({ anomalies: [{ kind: "drop", start: new Date(TODAY_2PM), durationMinutes: 60, magnitude: 0.1 }] });
      const inside = collect(plan, (event) => timeOf(event) >= TODAY_2PM && timeOf(event) < TODAY_2PM + HOUR_MS).length;
      const expected = 0.1 * expectedCount(2, TODAY_2PM, TODAY_2PM + HOUR_MS);
      expect(inside).to.be.closeTo(expected, 5 * Math.sqrt(expected));
    });

    it("drop to 0: a full outage leaves no event in the window, and traffic resumes after it", () => {
      const plan = twoDays({ anomalies: [{ kind: "drop", start: new Date(TODAY_2PM), durationMinutes: 20, magnitude: 0 }] });
      const near = collect(plan, (event) => timeOf(event) >= TODAY_2PM - 5 * MINUTE_MS && timeOf(event) < TODAY_2PM + 25 * MINUTE_MS);
      expect(near.filter((event) => timeOf(event) >= TODAY_2PM && timeOf(event) < TODAY_2PM + 20 * MINUTE_MS)).to.have.length(0);
      expect(near.filter((event) => timeOf(event) < TODAY_2PM).length).to.be.above(500);
      expect(near.filter((event) => timeOf(event) >= TODAY_2PM + 20 * MINUTE_MS).length).to.be.above(500);
    });

    it("latency: event.duration on the target host is multiplied, other hosts are untouched", () => {
      const plan = twoDays({ anomalies: [{ kind: "latency", start: new Date(TODAY_2PM), durationMinutes: 60, magnitude: 5, target: "web-02" }] });
      const inWindow = (timeMs: number, from: number) => timeMs >= from && timeMs < from + HOUR_MS;
      const events = collect(plan, (event) => inWindow(timeOf(event), TODAY_2PM) || inWindow(timeOf(event), YESTERDAY_2PM));
      const medianOf = (host: string, from: number) => median(events.filter((event) => event.host.name === host && inWindow(timeOf(event), from)).map((event) => event.event.duration));
      expect(medianOf("web-02", TODAY_2PM) / medianOf("web-02", YESTERDAY_2PM)).to.be.closeTo(5, 0.5);
      expect(medianOf("web-01", TODAY_2PM) / medianOf("web-01", YESTERDAY_2PM)).to.be.closeTo(1, 0.1);
    });

    it("latency on a URL shifts that URL only", () => {
      const plan = twoDays({ anomalies: [{ kind: "latency", start: new Date(TODAY_2PM), durationMinutes: 60, magnitude: 4, target: "/api/v1/products" }] });
      const inside = collect(plan, (event) => timeOf(event) >= TODAY_2PM && timeOf(event) < TODAY_2PM + HOUR_MS);
      const before = collect(plan, (event) => timeOf(event) >= YESTERDAY_2PM && timeOf(event) < YESTERDAY_2PM + HOUR_MS);
      const medianFor = (events: AccessLogEvent[], path: string) => median(events.filter((event) => event.url.path === path).map((event) => event.event.duration));
      expect(medianFor(inside, "/api/v1/products") / medianFor(before, "/api/v1/products")).to.be.closeTo(4, 0.5);
      expect(medianFor(inside, "/") / medianFor(before, "/")).to.be.closeTo(1, 0.15);
    });

    it("errors: the target URL answers 5xx at the magnitude's share, and only inside the window", () => {
      const plan = twoDays({ anomalies: [{ kind: "errors", start: new Date(TODAY_2PM), durationMinutes: 30, magnitude: 0.5, target: "/" }] });
      const windowEnd = TODAY_2PM + 30 * MINUTE_MS;
      let targetInside = 0;
      let targetInsideErrors = 0;
      let targetOutside = 0;
      let targetOutsideErrors = 0;
      let othersInside = 0;
      let othersInsideErrors = 0;
      for (const event of generateEvents(plan)) {
        const inside = timeOf(event) >= TODAY_2PM && timeOf(event) < windowEnd;
        const onTarget = event.url.path === "/";
        if (onTarget && inside) (targetInside++, isServerError(event) && targetInsideErrors++);
        if (onTarget && !inside) (targetOutside++, isServerError(event) && targetOutsideErrors++);
        if (!onTarget && inside) (othersInside++, isServerError(event) && othersInsideErrors++);
      }
      expect(targetInsideErrors / targetInside).to.be.closeTo(0.5, 0.06);
      expect(targetOutsideErrors / targetOutside).to.be.below(0.01);
      expect(othersInsideErrors / othersInside).to.be.below(0.01);
    });

    it("errors on a host: that host fails, the others do not", () => {
      const plan = twoDays({ anomalies: [{ kind: "errors", start: new Date(TODAY_2PM), durationMinutes: 30, magnitude: 0.3, target: "web-04" }] });
      const inside = collect(plan, (event) => timeOf(event) >= TODAY_2PM && timeOf(event) < TODAY_2PM + 30 * MINUTE_MS);
      const errorShare = (host: string) => {
        const onHost = inside.filter((event) => event.host.name === host);
        return onHost.filter(isServerError).length / onHost.length;
      };
      expect(errorShare("web-04")).to.be.closeTo(0.3, 0.04);
      expect(errorShare("web-01")).to.be.below(0.01);
    });

    it("errors and latency on a host reach every request it serves, a scanner's included, and no other host's", () => {
      const plan = twoDays({
        anomalies: [
          { kind: "scan", start: new Date(TODAY_2PM), durationMinutes: 30, magnitude: 600, target: "203.0.113.50" },
          { kind: "errors", start: new Date(TODAY_2PM), durationMinutes: 30, magnitude: 0.5, target: "web-02" },
          { kind: "latency", start: new Date(TODAY_2PM), durationMinutes: 30, magnitude: 10, target: "web-02" },
        ],
      });
      const scanner = collect(plan, (event) => event.source.ip === "203.0.113.50");
      const onHost = scanner.filter((event) => event.host.name === "web-02");
      const elsewhere = scanner.filter((event) => event.host.name !== "web-02");
      expect(onHost.filter(isServerError).length / onHost.length).to.be.closeTo(0.5, 0.08);
      expect(elsewhere.filter(isServerError)).to.have.length(0);
      expect(median(onHost.map((event) => event.event.duration)) / median(elsewhere.map((event) => event.event.duration))).to.be.within(7, 14);
    });

    it("scan: one new client requests hundreds of distinct URLs, mostly 404, only inside its window", () => {
      const plan = twoDays({ scenario: "scan" });
      const [scan] = plan.anomalies;
      expect(scan.entity?.field).to.equal("source.ip");
      expect(buildPopulation(plan.seed).knownIps.has(scan.entity!.value)).to.equal(false);
      const fromScanner = collect(plan, (event) => event.source.ip === scan.entity!.value);
      const startMs = Date.parse(scan.start);
      const endMs = Date.parse(scan.end);
      expect(fromScanner.every((event) => timeOf(event) >= startMs && timeOf(event) < endMs)).to.equal(true);
      expect(fromScanner.length).to.be.closeTo(60 * 30, 5 * Math.sqrt(60 * 30));
      expect(new Set(fromScanner.map((event) => event.url.path)).size).to.be.above(1500);
      expect(fromScanner.filter((event) => event.http.response.status_code === 404).length / fromScanner.length).to.be.above(0.8);
    });

    it("rare_agent: a user agent never seen before appears, only inside its window", () => {
      const plan = twoDays({ scenario: "rare_agent" });
      const [rare] = plan.anomalies;
      const population = buildPopulation(plan.seed);
      expect(rare.entity?.field).to.equal("user_agent.original");
      expect(population.userAgents).to.not.include(rare.entity!.value);
      const seenAgents = new Set<string>();
      const withRareAgent: AccessLogEvent[] = [];
      for (const event of generateEvents(plan)) {
        if (event.user_agent.original === rare.entity!.value) withRareAgent.push(event);
        else seenAgents.add(event.user_agent.original);
      }
      expect([...seenAgents].every((agent) => population.userAgents.includes(agent))).to.equal(true);
      expect(withRareAgent.every((event) => event["@timestamp"] >= rare.start && event["@timestamp"] < rare.end)).to.equal(true);
      expect(withRareAgent.length).to.be.closeTo(10 * 30, 5 * Math.sqrt(10 * 30));
      // A script polls a couple of API endpoints; wandering over many URLs would make it look like a scan too.
      expect(new Set(withRareAgent.map((event) => event.url.path)).size).to.be.at.most(2);
      expect(withRareAgent.every((event) => event.url.path.startsWith("/api/"))).to.equal(true);
    });

    it("none: clean traffic uses only the normal user agents and clients", () => {
      const plan = twoDays({ scenario: "none" });
      const population = buildPopulation(plan.seed);
      const agents = new Set(population.userAgents);
      let strangers = 0;
      for (const event of generateEvents(plan)) if (!agents.has(event.user_agent.original) || !population.knownIps.has(event.source.ip)) strangers++;
      expect(strangers).to.equal(0);
    });
  });

  describe("labels match what was injected", () => {
    it("in the mixed scenario, every anomaly shows in its own signal inside its window and not elsewhere", () => {
      const plan = planDataset({ days: 3, seed: 21, end: END, scenario: "mixed", meanRatePerSecond: 2 });
      expect(plan.anomalies.map((anomaly) => anomaly.kind).sort()).to.deep.equal(["drop", "errors", "latency", "rare_agent", "scan", "spike"]);
      const windowOf = (anomaly: InjectedAnomaly) => [Date.parse(anomaly.start), Date.parse(anomaly.end)] as const;
      const dayBefore = (anomaly: InjectedAnomaly) => [Date.parse(anomaly.start) - DAY_MS, Date.parse(anomaly.end) - DAY_MS] as const;
      const matches = (anomaly: InjectedAnomaly, event: AccessLogEvent) => {
        const entity = anomaly.entity!;
        if (entity.field === "host.name") return event.host.name === entity.value;
        if (entity.field === "url.path") return event.url.path === entity.value;
        if (entity.field === "source.ip") return event.source.ip === entity.value;
        return event.user_agent.original === entity.value;
      };
      const stats = plan.anomalies.map(() => ({ inside: [] as AccessLogEvent[], before: [] as AccessLogEvent[], entityOutside: 0, countInside: 0, countBefore: 0 }));
      const windows = plan.anomalies.map((anomaly) => [...windowOf(anomaly), ...dayBefore(anomaly)]);
      for (const event of generateEvents(plan)) {
        const timeMs = timeOf(event);
        plan.anomalies.forEach((anomaly, index) => {
          const [start, end, beforeStart, beforeEnd] = windows[index];
          const inside = timeMs >= start && timeMs < end;
          const before = timeMs >= beforeStart && timeMs < beforeEnd;
          if (inside) stats[index].countInside++;
          if (before) stats[index].countBefore++;
          if (anomaly.entity === null || !matches(anomaly, event)) return;
          if (inside) stats[index].inside.push(event);
          else if (before) stats[index].before.push(event);
          else stats[index].entityOutside++;
        });
      }
      plan.anomalies.forEach((anomaly, index) => {
        const { inside, before, entityOutside, countInside, countBefore } = stats[index];
        const label = `${anomaly.id} ${anomaly.start}`;
        switch (anomaly.kind) {
          case "spike":
            expect(countInside / expectedCount(2, ...windowOf(anomaly)), label).to.be.closeTo(anomaly.magnitude, 1);
            break;
          case "drop":
            expect(countInside / expectedCount(2, ...windowOf(anomaly)), label).to.be.closeTo(anomaly.magnitude, 0.05);
            break;
          case "latency":
            expect(median(inside.map((event) => event.event.duration)) / median(before.map((event) => event.event.duration)), label).to.be.closeTo(anomaly.magnitude, 1);
            break;
          case "errors":
            expect(inside.filter(isServerError).length / inside.length, label).to.be.above(0.35);
            expect(before.filter(isServerError).length / Math.max(1, before.length), label).to.be.below(0.05);
            break;
          case "scan":
          case "rare_agent":
            expect(entityOutside + before.length, label).to.equal(0);
            expect(inside.length, label).to.be.above(0.7 * anomaly.magnitude * 30);
            break;
        }
        expect(countBefore, label).to.be.above(0);
      });
    });
  });
});

describe("generator/events: the kinds that teach more, each visible in its own signal", () => {
  const end = new Date("2026-11-20T00:00:00Z");
  const countBetween = (events: AccessLogEvent[], fromMs: number, toMs: number) => events.filter((event) => timeOf(event) >= fromMs && timeOf(event) < toMs).length;

  it("level_shift: the request rate steps up by the magnitude at the start and stays there to the end of the data", () => {
    const start = Date.parse("2026-11-19T10:00:00Z");
    const options = { days: 1, seed: 4, end, meanRatePerSecond: 0.5 };
    const shifted = [...generateEvents(planDataset({ ...options, anomalies: [{ kind: "level_shift", start: new Date(start), magnitude: 1.6 }] }))];
    const clean = [...generateEvents(planDataset({ ...options, anomalies: [] }))];
    const ratio = (fromMs: number, toMs: number) => countBetween(shifted, fromMs, toMs) / countBetween(clean, fromMs, toMs);
    expect(ratio(start - 6 * HOUR_MS, start)).to.equal(1);
    expect(ratio(start, start + 3 * HOUR_MS)).to.be.closeTo(1.6, 0.08);
    expect(ratio(end.getTime() - 3 * HOUR_MS, end.getTime())).to.be.closeTo(1.6, 0.08);
  });

  it("ramp: the URL's response times grow steadily to the magnitude, then return to normal", () => {
    const start = Date.parse("2026-11-19T08:00:00Z");
    const url = "/api/v1/products";
    const plan = planDataset({ days: 1, seed: 4, end, meanRatePerSecond: 1, anomalies: [{ kind: "ramp", target: url, start: new Date(start), durationMinutes: 360, magnitude: 4 }] });
    const events = [...generateEvents(plan)].filter((event) => event.url.path === url);
    const baseline = buildPopulation(4).urls.find((candidate) => candidate.path === url)!.medianDurationMs;
    // The geometric mean of a stretch's durations over the URL's median, host factors averaging out.
    const slowdown = (fromMs: number, toMs: number) => {
      const stretch = events.filter((event) => timeOf(event) >= fromMs && timeOf(event) < toMs);
      return Math.exp(stretch.reduce((sum, event) => sum + Math.log(event.event.duration / 1e6 / baseline), 0) / stretch.length);
    };
    const before = slowdown(start - 2 * HOUR_MS, start);
    const hours = [0, 1, 2, 3, 4, 5].map((hour) => slowdown(start + hour * HOUR_MS, start + (hour + 1) * HOUR_MS) / before);
    for (let hour = 1; hour < hours.length; hour++) expect(hours[hour], `hour ${hour}`).to.be.above(hours[hour - 1]);
    // At the middle of each hour the factor is 1 + 3 * (hour + 0.5) / 6.
    hours.forEach((factor, hour) => expect(factor, `hour ${hour}`).to.be.closeTo(1 + (3 * (hour + 0.5)) / 6, 0.25));
    expect(slowdown(start + 6 * HOUR_MS, start + 8 * HOUR_MS) / before).to.be.closeTo(1, 0.12);
  });
});
