// `lab-generate`: labelled HTTP access logs to a file, stdout or Elasticsearch.
//
// Order of work, so that bad input changes nothing: parse every flag and collect every problem,
// plan the dataset (which validates days, range, scenario and anomalies), check that the output
// paths can be written, and only then write. The Elasticsearch sink checks the URL and the
// credentials before it writes a template or a document. Exit codes: 0 full success, 1 a failure
// while working (LabError), 2 bad input (UsageError), 130 interrupted (Ctrl-C), 143 terminated
// (SIGTERM), 129 hung up (SIGHUP).

import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { isExpectedFailure, LabError, UsageError } from "./errors";
import type { Clock } from "./clock";
import { ANOMALY_KINDS, type AnomalyRequest, type GroundTruth } from "./types";
import { planDataset, DEFAULT_MEAN_RATE_PER_SECOND, type DatasetOptions, type DatasetPlan } from "./plan";
import { SCENARIOS, DEFAULT_SCENARIO } from "./scenarios";
import { writeDataset, type DatasetSink, type GenerateDatasetResult } from "./index";
import { OutputClosedError, STDOUT, checkWritableDestination, writeFileAtomically } from "./sinks/file-output";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_FLUSH_BYTES,
  DEFAULT_INDEX_PREFIX,
  checkBulkSettings,
  checkIndexName,
  checkIndexPrefix,
  errorIndexPrefixFor,
  indexNameFor,
  redactUrl,
} from "./sinks/elasticsearch";
import { addConnectionOptions, CONNECTION_FLAGS, CREDENTIALS_HELP, parseConnection, type ConnectionFlags } from "./connection-flags";
import { createProgress, expectedEventCount } from "./progress";
import { generateEvents } from "./events";
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_MAX_CATCH_UP_MS, DEFAULT_OUTAGE_TIMEOUT_MS } from "./follow";
import { formatDuration, parseDuration } from "./duration";
import { runFollow, type FollowSettings } from "./follow-cli";
import { planFollow } from "./follow-plan";
import { parseAnomalySpec, parseIsoTime, parseRelativeStart } from "./anomaly-spec";

export { parseAnomalySpec, parseIsoTime, parseRelativeStart };
import { countPerBucket, renderRatePlot, utcMinute } from "../verify/plot";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/**
 * Signals that stop a run the way Ctrl-C does: stop between two chunks, remove the temporary file,
 * leave an existing destination untouched. `timeout` and cancelled CI jobs send SIGTERM, a closed
 * SSH session SIGHUP. Exit codes follow the shell's 128 + signal number.
 */
const STOP_SIGNALS = {
  SIGINT: { exitCode: EXIT_INTERRUPTED, notice: "interrupted, stopping (Ctrl-C again to quit at once)" },
  SIGTERM: { exitCode: 143, notice: "terminated (SIGTERM), stopping and cleaning up" },
  SIGHUP: { exitCode: 129, notice: "hangup (SIGHUP), stopping and cleaning up" },
} as const;
type StopSignal = keyof typeof STOP_SIGNALS;

export const DEFAULT_DAYS = 7;
export const DEFAULT_SEED = 1;

const FORMATS = ["ndjson", "csv"] as const;
type Format = (typeof FORMATS)[number];

/** Where the CLI reads its surroundings; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Follow mode's clock; default the machine's */
  clock?: Clock;
}

interface RawOptions extends ConnectionFlags {
  days?: string;
  seed?: string;
  end?: string;
  scenario?: string;
  rate?: string;
  dataset?: string;
  anomaly: string[];
  listScenarios?: boolean;
  out?: string;
  format?: string;
  truth?: string;
  errorOut?: string;
  /** false with --no-error-log */
  errorLog?: boolean;
  es?: string;
  indexPrefix?: string;
  index?: string;
  flushBytes?: string;
  concurrency?: string;
  quiet?: boolean;
  plot?: string;
  follow?: boolean;
  flushInterval?: string;
  outageTimeout?: string;
  maxCatchUp?: string;
  for?: string;
}

