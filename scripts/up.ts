// `npm run up [-- <stack>]`: creates or selects the stack (default "dev") on the project's local state
// backend and runs `pulumi up --refresh` through the Automation API, streaming Pulumi's output.
// Refreshing first compares the state with what is really there (a container removed by hand, a
// deleted index or job) so that the update repairs it instead of failing on it. When lab:datasetEnd
// is unset, the end the dataset was given at creation is then written into the stack's settings, so
// that a dataset written again after a repair holds exactly the same documents (not in live mode,
// whose backfill ends where live traffic began). Prints the outputs
// the instructor hands out at the end; the password stays hidden (see the last line). On failure it
// names the first resource that failed and why, since Pulumi's summary line names no cause.

import { join } from "node:path";
import { isExpectedFailure } from "../generator/errors";
import { firstErrorRecorder, lastLinesOf, prepareLabCommand } from "../lab/automation";

const PROJECT_DIR = join(__dirname, "..");

async function main(): Promise<void> {
  const command = await prepareLabCommand(PROJECT_DIR, process.argv.slice(2), process.env);
  if (command === undefined) {
    process.exitCode = 1;
    return;
  }
  const { stackName, stack, vars, note } = command;
  if (note !== undefined) console.log(note);
  console.log(`pulumi up --refresh: stack ${stackName}, state in ${vars.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL}`);
  console.log("Refreshing first: what changed outside Pulumi (a removed container, a deleted index or job) is repaired by this update.");
  const errors = firstErrorRecorder();
  let result;
  try {
    result = await stack.up({ refresh: true, onOutput: (text) => process.stdout.write(text), onEvent: (event) => errors.onEvent(event), color: "auto" });
  } catch (error) {
    const first = errors.first();
    if (first !== undefined) throw new Error(`npm run up failed at ${first.resource}: ${first.message}`);
    throw error;
  }
  const outputs = result.outputs;
  const end = (outputs.timeRange?.value as { to?: string } | undefined)?.to;
  const config = await stack.getAllConfig();
  // Live mode keeps no end: its backfill ends where live traffic began, read back from its index.
  const live = (config["lab:live"]?.value ?? "false") === "true";
  if (!live && end !== undefined && (config["lab:datasetEnd"]?.value ?? "") === "") {
    await stack.setConfig("lab:datasetEnd", { value: end });
    console.log(`lab:datasetEnd is now ${end}, the end the dataset was made with, so that a repaired dataset holds the same documents.`);
  }
  console.log("\nFor the cohort:");
  for (const key of ["kibanaUrl", "elasticsearchUrl", "username"]) if (outputs[key] !== undefined) console.log(`  ${key}: ${String(outputs[key].value)}`);
  if (outputs.password !== undefined) console.log(`  password: (secret) pulumi stack output password --show-secrets --stack ${stackName}`);
  if (live) {
    const traffic = outputs.liveTraffic?.value as { container?: string } | undefined;
    console.log(traffic?.container === undefined ? `\nLive traffic: run npm run live -- ${stackName} and keep it running.` : `\nLive traffic: container ${traffic.container} writes it (docker logs -f ${traffic.container}).`);
    if (outputs.nextLiveAnomalyAt !== undefined) console.log(`  next live anomaly at ${String(outputs.nextLiveAnomalyAt.value)}; what it is: pulumi stack output liveTruth --show-secrets --stack ${stackName}`);
  }
  const verification = outputs.verification?.value as { allFound: boolean; report: string } | undefined;
  if (verification !== undefined) console.log(`\nlab-verify verify: ${verification.allFound ? "every injected anomaly was found" : "some injected anomalies were missed"}\n${verification.report}`);
}

main().catch((error: unknown) => {
  // Pulumi has already streamed its own explanation; add one line naming the cause, no stack trace.
  const message = error instanceof Error ? error.message : String(error);
  console.error(isExpectedFailure(error) || message.startsWith("npm run up failed at ") ? message : `npm run up failed: ${lastLinesOf(message)}`);
  process.exitCode = isExpectedFailure(error) ? error.exitCode : 1;
});
