// `npm run down [-- <stack>]`: destroys everything the stack made (containers, network, volume with
// its data, index, data view, ML jobs) through the Automation API. The stack and its configuration
// stay, so `npm run up` brings the same cohort back.

import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { join } from "node:path";
import { isExpectedFailure } from "../generator/errors";
import { checkTools, missingToolMessages, pulumiEnvironment, stackNameFrom } from "../lab/automation";

const PROJECT_DIR = join(__dirname, "..");

async function main(): Promise<void> {
  const stackName = stackNameFrom(process.argv.slice(2), process.env);
  const missing = missingToolMessages(await checkTools(process.env));
  if (missing.length > 0) {
    // One line, naming everything that is missing and how to get it.
    console.error(missing.join(" Also: "));
    process.exitCode = 1;
    return;
  }
  const { vars } = pulumiEnvironment(PROJECT_DIR, process.env);
  const stack = await LocalWorkspace.selectStack({ stackName, workDir: PROJECT_DIR }, { envVars: vars });
  await stack.destroy({ onOutput: (text) => process.stdout.write(text), color: "auto" });
  console.log(`\nStack ${stackName} destroyed; its configuration is kept (pulumi stack rm ${stackName} removes it).`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const notFound = /no stack named|stack .* not found/i.test(message);
  console.error(
    isExpectedFailure(error) ? message : notFound ? `No such stack; list them with \`pulumi stack ls\` (state in ${join(PROJECT_DIR, ".lab-state")}).` : `npm run down failed: ${message.split("\n").filter((l) => l.trim() !== "").slice(-3).join(" | ")}`,
  );
  process.exitCode = isExpectedFailure(error) ? error.exitCode : 1;
});