/** Everything the run needs, validated. */
export interface CliRun {
  datasetOptions: DatasetOptions;
  /** Absent for a plot-only run (--plot without --out or --es). */
  sink?: DatasetSink;
  truthPath?: string;
  plotPath?: string;
  quiet: boolean;
  /** True when --end was not given (or "now"): the summary then says which end to pass to get the same data again. */
  endWasDefault: boolean;
  /** Set with --follow: the run is a live stream (follow-cli.ts) and `sink` is Elasticsearch or stdout */
  follow?: FollowSettings;
}

const ANOMALY_HELP = `Anomalies (--anomaly, repeatable; replaces the scenario's list):
  KIND[,start=TIME][,minutes=N][,magnitude=X][,target=VALUE]
  KIND      one of ${ANOMALY_KINDS.join(", ")}
  start     ISO-8601 time the window opens (default: drawn from the seed, away from the edges)
  minutes   duration of the window (default: the kind's, e.g. 30 for spike); level_shift: the adaptation time
  magnitude rate factor (spike, drop, level_shift), latency factor (latency; ramp: at its end),
            5xx share (errors; new_error: 502s), requests/minute (scan, rare_agent)
  target    the affected host, URL path, client IP or user agent; must come last (may hold commas)
  A start needs an --end that puts it in the range (see the examples).`;

// Each line under "Examples:" runs as written (test/generator/cli.test.ts runs them), so a fixed
// anomaly start comes with the --end that contains it, and mixed gets the days it needs.
const EXAMPLES_HELP = `Examples:
  lab-generate --days 7 --seed 42 --out events.ndjson --truth truth.json
  lab-generate --days 2 --out events.ndjson --error-out errors.ndjson      (nginx's error log beside the access log)
  lab-generate --days 2 --scenario mixed --out events.csv
  lab-generate --days 0.5 --out - | head
  lab-generate --days 7 --scenario mixed --plot expected.svg      (the picture only, no data)
  lab-generate --days 7 --end 2026-11-24 --anomaly spike,start=2026-11-20T14:00:00Z,minutes=30,magnitude=10 --anomaly errors,target=/api/v1/products --out custom.ndjson
  ELASTICSEARCH_PASSWORD=... lab-generate --es http://127.0.0.1:9200 --scenario mixed
  lab-generate --follow --for 5s --days 0.5 --scenario live --out - > live.ndjson      (history up to now, then 5 s of live traffic)
  ELASTICSEARCH_PASSWORD=... lab-generate --follow --for 5s --es http://127.0.0.1:9200 --anomaly spike,start=+15m,minutes=20      (without --for: until Ctrl-C)

${CREDENTIALS_HELP}

Exit codes: 0 success, 1 failure while working (server, credentials, rejected documents),
  2 bad input (nothing was written), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP).

Run it from the project folder (npx lab-generate ...), or from anywhere after \`npm link\` in the
project folder.`;

