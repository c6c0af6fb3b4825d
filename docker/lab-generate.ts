// The entry point bundled into the traffic image (Dockerfile): `lab-generate` without tsx, the same as
// bin/lab-generate.js. esbuild bundles it with everything the generator imports into one file, so
// the image holds Node and that file, and no node_modules at all.

import { main } from "../generator/cli";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lab-generate: unexpected failure, please report it:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
