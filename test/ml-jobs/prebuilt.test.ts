// Elastic's prebuilt nginx jobs (ml-jobs/*_nginx.json) on the lab's data: each claim in their
// custom_settings.lab.detects ("in scenario mixed, this job should catch that window") is backed here
// by the statistic the job itself models, computed from the generated documents the way its datafeed
// and detector read them, on several seeds. No Elasticsearch and no ML run here: these show that the
// window is in the job's input, clearly apart from the rest; that ML then scores it is for a lab run
// (lab-verify verify) to show.

import { expect } from "chai";
import { generateEvents } from "../../generator/events";
import { planDataset, type DatasetPlan } from "../../generator/plan";
import type { AccessLogEvent, AnomalyKind, InjectedAnomaly } from "../../generator/types";
import { LAB_DEFAULT_DATASET } from "../../lab/defaults";
import { loadJobDefinitions, prebuiltJobs } from "../../ml-jobs";
import { datafeedRows, queryFilter } from "../../verify/reference/datafeed";
import { poissonUpperLog10 } from "../../verify/reference/stats";

const QUARTER_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;
const SEEDS = [1, 2, 3];

interface Sample {
  plan: DatasetPlan;
  events: AccessLogEvent[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[sorted.length >> 1];
}

/** The buckets of `spanMs` wholly inside a window, and the eight before it (two hours of 15-minute buckets). */
function around(anomaly: InjectedAnomaly, spanMs = QUARTER_MS): { inside: number[]; before: number[] } {
  const first = Math.ceil(Date.parse(anomaly.start) / spanMs) * spanMs;
  const inside: number[] = [];
  for (let b = first; b + spanMs <= Date.parse(anomaly.end); b += spanMs) inside.push(b);
  const before: number[] = [];
  for (let b = first - 9 * spanMs; b < first - spanMs; b += spanMs) before.push(b);
  return { inside, before };
}

const bucketOf = (event: AccessLogEvent, spanMs: number) => {
  const time = Date.parse(event["@timestamp"]);
  return time - (time % spanMs);
};

/** Documents per 15-minute bucket for which `keep` holds. */
function countsPerQuarter(events: Iterable<AccessLogEvent>, keep: (event: AccessLogEvent) => boolean = () => true): Map<number, number> {
  const counts = new Map<number, number>();
  for (const event of events) if (keep(event)) counts.set(bucketOf(event, QUARTER_MS), (counts.get(bucketOf(event, QUARTER_MS)) ?? 0) + 1);
  return counts;
}

/** Per hour and client (source.address): requests and distinct url.original, as the 1h population jobs see them. */
function clientHours(events: AccessLogEvent[]): Map<string, { count: number; urls: Set<string> }> {
  const hours = new Map<string, { count: number; urls: Set<string> }>();
  for (const event of events) {
    const key = `${bucketOf(event, HOUR_MS)} ${event.source.address}`;
    const entry = hours.get(key) ?? { count: 0, urls: new Set<string>() };
    entry.count += 1;
    entry.urls.add(event.url.original);
    hours.set(key, entry);
  }
  return hours;
}

/** The client behind a window: the scanner's address, or the address sending the rare agent. */
function clientOf(sample: Sample, anomaly: InjectedAnomaly): string {
  const entity = anomaly.entity!;
  if (entity.field === "source.ip") return entity.value;
  const sender = sample.events.find((event) => event.user_agent.original === entity.value);
  return sender!.source.address;
}

/** How far one client's busiest hour in the window stands above every other client-hour of the dataset. */
function populationMargin(sample: Sample, anomaly: InjectedAnomaly, statistic: (entry: { count: number; urls: Set<string> }) => number): number {
  const client = clientOf(sample, anomaly);
  let own = 0;
  let others = 0;
  for (const [key, entry] of clientHours(sample.events)) {
    if (key.endsWith(` ${client}`)) own = Math.max(own, statistic(entry));
    else others = Math.max(others, statistic(entry));
  }
  return own / others;
}

describe("ml-jobs: Elastic's prebuilt nginx jobs see the mixed scenario's windows they claim", function () {
  this.timeout(120_000);
  const definitions = loadJobDefinitions();
  const definition = (name: string) => definitions.find((def) => def.name === name)!;
  const samples: Sample[] = [];

  before(() => {
    for (const seed of SEEDS) {
      const plan = planDataset({ days: 2, seed, end: new Date("2026-11-20T00:00:00Z"), scenario: "mixed", meanRatePerSecond: 0.5 });
      samples.push({ plan, events: [...generateEvents(plan)] });
    }
  });

  const window = (sample: Sample, kind: AnomalyKind) => sample.plan.truth.anomalies.find((anomaly) => anomaly.kind === kind)!;

  it("claims, as data, a window of the mixed scenario for each of the five jobs", () => {
    expect(prebuiltJobs(definitions).sort()).to.deep.equal([
      "low_request_rate_nginx", "source_ip_request_rate_nginx", "source_ip_url_count_nginx", "status_code_rate_nginx", "visitor_rate_nginx",
    ]);
    const claims = Object.fromEntries(prebuiltJobs(definitions).map((name) => [name, [...definition(name).detects].sort()]));
    expect(claims).to.deep.equal({
      low_request_rate_nginx: ["drop"],
      source_ip_request_rate_nginx: ["scan"],
      source_ip_url_count_nginx: ["scan"],
      status_code_rate_nginx: ["drop", "errors", "scan", "spike"],
      visitor_rate_nginx: ["drop", "spike"],
    });
  });

  it("low_request_rate_nginx / drop: its 15-minute rows (the datafeed's own aggregation) fall under 40% of the two hours before", () => {
    const def = definition("low_request_rate_nginx");
    for (const sample of samples) {
      const rows = new Map(datafeedRows(sample.events, def.datafeed, def.job.analysis_config.summary_count_field_name).map((row) => [row.bucketStart, row.docCount]));
      const { inside, before } = around(window(sample, "drop"));
      expect(Math.max(...inside.map((b) => rows.get(b) ?? 0)), `seed ${sample.plan.truth.seed}`).to.be.at.most(0.4 * median(before.map((b) => rows.get(b) ?? 0)));
    }
  });

  it("visitor_rate_nginx / drop and spike: the distinct visitors per 15 minutes (its summary count) fall under 40%, and rise over 3x", () => {
    const def = definition("visitor_rate_nginx");
    for (const sample of samples) {
      const rows = datafeedRows(sample.events, def.datafeed, def.job.analysis_config.summary_count_field_name);
      const visitors = new Map(rows.map((row) => [row.bucketStart, row.metrics.dc_source_address]));
      const level = (buckets: number[]) => median(buckets.map((b) => visitors.get(b) ?? 0));
      const drop = around(window(sample, "drop"));
      const spike = around(window(sample, "spike"));
      expect(Math.max(...drop.inside.map((b) => visitors.get(b) ?? 0)), `seed ${sample.plan.truth.seed} drop`).to.be.at.most(0.4 * level(drop.before));
      expect(Math.min(...spike.inside.map((b) => visitors.get(b) ?? 0)), `seed ${sample.plan.truth.seed} spike`).to.be.at.least(3 * level(spike.before));
    }
  });

  describe("status_code_rate_nginx: the count of one status code per 15 minutes (its partition)", () => {
    const status = (code: (status: number) => boolean) => (event: AccessLogEvent) => code(event.http.response.status_code);
    const filterOf = () => queryFilter(definition("status_code_rate_nginx").datafeed.query);

    // A burst on one URL among every request of the service: whether it stands out depends on how much
    // of the traffic that URL carries at that hour. At 1 and 2 requests/s, seed 1 scores only 3.0 and
    // 1.2, so the claim is made, and checked, at the rate a lab running these jobs defaults to
    // (lab/defaults.ts, prebuiltMeanRatePerSecond; at 5/s seeds 1 to 3 score 15.3, 20.1 and 23.7),
    // streaming the events rather than keeping them. Tagged @slow: three seeds of 860,000 events.
    it("errors: at the rate a lab with Elastic's jobs defaults to, 5xx responses in the window are improbable at their level before (Poisson, -log10 p of at least 8, the reference detector's threshold) @slow", function () {
      this.timeout(600_000);
      for (const seed of SEEDS) {
        const plan = planDataset({ days: 2, seed, end: new Date("2026-11-20T00:00:00Z"), scenario: "mixed", meanRatePerSecond: LAB_DEFAULT_DATASET.prebuiltMeanRatePerSecond });
        const sample = { plan, events: [] };
        const passes = filterOf();
        const counts = countsPerQuarter(generateEvents(plan), (event) => passes(event) && status((s) => s >= 500)(event));
        const { inside, before } = around(window(sample, "errors"));
        const total = (buckets: number[]) => buckets.reduce((sum, b) => sum + (counts.get(b) ?? 0), 0);
        const expected = (Math.max(total(before), 1) / before.length) * inside.length;
        expect(-poissonUpperLog10(total(inside), expected), `seed ${sample.plan.truth.seed}: ${total(inside)} in the window against ${expected.toFixed(1)} expected`).to.be.at.least(8);
      }
    });

    it("scan: 404 responses in the window are over 3 times their level before", () => {
      for (const sample of samples) {
        const counts = countsPerQuarter(sample.events, status((s) => s === 404));
        const { inside, before } = around(window(sample, "scan"));
        expect(Math.min(...inside.map((b) => counts.get(b) ?? 0)), `seed ${sample.plan.truth.seed}`).to.be.at.least(3 * Math.max(median(before.map((b) => counts.get(b) ?? 0)), 1));
      }
    });

    it("spike and drop: 200 responses rise over 3 times and fall under 40% of their level before", () => {
      for (const sample of samples) {
        const counts = countsPerQuarter(sample.events, status((s) => s === 200));
        const level = (buckets: number[]) => median(buckets.map((b) => counts.get(b) ?? 0));
        const spike = around(window(sample, "spike"));
        const drop = around(window(sample, "drop"));
        expect(Math.min(...spike.inside.map((b) => counts.get(b) ?? 0)), `seed ${sample.plan.truth.seed} spike`).to.be.at.least(3 * level(spike.before));
        expect(Math.max(...drop.inside.map((b) => counts.get(b) ?? 0)), `seed ${sample.plan.truth.seed} drop`).to.be.at.most(0.4 * level(drop.before));
      }
    });
  });

  it("source_ip_url_count_nginx / scan: the scanner's distinct url.original in an hour is over 3 times any other client's in any hour", () => {
    for (const sample of samples) {
      expect(populationMargin(sample, window(sample, "scan"), (entry) => entry.urls.size), `seed ${sample.plan.truth.seed}`).to.be.above(3);
    }
  });

  it("source_ip_request_rate_nginx / scan: the scanner's requests in an hour are over 3 times any other client's in any hour", () => {
    for (const sample of samples) {
      expect(populationMargin(sample, window(sample, "scan"), (entry) => entry.count), `seed ${sample.plan.truth.seed}`).to.be.above(3);
    }
  });

  it("source_ip_request_rate_nginx does not claim rare_agent: the script's 300 requests an hour stay below the busiest clients' (crawlers, monitors)", () => {
    for (const sample of samples) {
      expect(populationMargin(sample, window(sample, "rare_agent"), (entry) => entry.count), `seed ${sample.plan.truth.seed}`).to.be.below(1);
    }
  });
});
