// How the docs test reads commands out of Markdown: blocks, continuations and markers.

import { expect } from "chai";
import { codeBlocks } from "./markdown";

const fence = "```";

describe("codeBlocks (the commands the docs test runs)", () => {
  it("reads each command of a shell block with its line, skipping comments and blank lines", () => {
    const [block] = codeBlocks(["# Title", "", `${fence}sh`, "# a comment", "npx lab-generate --days 2 --out -", "", "npx lab-verify --help", fence].join("\n"));
    expect(block).to.deep.include({ line: 3, language: "sh" });
    expect(block.commands).to.deep.equal([
      { line: 5, text: "npx lab-generate --days 2 --out -", marker: undefined },
      { line: 7, text: "npx lab-verify --help", marker: undefined },
    ]);
  });

  it("joins a line ending in a backslash with the next", () => {
    const [block] = codeBlocks([`${fence}bash`, "npx lab-generate --days 2 \\", "  --out x.ndjson", fence].join("\n"));
    expect(block.commands.map((c) => c.text)).to.deep.equal(["npx lab-generate --days 2 --out x.ndjson"]);
  });

  it("marks the whole block with a marker line, and one line with a trailing marker", () => {
    const [whole, one] = codeBlocks(
      [`${fence}sh`, "# needs Docker", "npm run up", "npm run down", fence, `${fence}sh`, "npx lab-generate --days 1 --out -", 'npx lab-generate --es "$ELASTICSEARCH_URL"   # needs Elasticsearch', fence].join("\n"),
    );
    expect(whole.commands.map((c) => c.marker)).to.deep.equal(["Docker", "Docker"]);
    expect(one.commands).to.deep.equal([
      { line: 7, text: "npx lab-generate --days 1 --out -", marker: undefined },
      { line: 8, text: 'npx lab-generate --es "$ELASTICSEARCH_URL"', marker: "Elasticsearch" },
    ]);
  });

  it("reports a `# needs ...` it does not know, instead of treating it as a plain comment", () => {
    const [block] = codeBlocks([`${fence}sh`, "# needs Dokcer", "npm run up", "npm run down   # needs kibana", fence].join("\n"));
    expect(block.unknownMarkers).to.deep.equal([
      { line: 2, text: "# needs Dokcer" },
      { line: 4, text: "# needs kibana" },
    ]);
    expect(block.commands.map((c) => c.marker)).to.deep.equal([undefined, undefined]);
  });

  it("takes inline code at the start of a line for inline code, not for a fence", () => {
    const blocks = codeBlocks(["Blocks in", `${fence}\` ${fence}text${fence}\` (program output) are not run.`, `${fence}sh`, "echo one", fence].join("\n"));
    expect(blocks.map((b) => [b.line, b.language, b.commands.length])).to.deep.equal([[3, "sh", 1]]);
  });

  it("leaves output and code blocks alone, and notes a block without a language", () => {
    const blocks = codeBlocks([`${fence}text`, "npm run up", fence, `${fence}ts`, "await up();", fence, fence, "npm test", fence].join("\n"));
    expect(blocks.map((b) => [b.language, b.commands.length])).to.deep.equal([
      ["text", 0],
      ["ts", 0],
      ["", 0],
    ]);
  });
});
