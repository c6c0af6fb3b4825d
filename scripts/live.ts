// `npm run live [-- <stack>]`: live traffic for a lab on an existing cluster (lab:live true). Reads the
// stack's outputs through the Automation API, with secrets decrypted, and runs `lab-generate --follow`
// in the foreground with the dataset's exact options, so that it resumes the index the backfill wrote.
// The password (or API key) goes in the child's environment, never on its command line, where process
// lists show it. Ctrl-C, SIGTERM and SIGHUP are passed on once; the generator flushes and exits, and
// this script exits with its code (130, 143, 129). On the Docker target the traffic container already
// does this, so it refuses with exit 2.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { isExpectedFailure } from "../generator/errors";
import { checkTools, lastLinesOf, missingToolMessages, pulumiEnvironment, stackNameFrom, usesExistingCluster } from "../lab/automation";
import { childEnvironment, exitCodeOf, planLiveRun } from "../lab/live-run";

const PROJECT_DIR = join(__dirname, "..");
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

async function main(): Promise<number> {
  const stackName = stackNameFrom(process.argv.slice(2), process.env);
  const pulumiEnv = pulumiEnvironment(PROJECT_DIR, process.env);
  const missing = missingToolMessages(await checkTools(process.env, { pulumi: true, docker: false }));
  if (missing.length > 0) {
    console.error(missing.join(" Also: "));
    return 1;
  }
  const stack = await LocalWorkspace.selectStack({ stackName, workDir: PROJECT_DIR }, { envVars: pulumiEnv.vars });
  const config = await stack.getAllConfig();
  const existingCluster = usesExistingCluster(config);
  // `pulumi stack output --show-secrets` underneath: the password output arrives decrypted.
  const outputs = await stack.outputs();
  const apiKey = (config["lab:elasticsearchApiKey"]?.value ?? "") === "" ? undefined : config["lab:elasticsearchApiKey"].value;
  const plan = planLiveRun({ stackName, existingCluster, outputs, apiKey });
  if (!plan.run) {
    console.error(plan.message);
    return plan.exitCode;
  }
  console.log(`lab-generate ${plan.args.join(" ")} (stack ${stackName}; Ctrl-C stops it after a final flush)`);
  // A process group of its own, so that a Ctrl-C in the terminal reaches the generator once, from here.
  const child = spawn(process.execPath, [join(PROJECT_DIR, "bin", "lab-generate.js"), ...plan.args], {
    stdio: "inherit",
    env: childEnvironment(process.env, plan.env),
    detached: process.platform !== "win32",
  });
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of SIGNALS) process.on(signal, forward(signal));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(exitCodeOf(code, signal)));
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const notFound = /no stack named|stack .* not found/i.test(message);
    console.error(
      isExpectedFailure(error) ? message : notFound ? `No such stack; list them with \`pulumi stack ls\` (state in ${join(PROJECT_DIR, ".lab-state")}).` : `npm run live failed: ${lastLinesOf(message)}`,
    );
    process.exitCode = isExpectedFailure(error) ? error.exitCode : 1;
  },
);