function buildCommand(io: CliIo): Command {
  const collect = (value: string, previous: string[]) => [...previous, value];
  const command = new Command()
    .name("lab-generate")
    .description("Generate realistic HTTP access logs with known, labelled anomalies, to a file, stdout or Elasticsearch.")
    .helpOption("-h, --help", "show this help")
    .option("--days <n>", `length of the range in days, fractions allowed (default: ${DEFAULT_DAYS})`)
    .option("--seed <int>", `fixes every random choice (default: ${DEFAULT_SEED})`)
    .option("--end <time>", "exclusive end: ISO-8601 with Z or an offset, a date (midnight UTC) or \"now\" (default: now, to the minute)")
    .option("--scenario <name>", `named anomaly bundle (default: ${DEFAULT_SCENARIO}); see --list-scenarios`)
    .option("--rate <per-second>", `mean requests per second over a week (default: ${DEFAULT_MEAN_RATE_PER_SECOND})`)
    .option("--dataset <name>", "value of event.dataset and data_stream.dataset (default: nginx.access)")
    .option("--anomaly <spec>", "add an anomaly (repeatable), see below", collect, [] as string[])
    .option("--list-scenarios", "print the scenarios and exit")
    .option("--out <file|->", "write events to FILE, or to stdout with \"-\"")
    .addOption(new Option("--format <format>", "file format (default: from the --out extension, .csv or .ndjson; else ndjson)").choices([...FORMATS]))
    .option("--truth <file>", "write the ground truth (JSON) to FILE after a successful run")
    .option("--error-out <file>", "with --out: also write nginx's error log for the same requests to FILE (NDJSON)")
    .option("--es <url>", "index into Elasticsearch at URL, e.g. http://127.0.0.1:9200");
  return addConnectionOptions(command)
    .option("--index-prefix <prefix>", `index names start with PREFIX- (default: ${DEFAULT_INDEX_PREFIX})`)
    .option("--index <name>", "exact index name, starting with PREFIX- (default: PREFIX-SCENARIO-DAY-DIGEST)")
    .option("--no-error-log", "with --es: write the access index only, without nginx's error log in ERROR-PREFIX-SCENARIO-DAY-DIGEST (ERROR-PREFIX: PREFIX with -access replaced by -error)")
    .option("--flush-bytes <bytes>", `bytes per bulk request (default: ${DEFAULT_FLUSH_BYTES})`)
    .option("--concurrency <n>", `bulk requests in flight (default: ${DEFAULT_CONCURRENCY})`)
    .option("--plot <file.svg>", "draw the request rate per 15 minutes with the anomaly windows shaded (SVG); alone, draws without writing data")
    .option("--follow", "after the backfill (which ends now), keep writing events as their time comes, into --es or --out -, until Ctrl-C; the same command resumes")
    .option("--flush-interval <duration>", `follow mode: write at least this often (default: ${DEFAULT_FLUSH_INTERVAL_MS / 1000}s)`)
    .option("--outage-timeout <duration>", `follow mode: give up when Elasticsearch refuses writes this long (default: ${formatDuration(DEFAULT_OUTAGE_TIMEOUT_MS)})`)
    .option("--for <duration>", "follow mode: stop cleanly after this long (exit 0), e.g. 3h for a workshop; default: until Ctrl-C")
    .option("--max-catch-up <duration>", `follow mode: on a resume, write at most this much missed traffic (default: ${formatDuration(DEFAULT_MAX_CATCH_UP_MS)})`)
    .option("-q, --quiet", "no progress bar and no summary on stderr")
    .addHelpText("after", `\n${ANOMALY_HELP}\n\n${EXAMPLES_HELP}\n`)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`lab-generate: ${text.replace(/^error: /, "")}`),
    });
}

/** Runs the CLI with `argv` (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const command = buildCommand(io);
  let raw: RawOptions;
  try {
    command.parse([...argv], { from: "user" });
    raw = command.opts<RawOptions>();
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the help, or a one-line "error: ..." naming the flag.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    throw error;
  }

  if (raw.listScenarios === true) {
    io.stdout.write(describeScenarios());
    return EXIT_OK;
  }

  const controller = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const onStopSignal = (signal: StopSignal) => {
    if (stoppedBy !== undefined) process.exit(STOP_SIGNALS[signal].exitCode);
    stoppedBy = signal;
    // After a hangup the terminal is gone and writing to it fails; that must not stop the clean-up.
    if (signal === "SIGHUP") io.stderr.on("error", () => undefined);
    io.stderr.write(`\nlab-generate: ${STOP_SIGNALS[signal].notice}\n`);
    controller.abort();
  };
  const listeners = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((signal) => [signal, () => onStopSignal(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  let run: CliRun | undefined;
  try {
    run = parseRun(raw, io);
    if (run.follow !== undefined) return await follow(run, run.follow, io, controller.signal, () => stoppedBy);
    const plan = planForCli(run.datasetOptions);
    checkDestinations(run);
    const started = Date.now();
    const written = run.sink === undefined ? undefined : await execute(plan, run.sink, run, io, controller.signal);
    const plotted = run.plotPath === undefined ? undefined : await writePlot(plan, run.plotPath, controller.signal);
    const truth = written?.truth ?? { ...plan.truth, eventCount: plotted?.count };
    if (run.truthPath !== undefined) writeTruth(run.truthPath, truth, io);
    if (!run.quiet) io.stderr.write(summary({ plan, truth, written, tookMs: Date.now() - started }, run));
    return EXIT_OK;
  } catch (error) {
    if (error instanceof OutputClosedError) return readerStopped(error, run, io);
    if (stoppedBy !== undefined && error instanceof LabError) {
      io.stderr.write(`lab-generate: ${error.message}\n`);
      return STOP_SIGNALS[stoppedBy].exitCode;
    }
    if (isExpectedFailure(error)) {
      io.stderr.write(`lab-generate: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`lab-generate: unexpected failure, please report it:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  }
}

/** Follow mode: checks the plan as planDataset would (bad input exits 2 before anything is written), then streams. */
async function follow(run: CliRun, settings: FollowSettings, io: CliIo, signal: AbortSignal, stoppedBy: () => StopSignal | undefined): Promise<number> {
  const { end, ...options } = run.datasetOptions;
  try {
    planFollow(options, end);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.problems.map(renameLibraryKeys));
    throw error;
  }
  if (run.truthPath !== undefined) checkWritableDestination("--truth", run.truthPath);
  const sink = run.sink!;
  await runFollow(
    {
      options,
      destination: sink.kind === "elasticsearch" ? { kind: "elasticsearch", connection: sink.connection, indexPrefix: sink.indexPrefix ?? DEFAULT_INDEX_PREFIX, index: sink.index } : { kind: "stdout" },
      settings,
      truthPath: run.truthPath,
      quiet: run.quiet,
    },
    { stdout: io.stdout, stderr: io.stderr, clock: io.clock },
    signal,
  );
  const signalName = stoppedBy();
  return signalName === undefined ? EXIT_OK : STOP_SIGNALS[signalName].exitCode;
}

