import { expect } from "chai";
import { PassThrough } from "node:stream";
import { planDataset } from "../../generator/plan";
import { generateEvents } from "../../generator/events";
import { createProgress, expectedEventCount } from "../../generator/progress";

function count(plan: ReturnType<typeof planDataset>): number {
  let n = 0;
  for (const _event of generateEvents(plan)) n++;
  return n;
}

describe("progress", () => {
  describe("expectedEventCount", () => {
    it("estimates the event count within 2%, spikes, drops and scans included", () => {
      for (const options of [
        { days: 2, seed: 3, end: new Date("2026-11-17T00:00:00Z"), scenario: "spike", meanRatePerSecond: 0.5 },
        { days: 2, seed: 4, end: new Date("2026-11-20T07:00:00Z"), scenario: "mixed", meanRatePerSecond: 0.5 },
        { days: 7, seed: 5, end: new Date("2026-11-24T00:00:00Z"), scenario: "none", meanRatePerSecond: 0.1 },
      ]) {
        const plan = planDataset(options);
        const actual = count(plan);
        expect(expectedEventCount(plan) / actual, options.scenario).to.be.within(0.98, 1.02);
      }
    });
  });

  describe("createProgress", () => {
    function fakeTerminal(): { stream: NodeJS.WriteStream; output: () => string } {
      const stream = new PassThrough() as unknown as NodeJS.WriteStream;
      let text = "";
      (stream as unknown as PassThrough).on("data", (chunk) => (text += String(chunk)));
      Object.assign(stream, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
      return { stream, output: () => text };
    }

    it("draws events, rate and ETA, and ends on the true count", () => {
      const terminal = fakeTerminal();
      const progress = createProgress({ enabled: true, estimatedTotal: 1000, stream: terminal.stream, unit: "events" });
      progress.update(500);
      progress.stop(1200);
      expect(terminal.output()).to.match(/1,200\/1,200 events \| [\d,]+\/s \| ETA/);
    });

    it("draws nothing when disabled", () => {
      const terminal = fakeTerminal();
      const progress = createProgress({ enabled: false, estimatedTotal: 1000, stream: terminal.stream, unit: "events" });
      progress.update(500);
      progress.stop(1000);
      expect(terminal.output()).to.equal("");
    });
  });
});
