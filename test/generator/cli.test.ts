// `lab-generate` as a user runs it: the real bin, spawned through execa, with small datasets.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { Client } from "@elastic/elasticsearch";
import type { Result } from "execa";
import { planDataset } from "../../generator/plan";
import { generateErrorEvents } from "../../generator/error-log";
import { esTarget, requireEsTarget } from "../support/es-target";
import { binFolder, helpExamples, needsElasticsearch, runExample } from "../support/help-examples";
import { main, parseAnomalySpec, parseIsoTime } from "../../generator/cli";
import { CSV_COLUMNS } from "../../generator/sinks/csv";
import type { GroundTruth } from "../../generator/types";
import { deleteEverythingUnder } from "../support/es-cleanup";

const BIN = path.resolve(__dirname, "../../bin/lab-generate.js");
const END = "2026-11-17T00:00:00Z";
/** Small and quick: 12 hours at half a request per second, about 20 000 events. */
const SMALL = ["--days", "0.5", "--rate", "0.5", "--seed", "7", "--end", END];

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function labGenerate(args: string[], options: { env?: Record<string, string | undefined>; stdoutFile?: string } = {}): Promise<Run> {
  const { execa } = await import("execa");
  const result: Result = await execa(BIN, args, {
    reject: false,
    env: { ELASTICSEARCH_USERNAME: undefined, ELASTICSEARCH_PASSWORD: undefined, ELASTICSEARCH_API_KEY: undefined, ...options.env },
    extendEnv: true,
    stripFinalNewline: false,
    timeout: 120_000,
    ...(options.stdoutFile !== undefined ? { stdout: { file: options.stdoutFile } } : {}),
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout ?? ""), stderr: withoutNpmNoise(String(result.stderr)) };
}

/**
 * The CLI run in this process, for the many cases that stop at parsing and checking: a process per
 * case would cost a second or two each and test nothing more (the other tests run the real bin).
 */
async function labGenerateHere(args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const stream = (append: (text: string) => void) => ({ isTTY: false, write: (text: string) => (append(text), true) }) as unknown as NodeJS.WriteStream;
  const exitCode = await main(args, { stdout: stream((text) => (stdout += text)), stderr: stream((text) => (stderr += text)), env: {}, now: () => new Date(END) });
  return { exitCode, stdout, stderr };
}

/** npm may warn about the machine's own config on stderr; that is not ours to assert. */
function withoutNpmNoise(stderr: string): string {
  return stderr.split("\n").filter((line) => !line.startsWith("npm warn")).join("\n");
}

