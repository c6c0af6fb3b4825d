// The reference detector's multi-seed quality runs, computed in a child process that starts when
// test/verify/reference.test.ts is loaded, so that they run beside the rest of the suite (mostly
// waiting on Elasticsearch) instead of after it: on two cores that keeps CI within its budget. The
// tests then await their figures. A run that excludes @slow (`npm run test:unit`) starts nothing.
//
// The child is this same file, run with `fork`: it computes every requested run in order and sends
// each run's figures back as soon as they are ready.

import { fork, type ChildProcess } from "node:child_process";
import { runScenario, seedRange, type DetectorInput, type ScenarioFigures } from "../../verify/reference/run";
import { TEST_SIZES } from "../../verify/reference/sizes";

export interface QualityRun {
  scenario: string;
  input: DetectorInput;
  seeds: number;
}

const keyOf = (run: QualityRun) => `${run.input}:${run.scenario}:${run.seeds}`;

type Reply = { key: string; figures: ScenarioFigures } | { key: string; error: string };

/** Whether this mocha run leaves out the tests tagged @slow (`--grep @slow --invert`). */
export function slowTestsExcluded(argv: readonly string[] = process.argv): boolean {
  return argv.includes("--invert") && argv.some((arg) => arg.includes("@slow"));
}

/** Starts the runs in a child process; `figures(run)` resolves when that run is done. */
export function startQualityRuns(runs: readonly QualityRun[]): { figures(run: QualityRun): Promise<ScenarioFigures>; stop(): void } {
  const waiting = new Map<string, { resolve: (figures: ScenarioFigures) => void; reject: (error: Error) => void }>();
  const done = new Map<string, Reply>();
  let child: ChildProcess | undefined = fork(__filename, [JSON.stringify(runs)], { execArgv: ["--require", "tsx/cjs"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const settle = (reply: Reply) => {
    const waiter = waiting.get(reply.key);
    if (waiter === undefined) {
      done.set(reply.key, reply);
      return;
    }
    waiting.delete(reply.key);
    if ("error" in reply) waiter.reject(new Error(reply.error));
    else waiter.resolve(reply.figures);
  };
  child.on("message", (reply: Reply) => settle(reply));
  child.on("exit", (code, signal) => {
    child = undefined;
    for (const key of [...waiting.keys()]) settle({ key, error: `the quality runs' process ended (${signal ?? `exit ${code}`}) before ${key}` });
  });
  // Never keep mocha alive for the child's sake.
  child.unref();
  child.channel?.unref();
  return {
    figures(run) {
      const key = keyOf(run);
      const ready = done.get(key);
      if (ready !== undefined) return "error" in ready ? Promise.reject(new Error(ready.error)) : Promise.resolve(ready.figures);
      if (child === undefined) return Promise.reject(new Error(`the quality runs' process is gone; ${key} was not computed`));
      // While a test waits, the child's channel must keep the process alive.
      child.channel?.ref();
      return new Promise((resolve, reject) => waiting.set(key, { resolve, reject })).finally(() => {
        if (waiting.size === 0) child?.channel?.unref();
      }) as Promise<ScenarioFigures>;
    },
    stop() {
      child?.kill();
    },
  };
}

if (require.main === module && process.send !== undefined) {
  const runs = JSON.parse(process.argv[2]) as QualityRun[];
  runs.forEach((run, index) => {
    let reply: Reply;
    try {
      reply = { key: keyOf(run), figures: runScenario(run.scenario, seedRange(1, run.seeds), TEST_SIZES[run.scenario], {}, run.input) };
    } catch (error) {
      reply = { key: keyOf(run), error: error instanceof Error ? error.message : String(error) };
    }
    // The last reply closes the channel once it is sent, and with it this process.
    process.send!(reply, undefined, {}, () => {
      if (index === runs.length - 1) process.disconnect();
    });
  });
}
