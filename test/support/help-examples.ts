// The examples a CLI's --help shows, run as a user would type them: through bash (with pipefail, so
// that `lab-generate ... | head` counts lab-generate's own exit code), in a scratch folder, with the
// lab's bins on PATH as `npm link` would put them.
//
// Two changes keep the run quick and self-contained, and neither changes what an example means:
// every lab-generate gets a low --rate first (an example's own --rate, given later, still wins), so
// a week is thousands of events rather than millions; and an example that names Elasticsearch gets
// the test server's URL and password for the placeholders, and an index prefix of the test's own.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EsTarget } from "./es-target";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const BINS = ["lab-generate", "lab-verify"];
/** Low enough that a week is 30 000 events; a 10x spike still stands out in 3 days (lab-verify expect found it at 24 of 24 end times). */
export const EXAMPLE_RATE = "0.05";

/** The command lines under "Examples:" in a help text, without a trailing "(comment)". */
export function helpExamples(help: string): string[] {
  const lines = help.split("\n");
  const start = lines.findIndex((line) => line.trim() === "Examples:");
  if (start === -1) return [];
  const examples: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") break;
    examples.push(line.trim().replace(/\s{2,}\(.*\)$/, ""));
  }
  return examples;
}

export function needsElasticsearch(example: string): boolean {
  return /--es[\s=]/.test(example);
}

/** A folder holding links to the lab's bins, to put first on PATH. */
export function binFolder(parent: string): string {
  const folder = fs.mkdtempSync(path.join(parent, "bin-"));
  for (const bin of BINS) fs.symlinkSync(path.join(PROJECT_DIR, "bin", `${bin}.js`), path.join(folder, bin));
  return folder;
}

export interface ExampleRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The command line as it was run, after the changes described above. */
  command: string;
}

/** Runs one example in `cwd`; `es` fills the Elasticsearch placeholders, `indexPrefix` keeps the test's indices apart. */
export async function runExample(example: string, options: { cwd: string; bin: string; es?: EsTarget; indexPrefix?: string }): Promise<ExampleRun> {
  let command = example.replace(/\blab-generate\b/g, `lab-generate --rate ${EXAMPLE_RATE}`);
  if (options.es !== undefined) {
    command = command
      .replace(/ELASTICSEARCH_PASSWORD=\.\.\./g, `ELASTICSEARCH_PASSWORD=${shellQuote(options.es.password)} ELASTICSEARCH_USERNAME=${shellQuote(options.es.username)}`)
      .replace(/http:\/\/127\.0\.0\.1:9200/g, options.es.url);
    if (options.indexPrefix !== undefined) command = command.replace(/\blab-generate\b/g, `lab-generate --index-prefix ${options.indexPrefix}`);
  }
  const { execa } = await import("execa");
  const result = await execa("bash", ["-o", "pipefail", "-c", command], {
    cwd: options.cwd,
    reject: false,
    timeout: 120_000,
    env: {
      PATH: `${options.bin}${path.delimiter}${process.env.PATH ?? ""}`,
      ELASTICSEARCH_URL: undefined,
      ELASTICSEARCH_USERNAME: undefined,
      ELASTICSEARCH_PASSWORD: undefined,
      ELASTICSEARCH_API_KEY: undefined,
    },
    extendEnv: true,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? ""), command };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function scratchFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "lab-help-examples-"));
}
