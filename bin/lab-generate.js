#!/usr/bin/env node
// `lab-generate`: runs generator/cli.ts from source through tsx, so no build step is needed.
"use strict";
require("tsx/cjs");
const { main } = require("../generator/cli.ts");

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`lab-generate: unexpected failure, please report it:\n${(error && error.stack) || error}\n`);
    process.exitCode = 1;
  },
);
