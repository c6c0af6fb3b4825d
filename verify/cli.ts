// `lab verify`: did the ML jobs find what the generator planted? Reads each job's results from
// Elasticsearch, compares them with the ground truth and prints a table (or JSON). Exit code 0 only
// when every injected anomaly was found; 1 when one was missed or a job has no results; 2 for bad
// input.

import { writeFileSync } from "node:fs";
import type { Client } from "@elastic/elasticsearch";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { isExpectedFailure, UsageError } from "../generator/errors";
import type { GroundTruth } from "../generator/types";
import { createClient } from "../generator/sinks/elasticsearch-client";
import { DEFAULT_INDEX_PATTERN, loadJobDefinitions } from "../ml-jobs";
import { compareResults, type VerifyReport } from "./compare";
import { formatReport } from "./format";
import { collectJobResults } from "./index";
import { expectFromTruth, formatExpectReport } from "./expect";
import { resolveJobs } from "./jobs";
import { renderRatePlot, utcMinute } from "./plot";
import { readRateSeries } from "./rate";
import { readTruthFile, readTruthFromIndex } from "./truth";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

interface VerifyOptions {
  es?: string;
  user?: string;
  password?: string;
  index: string;
  truth?: string;
  job: string[];
  jobPrefix?: string;
  threshold: number;
  json?: boolean;
  plot?: string;
  timeout: number;
}

function positiveNumber(name: string, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max) throw new InvalidArgumentError(`${name} must be a number above 0 and at most ${max}, got "${value}"`);
    return n;
  };
}

function esClient(options: VerifyOptions, env: NodeJS.ProcessEnv): Client {
  const url = options.es ?? env.ELASTICSEARCH_URL;
  if (url === undefined || url === "") throw new UsageError("no Elasticsearch to read from: pass --es URL or set ELASTICSEARCH_URL");
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--es: "${url}" is not a URL; expected e.g. http://127.0.0.1:9200`);
  }
  const username = options.user ?? env.ELASTICSEARCH_USERNAME ?? "elastic";
  const password = options.password ?? env.ELASTICSEARCH_PASSWORD;
  // One way to build a client: the generator's checks the scheme, maps credentials and bounds every request.
  return createClient({
    url,
    ...(password === undefined ? {} : { username, password }),
    requestTimeoutMs: options.timeout * 1000,
  });
}

async function runVerify(options: VerifyOptions, io: CliIo): Promise<number> {
  const library = loadJobDefinitions();
  const client = esClient(options, io.env);
  try {
    const truth: GroundTruth = options.truth !== undefined ? readTruthFile(options.truth) : await readTruthFromIndex(client, options.index);
    const jobs = await resolveJobs(client, { jobIds: options.job, prefix: options.jobPrefix }, library);
    const results = await collectJobResults(client, jobs);
    const report: VerifyReport = compareResults(truth, results.map((r) => r.run), { scoreThreshold: options.threshold });
    for (const r of results) {
      if (r.recordScoreFloor > 0) io.stderr(`lab verify: ${r.run.jobId} has more than 10000 records; read only those scoring ${r.recordScoreFloor} or more\n`);
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
      io.stderr(`lab verify: wrote ${options.plot}\n`);
    }
    io.stdout(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return report.allFound ? 0 : 1;
  } finally {
    await client.close();
  }
}

interface ExpectOptions {
  es?: string;
  user?: string;
  password?: string;
  index: string;
  truth?: string;
  json?: boolean;
  timeout: number;
}

async function runExpect(options: ExpectOptions, io: CliIo): Promise<number> {
  let truth: GroundTruth;
  let source: string;
  if (options.truth !== undefined) {
    truth = readTruthFile(options.truth);
    source = `--truth ${options.truth}`;
  } else {
    const client = esClient({ ...options, job: [], threshold: 50 }, io.env);
    try {
      truth = await readTruthFromIndex(client, options.index);
      source = options.index;
    } finally {
      await client.close();
    }
  }
  const report = expectFromTruth(truth, source);
  io.stdout(options.json === true ? `${JSON.stringify({ ...report, alarms: report.alarms.length }, null, 2)}\n` : `${formatExpectReport(report)}\n`);
  return report.evaluation.windows.every((w) => w.detected) ? 0 : 1;
}

/** Runs the CLI with the given arguments (without "node lab"); returns the exit code. */
export async function main(argv: string[], io: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env }): Promise<number> {
  let exitCode = 0;
  const program = new Command("lab")
    .description("The Elastic ML training lab")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program
    .command("verify")
    .description("compare the ML jobs' results with the ground truth; exit 0 only if every injected anomaly was found")
    .option("--es <url>", "Elasticsearch URL (default: $ELASTICSEARCH_URL)")
    .option("--user <name>", "user name (default: $ELASTICSEARCH_USERNAME or elastic)")
    .option("--password <password>", "password (default: $ELASTICSEARCH_PASSWORD; prefer the variable, flags show in ps)")
    .option("--index <pattern>", "the lab's index or pattern: ground truth in its mapping _meta, rate for --plot", DEFAULT_INDEX_PATTERN)
    .option("--truth <file>", "ground-truth JSON written by lab-generate --truth (default: the index _meta)")
    .option("--job <id>", "a job to verify (repeatable; default: every job in the group elastic-ml-lab)", (value: string, list: string[]) => [...list, value], [] as string[])
    .option("--job-prefix <prefix>", "verify every job whose id starts with this")
    .option("--threshold <score>", "record score that counts as found (and, outside every window, as a false alarm)", positiveNumber("--threshold", 100), 50)
    .option("--json", "print the report as JSON")
    .option("--plot <file.svg>", "also draw the request rate, the anomaly windows and the ML scores as SVG")
    .option("--timeout <seconds>", "per-request timeout", positiveNumber("--timeout", 600), 30)
    .action(async (options: VerifyOptions) => {
      exitCode = await runVerify(options, io);
    });
  program
    .command("expect")
    .description("the expected answer: rebuild the dataset from its ground truth and run the offline reference detector (no ML needed)")
    .option("--truth <file>", "ground-truth JSON written by lab-generate --truth")
    .option("--es <url>", "read the ground truth from the index _meta instead (default: $ELASTICSEARCH_URL)")
    .option("--user <name>", "user name (default: $ELASTICSEARCH_USERNAME or elastic)")
    .option("--password <password>", "password (default: $ELASTICSEARCH_PASSWORD)")
    .option("--index <pattern>", "the lab's index or pattern holding the ground truth", DEFAULT_INDEX_PATTERN)
    .option("--json", "print the result as JSON")
    .option("--timeout <seconds>", "per-request timeout", positiveNumber("--timeout", 600), 30)
    .action(async (options: ExpectOptions) => {
      exitCode = await runExpect(options, io);
    });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isExpectedFailure(error)) {
      io.stderr(`lab ${argv[0] === "expect" ? "expect" : "verify"}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`lab: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