/**
 * The reader of stdout stopped reading (`| head`). That is normal on a pipe, so stop quietly with
 * exit 0, as Unix tools do. Only a file the user asked for (--error-out, --truth, --plot), which is then not
 * written, is worth a word and a failure.
 */
function readerStopped(error: OutputClosedError, run: CliRun | undefined, io: CliIo): number {
  const errorOut = run?.sink !== undefined && run.sink.kind !== "elasticsearch" ? run.sink.errorPath : undefined;
  const unwritten = [["--error-out", errorOut], ["--truth", run?.truthPath], ["--plot", run?.plotPath]].filter(([, file]) => file !== undefined && file !== STDOUT);
  if (unwritten.length === 0) return EXIT_OK;
  io.stderr.write(`lab-generate: ${error.message}; not written: ${unwritten.map(([flag, file]) => `${flag} ${file}`).join(", ")}\n`);
  return EXIT_FAILURE;
}

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, now: () => new Date() };
}

/** Turns the raw flags into a validated run, gathering every problem into one UsageError. */
export function parseRun(raw: RawOptions, io: Pick<CliIo, "env" | "now">): CliRun {
  const problems: string[] = [];
  const number = (flag: string, value: string | undefined, integer: boolean): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = value.trim() === "" ? Number.NaN : Number(value);
    // A whole number past 2^53 is read as a nearby one, so it cannot be used as given; say so rather than "not a whole number".
    if (integer && Number.isInteger(parsed) && !Number.isSafeInteger(parsed)) {
      problems.push(`${flag} ${value} is too large; allowed: a whole number from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`);
      return undefined;
    }
    if (!Number.isFinite(parsed) || (integer && !Number.isSafeInteger(parsed))) {
      problems.push(`${flag} ${JSON.stringify(value)} is not ${integer ? "a whole number" : "a number"}`);
      return undefined;
    }
    return parsed;
  };

  const days = number("--days", raw.days, false) ?? DEFAULT_DAYS;
  const seed = number("--seed", raw.seed, true) ?? DEFAULT_SEED;
  const meanRatePerSecond = number("--rate", raw.rate, false);
  let end: Date | undefined;
  if (raw.end === undefined || raw.end === "now") {
    end = new Date(Math.floor(io.now().getTime() / 60_000) * 60_000);
  } else {
    const parsed = parseIsoTime(raw.end);
    if (parsed === undefined) problems.push(`--end ${JSON.stringify(raw.end)} is not an ISO-8601 time; allowed: 2026-11-24T00:00:00Z, 2026-11-24T01:00+01:00, 2026-11-24 (midnight UTC) or "now"`);
    end = parsed;
  }
  const anomalies = raw.anomaly.length === 0 ? undefined : raw.anomaly.map((spec, i) => parseAnomalySpec(spec, i + 1, problems));

  // Output: exactly one destination.
  const format = fileFormat(raw.format as Format | undefined, raw.out, problems);
  const esOnly: Array<[string, unknown]> = [
    ["--index-prefix", raw.indexPrefix], ["--index", raw.index], ["--flush-bytes", raw.flushBytes], ["--concurrency", raw.concurrency],
    ...CONNECTION_FLAGS.map(([flag, key]): [string, unknown] => [flag, raw[key]]),
  ];
  let sink: DatasetSink | undefined;
  if (raw.out !== undefined && raw.es !== undefined) {
    problems.push("--out and --es were both given; choose one destination per run");
  } else if (raw.out === undefined && raw.es === undefined) {
    // A plot alone is a legitimate run: the instructor's picture of the dataset, before any data exists.
    if (raw.plot === undefined) problems.push("no destination: give --out FILE, --out - (stdout), --es URL or --plot FILE.svg");
    for (const [flag, value] of esOnly) if (value !== undefined) problems.push(`${flag} applies to --es only`);
  } else if (raw.out !== undefined) {
    for (const [flag, value] of esOnly) if (value !== undefined) problems.push(`${flag} applies to --es only, not to --out`);
    if (raw.errorLog === false) problems.push("--no-error-log applies to --es only; a file gets nginx's error log only when --error-out names one");
    sink = { kind: format, path: raw.out, ...(raw.errorOut === undefined ? {} : { errorPath: raw.errorOut }) };
  } else {
    if (raw.format !== undefined) problems.push("--format applies to --out only; Elasticsearch receives JSON documents");
    sink = parseElasticsearchSink(raw, io.env, number, problems);
  }
  checkErrorOut(raw, problems);
  if (raw.truth !== undefined && raw.truth === STDOUT && raw.out === STDOUT) {
    problems.push("--truth - and --out - would both write to stdout; give --truth a file");
  }
  if (raw.truth !== undefined && raw.out !== undefined && raw.truth !== STDOUT && path.resolve(raw.truth) === path.resolve(raw.out)) {
    problems.push(`--truth and --out name the same file ${raw.out}`);
  }
  if (raw.plot !== undefined) {
    if (raw.plot === STDOUT) problems.push('--plot "-" is not allowed; allowed: a file path ending in .svg');
    else if (!raw.plot.toLowerCase().endsWith(".svg")) problems.push(`--plot ${JSON.stringify(raw.plot)} is not allowed; allowed: a file path ending in .svg`);
    for (const [flag, other] of [["--out", raw.out], ["--truth", raw.truth]] as const) {
      if (other !== undefined && other !== STDOUT && path.resolve(other) === path.resolve(raw.plot)) problems.push(`--plot and ${flag} name the same file ${raw.plot}`);
    }
  }
  const follow = parseFollowFlags(raw, problems);
  if (problems.length > 0) throw new UsageError(problems);
  return {
    follow,
    datasetOptions: { days, seed, end: end as Date, scenario: raw.scenario, meanRatePerSecond, dataset: raw.dataset, anomalies },
    sink,
    truthPath: raw.truth,
    plotPath: raw.plot,
    quiet: raw.quiet === true,
    endWasDefault: raw.end === undefined || raw.end === "now",
  };
}

