import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { esLibrary } from "../../../generator/sinks/es-library";

const PROJECT_DIR = path.resolve(__dirname, "../../..");

describe("generator/sinks/es-library: the client library, loaded on first use", () => {
  it("is not loaded by the CLIs until they talk to a server (it takes most of a second)", () => {
    // A fresh process: this one loaded the library long ago.
    const script = `
      require("./generator/cli.ts");
      require("./verify/cli.ts");
      process.stdout.write(String(Object.keys(require.cache).some((file) => file.includes("@elastic/elasticsearch"))));
    `;
    expect(execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: PROJECT_DIR, encoding: "utf8" })).to.equal("false");
  });

  it("is the library itself, so its error classes match what the client throws", () => {
    expect(esLibrary()).to.equal(require("@elastic/elasticsearch"));
  });
});
