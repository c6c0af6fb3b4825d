import { expect } from "chai";
import { liveIndexNameFor } from "../../generator/follow-plan";
import { alertsIndexFor } from "../../verify/alerts-index";

describe("verify/alerts-index", () => {
  it("names lab-<cohort>-alerts after the cohort of the lab's dataset index", () => {
    expect(alertsIndexFor(["lab-cohort-a-access-mixed-2026.11.20-0123abcd"])).to.equal("lab-cohort-a-alerts");
    expect(alertsIndexFor(["lab-dev-access-live"])).to.equal("lab-dev-alerts");
  });

  it("settles a cohort that itself holds -access- by the lab's dataset name (no hyphen in the scenario)", () => {
    expect(alertsIndexFor(["lab-a-access-x-access-spike-2026.11.20-0123abcd"])).to.equal("lab-a-access-x-alerts");
    expect(alertsIndexFor(["lab-a-access-spike-2026.11.20-0123abcd"])).to.equal("lab-a-alerts");
    // The live lab's stream: <scenario>-live-<8 hex>, as liveIndexNameFor names it.
    expect(alertsIndexFor([liveIndexNameFor("lab-a-access-x-access", { days: 1, seed: 1, scenario: "live" })])).to.equal("lab-a-access-x-alerts");
  });

  it("names none when it cannot tell: lab-generate's own lab-access-..., a foreign name, a split it cannot settle, two cohorts", () => {
    expect(alertsIndexFor(["lab-access-mixed-2026.11.20-0123abcd"])).to.equal(undefined);
    expect(alertsIndexFor(["weblogs"])).to.equal(undefined);
    expect(alertsIndexFor(["lab-a-access-x-access-live"])).to.equal(undefined);
    expect(alertsIndexFor(["lab-a-access-spike-2026.11.20-0123abcd", "lab-b-access-spike-2026.11.20-0123abcd"])).to.equal(undefined);
    expect(alertsIndexFor([])).to.equal(undefined);
  });
});
