import { expect } from "chai";
import { UsageError } from "../../generator/errors";
import { CUSTOM_SCENARIO, DEFAULT_DATASET, DEFAULT_MEAN_RATE_PER_SECOND, planDataset, type DatasetOptions } from "../../generator/plan";
import { SCENARIO_NAMES } from "../../generator/scenarios";
import { ANOMALY_KINDS } from "../../generator/types";

const END = new Date("2026-11-17T00:00:00Z");
const base: DatasetOptions = { days: 7, seed: 42, end: END };

function usageError(options: DatasetOptions): UsageError {
  try {
    planDataset(options);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return error as UsageError;
  }
  expect.fail(`planDataset accepted ${JSON.stringify(options)}`);
}

describe("generator/plan", () => {
  describe("planDataset defaults", () => {
    it("covers [end - days, end) with the spike scenario, the default rate and dataset", () => {
      const plan = planDataset(base);
      expect(plan.start.toISOString()).to.equal("2026-11-10T00:00:00.000Z");
      expect(plan.end.toISOString()).to.equal("2026-11-17T00:00:00.000Z");
      expect(plan.scenario).to.equal("spike");
      expect(plan.meanRatePerSecond).to.equal(DEFAULT_MEAN_RATE_PER_SECOND);
      expect(plan.dataset).to.equal(DEFAULT_DATASET);
      expect(plan.anomalies.map((anomaly) => anomaly.kind)).to.deep.equal(["spike"]);
    });

    it("makes the default rate give a realistic few million events per week", () => {
      expect(DEFAULT_MEAN_RATE_PER_SECOND * 7 * 86_400).to.be.within(2e6, 5e6);
    });

    it("accepts fractional days, rounding the range to whole milliseconds", () => {
      const plan = planDataset({ ...base, days: 0.5, scenario: "none" });
      expect(plan.end.getTime() - plan.start.getTime()).to.equal(12 * 3_600_000);
    });

    it("writes a ground truth that repeats the plan and has no event count yet", () => {
      const plan = planDataset({ ...base, scenario: "mixed", meanRatePerSecond: 2 });
      expect(plan.truth).to.deep.equal({
        generator: "elastic-ml-lab",
        seed: 42,
        scenario: "mixed",
        start: "2026-11-10T00:00:00.000Z",
        end: "2026-11-17T00:00:00.000Z",
        days: 7,
        meanRatePerSecond: 2,
        anomalies: plan.anomalies.map((anomaly) => ({ ...anomaly, entity: anomaly.entity && { ...anomaly.entity } })),
      });
      expect(plan.truth).to.not.have.property("eventCount");
    });

    it("matches scenario names without regard to case, and records the canonical name", () => {
      const plan = planDataset({ ...base, scenario: "MiXeD" });
      expect(plan.scenario).to.equal("mixed");
      expect(plan.truth).to.deep.equal(planDataset({ ...base, scenario: "mixed" }).truth);
    });

    it("starts a range exactly at 1970-01-01, the earliest it generates", () => {
      const plan = planDataset({ ...base, days: 7, end: new Date("1970-01-08T00:00:00Z") });
      expect(plan.start.toISOString()).to.equal("1970-01-01T00:00:00.000Z");
    });

    it("is the same plan for the same options and another plan for another seed", () => {
      const options: DatasetOptions = { ...base, scenario: "mixed" };
      expect(planDataset(options).truth).to.deep.equal(planDataset(options).truth);
      expect(planDataset({ ...options, seed: 43 }).truth.anomalies).to.not.deep.equal(planDataset(options).truth.anomalies);
    });

    it("lets an explicit anomaly list replace the scenario's, and calls it custom when no scenario is named", () => {
      const plan = planDataset({ ...base, anomalies: [{ kind: "drop", start: new Date("2026-11-15T10:00:00Z"), durationMinutes: 45, magnitude: 0.2 }] });
      expect(plan.scenario).to.equal(CUSTOM_SCENARIO);
      expect(plan.anomalies).to.deep.equal([
        {
          id: "drop-1",
          kind: "drop",
          start: "2026-11-15T10:00:00.000Z",
          end: "2026-11-15T10:45:00.000Z",
          magnitude: 0.2,
          entity: null,
          description: "Request rate falls to 20% of normal across the whole service for 45 minutes, as in a partial outage.",
        },
      ]);
      expect(planDataset({ ...base, scenario: "mixed", anomalies: [] }).anomalies).to.deep.equal([]);
    });
  });

  describe("bad input gets a UsageError naming the key, the value and what is allowed", () => {
    const cases: Array<[string, Partial<DatasetOptions> & Record<string, unknown>, RegExp]> = [
      ["zero days", { days: 0 }, /^days: 0 is not allowed; allowed: a number > 0 and <= 366/],
      ["negative days", { days: -3 }, /^days: -3 is not allowed; allowed: a number > 0/],
      ["NaN days", { days: Number.NaN }, /^days: NaN is not allowed/],
      ["days as a string", { days: "7" as unknown as number }, /^days: "7" is not allowed/],
      ["a non-integer seed", { seed: 1.5 }, /^seed: 1\.5 is not allowed; allowed: an integer/],
      ["an invalid end", { end: new Date("yesterday") }, /^end: Invalid Date is not a valid time; allowed: a date-time/],
      ["an unknown scenario", { scenario: "flood" }, new RegExp(`^scenario: "flood" is not a known scenario; allowed: ${SCENARIO_NAMES.join(", ")}$`)],
      ["a zero rate", { meanRatePerSecond: 0 }, /^meanRatePerSecond: 0 is not allowed; allowed: a number of events per second > 0/],
      ["an infinite rate", { meanRatePerSecond: Number.POSITIVE_INFINITY }, /^meanRatePerSecond: Infinity is not allowed/],
      ["an empty dataset", { dataset: "" }, /^dataset: "" is not allowed; allowed: 1 to 100 characters/],
      ["a dataset with capitals", { dataset: "Lab Access" }, /^dataset: "Lab Access" is not allowed/],
      ["an unknown anomaly kind", { anomalies: [{ kind: "meteor" as never }] }, new RegExp(`^anomalies\\[0\\]\\.kind: "meteor" is not a known anomaly kind; allowed: ${ANOMALY_KINDS.join(", ")}$`)],
      ["an invalid anomaly start", { anomalies: [{ kind: "spike", start: new Date("nope") }] }, /^anomalies\[0\]\.start: Invalid Date is not a valid time/],
      ["a zero duration", { anomalies: [{ kind: "spike", durationMinutes: 0 }] }, /^anomalies\[0\]\.durationMinutes: 0 is not allowed; allowed: a number of minutes >= 1/],
      ["a spike that lowers traffic", { anomalies: [{ kind: "spike", magnitude: 0.5 }] }, /^anomalies\[0\]\.magnitude: 0\.5 is not allowed for spike \(factor applied to the request rate\); allowed: a number > 1 and <= 100 \(default 10\)$/],
      ["a drop that raises traffic", { anomalies: [{ kind: "drop", magnitude: 2 }] }, /^anomalies\[0\]\.magnitude: 2 is not allowed for drop .*allowed: a number >= 0 and < 1/],
      ["an error share above 1", { anomalies: [{ kind: "errors", magnitude: 1.5 }] }, /^anomalies\[0\]\.magnitude: 1\.5 is not allowed for errors/],
      ["a target on a service-wide kind", { anomalies: [{ kind: "spike", target: "web-01" }] }, /^anomalies\[0\]\.target: "web-01" is not allowed: spike affects the whole service; allowed: no target$/],
      ["an unknown latency target", { anomalies: [{ kind: "latency", target: "/nowhere" }] }, /^anomalies\[0\]\.target: "\/nowhere" is not allowed for latency; allowed: a host name \(web-01, web-02, web-03, web-04\) or a URL path the site serves/],
      ["a scan target that is no IP", { anomalies: [{ kind: "scan", target: "999.1.1.1" }] }, /^anomalies\[0\]\.target: "999\.1\.1\.1" is not allowed for scan; allowed: an IPv4 address/],
      ["a rare agent that normal traffic uses", { anomalies: [{ kind: "rare_agent", target: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" }] }, /allowed: a user agent that normal traffic never uses/],
      [
        "a window before the range",
        { anomalies: [{ kind: "spike", start: new Date("2026-11-09T23:50:00Z") }] },
        /^anomalies\[0\]\.start: 2026-11-09T23:50:00\.000Z puts the spike window \(2026-11-09T23:50:00\.000Z to 2026-11-10T00:20:00\.000Z\) on or outside the edge of the range; allowed: a window strictly inside 2026-11-10T00:00:00\.000Z to 2026-11-17T00:00:00\.000Z, touching neither edge$/,
      ],
      ["a window touching the start", { anomalies: [{ kind: "spike", start: new Date("2026-11-10T00:00:00Z") }] }, /^anomalies\[0\]\.start: 2026-11-10T00:00:00\.000Z .* touching neither edge$/],
      ["a window touching the end", { anomalies: [{ kind: "drop", start: new Date("2026-11-16T23:00:00Z") }] }, /^anomalies\[0\]\.start: 2026-11-16T23:00:00\.000Z puts the drop window \(2026-11-16T23:00:00\.000Z to 2026-11-17T00:00:00\.000Z\)/],
      ["a window after the range", { anomalies: [{ kind: "scan", start: new Date("2026-12-01T00:00:00Z") }] }, /^anomalies\[0\]\.start: 2026-12-01T00:00:00\.000Z/],
      ["a range too short for the scenario", { days: 1, scenario: "mixed" }, /^days: 1 is too short for the anomalies placed at random \(.*\); allowed: at least 1\.4\d days/],
      [
        "a range that starts before 1970",
        { days: 7, end: new Date("1970-01-05T00:00:00Z") },
        /^end: 1970-01-05T00:00:00\.000Z with 7 days would start the range at 1969-12-29T00:00:00\.000Z, before 1970; allowed: a range inside 1970-01-01T00:00:00\.000Z to 9999-12-31T23:59:59\.999Z, so an end at or after 1970-01-08T00:00:00\.000Z for 7 days$/,
      ],
      ["an end after the year 9999", { end: new Date(Date.UTC(10000, 0, 2)) }, /^end: \+010000-01-02T00:00:00\.000Z is after the end of year 9999; allowed: a range inside 1970-01-01T00:00:00\.000Z to 9999-12-31T23:59:59\.999Z$/],
    ];
    for (const [name, override, message] of cases) {
      it(`rejects ${name}`, () => {
        const error = usageError({ ...base, ...override } as DatasetOptions);
        expect(error.exitCode).to.equal(2);
        expect(error.problems).to.have.length(1);
        expect(error.message).to.match(message);
      });
    }

    it("reports every problem at once", () => {
      const error = usageError({ days: -1, seed: 0.5, end: new Date(Number.NaN), scenario: "nope", meanRatePerSecond: -2 });
      expect(error.problems.map((problem) => problem.split(":")[0])).to.deep.equal(["days", "seed", "end", "meanRatePerSecond", "scenario"]);
      expect(error.message).to.match(/^5 problems:\n {2}- days: -1/);
    });

    it("reports every bad anomaly, by position", () => {
      const error = usageError({ ...base, anomalies: [{ kind: "spike", magnitude: 0 }, { kind: "drop" }, { kind: "scan", target: "x" }] });
      expect(error.problems).to.have.length(2);
      expect(error.problems[0]).to.match(/^anomalies\[0\]\.magnitude/);
      expect(error.problems[1]).to.match(/^anomalies\[2\]\.target/);
    });

    it("accepts the shortest range it names for a scenario", () => {
      const message = usageError({ ...base, days: 1, scenario: "mixed" }).message;
      const minimum = Number(/at least ([\d.]+) days/.exec(message)![1]);
      expect(() => planDataset({ ...base, days: minimum, scenario: "mixed" })).to.not.throw();
      for (let seed = 0; seed < 20; seed++) expect(() => planDataset({ ...base, seed, days: minimum, scenario: "mixed" })).to.not.throw();
      // Ends that are not on a whole minute lose up to two minutes to alignment; the minimum allows for it.
      for (const offsetMs of [1, 59_999, 30_500, 12_345_678]) {
        expect(() => planDataset({ ...base, end: new Date(END.getTime() + offsetMs), days: minimum, scenario: "mixed" })).to.not.throw();
      }
    });
  });
});
