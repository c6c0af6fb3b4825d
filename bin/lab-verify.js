#!/usr/bin/env node
// `lab <command>`: runs the TypeScript sources through tsx, without a build step.
"use strict";
require("tsx/cjs");
const { main } = require("../verify/cli.ts");
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`lab: unexpected failure: ${(error && error.stack) || String(error)}\n`);
    process.exit(1);
  },
);
