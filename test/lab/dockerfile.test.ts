// The traffic image's Dockerfile and build context, read as text (no Docker engine here): two stages,
// Node's official slim image pinned to a release, a non-root user, and a context that holds only
// what the build copies.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { FOLLOW_NODE_OPTIONS } from "../../generator/follow";

const ROOT = join(__dirname, "..", "..");
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const instructions = dockerfile
  .split("\n")
  .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"))
  .join("\n")
  .replace(/\\\n/g, " ")
  .split("\n");
const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];

describe("the traffic image (Dockerfile)", () => {
  it("is multi-stage: a build stage, then the stage that runs", () => {
    const froms = instructions.filter((line) => line.startsWith("FROM "));
    expect(froms).to.deep.equal(["FROM ${NODE_IMAGE} AS build", "FROM ${NODE_IMAGE}"]);
    expect(instructions.some((line) => line.startsWith("COPY --from=build "))).to.equal(true);
  });

  it("builds from Node's official slim image, pinned to a release rather than a moving tag", () => {
    expect(image).to.match(/^node:\d+\.\d+\.\d+-[a-z]+-slim$/);
  });

  it("installs the lockfile's dependencies with npm ci in the build stage only", () => {
    const runStage = instructions.slice(instructions.indexOf("FROM ${NODE_IMAGE}"));
    expect(instructions.some((line) => /^RUN npm ci\b/.test(line))).to.equal(true);
    expect(runStage.join("\n")).to.not.match(/npm (ci|install)|node_modules/);
  });

  it("runs Node with the follow-mode heap settings the memory benchmark measures", () => {
    const runStage = instructions.slice(instructions.indexOf("FROM ${NODE_IMAGE}"));
    expect(runStage).to.include(`ENV NODE_OPTIONS="${FOLLOW_NODE_OPTIONS}"`);
  });

  it("runs as the unprivileged user node, with the generator as its entry point", () => {
    const runStage = instructions.slice(instructions.indexOf("FROM ${NODE_IMAGE}"));
    expect(runStage.filter((line) => line.startsWith("USER "))).to.deep.equal(["USER node"]);
    expect(runStage.at(-1)).to.equal('ENTRYPOINT ["node", "/app/lab-generate.cjs"]');
  });

  it("sends the build only what it copies, so the lab's state and node_modules never enter the context", () => {
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    expect(ignore[0]).to.equal("*");
    const copied = instructions.filter((line) => /^COPY (?!--from)/.test(line)).flatMap((line) => line.split(/\s+/).slice(1, -1));
    for (const source of copied) expect(ignore, source).to.include(`!${source.replace(/\/?$/, source.includes(".") ? "" : "/")}`);
  });
});
