// The README's picture, docs/rate.svg, is what the README's own command draws today: the command is
// read from the README, run with a temporary file in place of docs/rate.svg, and the result must
// equal the committed file byte for byte. When the generator or the plot changes on purpose, run the
// README's command in the project folder and commit the new picture.

import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { codeBlocks } from "./markdown";

const PROJECT_DIR = join(__dirname, "..", "..");
const PICTURE = "docs/rate.svg";

/** The README's command line that writes the picture. */
function readmePictureCommand(): string {
  const commands = codeBlocks(readFileSync(join(PROJECT_DIR, "README.md"), "utf8")).flatMap((block) => block.commands);
  const matching = commands.filter((command) => command.text.includes(`--plot ${PICTURE}`));
  expect(matching, `one command in README.md writes ${PICTURE}`).to.have.length(1);
  return matching[0].text;
}

describe("the README's picture (docs/rate.svg)", function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "lab-rate-plot-"));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("is shown by the README, with the command that draws it", () => {
    const readme = readFileSync(join(PROJECT_DIR, "README.md"), "utf8");
    expect(readme).to.match(/!\[[^\]]+\]\(docs\/rate\.svg\)/);
    const command = readmePictureCommand();
    expect(command).to.match(/^npx lab-generate /).and.match(/--seed \d+/).and.match(/--end \S+/);
  });

  it("comes out byte for byte the same when the README's command draws it again", async () => {
    const command = readmePictureCommand();
    const args = command.replace(/^npx lab-generate /, "").split(/\s+/);
    const output = join(dir, "rate.svg");
    args[args.indexOf(PICTURE)] = output;
    await promisify(execFile)(process.execPath, [join(PROJECT_DIR, "bin", "lab-generate.js"), ...args, "--quiet"], { cwd: dir, timeout: 50_000 });
    const drawn = readFileSync(output);
    const committed = readFileSync(join(PROJECT_DIR, PICTURE));
    expect(drawn.equals(committed), `${PICTURE} differs from what the README's command draws now (${drawn.length} bytes against ${committed.length}); run it in the project folder and commit the result`).to.equal(true);
  });
});
