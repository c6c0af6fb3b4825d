// `npm run up [-- <stack>]`: creates or selects the stack (default "dev") on the project's local state
// backend and runs `pulumi up` through the Automation API, streaming Pulumi's output. Prints the
// outputs the instructor hands out at the end; the password stays hidden (see the last line).

import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { join } from "node:path";
import { isExpectedFailure } from "../generator/errors";
import { lastLinesOf, prepareLabCommand } from "../lab/automation";

const PROJECT_DIR = join(__dirname, "..");

async function main(): Promise<void> {
  const command = await prepareLabCommand(PROJECT_DIR, process.argv.slice(2), process.env);
  if (command === undefined) {
    process.exitCode = 1;
    return;
  }
  const { stackName, vars, note } = command;
  if (note !== undefined) console.log(note);
  const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: PROJECT_DIR }, { envVars: vars });
  console.log(`pulumi up: stack ${stackName}, state in ${vars.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL}`);
  const result = await stack.up({ onOutput: (text) => process.stdout.write(text), color: "auto" });
  const outputs = result.outputs;
  console.log("\nFor the cohort:");
  for (const key of ["kibanaUrl", "elasticsearchUrl", "username"]) console.log(`  ${key}: ${String(outputs[key]?.value)}`);
  console.log(`  password: (secret) pulumi stack output password --show-secrets --stack ${stackName}`);
  const verification = outputs.verification?.value as { allFound: boolean; report: string } | undefined;
  if (verification !== undefined) console.log(`\nlab verify: ${verification.allFound ? "every injected anomaly was found" : "some injected anomalies were missed"}\n${verification.report}`);
}

main().catch((error: unknown) => {
  // Pulumi has already streamed its own explanation; add one line, no stack trace.
  const message = error instanceof Error ? error.message : String(error);
  console.error(isExpectedFailure(error) ? message : `npm run up failed: ${lastLinesOf(message)}`);
  process.exitCode = isExpectedFailure(error) ? error.exitCode : 1;
});