const FOLLOW_ONLY_FLAGS = [["--flush-interval", "flushInterval"], ["--outage-timeout", "outageTimeout"], ["--max-catch-up", "maxCatchUp"], ["--for", "for"]] as const;

/** --error-out: a file of its own for nginx's error log, beside --out. */
function checkErrorOut(raw: RawOptions, problems: string[]): void {
  const errorOut = raw.errorOut;
  if (errorOut === undefined) return;
  if (raw.out === undefined) {
    problems.push(raw.es === undefined
      ? "--error-out applies to --out only; give --out FILE for the access log too"
      : "--error-out applies to --out only; with --es the error log goes to an index of its own (--no-error-log leaves it out)");
    return;
  }
  if (errorOut === STDOUT) {
    problems.push('--error-out "-" is not allowed; allowed: a file path (the access log is the one that can go to stdout)');
    return;
  }
  if (path.extname(errorOut).toLowerCase() === ".csv") {
    problems.push(`--error-out ${errorOut} is not allowed: the error log is written as NDJSON only; allowed: a file path ending in .ndjson, .jsonl or anything but .csv`);
  }
  for (const [flag, other] of [["--out", raw.out], ["--truth", raw.truth], ["--plot", raw.plot]] as const) {
    if (other !== undefined && other !== STDOUT && path.resolve(other) === path.resolve(errorOut)) problems.push(`--error-out and ${flag} name the same file ${errorOut}`);
  }
}

