// `lab-verify`: two commands for after the data is generated.
//   verify  did the ML jobs find what the generator planted? Reads each job's results from
//           Elasticsearch, compares them with the ground truth and prints a table (or JSON). Exit
//           code 0 only when every injected anomaly was found; 1 when one was missed or a job has
//           no results; 2 for bad input. With --live (live-command.ts), it waits for the window a
//           follow-mode generator plants and checks that ML scored it and an alert arrived.
//   expect  the expected answer without ML: rebuilds the dataset from its ground truth and runs
//           the offline reference detector. Exit code 0 when every window stands out, else 1.
//   timings where the time of `pulumi up` went: the lab's `timings` stack output (from a file or
//           standard input) as a timeline (timeline.ts). Exit code 0, or 2 for input that is not one.
// The bin is `lab-verify`, not `lab`: `npx lab` outside the project folder offers to install an
// unrelated npm package. Both commands reach Elasticsearch with lab-generate's connection flags and
// make the same first contact, so a wrong URL reads the same in both tools.

import { readFileSync, writeFileSync } from "node:fs";
import type { Client } from "@elastic/elasticsearch";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { isExpectedFailure, UsageError } from "../generator/errors";
import { systemClock, type Clock } from "../generator/clock";
import type { GroundTruth } from "../generator/types";
import { addConnectionOptions, CREDENTIALS_HELP, parseConnection, type ConnectionFlags } from "../generator/connection-flags";
import { checkWithClient, createClient, type ElasticsearchConnection } from "../generator/sinks/elasticsearch-client";
import { DEFAULT_INDEX_PATTERN, loadJobDefinitions } from "../ml-jobs";
import { compareResults, type VerifyReport } from "./compare";
import { formatReport } from "./format";
import { collectJobResults } from "./index";
import { expectFromTruth, formatExpectReport } from "./expect";
import { checkLiveFlags, DEFAULT_MARGIN_MS, DEFAULT_WAIT_MS, runLive, type LiveFlags } from "./live-command";
import { formatDuration } from "../generator/duration";
import { resolveJobs } from "./jobs";
import { renderRatePlot, utcMinute } from "./plot";
import { readRateSeries } from "./rate";
import { readTruthFile, readTruthFromIndex } from "./truth";
import { formatTimeline, parseTimings } from "./timeline";

export const BIN = "lab-verify";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** For --live's waits; the system clock unless a test gives its own */
  clock?: Clock;
  /** Standard input, for `timings` without a file; the process's unless a test gives its own */
  stdin?: { isTTY: boolean; read: () => Promise<string> };
}

interface ConnectionOptions extends ConnectionFlags {
  es?: string;
}

interface VerifyOptions extends ConnectionOptions, LiveFlags {
  index: string;
  truth?: string;
  job: string[];
  jobPrefix?: string;
  threshold: number;
  json?: boolean;
  plot?: string;
}

interface ExpectOptions extends ConnectionOptions {
  index: string;
  truth?: string;
  json?: boolean;
}

const WHERE_TO_RUN = `Run it from the project folder (npx ${BIN} ...), or from anywhere after \`npm link\` in the project folder.`;

// Each line under "Examples:" runs as written (test/verify/cli.test.ts runs them in this order), so
// the first one makes the truth.json that the others read.
const EXAMPLES_HELP = `Examples:
  lab-generate --days 3 --seed 42 --out events.ndjson --truth truth.json
  ${BIN} expect --truth truth.json
  ${BIN} expect --truth truth.json --json
  ELASTICSEARCH_PASSWORD=... ${BIN} verify --es http://127.0.0.1:9200 --truth truth.json

${CREDENTIALS_HELP}`;

function positiveNumber(name: string, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max) throw new InvalidArgumentError(`${name} must be a number above 0 and at most ${max}, got "${value}"`);
    return n;
  };
}

function connectionFor(options: ConnectionOptions, env: NodeJS.ProcessEnv): ElasticsearchConnection {
  const url = options.es ?? env.ELASTICSEARCH_URL;
  if (url === undefined || url === "") throw new UsageError("no Elasticsearch to read from: pass --es URL or set ELASTICSEARCH_URL");
  const problems: string[] = [];
  const connection = parseConnection(url, options, env, problems);
  if (problems.length > 0) throw new UsageError(problems);
  return connection;
}

