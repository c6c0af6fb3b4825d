// `npm run down [-- <stack>]`: destroys everything the stack made (containers, network, volume with
// its data, index, data view, ML jobs) through the Automation API. The Docker lab is refreshed first,
// so that a container removed by hand is known to be gone rather than failing its delete; a lab on an
// existing cluster is not, so that a cluster that does not answer cannot block the teardown. The stack and its configuration
// stay, so `npm run up` brings the same cohort back. What could not be deleted because its server did
// not answer is named on a line of its own in Pulumi's output; the destroy still completes.

import { join } from "node:path";
import { isExpectedFailure } from "../generator/errors";
import { firstErrorRecorder, lastLinesOf, prepareLabCommand } from "../lab/automation";

const PROJECT_DIR = join(__dirname, "..");

async function main(): Promise<void> {
  const command = await prepareLabCommand(PROJECT_DIR, process.argv.slice(2), process.env, { createStack: false });
  if (command === undefined) {
    process.exitCode = 1;
    return;
  }
  const { stackName, stack, existingCluster } = command;
  const errors = firstErrorRecorder();
  try {
    await stack.destroy({ refresh: !existingCluster, onOutput: (text) => process.stdout.write(text), onEvent: (event) => errors.onEvent(event), color: "auto" });
  } catch (error) {
    const first = errors.first();
    if (first !== undefined) throw new Error(`npm run down failed at ${first.resource}: ${first.message}`);
    throw error;
  }
  console.log(`\nStack ${stackName} destroyed; its configuration is kept (pulumi stack rm ${stackName} removes it).`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const notFound = /no stack named|stack .* not found/i.test(message);
  console.error(
    isExpectedFailure(error) || message.startsWith("npm run down failed at ") ? message : notFound ? `No such stack; list them with \`pulumi stack ls\` (state in ${join(PROJECT_DIR, ".lab-state")}).` : `npm run down failed: ${lastLinesOf(message)}`,
  );
  process.exitCode = isExpectedFailure(error) ? error.exitCode : 1;
});