/** Follow mode's flags, and what follow mode cannot do: a chosen end, a file, a picture. */
function parseFollowFlags(raw: RawOptions, problems: string[]): FollowSettings | undefined {
  if (raw.follow !== true) {
    for (const [flag, key] of FOLLOW_ONLY_FLAGS) if (raw[key] !== undefined) problems.push(`${flag} applies to --follow only`);
    return undefined;
  }
  if (raw.end !== undefined && raw.end !== "now") problems.push(`--end ${raw.end} cannot be used with --follow, whose history ends now; leave --end out`);
  if (raw.out !== undefined && raw.out !== STDOUT) problems.push(`--out ${raw.out} cannot be used with --follow; allowed: --es URL, or --out - (stdout)`);
  if (raw.errorOut !== undefined) problems.push("--error-out cannot be used with --follow, which writes the access log only");
  if (raw.format === "csv") problems.push("--format csv cannot be used with --follow, which writes NDJSON to stdout");
  if (raw.plot !== undefined) problems.push("--plot cannot be used with --follow; draw the picture without --follow");
  if (raw.truth === STDOUT) problems.push("--truth - cannot be used with --follow, whose truth is rewritten as it goes; give --truth a file");
  const duration = (flag: string, value: string | undefined, fallback: number, minMs: number, maxMs: number) => {
    if (value === undefined) return fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      problems.push(`${flag} ${JSON.stringify(value)} is not allowed; allowed: a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)}, such as 5s, 2m or 1h30m`);
      return fallback;
    }
    return ms;
  };
  return {
    flushIntervalMs: duration("--flush-interval", raw.flushInterval, DEFAULT_FLUSH_INTERVAL_MS, 1_000, 60_000),
    outageTimeoutMs: duration("--outage-timeout", raw.outageTimeout, DEFAULT_OUTAGE_TIMEOUT_MS, 5_000, 24 * 3_600_000),
    maxCatchUpMs: duration("--max-catch-up", raw.maxCatchUp, DEFAULT_MAX_CATCH_UP_MS, 60_000, 7 * 24 * 3_600_000),
    forMs: raw.for === undefined ? undefined : duration("--for", raw.for, 0, 1_000, 366 * 24 * 3_600_000),
  };
}

/** File extensions that name a format; any other extension (or stdout) leaves the default, ndjson. */
const FORMAT_BY_EXTENSION: Readonly<Record<string, Format>> = { ".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson" };

/**
 * The file format: --format when given, else the one the --out extension names, else ndjson. A
 * --format that contradicts the extension is refused: `--out events.csv` holding NDJSON (or the
 * reverse) only surprises whoever opens the file.
 */
function fileFormat(flag: Format | undefined, out: string | undefined, problems: string[]): Format {
  const extension = out === undefined || out === STDOUT ? "" : path.extname(out).toLowerCase();
  const named = FORMAT_BY_EXTENSION[extension] as Format | undefined;
  if (flag !== undefined && named !== undefined && flag !== named) {
    problems.push(`--format ${flag} does not match --out ${out} (a ${extension} file); allowed: --format ${named}, or no --format (it is taken from the extension)`);
  }
  return flag ?? named ?? "ndjson";
}