/**
 * Connects, checks that the server is a supported Elasticsearch (the check lab-generate makes
 * first), runs `work` and closes the client. Without the check, a URL that is not Elasticsearch
 * (Kibana's port, say) answers the first read with 404 and reads as "no index matches".
 */
async function withElasticsearch<T>(options: ConnectionOptions, env: NodeJS.ProcessEnv, work: (client: Client) => Promise<T>): Promise<T> {
  const connection = connectionFor(options, env);
  const client = createClient(connection);
  try {
    await checkWithClient(client, connection);
    return await work(client);
  } finally {
    await client.close();
  }
}

async function runVerify(options: VerifyOptions, io: CliIo): Promise<number> {
  const live = checkLiveFlags(options);
  const library = loadJobDefinitions();
  if (live !== undefined) {
    const command = { index: options.index, jobIds: options.job, jobPrefix: options.jobPrefix, threshold: options.threshold, json: options.json === true, run: live };
    return withElasticsearch(options, io.env, (client) => runLive(client, command, library, { stdout: io.stdout, stderr: io.stderr, clock: io.clock ?? systemClock }));
  }
  return withElasticsearch(options, io.env, async (client) => {
    const truth: GroundTruth = options.truth !== undefined ? readTruthFile(options.truth) : await readTruthFromIndex(client, options.index);
    const jobs = await resolveJobs(client, { jobIds: options.job, prefix: options.jobPrefix }, library);
    const results = await collectJobResults(client, jobs);
    const report: VerifyReport = compareResults(truth, results.map((r) => r.run), { scoreThreshold: options.threshold });
    for (const r of results) {
      if (r.recordScoreFloor > 0) io.stderr(`${BIN} verify: ${r.run.jobId} has more than 10000 records; read only those scoring ${r.recordScoreFloor} or more\n`);
    }
    if (options.plot !== undefined) {
      const series = await readRateSeries(client, options.index, truth);
      const svg = await renderRatePlot({
        series,
        bucketMinutes: 15,
        anomalies: truth.anomalies,
        scores: results.map((r) => ({ jobId: r.run.jobId, buckets: r.buckets })),
        title: `Scenario "${truth.scenario}", seed ${truth.seed}, ${utcMinute(truth.start)} to ${utcMinute(truth.end)}: requests per 15 minutes, injected anomalies and ML scores`,
      });
      try {
        writeFileSync(options.plot, svg);
      } catch (error) {
        throw new UsageError(`--plot ${options.plot}: cannot write it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      io.stderr(`${BIN} verify: wrote ${options.plot}\n`);
    }
    io.stdout(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return report.allFound ? 0 : 1;
  });
}

async function runExpect(options: ExpectOptions, io: CliIo): Promise<number> {
  let truth: GroundTruth;
  let source: string;
  if (options.truth !== undefined) {
    truth = readTruthFile(options.truth);
    source = `--truth ${options.truth}`;
  } else {
    if (options.es === undefined && (io.env.ELASTICSEARCH_URL ?? "") === "") {
      throw new UsageError("no ground truth to read: pass --truth FILE (written by lab-generate --truth), or --es URL (or set ELASTICSEARCH_URL) to read it from the index _meta");
    }
    truth = await withElasticsearch(options, io.env, (client) => readTruthFromIndex(client, options.index));
    source = options.index;
  }
  const report = expectFromTruth(truth, source);
  io.stdout(options.json === true ? `${JSON.stringify({ ...report, alarms: report.alarms.length }, null, 2)}\n` : `${formatExpectReport(report)}\n`);
  return report.evaluation.windows.every((w) => w.detected) ? 0 : 1;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function runTimings(file: string | undefined, io: CliIo): Promise<number> {
  let text: string;
  if (file === undefined || file === "-") {
    const stdin = io.stdin ?? { isTTY: process.stdin.isTTY === true, read: readProcessStdin };
    if (stdin.isTTY) throw new UsageError("no timings to read: pipe them in (pulumi stack output timings --json | lab-verify timings) or name a file");
    text = await stdin.read();
  } else {
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`${file}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  io.stdout(`${formatTimeline(parseTimings(text, file === undefined || file === "-" ? "standard input" : file))}\n`);
  return 0;
}

function buildProgram(io: CliIo, onExit: (code: number) => void): Command {
  const program = new Command(BIN)
    .description("Check the lab's answers: verify compares the ML jobs' results with the ground truth; expect gives the expected answer without ML.")
    .helpOption("-h, --help", "show this help")
    .addHelpText("after", `\n${EXAMPLES_HELP}\n\n${WHERE_TO_RUN}\n`)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(`${BIN}: ${text.replace(/^error: /, "")}`) });
  const verify = program
    .command("verify")
    .description("compare the ML jobs' results with the ground truth; exit 0 only if every injected anomaly was found")
    .option("--es <url>", "Elasticsearch URL (default: $ELASTICSEARCH_URL)");
  addConnectionOptions(verify)
    .option("--index <pattern>", "the lab's index or pattern: ground truth in its mapping _meta, rate for --plot", DEFAULT_INDEX_PATTERN)
    .option("--truth <file>", "ground-truth JSON written by lab-generate --truth (default: the index _meta)")
    .option("--job <id>", "a job to verify (repeatable; default: every job in the group elastic-ml-lab)", (value: string, list: string[]) => [...list, value], [] as string[])
    .option("--job-prefix <prefix>", "verify every job whose id starts with this")
    .option("--threshold <score>", "record score that counts as found (and, outside every window, as a false alarm)", positiveNumber("--threshold", 100), 50)
    .option("--json", "print the report as JSON")
    .option("--plot <file.svg>", "also draw the request rate, the anomaly windows and the ML scores as SVG")
    .option("--live", "follow mode: wait for the live window the generator plants, then check that ML scored it and an alert arrived")
    .option("--alerts-index <name>", "with --live: the index the lab's alerts are written to (default: lab-<cohort>-alerts, from the dataset index's name)")
    .option("--margin <duration>", `with --live: after the window's end, wait this long before looking for its record and alert (default: ${formatDuration(DEFAULT_MARGIN_MS)})`)
    .option("--wait <duration>", `with --live: give up after this long, counted from the start (default: ${formatDuration(DEFAULT_WAIT_MS)})`)
    .option("--window <id>", "with --live: the live window to check, such as live-spike-1 (default: the first live window)")
    .addHelpText("after", `\n${WHERE_TO_RUN}\n`)
    .action(async (options: VerifyOptions) => onExit(await runVerify(options, io)));
  const expect = program
    .command("expect")
    .description("the expected answer: rebuild the dataset from its ground truth and run the offline reference detector (no ML needed)")
    .option("--truth <file>", "ground-truth JSON written by lab-generate --truth")
    .option("--es <url>", "read the ground truth from the index _meta instead (default: $ELASTICSEARCH_URL)");
  addConnectionOptions(expect)
    .option("--index <pattern>", "the lab's index or pattern holding the ground truth", DEFAULT_INDEX_PATTERN)
    .option("--json", "print the result as JSON")
    .addHelpText("after", `\n${WHERE_TO_RUN}\n`)
    .action(async (options: ExpectOptions) => onExit(await runExpect(options, io)));
  const timings = program
    .command("timings")
    .description("where the time of `pulumi up` went: the stack's timings output as a timeline")
    .argument("[file]", "the output of `pulumi stack output timings --json` (default: standard input)")
    .addHelpText("after", `\nExample:\n  pulumi stack output timings --json | ${BIN} timings\n\n${WHERE_TO_RUN}\n`)
    .action(async (file: string | undefined) => onExit(await runTimings(file, io)));
  for (const command of [verify, expect, timings]) {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(`${BIN} ${command.name()}: ${text.replace(/^error: /, "")}`) });
  }
  return program;
}

/** Runs the CLI with the given arguments (without node and the bin); returns the exit code. */
export async function main(argv: string[], io: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env }): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isExpectedFailure(error)) {
      io.stderr(`${BIN} ${argv[0] === "expect" || argv[0] === "timings" ? argv[0] : "verify"}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
