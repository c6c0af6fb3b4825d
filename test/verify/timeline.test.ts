import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "../../verify/cli";
import { clockDuration, formatTimeline, parseTimings, RUN_GAP_MS, splitRuns, type StepTiming } from "../../verify/timeline";

const UP: StepTiming[] = [
  { step: "elasticsearch", start: "2026-11-30T10:00:00.000Z", end: "2026-11-30T10:00:20.000Z" },
  { step: "dataset", start: "2026-11-30T10:00:21.000Z", end: "2026-11-30T10:01:30.000Z", documents: 1_036_800, docsPerSecond: 15_026 },
  { step: "kibana", start: "2026-11-30T10:00:25.000Z", end: "2026-11-30T10:01:10.000Z" },
  { step: "datafeed lab-dev-request_rate_high", start: "2026-11-30T10:01:31.000Z", end: "2026-11-30T10:02:00.000Z" },
  { step: "datafeed lab-dev-url_scanning", start: "2026-11-30T10:01:31.000Z", end: "2026-11-30T10:02:40.000Z" },
  { step: "verification", start: "2026-11-30T10:02:41.000Z", end: "2026-11-30T10:02:43.000Z" },
];

const UP_TIMELINE = `lab-verify timings: 6 steps from 2026-11-30 10:00:00 UTC, 2:43 from the first start to the last end

  STEP                                  START  TOOK  TIMELINE
  elasticsearch                         +0:00  0:20  |█████                                   |
  dataset (1,036,800 docs at 15,026/s)  +0:21  1:09  |     █████████████████                  |
  kibana                                +0:25  0:45  |      ███████████                       |
  datafeed lab-dev-request_rate_high    +1:31  0:29  |                      ███████           |
  datafeed lab-dev-url_scanning         +1:31  1:09  |                      █████████████████ |
  verification                          +2:41  0:02  |                                       █|`;

async function labVerify(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: {},
    stdin: { isTTY: stdin === undefined, read: async () => stdin ?? "" },
  });
  return { code, stdout, stderr };
}

describe("lab-verify timings: the stack's timings as a timeline", () => {
  it("draws each step's start offset, duration and a bar on one scale, so Kibana's start shows overlapping the dataset", () => {
    expect(formatTimeline(UP)).to.equal(UP_TIMELINE);
  });

  it("draws the steps an earlier pulumi up made, which nothing changed since, as a run of their own", () => {
    const later = [
      { step: "dataset", start: "2026-11-30T14:00:00.000Z", end: "2026-11-30T14:01:00.000Z", documents: 600, docsPerSecond: 10 },
      { step: "datafeed lab-dev-url_scanning", start: "2026-11-30T14:01:01.000Z", end: "2026-11-30T14:01:31.000Z" },
    ];
    expect(formatTimeline([UP[0], UP[2], ...later])).to.equal(`lab-verify timings: 2 steps from 2026-11-30 10:00:00 UTC, 1:10 from the first start to the last end; kept from an earlier pulumi up (nothing changed them since)

  STEP           START  TOOK  TIMELINE
  elasticsearch  +0:00  0:20  |███████████                             |
  kibana         +0:25  0:45  |              ██████████████████████████|

lab-verify timings: 2 steps from 2026-11-30 14:00:00 UTC, 1:31 from the first start to the last end

  STEP                           START  TOOK  TIMELINE
  dataset (600 docs at 10/s)     +0:00  1:00  |██████████████████████████              |
  datafeed lab-dev-url_scanning  +1:01  0:30  |                          ██████████████|`);
  });

  it("starts a new run only after a gap longer than RUN_GAP_MS, measured from the latest end so far", () => {
    const at = (minutes: number) => new Date(Date.parse("2026-11-30T10:00:00.000Z") + minutes * 60_000).toISOString();
    const long = { step: "long", start: at(0), end: at(20) };
    const inside = { step: "inside", start: at(1), end: at(2) };
    const justAfter = { step: "just after", start: at(20 + RUN_GAP_MS / 60_000), end: at(26) };
    const farAfter = { step: "far after", start: at(40), end: at(41) };
    expect(splitRuns([farAfter, justAfter, inside, long]).map((run) => run.map((s) => s.step))).to.deep.equal([["long", "inside", "just after"], ["far after"]]);
  });

  it("writes durations as m:ss, and h:mm:ss from an hour on", () => {
    expect([clockDuration(0), clockDuration(59_600), clockDuration(61_000), clockDuration(3_725_000)]).to.deep.equal(["0:00", "1:00", "1:01", "1:02:05"]);
  });

  it("says so when there is nothing to draw", () => {
    expect(formatTimeline([])).to.equal("lab-verify timings: no steps (a stack made before timings were recorded, or not brought up yet)");
  });

  describe("input", () => {
    it("reads pulumi stack output timings --json from standard input", async () => {
      expect(await labVerify(["timings"], JSON.stringify(UP))).to.deep.equal({ code: 0, stdout: `${UP_TIMELINE}\n`, stderr: "" });
    });

    it("reads a file, and the whole pulumi stack output --json object too", async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lab-timings-")), "outputs.json");
      fs.writeFileSync(file, JSON.stringify({ cohort: "dev", timings: UP }));
      try {
        expect(await labVerify(["timings", file])).to.deep.equal({ code: 0, stdout: `${UP_TIMELINE}\n`, stderr: "" });
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    });

    it("names every bad entry, its field and its value, and exits 2", async () => {
      const bad = [{ step: "", start: "2026-11-30T10:00:00Z", end: "2026-11-30T10:00:01Z" }, { step: "y", start: "soon", end: "2026-11-30T10:00:00Z" }, { step: "z", start: "2026-11-30T10:00:00Z", end: "2026-11-30T09:00:00Z", documents: -1 }];
      const result = await labVerify(["timings"], JSON.stringify(bad));
      expect(result.code).to.equal(2);
      expect(result.stderr).to.equal(
        [
          "lab-verify timings: 4 problems:",
          '  - standard input: step 1: "step" must be a name, got ""',
          '  - standard input: step 2: "start" must be an ISO-8601 time, got "soon"',
          '  - standard input: step 3: "end" 2026-11-30T09:00:00Z is before "start" 2026-11-30T10:00:00Z',
          '  - standard input: step 3: "documents" must be a number of 0 or more, got -1',
          "",
        ].join("\n"),
      );
    });

    it("refuses what is not JSON, or not a list of steps, saying what to pipe in", () => {
      expect(() => parseTimings("[secret]", "standard input")).to.throw(/^standard input: not JSON .*; pipe in `pulumi stack output timings --json`$/);
      expect(() => parseTimings('"x"', "t.json")).to.throw("t.json: expected a list of steps (pulumi stack output timings --json), got string");
    });

    it("asks for input rather than waiting on a terminal, and names a file it cannot read", async () => {
      expect(await labVerify(["timings"])).to.deep.equal({ code: 2, stdout: "", stderr: "lab-verify timings: no timings to read: pipe them in (pulumi stack output timings --json | lab-verify timings) or name a file\n" });
      expect((await labVerify(["timings", "/nonexistent/timings.json"])).stderr).to.equal("lab-verify timings: /nonexistent/timings.json: cannot read it: ENOENT\n");
    });
  });
});
