// `npm run bench`: every benchmark of the project, one after the other. Each measures its claim
// against a floor measured in the same run and prints the ratio, because on a shared 2-core
// machine an absolute time means little.
//
// Pick some with arguments: `npm run bench -- generate detector`. `defaults` (the sweep that picks
// the lab's default rate) runs only when named.

import { main as generate } from "./generate";
import { main as detector } from "./detector";
import { main as ingest } from "./ingest";
import { main as lab } from "./lab";
import { main as follow } from "./follow";
import { main as defaults } from "./defaults";

const BENCHMARKS: Record<string, () => Promise<unknown>> = { generate, detector, ingest, follow, lab, defaults };
/** Run only when named: the default-size sweep takes hours on two cores. */
const ONLY_BY_NAME = new Set(["defaults"]);

async function runBenchmarks(names: string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(BENCHMARKS).join(", ")}`);
    process.exitCode = 2;
    return;
  }
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS).filter((known) => !ONLY_BY_NAME.has(known))) {
    console.log(`\n=== bench: ${name} ===`);
    await BENCHMARKS[name]();
  }
}

runBenchmarks(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
