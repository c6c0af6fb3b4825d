#!/usr/bin/env node
// `lab-verify verify|expect`: runs verify/cli.ts from source through tsx, so no build step is needed.
// Named lab-verify, not lab: `npx lab` outside the project folder offers to install an unrelated
// npm package (hapi's test runner).
"use strict";
require("tsx/cjs");
const { main } = require("../verify/cli.ts");

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`lab-verify: unexpected failure, please report it:\n${(error && error.stack) || error}\n`);
    process.exitCode = 1;
  },
);
