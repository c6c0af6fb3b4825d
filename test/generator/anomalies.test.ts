import { expect } from "chai";
import {
  ANOMALY_SPECS,
  checkAnomalyRequest,
  compileEffects,
  describeAnomaly,
  GAP_MS,
  HISTORY_SHARE,
  minimumDaysFor,
  resolveAnomalies,
  TAIL_GUARD_MS,
  type RangeMs,
} from "../../generator/anomalies";
import { buildPopulation } from "../../generator/population";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../generator/traffic";
import { ANOMALY_KINDS, type AnomalyRequest, type InjectedAnomaly } from "../../generator/types";

const population = buildPopulation(1);
const END_MS = Date.parse("2026-11-17T00:00:00Z");
const week: RangeMs = { startMs: END_MS - 7 * DAY_MS, endMs: END_MS };
const ALL_KINDS: AnomalyRequest[] = ANOMALY_KINDS.map((kind) => ({ kind }));

function resolved(requests: readonly AnomalyRequest[], seed: number, range = week): InjectedAnomaly[] {
  const result = resolveAnomalies(requests, range, seed, population, "7");
  expect(typeof result[0], JSON.stringify(result[0])).to.not.equal("string");
  return result as InjectedAnomaly[];
}

describe("generator/anomalies", () => {
  it("defines defaults for every kind, valid under its own rule", () => {
    expect(Object.keys(ANOMALY_SPECS).sort()).to.deep.equal([...ANOMALY_KINDS].sort());
    for (const spec of Object.values(ANOMALY_SPECS)) {
      expect(spec.isValidMagnitude(spec.defaultMagnitude), spec.kind).to.equal(true);
      expect(spec.defaultDurationMinutes, spec.kind).to.be.at.least(30);
    }
    expect(ANOMALY_SPECS.spike.defaultMagnitude).to.equal(10);
    expect(ANOMALY_SPECS.spike.defaultDurationMinutes).to.equal(30);
  });

  describe("checkAnomalyRequest", () => {
    it("accepts well-formed requests of every kind", () => {
      for (const request of ALL_KINDS) expect(checkAnomalyRequest(request, "a", population)).to.deep.equal([]);
      expect(checkAnomalyRequest({ kind: "latency", target: "web-03" }, "a", population)).to.deep.equal([]);
      expect(checkAnomalyRequest({ kind: "errors", target: population.urls[4].path }, "a", population)).to.deep.equal([]);
      expect(checkAnomalyRequest({ kind: "scan", target: "203.0.113.9" }, "a", population)).to.deep.equal([]);
      expect(checkAnomalyRequest({ kind: "rare_agent", target: "my-script/1.0" }, "a", population)).to.deep.equal([]);
    });

    it("names the magnitude rule of each kind", () => {
      expect(checkAnomalyRequest({ kind: "scan", magnitude: 0.5 }, "x", population)).to.deep.equal([
        "x.magnitude: 0.5 is not allowed for scan (requests per minute from the scanning client); allowed: a number >= 1 and <= 6000 (default 60)",
      ]);
      expect(checkAnomalyRequest({ kind: "latency", magnitude: 1 }, "x", population)[0]).to.match(/allowed: a number > 1 and <= 100 \(default 5\)$/);
      expect(checkAnomalyRequest({ kind: "drop", magnitude: 1 }, "x", population)[0]).to.match(/allowed: a number >= 0 and < 1 \(default 0\.1\)$/);
      expect(checkAnomalyRequest({ kind: "drop", magnitude: 0 }, "x", population)).to.deep.equal([]);
      expect(checkAnomalyRequest({ kind: "spike", magnitude: Number.NaN }, "x", population)[0]).to.match(/^x\.magnitude: NaN is not allowed for spike/);
    });

    it("gathers several problems of one request", () => {
      const problems = checkAnomalyRequest({ kind: "errors", durationMinutes: -5, magnitude: 3, target: "" }, "anomalies[2]", population);
      expect(problems.map((problem) => problem.split(":")[0])).to.deep.equal(["anomalies[2].durationMinutes", "anomalies[2].magnitude", "anomalies[2].target"]);
    });

    it("rejects something that is not an object", () => {
      expect(checkAnomalyRequest(null as unknown as AnomalyRequest, "anomalies[0]", population)[0]).to.match(/^anomalies\[0\]: null is not an anomaly/);
    });
  });

  describe("placement", () => {
    it("puts seeded windows in the second half of the range, clear of its end, on whole minutes", () => {
      for (let seed = 0; seed < 50; seed++) {
        for (const anomaly of resolved([{ kind: "spike" }], seed)) {
          const startMs = Date.parse(anomaly.start);
          const endMs = Date.parse(anomaly.end);
          expect(startMs).to.be.at.least(week.startMs + HISTORY_SHARE * 7 * DAY_MS);
          expect(endMs).to.be.at.most(week.endMs - TAIL_GUARD_MS);
          expect(startMs % MINUTE_MS).to.equal(0);
          expect(endMs - startMs).to.equal(30 * MINUTE_MS);
        }
      }
    });

    it("spreads seeded starts over the whole allowed area", () => {
      const starts = Array.from({ length: 200 }, (_, seed) => Date.parse(resolved([{ kind: "spike" }], seed)[0].start));
      const areaStart = week.startMs + 3.5 * DAY_MS;
      const areaLength = 3.5 * DAY_MS - TAIL_GUARD_MS - 30 * MINUTE_MS;
      const quarters = [0, 0, 0, 0];
      for (const start of starts) quarters[Math.min(3, Math.floor(((start - areaStart) / areaLength) * 4))]++;
      for (const quarter of quarters) expect(quarter).to.be.within(25, 75);
    });

    it("keeps every window of a multi-kind list apart by the gap, for many seeds", () => {
      for (let seed = 0; seed < 100; seed++) {
        const anomalies = resolved(ALL_KINDS, seed);
        expect(anomalies).to.have.length(ANOMALY_KINDS.length);
        for (let index = 1; index < anomalies.length; index++) {
          expect(Date.parse(anomalies[index].start) - Date.parse(anomalies[index - 1].end), `seed ${seed}`).to.be.at.least(GAP_MS);
        }
      }
    });

    it("keeps explicit windows as given and places seeded ones away from them", () => {
      const fixedStart = new Date(END_MS - 20 * HOUR_MS);
      for (let seed = 0; seed < 30; seed++) {
        const anomalies = resolved([{ kind: "drop", start: fixedStart, durationMinutes: 90 }, { kind: "spike" }, { kind: "scan" }], seed);
        const drop = anomalies.find((anomaly) => anomaly.kind === "drop")!;
        expect(drop.start).to.equal(fixedStart.toISOString());
        expect(drop.end).to.equal(new Date(fixedStart.getTime() + 90 * MINUTE_MS).toISOString());
        for (const other of anomalies.filter((anomaly) => anomaly !== drop)) {
          const apart = Date.parse(other.start) >= Date.parse(drop.end) + GAP_MS || Date.parse(other.end) + GAP_MS <= Date.parse(drop.start);
          expect(apart, `seed ${seed}: ${other.id} at ${other.start}`).to.equal(true);
        }
      }
    });

    it("sorts by start and numbers each kind from 1", () => {
      const anomalies = resolved([{ kind: "spike" }, { kind: "spike" }, { kind: "drop" }], 4);
      expect(anomalies.map((anomaly) => anomaly.start)).to.deep.equal([...anomalies.map((anomaly) => anomaly.start)].sort());
      expect(anomalies.map((anomaly) => anomaly.id).sort()).to.deep.equal(["drop-1", "spike-1", "spike-2"]);
      const spikes = anomalies.filter((anomaly) => anomaly.kind === "spike");
      expect(spikes[0].id).to.equal("spike-1");
      expect(Date.parse(spikes[0].start)).to.be.below(Date.parse(spikes[1].start));
    });

    it("says how many days a list needs when the range is too short, and that many days suffice", () => {
      const minimum = minimumDaysFor([30 * MINUTE_MS]);
      expect(minimum).to.equal(0.3);
      const tooShort = { startMs: END_MS - 0.29 * DAY_MS, endMs: END_MS };
      expect(resolveAnomalies([{ kind: "spike" }], tooShort, 1, population, "0.29")).to.deep.equal([
        "days: 0.29 is too short for the anomalies placed at random (spike); allowed: at least 0.3 days (they go in the second half of the range, 3 hours clear of its end and 2 hours apart), or give them explicit starts",
      ]);
      for (let seed = 0; seed < 20; seed++) resolved([{ kind: "spike" }], seed, { startMs: END_MS - minimum * DAY_MS, endMs: END_MS });
    });

    it("reports explicit windows that leave no room for the seeded ones", () => {
      const range = { startMs: END_MS - DAY_MS, endMs: END_MS };
      const result = resolveAnomalies([{ kind: "drop", start: new Date(END_MS - 11 * HOUR_MS), durationMinutes: 480 }, { kind: "spike" }], range, 1, population, "1");
      expect(result).to.have.length(1);
      expect(result[0]).to.match(/^anomalies: the explicit windows leave no room to place spike at random/);
    });
  });

  describe("targets", () => {
    it("draws latency and errors targets from the hosts or the most popular pages and API calls", () => {
      const hosts = new Set(population.hosts.map((host) => host.name));
      const popular = population.urls.filter((url) => url.urlClass !== "asset").slice(0, 8).map((url) => url.path);
      const fields = new Set<string>();
      for (let seed = 0; seed < 40; seed++) {
        for (const anomaly of resolved([{ kind: "latency" }, { kind: "errors" }], seed)) {
          const entity = anomaly.entity!;
          fields.add(entity.field);
          if (entity.field === "host.name") expect(hosts.has(entity.value)).to.equal(true);
          else expect(popular).to.include(entity.value);
        }
      }
      expect([...fields].sort()).to.deep.equal(["host.name", "url.path"]);
    });

    it("gives a scan a fresh client address and a rare_agent a user agent normal traffic never sends", () => {
      for (let seed = 0; seed < 20; seed++) {
        const [first, second] = resolved([{ kind: "rare_agent" }, { kind: "rare_agent" }, { kind: "scan" }], seed).filter((anomaly) => anomaly.kind === "rare_agent");
        expect(population.userAgents).to.not.include(first.entity!.value);
        expect(first.entity!.value).to.not.equal(second.entity!.value);
        const scan = resolved([{ kind: "scan" }], seed)[0];
        expect(scan.entity!.field).to.equal("source.ip");
        expect(population.knownIps.has(scan.entity!.value)).to.equal(false);
      }
    });

    it("uses a given target as it is, with the ECS field it belongs to", () => {
      const [latency] = resolved([{ kind: "latency", target: "web-02" }], 1);
      expect(latency.entity).to.deep.equal({ field: "host.name", value: "web-02" });
      const [errors] = resolved([{ kind: "errors", target: "/checkout" }], 1);
      expect(errors.entity).to.deep.equal({ field: "url.path", value: "/checkout" });
      const [spike] = resolved([{ kind: "spike" }], 1);
      expect(spike.entity).to.equal(null);
    });
  });

  it("describes each kind in one plain sentence", () => {
    expect(describeAnomaly("spike", 10, 30, null)).to.equal("Request rate multiplied by 10 across the whole service for 30 minutes.");
    expect(describeAnomaly("latency", 5, 60, { field: "host.name", value: "web-02" })).to.equal("Response times on host web-02 multiplied by 5 for 60 minutes.");
    expect(describeAnomaly("errors", 0.5, 30, { field: "url.path", value: "/cart" })).to.equal("50% of requests to URL /cart answer with a 5xx status for 30 minutes.");
    expect(describeAnomaly("scan", 60, 30, { field: "source.ip", value: "185.1.2.3" })).to.equal("Client 185.1.2.3 probes 60 distinct URLs per minute, mostly answered 404, for 30 minutes.");
    expect(describeAnomaly("drop", 0.1, 60, null)).to.equal("Request rate falls to 10% of normal across the whole service for 60 minutes, as in a partial outage.");
    expect(describeAnomaly("rare_agent", 10, 30, { field: "user_agent.original", value: "curl/8.5.0" })).to.equal(
      'A user agent never seen before, "curl/8.5.0", sends 10 requests per minute for 30 minutes.',
    );
    expect(describeAnomaly("new_error", 0.5, 30, { field: "host.name", value: "web-01" })).to.equal(
      'A new error-log category appears on host web-01: 50% of its requests fail with 502 and "SSL_do_handshake() failed (SSL: error:0A000086:SSL routines::certificate verify failed) while SSL handshaking to upstream" for 30 minutes.',
    );
    expect(describeAnomaly("level_shift", 1.6, 120, null)).to.equal(
      "Request rate multiplied by 1.6 across the whole service from the start to the end of the data, a lasting change such as a launch; after 120 minutes it is the new normal.",
    );
    expect(describeAnomaly("ramp", 4, 360, { field: "url.path", value: "/cart" })).to.equal(
      "Response times on URL /cart grow steadily from normal to 4 times normal over 360 minutes, as in a leak, then return to normal.",
    );
  });

  describe("the kinds that teach more: new_error, level_shift, ramp", () => {
    it("refuses a target the site does not serve, naming the value and what is allowed", () => {
      expect(checkAnomalyRequest({ kind: "ramp", target: "/no-such-page" }, "a", population)).to.deep.equal([
        `a.target: "/no-such-page" is not allowed for ramp; allowed: a URL path the site serves (e.g. ${population.urls.slice(0, 5).map((url) => url.path).join(", ")})`,
      ]);
      expect(checkAnomalyRequest({ kind: "ramp", target: "web-01" }, "a", population)[0]).to.match(/^a\.target: "web-01" is not allowed for ramp; allowed: a URL path/);
      expect(checkAnomalyRequest({ kind: "new_error", target: "web-09" }, "a", population)[0]).to.match(/^a\.target: "web-09" is not allowed for new_error; allowed: a host name \(web-01/);
      expect(checkAnomalyRequest({ kind: "level_shift", target: "web-01" }, "a", population)).to.deep.equal([
        'a.target: "web-01" is not allowed: level_shift affects the whole service; allowed: no target',
      ]);
      expect(checkAnomalyRequest({ kind: "new_error", target: "/cart" }, "a", population)).to.deep.equal([]);
    });

    it("refuses a ramp as long as the range or longer, naming its minutes", () => {
      const day: RangeMs = { startMs: END_MS - DAY_MS, endMs: END_MS };
      expect(resolveAnomalies([{ kind: "spike" }, { kind: "ramp", durationMinutes: 1500 }], day, 1, population, "1")).to.deep.equal([
        "anomalies[1].durationMinutes: 1500 makes the ramp as long as the range or longer (1440 minutes); allowed: a ramp shorter than the range, or a longer range",
      ]);
      expect(resolveAnomalies([{ kind: "ramp", durationMinutes: 360 }], day, 1, population, "1")).to.have.length(1);
    });

    it("draws a ramp's URL from the most popular pages and API calls", () => {
      for (let seed = 0; seed < 20; seed++) {
        const [ramp] = resolved([{ kind: "ramp" }], seed);
        expect(ramp.entity!.field).to.equal("url.path");
        const url = population.urls.find((candidate) => candidate.path === ramp.entity!.value)!;
        expect(url.urlClass, ramp.entity!.value).to.not.equal("asset");
      }
    });

    it("keeps a level shift's rate to the end of the data, and records when it has become the new normal", () => {
      const [shift] = resolved([{ kind: "level_shift" }], 3);
      expect(Date.parse(shift.end) - Date.parse(shift.start)).to.equal(120 * MINUTE_MS);
      const [effect] = compileEffects([shift], 3, population);
      expect(effect).to.include({ rateFactor: 1.6, startMs: Date.parse(shift.start), endMs: Infinity });
    });
  });

  it("compiles each anomaly into the effect the event loop applies", () => {
    const anomalies = resolved(
      [{ kind: "spike", magnitude: 4 }, { kind: "drop", magnitude: 0.25 }, { kind: "latency", target: "web-03" }, { kind: "errors", target: "/cart" }, { kind: "scan", magnitude: 120 }, { kind: "rare_agent" }],
      9,
    );
    const byKind = Object.fromEntries(compileEffects(anomalies, 9, population).map((effect) => [effect.kind, effect]));
    expect(byKind.spike.rateFactor).to.equal(4);
    expect(byKind.drop.rateFactor).to.equal(0.25);
    expect(byKind.latency.hostIndex).to.equal(2);
    expect(byKind.errors.urlIndex).to.equal(population.urls.findIndex((url) => url.path === "/cart"));
    expect(byKind.scan.extraRatePerSecond).to.equal(2);
    expect(byKind.scan.client!.ip).to.equal(anomalies.find((anomaly) => anomaly.kind === "scan")!.entity!.value);
    expect(byKind.rare_agent.client!.userAgent).to.equal(anomalies.find((anomaly) => anomaly.kind === "rare_agent")!.entity!.value);
    expect(population.knownIps.has(byKind.rare_agent.client!.ip)).to.equal(false);
    expect(byKind.rare_agent.scriptedUrlIndexes.every((index) => population.urls[index].urlClass === "api")).to.equal(true);
  });
});
