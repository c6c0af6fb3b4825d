import { expect } from "chai";
import { planDataset } from "../../generator/plan";
import { DEFAULT_SCENARIO, SCENARIOS, SCENARIO_NAMES } from "../../generator/scenarios";
import { ANOMALY_KINDS } from "../../generator/types";

const END = new Date("2026-11-17T00:00:00Z");

describe("generator/scenarios", () => {
  it("offers spike (the default), mixed, none, live and one scenario per anomaly kind", () => {
    expect(DEFAULT_SCENARIO).to.equal("spike");
    expect([...SCENARIO_NAMES].sort()).to.deep.equal(["live", "mixed", "none", ...ANOMALY_KINDS].sort());
    for (const kind of ANOMALY_KINDS) expect(SCENARIOS[kind].anomalies.map((anomaly) => anomaly.kind), kind).to.deep.equal([kind]);
    expect(SCENARIOS.none.anomalies).to.deep.equal([]);
  });

  it("keeps spike the classic case: tenfold for 30 minutes", () => {
    const [spike] = planDataset({ days: 7, seed: 1, end: END }).anomalies;
    expect(spike.magnitude).to.equal(10);
    expect(Date.parse(spike.end) - Date.parse(spike.start)).to.equal(30 * 60_000);
  });

  it("mixes the six classic kinds once, never overlapping, over many seeds (the kinds that teach more have scenarios of their own)", () => {
    expect(SCENARIOS.mixed.anomalies.map((anomaly) => anomaly.kind)).to.have.members(["spike", "drop", "latency", "errors", "scan", "rare_agent"]);
    for (let seed = 0; seed < 20; seed++) {
      const { anomalies } = planDataset({ days: 7, seed, end: END, scenario: "mixed" });
      for (let index = 1; index < anomalies.length; index++) {
        expect(Date.parse(anomalies[index].start), `seed ${seed}`).to.be.above(Date.parse(anomalies[index - 1].end));
      }
    }
  });

  it("plans every scenario but live over a week for many seeds, each with a description", () => {
    for (const name of SCENARIO_NAMES.filter((name) => name !== "live")) {
      expect(SCENARIOS[name].name).to.equal(name);
      expect(SCENARIOS[name].description).to.match(/^[A-Z].*\.$/);
      for (let seed = 0; seed < 3; seed++) expect(() => planDataset({ days: 7, seed, end: END, scenario: name }), `${name} seed ${seed}`).to.not.throw();
    }
  });

  it("keeps live for follow mode, where its spike comes 10 to 20 minutes after live traffic begins", () => {
    expect(SCENARIOS.live.anomalies).to.deep.equal([{ kind: "spike", startAfterMinutes: [10, 20] }]);
    expect(() => planDataset({ days: 7, seed: 1, end: END, scenario: "live" })).to.throw(/^scenario: "live" plants its anomaly after the history ends, in live traffic; allowed: follow mode/);
  });

  it("cannot be changed by a caller", () => {
    expect(Object.isFrozen(SCENARIOS)).to.equal(true);
    expect(Object.isFrozen(SCENARIOS.mixed.anomalies)).to.equal(true);
    expect(Object.isFrozen(SCENARIOS.mixed.anomalies[0])).to.equal(true);
  });
});
