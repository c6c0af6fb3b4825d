import { expect } from "chai";
import type { Client } from "@elastic/elasticsearch";
import { UsageError } from "../../generator/errors";
import { planDataset } from "../../generator/plan";
import type { GroundTruth } from "../../generator/types";
import { readTruthFromIndex } from "../../verify/truth";
import { failureOf } from "../support/failure";
import { reversedKeys } from "../support/reorder";

/** A client whose only call, GET <index>/_mapping, answers with these indices' ground truths. */
function clientWithTruths(truths: Record<string, GroundTruth>): Client {
  const mappings = Object.fromEntries(
    Object.entries(truths).map(([name, truth]) => [name, { mappings: { _meta: { lab: { status: "complete", truth } } } }]),
  );
  return { indices: { getMapping: async () => mappings } } as unknown as Client;
}

describe("verify/truth: the ground truth in the index _meta", () => {
  const plan = planDataset({ days: 1, seed: 3, end: new Date("2026-11-20T00:00:00.000Z"), scenario: "spike" });

  it("takes indices holding the same ground truth with keys in another order as one dataset", async () => {
    const client = clientWithTruths({ "lab-access-a": plan.truth, "lab-access-b": reversedKeys(plan.truth) });
    expect(await readTruthFromIndex(client, "lab-access-*")).to.deep.equal(plan.truth);
  });

  it("still asks which index when the ground truths differ in value", async () => {
    const client = clientWithTruths({ "lab-access-a": plan.truth, "lab-access-b": { ...plan.truth, seed: 4 } });
    const error = await failureOf(readTruthFromIndex(client, "lab-access-*"));
    expect(error).to.be.instanceOf(UsageError);
    expect(error.message).to.include("different ground truths (lab-access-a, lab-access-b)");
  });
});