function parseElasticsearchSink(
  raw: RawOptions,
  env: NodeJS.ProcessEnv,
  number: (flag: string, value: string | undefined, integer: boolean) => number | undefined,
  problems: string[],
): DatasetSink | undefined {
  const connection = parseConnection(raw.es as string, raw, env, problems);
  const flushBytes = number("--flush-bytes", raw.flushBytes, true);
  const concurrency = number("--concurrency", raw.concurrency, true);
  const indexPrefix = raw.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  for (const check of [
    () => (raw.errorLog === false ? checkIndexPrefix(indexPrefix) : errorIndexPrefixFor(indexPrefix)),
    () => raw.index !== undefined && checkIndexName(raw.index, indexPrefix),
    () => checkBulkSettings({ flushBytes, concurrency }),
  ]) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(...error.problems.map(renameLibraryKeys));
    }
  }
  return { kind: "elasticsearch", connection, indexPrefix, index: raw.index, flushBytes, concurrency, ...(raw.errorLog === false ? { errorLog: false } : {}) };
}

/** Plans the dataset; the library's option names in its messages become the CLI's flags. */
function planForCli(options: DatasetOptions): DatasetPlan {
  try {
    return planDataset(options);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.problems.map(renameLibraryKeys));
    throw error;
  }
}

const LIBRARY_KEYS: Array<[RegExp, string]> = [
  [/^days:/, "--days"],
  [/^seed:/, "--seed"],
  [/^end:/, "--end"],
  [/^scenario:/, "--scenario"],
  [/^meanRatePerSecond:/, "--rate"],
  [/^dataset:/, "--dataset"],
  [/^index prefix/, "--index-prefix"],
  [/^index name/, "--index"],
  [/^flushBytes/, "--flush-bytes"],
  [/^concurrency/, "--concurrency"],
];

function renameLibraryKeys(problem: string): string {
  const anomaly = /^anomalies\[(\d+)\](\.\w+)?:?/.exec(problem);
  if (anomaly !== null) {
    const key = anomaly[2] === undefined ? "" : ` ${anomaly[2].slice(1).replace("durationMinutes", "minutes")}`;
    return `--anomaly #${Number(anomaly[1]) + 1}${key}:${problem.slice(anomaly[0].length).replace(/^(?!\s)/, " ")}`;
  }
  for (const [pattern, flag] of LIBRARY_KEYS) if (pattern.test(problem)) return problem.replace(pattern, flag);
  return problem;
}

/** Checks the output paths without creating anything. */
function checkDestinations(run: CliRun): void {
  const problems: string[] = [];
  const attempt = (check: () => void) => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(...error.problems);
    }
  };
  if (run.sink !== undefined && run.sink.kind !== "elasticsearch") {
    const { path: out, errorPath } = run.sink;
    attempt(() => checkWritableDestination("--out", out));
    if (errorPath !== undefined) attempt(() => checkWritableDestination("--error-out", errorPath));
  }
  if (run.plotPath !== undefined) {
    const plot = run.plotPath;
    attempt(() => checkWritableDestination("--plot", plot));
  }
  if (run.truthPath !== undefined) {
    const truth = run.truthPath;
    attempt(() => checkWritableDestination("--truth", truth));
  }
  if (problems.length > 0) throw new UsageError(problems);
}

async function execute(plan: DatasetPlan, sink: DatasetSink, run: CliRun, io: CliIo, signal: AbortSignal): Promise<GenerateDatasetResult> {
  const progress = createProgress({
    enabled: !run.quiet && io.stderr.isTTY === true,
    estimatedTotal: expectedEventCount(plan),
    stream: io.stderr,
    unit: sink.kind === "elasticsearch" ? "indexed" : "events",
  });
  try {
    const result = await writeDataset(plan, sink, { signal, onProgress: (done) => progress.update(done) });
    progress.stop(result.count);
    return result;
  } catch (error) {
    progress.stop();
    throw error;
  }
}

function writeTruth(truthPath: string, truth: GroundTruth, io: CliIo): void {
  const text = JSON.stringify(truth, null, 2) + "\n";
  if (truthPath === STDOUT) {
    io.stdout.write(text);
    return;
  }
  writeFileAtomically("--truth", truthPath, text);
}

