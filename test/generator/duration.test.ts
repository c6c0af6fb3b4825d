import { expect } from "chai";
import { formatDuration, parseDuration } from "../../generator/duration";

describe("generator/duration", () => {
  it("reads whole hours, minutes and seconds, largest first", () => {
    expect(parseDuration("20m")).to.equal(1_200_000);
    expect(parseDuration("3h")).to.equal(10_800_000);
    expect(parseDuration("1h30m")).to.equal(5_400_000);
    expect(parseDuration("90s")).to.equal(90_000);
    expect(parseDuration("0m")).to.equal(0);
  });

  it("refuses what is not a duration: no unit, a fraction, a sign, units out of order, nothing", () => {
    for (const text of ["20", "1.5h", "-5m", "30m1h", "", "m", "abc", "20 m", "1d"]) expect(parseDuration(text), text).to.equal(undefined);
  });

  it("writes a duration the way it is read back", () => {
    expect(formatDuration(5_400_000)).to.equal("1h30m");
    expect(formatDuration(1_800_000)).to.equal("30m");
    expect(formatDuration(3_661_000)).to.equal("1h1m1s");
    expect(formatDuration(0)).to.equal("0s");
    for (const text of ["3h", "20m", "1h30m", "45s"]) expect(formatDuration(parseDuration(text) as number)).to.equal(text);
  });
});
