// Mocha settings for the whole project. A JavaScript file rather than .mocharc.json for one reason:
// Mocha adds the files named on the command line to a configured `spec` instead of replacing it
// (documented in mochajs/mocha#5412), so `npx mocha test/x.test.ts` would run the whole suite. Here the
// suite glob applies only when no test file or directory is named.
"use strict";

const fs = require("node:fs");

// Options that take a value: their value is not a test file even when it names an existing path.
const OPTIONS_WITH_VALUE = new Set([
  "--require", "-r", "--file", "--ignore", "--exclude", "--config", "--reporter", "-R", "--reporter-option",
  "--reporter-options", "-O", "--grep", "-g", "--fgrep", "-f", "--timeout", "-t", "--slow", "-s", "--ui", "-u",
  "--extension", "--package", "--jobs", "-j", "--retries", "--node-option", "-n", "--watch-files", "--watch-ignore",
]);

function namesTestFiles(args) {
  return args.some((arg, index) => {
    if (arg === "--spec") return true;
    if (arg.startsWith("--spec=")) return true;
    if (arg.startsWith("-") || OPTIONS_WITH_VALUE.has(args[index - 1])) return false;
    return fs.existsSync(arg) || /[*?]/.test(arg);
  });
}

module.exports = {
  require: ["tsx/cjs", "test/support/root-hooks.ts"],
  extension: ["ts"],
  ...(namesTestFiles(process.argv.slice(2)) ? {} : { spec: ["test/**/*.test.ts"] }),
  timeout: 20000,
  reporter: "spec",
};