const PLOT_BUCKET_MINUTES = 15;

/**
 * Draws the dataset's request rate with its anomaly windows. The events are generated again rather
 * than tapped from the sink: generation is deterministic and costs less than serialising, and only
 * one count per bucket is kept, so memory stays flat however many days are drawn.
 */
async function writePlot(plan: DatasetPlan, plotPath: string, signal: AbortSignal): Promise<{ count: number }> {
  let count = 0;
  function* countedBuckets() {
    for (const bucket of countPerBucket(generateEvents(plan), PLOT_BUCKET_MINUTES)) {
      if (signal.aborted) throw new LabError("interrupted while drawing --plot; no picture was written");
      count += bucket.count;
      yield bucket;
    }
  }
  const svg = await renderRatePlot({
    series: countedBuckets(),
    bucketMinutes: PLOT_BUCKET_MINUTES,
    anomalies: plan.anomalies,
    title: `Requests per ${PLOT_BUCKET_MINUTES} minutes: scenario ${plan.scenario}, seed ${plan.seed}, ${utcMinute(plan.truth.start)} to ${utcMinute(plan.truth.end)}`,
  });
  writeFileAtomically("--plot", plotPath, svg);
  return { count };
}

/** What a run produced: the data written (absent for a plot-only run) and the ground truth with its event count. */
export interface RunOutcome {
  plan: DatasetPlan;
  truth: GroundTruth;
  written?: GenerateDatasetResult;
  tookMs: number;
}

/** The closing lines on stderr: what was written where, and every anomaly window in plain words. */
export function summary(outcome: RunOutcome, run: CliRun): string {
  const { plan, truth, written } = outcome;
  const count = (written?.count ?? truth.eventCount ?? 0).toLocaleString("en-US");
  const range = `${count} events from ${truth.start} to ${truth.end} (seed ${plan.seed}, scenario ${plan.scenario})`;
  const lines: string[] = [];
  if (written !== undefined && run.sink !== undefined) {
    const where = run.sink.kind === "elasticsearch"
      ? `index ${written.destination} at ${redactUrl(run.sink.connection.url)}`
      : written.destination === STDOUT ? "stdout" : written.destination;
    const size = written.bytes === undefined ? "" : ` (${formatBytes(written.bytes)})`;
    lines.push(`lab-generate: ${range} written to ${where}${size} in ${(written.tookMs / 1000).toFixed(1)} s`);
    if (written.errorLog !== undefined) {
      const errorWhere = run.sink.kind === "elasticsearch" ? `index ${written.errorLog.destination}` : written.errorLog.destination;
      const errorSize = written.errorLog.bytes === undefined ? "" : ` (${formatBytes(written.errorLog.bytes)})`;
      lines.push(`lab-generate: ${written.errorLog.count.toLocaleString("en-US")} nginx error-log lines for the same requests written to ${errorWhere}${errorSize}`);
    }
  } else {
    lines.push(`lab-generate: ${range} drawn, no data written`);
  }
  if (truth.anomalies.length === 0) lines.push("No anomaly was injected.");
  for (const anomaly of truth.anomalies) {
    lines.push(`Anomaly Start Time ${anomaly.start} End Time ${anomaly.end}: ${anomaly.id}, ${anomaly.description}`);
  }
  if (run.plotPath !== undefined) lines.push(`Request-rate picture written to ${run.plotPath}`);
  if (run.truthPath !== undefined && run.truthPath !== STDOUT) lines.push(`Ground truth written to ${run.truthPath}`);
  if (run.endWasDefault) lines.push(`Same data again: the same flags plus --end ${truth.end}`);
  return lines.join("\n") + "\n";
}

function describeScenarios(): string {
  const lines = Object.values(SCENARIOS).map((scenario) => {
    const kinds = scenario.anomalies.length === 0 ? "no anomaly" : scenario.anomalies.map((anomaly) => anomaly.kind).join(", ");
    return `${scenario.name.padEnd(11)} ${scenario.description} [${kinds}]${scenario.name === DEFAULT_SCENARIO ? " (default)" : ""}`;
  });
  return lines.join("\n") + "\n";
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