describe("lab-generate CLI", function () {
  this.timeout(120_000);
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "lab-generate-cli-"));
  });
  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  describe("help", () => {
    it("documents every flag, the anomaly syntax and the exit codes, and exits 0", async () => {
      const run = await labGenerate(["--help"]);
      expect(run.exitCode).to.equal(0);
      for (const flag of ["--days", "--seed", "--end", "--scenario", "--rate", "--out", "--format", "--truth", "--es", "--es-user", "--es-password", "--es-api-key", "--index-prefix", "--anomaly", "--list-scenarios", "--quiet"]) {
        expect(run.stdout).to.include(flag);
      }
      expect(run.stdout).to.include("KIND[,start=TIME][,minutes=N][,magnitude=X][,target=VALUE]");
      expect(run.stdout).to.include("Exit codes: 0 success");
      expect(run.stdout).to.include("ELASTICSEARCH_PASSWORD");
    });

    it("lists the scenarios with what each injects", async () => {
      const run = await labGenerate(["--list-scenarios"]);
      expect(run.exitCode).to.equal(0);
      expect(run.stdout).to.match(/^spike\s+The classic case.*\[spike\] \(default\)$/m);
      expect(run.stdout).to.match(/^mixed\s+.*\[spike, drop, latency, errors, scan, rare_agent\]$/m);
      expect(run.stdout).to.match(/^none\s+.*\[no anomaly\]$/m);
    });
  });

  describe("--help examples, each run as written in a scratch folder", () => {
    let examples: string[];
    let bin: string;
    before(async () => {
      examples = helpExamples((await labGenerate(["--help"])).stdout);
    });
    beforeEach(() => {
      bin = binFolder(directory);
    });

    it("shows examples of a file, CSV, stdout, a plot, own anomalies and Elasticsearch", () => {
      expect(examples.join("\n")).to.include("--out events.ndjson").and.include(".csv").and.include("--out - |").and.include("--plot").and.include("--anomaly").and.include("--es ");
    });

    it("runs every example that needs no server, exit 0", async () => {
      const failures: string[] = [];
      for (const example of examples.filter((line) => !needsElasticsearch(line))) {
        const run = await runExample(example, { cwd: directory, bin });
        if (run.exitCode !== 0) failures.push(`${run.command}: exit ${run.exitCode}\n${run.stderr}`);
      }
      expect(failures, failures.join("\n")).to.deep.equal([]);
      expect(fs.readFileSync(path.join(directory, "events.csv"), "utf8").startsWith("@timestamp,")).to.equal(true);
    });

    it("runs every example that needs Elasticsearch against ELASTICSEARCH_URL, exit 0", async function () {
      const target = requireEsTarget(this);
      const prefix = `lab-test-help-${randomBytes(3).toString("hex")}`;
      const client = new Client({ node: target.url, auth: { username: target.username, password: target.password } });
      try {
        for (const example of examples.filter(needsElasticsearch)) {
          const run = await runExample(example, { cwd: directory, bin, es: target, indexPrefix: prefix });
          expect(run.exitCode, `${run.command}\n${run.stderr}`).to.equal(0);
        }
      } finally {
        await deleteEverythingUnder(client, prefix);
        await client.close();
      }
    });
  });

  describe("files and stdout", () => {
    it("gives byte-identical NDJSON on stdout for the same seed and end, and different data for another seed", async () => {
      const first = await labGenerate([...SMALL, "--out", "-", "--quiet"]);
      const second = await labGenerate([...SMALL, "--out", "-", "--quiet"]);
      const otherSeed = await labGenerate([...SMALL, "--seed", "8", "--out", "-", "--quiet"]);
      expect(first.exitCode).to.equal(0);
      expect(first.stderr).to.equal("");
      expect(first.stdout.length).to.be.greaterThan(1000);
      expect(second.stdout).to.equal(first.stdout);
      expect(otherSeed.stdout).not.to.equal(first.stdout);
      const lines = first.stdout.trimEnd().split("\n");
      expect(JSON.parse(lines[0])["@timestamp"] >= "2026-11-16T12:00:00.000Z").to.equal(true);
    });

    it("writes the file, a ground truth that matches the plan, and the anomaly windows in plain words on stderr", async () => {
      const out = path.join(directory, "events.ndjson");
      const truthFile = path.join(directory, "truth.json");
      const run = await labGenerate([...SMALL, "--scenario", "spike", "--out", out, "--truth", truthFile]);
      expect(run.exitCode, run.stderr).to.equal(0);
      const lines = fs.readFileSync(out, "utf8").trimEnd().split("\n");
      const truth = JSON.parse(fs.readFileSync(truthFile, "utf8")) as GroundTruth;
      const plan = planDataset({ days: 0.5, meanRatePerSecond: 0.5, seed: 7, end: new Date(END), scenario: "spike" });
      expect(truth).to.deep.equal({ ...plan.truth, eventCount: lines.length });
      expect(truth.anomalies).to.have.length(1);
      for (const anomaly of truth.anomalies) {
        expect(run.stderr).to.include(`Anomaly Start Time ${anomaly.start} End Time ${anomaly.end}: ${anomaly.id}, ${anomaly.description}`);
      }
      expect(run.stderr).to.include(`lab-generate: ${lines.length.toLocaleString("en-US")} events from 2026-11-16T12:00:00.000Z to 2026-11-17T00:00:00.000Z (seed 7, scenario spike) written to ${out}`);
      expect(run.stderr).to.include(`Ground truth written to ${truthFile}`);
      // Not a terminal: no progress bar.
      expect(run.stderr).not.to.include("ETA");
      expect(run.stderr).not.to.include("\u001b[");
    });

    it("writes CSV with a header of flattened ECS names when asked", async () => {
      const out = path.join(directory, "events.csv");
      const run = await labGenerate([...SMALL, "--format", "csv", "--out", out, "--quiet"]);
      expect(run.exitCode, run.stderr).to.equal(0);
      const text = fs.readFileSync(out, "utf8");
      expect(text.slice(0, text.indexOf("\r\n"))).to.equal(CSV_COLUMNS.map((column) => column.name).join(","));
      expect(text).to.match(/"Mozilla\/5\.0 \([^"]*\)[^"]*, like Gecko[^"]*"/);
    });

    it("takes the format from the --out extension when --format is not given", async () => {
      const csv = path.join(directory, "events.csv");
      const ndjson = path.join(directory, "events.ndjson");
      expect((await labGenerate([...SMALL, "--out", csv, "--quiet"])).exitCode).to.equal(0);
      expect((await labGenerate([...SMALL, "--out", ndjson, "--quiet"])).exitCode).to.equal(0);
      const header = CSV_COLUMNS.map((column) => column.name).join(",");
      expect(fs.readFileSync(csv, "utf8").startsWith(`${header}\r\n`)).to.equal(true);
      expect(JSON.parse(fs.readFileSync(ndjson, "utf8").split("\n")[0])).to.have.property("@timestamp");
    });

    it("writes nginx's error log for the same requests to --error-out as NDJSON, and says where", async () => {
      const out = path.join(directory, "events.ndjson");
      const errorOut = path.join(directory, "errors.ndjson");
      const run = await labGenerate([...SMALL, "--scenario", "errors", "--out", out, "--error-out", errorOut]);
      expect(run.exitCode, run.stderr).to.equal(0);
      const plan = planDataset({ days: 0.5, meanRatePerSecond: 0.5, seed: 7, end: new Date(END), scenario: "errors" });
      const expected = [...generateErrorEvents(plan)].map((event) => JSON.stringify(event) + "\n").join("");
      expect(expected.length).to.be.greaterThan(0);
      expect(fs.readFileSync(errorOut, "utf8")).to.equal(expected);
      const lines = expected.split("\n").length - 1;
      expect(run.stderr).to.match(new RegExp(`^lab-generate: ${lines.toLocaleString("en-US")} nginx error-log lines for the same requests written to ${errorOut.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(`, "m"));
      // The access file is what it is without --error-out.
      const alone = path.join(directory, "alone.ndjson");
      expect((await labGenerate([...SMALL, "--scenario", "errors", "--out", alone, "--quiet"])).exitCode).to.equal(0);
      expect(fs.readFileSync(out, "utf8")).to.equal(fs.readFileSync(alone, "utf8"));
      expect(fs.readdirSync(directory).sort()).to.deep.equal(["alone.ndjson", "errors.ndjson", "events.ndjson"]);
    });

    it("takes a scenario name in any case", async () => {
      const truth = path.join(directory, "truth.json");
      const run = await labGenerateHere(["--days", "2", "--rate", "0.05", "--end", END, "--scenario", "Mixed", "--out", path.join(directory, "events.ndjson"), "--truth", truth, "--quiet"]);
      expect(run.exitCode, run.stderr).to.equal(0);
      expect((JSON.parse(fs.readFileSync(truth, "utf8")) as GroundTruth).scenario).to.equal("mixed");
    });

    it("injects the anomalies given with --anomaly instead of the scenario's, at the given time", async () => {
      const truthFile = path.join(directory, "truth.json");
      const run = await labGenerate([...SMALL, "--anomaly", "spike,start=2026-11-16T18:00:00Z,minutes=20,magnitude=5", "--anomaly", "errors", "--out", "/dev/null", "--truth", truthFile, "--quiet"]);
      expect(run.exitCode, run.stderr).to.equal(0);
      const truth = JSON.parse(fs.readFileSync(truthFile, "utf8")) as GroundTruth;
      expect(truth.scenario).to.equal("custom");
      const spike = truth.anomalies.find((anomaly) => anomaly.kind === "spike")!;
      expect([spike.start, spike.end, spike.magnitude]).to.deep.equal(["2026-11-16T18:00:00.000Z", "2026-11-16T18:20:00.000Z", 5]);
      expect(truth.anomalies.map((anomaly) => anomaly.kind).sort()).to.deep.equal(["errors", "spike"]);
    });

    it("stops quietly with exit 0 when the reader of stdout stops reading, as in | head", async () => {
      const { execa } = await import("execa");
      // pipefail: the pipeline's status is lab-generate's own, not head's.
      const result = await execa("bash", ["-o", "pipefail", "-c", `"${BIN}" --days 3 --out - | head -n 2`], { reject: false });
      expect(result.exitCode, String(result.stderr)).to.equal(0);
      expect(withoutNpmNoise(String(result.stderr))).to.equal("");
      expect(String(result.stdout).split("\n")).to.have.length(2);
    });

    it("names the file it did not write when the reader of stdout stops early and a --truth file was asked for, exit 1", async () => {
      const { execa } = await import("execa");
      const truthFile = path.join(directory, "truth.json");
      const child = execa(BIN, ["--days", "3", "--out", "-", "--truth", truthFile, "--quiet"], { reject: false, buffer: { stdout: false, stderr: true } });
      await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
      child.stdout!.destroy();
      const result = await child;
      expect(result.exitCode).to.equal(1);
      expect(withoutNpmNoise(String(result.stderr ?? ""))).to.match(
        new RegExp(`^lab-generate: the reader of standard output closed it after \\d+ events; the output is incomplete; not written: --truth ${truthFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`),
      );
      expect(fs.existsSync(truthFile)).to.equal(false);
    });

    // Ctrl-C, `timeout` or a cancelled job (SIGTERM), a closed SSH session (SIGHUP): each used to be a
    // different story; SIGTERM and SIGHUP left a hidden temporary file of hundreds of MB.
    for (const [signal, exitCode] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
      it(`stops on ${signal} with exit ${exitCode} and leaves no file behind`, async () => {
        const { execa } = await import("execa");
        const out = path.join(directory, "big.ndjson");
        const child = execa(BIN, ["--days", "60", "--out", out], { reject: false });
        // Wait until it is writing (its temporary file exists), then stop it.
        const deadline = Date.now() + 20_000;
        while (fs.readdirSync(directory).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        child.kill(signal);
        const result = await child;
        expect(result.exitCode, String(result.stderr)).to.equal(exitCode);
        expect(withoutNpmNoise(String(result.stderr)), JSON.stringify(result.stderr)).to.match(/interrupted after \d+ events; .*big\.ndjson was left unchanged$/);
        expect(fs.readdirSync(directory)).to.deep.equal([]);
      });
    }
  });

  describe("--plot: the expected picture", () => {
    it("draws the request rate with the anomaly windows shaded and labelled, without writing any data", async () => {
      const plot = path.join(directory, "expected.svg");
      const run = await labGenerate([...SMALL, "--scenario", "spike", "--plot", plot]);
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stdout).to.equal("");
      expect(fs.readdirSync(directory)).to.deep.equal(["expected.svg"]);
      const svg = fs.readFileSync(plot, "utf8");
      expect(svg).to.match(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      const plan = planDataset({ days: 0.5, meanRatePerSecond: 0.5, seed: 7, end: new Date(END), scenario: "spike" });
      expect(plan.anomalies).to.have.length(1);
      expect(svg).to.include(plan.anomalies[0].id);
      expect(run.stderr).to.include("drawn, no data written");
      expect(svg).to.include("scenario spike, seed 7, 2026-11-16 12:00 UTC to 2026-11-17 00:00 UTC");
      expect(run.stderr).to.include(`Anomaly Start Time ${plan.anomalies[0].start} End Time ${plan.anomalies[0].end}`);
    });

    it("counts the same events into the ground truth as a run that writes them", async () => {
      const plotTruth = path.join(directory, "plot-truth.json");
      const fileTruth = path.join(directory, "file-truth.json");
      await labGenerate([...SMALL, "--plot", path.join(directory, "a.svg"), "--truth", plotTruth, "--quiet"]);
      await labGenerate([...SMALL, "--out", path.join(directory, "events.ndjson"), "--plot", path.join(directory, "b.svg"), "--truth", fileTruth, "--quiet"]);
      const fromPlot = JSON.parse(fs.readFileSync(plotTruth, "utf8")) as GroundTruth;
      const fromFile = JSON.parse(fs.readFileSync(fileTruth, "utf8")) as GroundTruth;
      expect(fromPlot.eventCount).to.be.greaterThan(0);
      expect(fromPlot).to.deep.equal(fromFile);
      expect(fs.readFileSync(path.join(directory, "a.svg"), "utf8")).to.equal(fs.readFileSync(path.join(directory, "b.svg"), "utf8"));
    });

    it("refuses a plot path that is not an .svg file, and writes nothing", async () => {
      const run = await labGenerate([...SMALL, "--out", path.join(directory, "events.ndjson"), "--plot", path.join(directory, "rate.png")]);
      expect(run.exitCode).to.equal(2);
      expect(run.stderr).to.match(/^lab-generate: --plot ".*rate\.png" is not allowed; allowed: a file path ending in \.svg\n$/);
      expect(fs.readdirSync(directory)).to.deep.equal([]);
    });
  });

  describe("follow mode: bad input exits 2 naming the flag, before anything is written", () => {
    const cases: Array<{ args: string[]; message: string | RegExp }> = [
      { args: ["--anomaly", "spike,start=+15m", "--end", END, "--out", "-"], message: "lab-generate: --anomaly #1 start: a start relative to live traffic needs follow mode; allowed: --follow, or an ISO-8601 start inside the range" },
      { args: ["--scenario", "live", "--end", END, "--out", "-"], message: 'lab-generate: --scenario "live" plants its anomaly after the history ends, in live traffic; allowed: follow mode (lab-generate --follow, lab:live true), or another scenario' },
      { args: ["--follow", "--out", "-", "--anomaly", "spike,start=-5m"], message: "lab-generate: --anomaly #1 start: -5m starts in the past; allowed: a start after live traffic begins, from +1m to +168h" },
      { args: ["--follow", "--out", "-", "--anomaly", "spike,start=soon"], message: 'lab-generate: --anomaly #1 "spike,start=soon": start "soon" is not an ISO-8601 time such as 2026-11-20T14:00:00Z' },
      { args: ["--follow", "--out", "-", "--anomaly", "spike,start=+1x"], message: 'lab-generate: --anomaly #1 "spike,start=+1x": start "+1x" is not a relative start such as +15m, +1h or +1h30m (follow mode)' },
      { args: ["--follow", "--out", "-", "--end", END], message: `lab-generate: --end ${END} cannot be used with --follow, whose history ends now; leave --end out` },
      { args: ["--follow", "--out", "events.ndjson"], message: "lab-generate: --out events.ndjson cannot be used with --follow; allowed: --es URL, or --out - (stdout)" },
      { args: ["--follow", "--out", "-", "--flush-interval", "100ms"], message: 'lab-generate: --flush-interval "100ms" is not allowed; allowed: a duration from 1s to 1m, such as 5s, 2m or 1h30m' },
      { args: ["--out", "-", "--end", END, "--flush-interval", "5s"], message: "lab-generate: --flush-interval applies to --follow only" },
      { args: ["--out", "-", "--end", END, "--for", "1h"], message: "lab-generate: --for applies to --follow only" },
      { args: ["--follow", "--out", "-", "--for", "forever"], message: 'lab-generate: --for "forever" is not allowed; allowed: a duration from 1s to 8784h, such as 5s, 2m or 1h30m' },
    ];
    for (const { args, message } of cases) {
      it(args.join(" "), async () => {
        const run = await labGenerateHere(["--days", "0.5", ...args]);
        expect(run.exitCode, run.stderr).to.equal(2);
        const lines = run.stderr.trimEnd().split("\n");
        expect(lines, run.stderr).to.have.length(1);
        if (typeof message === "string") expect(lines[0]).to.equal(message);
        else expect(lines[0]).to.match(message);
        expect(run.stdout).to.equal("");
      });
    }

    it("reads relative starts in minutes and hours", () => {
      const problems: string[] = [];
      expect(parseAnomalySpec("spike,start=+15m,minutes=20", 1, problems)).to.deep.equal({ kind: "spike", startAfterMinutes: 15, durationMinutes: 20 });
      expect(parseAnomalySpec("scan,start=+1h30m", 2, problems)).to.deep.equal({ kind: "scan", startAfterMinutes: 90 });
      expect(problems).to.deep.equal([]);
    });
  });

  describe("bad input: one line naming the value and what is allowed, exit 2, nothing written", () => {
    const cases: Array<{ args: string[]; message: string | RegExp }> = [
      { args: ["--days", "0"], message: "lab-generate: --days 0 is not allowed; allowed: a number > 0 and <= 366 (fractions allowed, e.g. 0.5)" },
      { args: ["--days", "-2"], message: "lab-generate: --days -2 is not allowed; allowed: a number > 0 and <= 366 (fractions allowed, e.g. 0.5)" },
      { args: ["--days", "a week"], message: 'lab-generate: --days "a week" is not a number' },
      { args: ["--seed", "1.5"], message: 'lab-generate: --seed "1.5" is not a whole number' },
      { args: ["--seed", "99999999999999999999"], message: "lab-generate: --seed 99999999999999999999 is too large; allowed: a whole number from -9007199254740991 to 9007199254740991" },
      { args: ["--seed", "9007199254740993"], message: "lab-generate: --seed 9007199254740993 is too large; allowed: a whole number from -9007199254740991 to 9007199254740991" },
      {
        args: ["--end", "1970-01-05", "--days", "7"],
        message: "lab-generate: --end 1970-01-05T00:00:00.000Z with 7 days would start the range at 1969-12-29T00:00:00.000Z, before 1970; allowed: a range inside 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, so an end at or after 1970-01-08T00:00:00.000Z for 7 days",
      },
      { args: ["--end", "yesterday"], message: /^lab-generate: --end "yesterday" is not an ISO-8601 time; allowed: 2026-11-24T00:00:00Z, .* or "now"$/ },
      { args: ["--end", "2026-02-30T00:00:00Z"], message: /^lab-generate: --end "2026-02-30T00:00:00Z" is not an ISO-8601 time/ },
      { args: ["--end", "2026-11-17T00:00:00"], message: /^lab-generate: --end "2026-11-17T00:00:00" is not an ISO-8601 time/ },
      { args: ["--scenario", "chaos"], message: 'lab-generate: --scenario "chaos" is not a known scenario; allowed: spike, mixed, none, drop, latency, errors, scan, rare_agent, new_error, level_shift, ramp, live' },
      { args: ["--anomaly", "meteor"], message: 'lab-generate: --anomaly #1 "meteor": unknown kind "meteor"; allowed: spike, drop, latency, errors, scan, rare_agent, new_error, level_shift, ramp' },
      { args: ["--days", "1", "--anomaly", "ramp,minutes=1500"], message: "lab-generate: --anomaly #1 minutes: 1500 makes the ramp as long as the range or longer (1440 minutes); allowed: a ramp shorter than the range, or a longer range" },
      { args: ["--anomaly", "ramp,target=/no-such-page"], message: 'lab-generate: --anomaly #1 target: "/no-such-page" is not allowed for ramp; allowed: a URL path the site serves (e.g. /, /static/js/app.3f9a2c.js, /static/css/main.81be0d.css, /api/v1/products, /products)' },
      { args: ["--anomaly", "spike,colour=red"], message: 'lab-generate: --anomaly #1 "spike,colour=red": unknown key "colour"; allowed: start, minutes, magnitude, target (as key=value after the kind)' },
      { args: ["--anomaly", "spike,minutes=0"], message: /^lab-generate: --anomaly #1 minutes: 0 is not allowed; allowed: a number of minutes >= 1/ },
      {
        args: ["--anomaly", "spike,start=2026-11-16T23:50:00Z"],
        message: /^lab-generate: --anomaly #1 start: 2026-11-16T23:50:00.000Z puts the spike window .* on or outside the edge of the range; allowed: a window strictly inside 2026-11-16T12:00:00.000Z to 2026-11-17T00:00:00.000Z/,
      },
      {
        args: ["--anomaly", "spike,start=2026-11-10T00:00:00Z"],
        message: /^lab-generate: --anomaly #1 start: 2026-11-10T00:00:00.000Z puts the spike window .* (on or )?outside (the edge of )?the range/,
      },
      { args: ["--format", "xml"], message: "lab-generate: option '--format <format>' argument 'xml' is invalid. Allowed choices are ndjson, csv." },
      { args: ["--format", "csv"], message: /^lab-generate: --format csv does not match --out \S+events\.ndjson \(a \.ndjson file\); allowed: --format ndjson, or no --format \(it is taken from the extension\)$/ },
      { args: ["--rate", "0"], message: /^lab-generate: --rate 0 is not allowed; allowed: a number of events per second > 0/ },
      { args: ["--unknown-flag"], message: "lab-generate: unknown option '--unknown-flag'" },
    ];
    for (const { args, message } of cases) {
      it(`${args.join(" ")}`, async () => {
        const out = path.join(directory, "events.ndjson");
        const truth = path.join(directory, "truth.json");
        const run = await labGenerateHere(["--days", "0.5", "--end", END, ...args, "--out", out, "--truth", truth]);
        expect(run.exitCode).to.equal(2);
        const lines = run.stderr.trimEnd().split("\n");
        expect(lines, run.stderr).to.have.length(1);
        if (typeof message === "string") expect(lines[0]).to.equal(message);
        else expect(lines[0]).to.match(message);
        expect(fs.readdirSync(directory)).to.deep.equal([]);
      });
    }

    it("names a missing output directory and leaves an existing --out file untouched when another flag is bad", async () => {
      const missing = path.join(directory, "nope", "events.ndjson");
      const run = await labGenerateHere([...SMALL, "--out", missing]);
      expect(run.exitCode).to.equal(2);
      expect(run.stderr).to.equal(`lab-generate: --out ${missing}: directory ${path.join(directory, "nope")} does not exist\n`);

      const existing = path.join(directory, "keep.ndjson");
      fs.writeFileSync(existing, "keep me\n");
      const bad = await labGenerateHere([...SMALL, "--scenario", "chaos", "--out", existing]);
      expect(bad.exitCode).to.equal(2);
      expect(fs.readFileSync(existing, "utf8")).to.equal("keep me\n");
    });

    it("refuses an --error-out that cannot be the error log's file, naming it, and writes nothing", async () => {
      const out = path.join(directory, "events.ndjson");
      const cases: Array<[string[], string]> = [
        [["--out", out, "--error-out", "-"], 'lab-generate: --error-out "-" is not allowed; allowed: a file path (the access log is the one that can go to stdout)\n'],
        [["--out", out, "--error-out", path.join(directory, "errors.csv")], `lab-generate: --error-out ${path.join(directory, "errors.csv")} is not allowed: the error log is written as NDJSON only; allowed: a file path ending in .ndjson, .jsonl or anything but .csv\n`],
        [["--out", out, "--error-out", out], `lab-generate: --error-out and --out name the same file ${out}\n`],
        [["--es", "http://127.0.0.1:9", "--error-out", path.join(directory, "errors.ndjson")], "lab-generate: --error-out applies to --out only; with --es the error log goes to an index of its own (--no-error-log leaves it out)\n"],
        [["--error-out", path.join(directory, "errors.ndjson")], "lab-generate: 2 problems:\n  - no destination: give --out FILE, --out - (stdout), --es URL or --plot FILE.svg\n  - --error-out applies to --out only; give --out FILE for the access log too\n"],
        [["--out", out, "--no-error-log"], "lab-generate: --no-error-log applies to --es only; a file gets nginx's error log only when --error-out names one\n"],
        [["--out", "-", "--error-out", path.join(directory, "nope", "errors.ndjson")], `lab-generate: --error-out ${path.join(directory, "nope", "errors.ndjson")}: directory ${path.join(directory, "nope")} does not exist\n`],
        [["--follow", "--out", "-", "--error-out", path.join(directory, "errors.ndjson")], "lab-generate: --error-out cannot be used with --follow, which writes the access log only\n"],
      ];
      for (const [args, message] of cases) {
        const run = await labGenerateHere([...(args.includes("--follow") ? ["--days", "0.5"] : SMALL), ...args]);
        expect(run.exitCode, args.join(" ")).to.equal(2);
        expect(run.stderr, args.join(" ")).to.equal(message);
        expect(fs.readdirSync(directory), args.join(" ")).to.deep.equal([]);
      }
    });

    it("asks for a destination, and for only one", async () => {
      expect((await labGenerateHere(SMALL)).stderr).to.equal("lab-generate: no destination: give --out FILE, --out - (stdout), --es URL or --plot FILE.svg\n");
      const both = await labGenerateHere([...SMALL, "--out", "-", "--es", "http://127.0.0.1:9200"]);
      expect(both.exitCode).to.equal(2);
      expect(both.stderr).to.equal("lab-generate: --out and --es were both given; choose one destination per run\n");
    });

    it("rejects Elasticsearch flags that cannot work before contacting any server", async () => {
      const cases: Array<[string[], string]> = [
        [["--es", "localhost:9200"], 'lab-generate: --es "localhost:9200" must use http or https\n'],
        [["--es", "http://127.0.0.1:9", "--index-prefix", "Lab Data"], 'lab-generate: --index-prefix "Lab Data" is not allowed: use 1 to 200 lowercase letters, digits, "-", "_" or ".", starting with a letter or digit\n'],
        [["--es", "http://127.0.0.1:9", "--index", "other-index"], 'lab-generate: --index "other-index" must start with "lab-access-", so that the lab\'s index template (lab-access-*) gives it its mappings\n'],
        [["--es", "http://127.0.0.1:9", "--concurrency", "0"], "lab-generate: --concurrency must be a whole number from 1 to 64, got 0\n"],
        [["--out", "-", "--index-prefix", "x"], "lab-generate: --index-prefix applies to --es only, not to --out\n"],
        [["--es", "http://127.0.0.1:9", "--index-prefix", "a".repeat(196)], `lab-generate: --index-prefix "${"a".repeat(196)}" is too long for its error log's prefix "${"a".repeat(196)}-error" (over 200 characters); use a shorter prefix, or leave the error log out\n`],
      ];
      for (const [args, message] of cases) {
        const run = await labGenerateHere([...SMALL, ...args]);
        expect(run.exitCode, args.join(" ")).to.equal(2);
        expect(run.stderr).to.equal(message);
      }
    });
  });

  describe("parsing helpers", () => {
    it("reads ISO-8601 times with a zone or as a UTC date, and refuses the rest", () => {
      expect(parseIsoTime("2026-11-17T01:30:00+01:00")?.toISOString()).to.equal("2026-11-17T00:30:00.000Z");
      expect(parseIsoTime("2026-11-17")?.toISOString()).to.equal("2026-11-17T00:00:00.000Z");
      expect(parseIsoTime("2026-11-17T10:00Z")?.toISOString()).to.equal("2026-11-17T10:00:00.000Z");
      expect(parseIsoTime("2026-11-17T10:00:00.123Z")?.toISOString()).to.equal("2026-11-17T10:00:00.123Z");
      for (const bad of ["2026-11-17T10:00:00", "17.11.2026", "2026-02-29", "2026-11-17T24:00:00Z", "", "now"]) {
        expect(parseIsoTime(bad), bad).to.equal(undefined);
      }
    });

    it("reads an anomaly spec, with a target that may hold commas", () => {
      const problems: string[] = [];
      expect(parseAnomalySpec("rare_agent,minutes=15,magnitude=4,target=Mozilla/5.0 (X11, Linux), like Gecko", 1, problems)).to.deep.equal({
        kind: "rare_agent",
        durationMinutes: 15,
        magnitude: 4,
        target: "Mozilla/5.0 (X11, Linux), like Gecko",
      });
      expect(parseAnomalySpec("spike,start=2026-11-16T18:00:00Z", 2, problems)).to.deep.equal({ kind: "spike", start: new Date("2026-11-16T18:00:00Z") });
      expect(problems).to.deep.equal([]);
      parseAnomalySpec("spike,magnitude=lots", 3, problems);
      expect(problems).to.deep.equal(['--anomaly #3 "spike,magnitude=lots": magnitude "lots" is not a number']);
    });
  });

  describe("into Elasticsearch (real server)", function () {
    let client: Client;
    let url: string;
    let credentials: Record<string, string>;
    const prefix = `lab-test-g2cli-${randomBytes(3).toString("hex")}`;

    before(function () {
      const target = requireEsTarget(this);
      url = target.url;
      credentials = { ELASTICSEARCH_USERNAME: target.username, ELASTICSEARCH_PASSWORD: target.password };
      client = new Client({ node: target.url, auth: { username: target.username, password: target.password } });
    });

    after(async () => {
      if (client === undefined || esTarget() === undefined) return;
      await deleteEverythingUnder(client, prefix);
      await client.close();
    });

    it("indexes the dataset with credentials from the environment and reports the index", async () => {
      const truthFile = path.join(directory, "truth.json");
      const run = await labGenerate([...SMALL, "--es", url, "--index-prefix", prefix, "--truth", truthFile], { env: credentials });
      expect(run.exitCode, run.stderr).to.equal(0);
      const truth = JSON.parse(fs.readFileSync(truthFile, "utf8")) as GroundTruth;
      const index = /written to index (\S+) at /.exec(run.stderr)?.[1] as string;
      expect(index.startsWith(`${prefix}-spike-2026.11.17-`)).to.equal(true);
      expect((await client.count({ index })).count).to.equal(truth.eventCount);
      const [, lines, errorIndex] = /^lab-generate: ([\d,]+) nginx error-log lines for the same requests written to index (\S+)$/m.exec(run.stderr) ?? [];
      expect(errorIndex).to.equal(`${prefix}-error${index.slice(prefix.length)}`);
      expect((await client.count({ index: errorIndex })).count).to.equal(Number(lines.replace(/,/g, "")));
      for (const anomaly of truth.anomalies) expect(run.stderr).to.include(`Anomaly Start Time ${anomaly.start} End Time ${anomaly.end}`);
    });

    it("writes the access index only with --no-error-log", async () => {
      const isolated = `${prefix}-noerr`;
      const run = await labGenerate([...SMALL, "--es", url, "--index-prefix", isolated, "--no-error-log"], { env: credentials });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stderr).not.to.include("error-log lines");
      expect(await client.indices.exists({ index: `${isolated}-error-*`, allow_no_indices: false })).to.equal(false);
      expect(await client.indices.exists({ index: `${isolated}-spike-*`, allow_no_indices: false })).to.equal(true);
    });

    it("says the password is wrong, exits 1 and creates nothing", async () => {
      const isolated = `${prefix}-pw`;
      const run = await labGenerate([...SMALL, "--es", url, "--index-prefix", isolated], { env: { ...credentials, ELASTICSEARCH_PASSWORD: "wrong-password" } });
      expect(run.exitCode).to.equal(1);
      expect(run.stderr).to.equal(`lab-generate: Elasticsearch at ${url.replace(/\/$/, "")} refused the password for user '${credentials.ELASTICSEARCH_USERNAME}': 401 Unauthorized on GET /; check the credentials\n`);
      expect(await client.indices.existsIndexTemplate({ name: isolated })).to.equal(false);
      expect(await client.indices.exists({ index: `${isolated}-*`, allow_no_indices: false })).to.equal(false);
    });

    it("stops on Ctrl-C with exit 130 and leaves the index marked incomplete", async () => {
      const { execa } = await import("execa");
      const isolated = `${prefix}-int`;
      const child = execa(BIN, ["--days", "3", "--end", END, "--es", url, "--index-prefix", isolated], { reject: false, env: credentials });
      // Interrupt once documents are arriving.
      const deadline = Date.now() + 60_000;
      let indexed = 0;
      while (indexed === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const names = Object.keys(await client.indices.get({ index: `${isolated}-*`, allow_no_indices: true }));
        // A count in the instant between the index's creation and its shard's start is refused
        // (no_shard_available_action_exception, seen in CI); that is "nothing yet", not a failure.
        if (names.length > 0) indexed = await client.count({ index: names[0] }).then((answer) => answer.count, () => 0);
      }
      child.kill("SIGINT");
      const result = await child;
      expect(result.exitCode, String(result.stderr)).to.equal(130);
      expect(withoutNpmNoise(String(result.stderr)), String(result.stderr)).to.match(/interrupted after \d+ documents; index \S+ is incomplete \(its _meta\.lab\.status stays "indexing"\)$/);
      const [index] = Object.keys(await client.indices.get({ index: `${isolated}-*` }));
      const meta = (await client.indices.getMapping({ index }))[index].mappings._meta as { lab: { status: string } };
      expect(meta.lab.status).to.equal("indexing");
    });

    it("reports rejected documents with their number and reasons, exit 1", async () => {
      const index = `${prefix}-conflict`;
      const plan = planDataset({ days: 0.5, meanRatePerSecond: 0.5, seed: 7, end: new Date(END) });
      await client.indices.create({
        index,
        mappings: {
          _meta: { lab: { generator: "elastic-ml-lab", status: "indexing", truth: plan.truth, updatedAt: END } },
          properties: { source: { properties: { geo: { properties: { country_iso_code: { type: "long" } } } } } },
        },
      });
      const run = await labGenerate([...SMALL, "--es", url, "--index-prefix", prefix, "--index", index], { env: credentials });
      expect(run.exitCode).to.equal(1);
      expect(run.stderr).to.match(new RegExp(`^lab-generate: (\\d+) of \\1 documents were rejected by index ${index}; first reasons: \\d+x document_parsing_exception: failed to parse field \\[source\\.geo\\.country_iso_code\\] of type \\[long\\]`));
      expect(run.stderr.trimEnd().split("\n")).to.have.length(1);
    });
  });

  describe("into an Elasticsearch that is not there", () => {
    it("names the URL and what was tried, exit 1, within a bounded time", async () => {
      const net = await import("node:net");
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as import("node:net").AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      const started = Date.now();
      const run = await labGenerate([...SMALL, "--es", `http://127.0.0.1:${port}`], { env: { ELASTICSEARCH_USERNAME: "elastic", ELASTICSEARCH_PASSWORD: "x" } });
      expect(run.exitCode).to.equal(1);
      expect(run.stderr).to.match(new RegExp(`^lab-generate: cannot reach Elasticsearch at http://127\\.0\\.0\\.1:${port}: GET / failed \\(2 attempts\\): .*ECONNREFUSED.*\\n$`));
      expect(Date.now() - started).to.be.lessThan(30_000);
    });
  });
});
