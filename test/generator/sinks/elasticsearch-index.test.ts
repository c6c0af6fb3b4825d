import { expect } from "chai";
import { planDataset } from "../../../generator/plan";
import {
  LAB_INDEX_MAPPINGS,
  checkBulkSettings,
  checkIndexName,
  checkIndexPrefix,
  indexNameFor,
  indexTemplateFor,
} from "../../../generator/sinks/elasticsearch";
import { UsageError } from "../../../generator/errors";
import { LAB_INDEX_FIELDS } from "../../../ml-jobs/fields";

const END = new Date("2026-11-24T00:00:00Z");

function leafTypes(properties: Record<string, unknown>, prefix = ""): Record<string, string> {
  const types: Record<string, string> = {};
  for (const [name, field] of Object.entries(properties as Record<string, { type?: string; properties?: Record<string, unknown> }>)) {
    const path = prefix === "" ? name : `${prefix}.${name}`;
    if (field.properties !== undefined) Object.assign(types, leafTypes(field.properties, path));
    else types[path] = field.type as string;
  }
  return types;
}

describe("Elasticsearch index naming, template and settings", () => {
  describe("indexTemplateFor", () => {
    it("covers <prefix>-* with one shard, strict mappings and a priority that grows with the prefix", () => {
      const template = indexTemplateFor("lab-access");
      expect(template.name).to.equal("lab-access");
      expect(template.index_patterns).to.deep.equal(["lab-access-*"]);
      expect(template.priority).to.equal(210);
      expect(indexTemplateFor("lab").priority).to.be.lessThan(template.priority as number);
      expect(template.template?.settings).to.deep.equal({ index: { number_of_shards: 1, auto_expand_replicas: "0-1" } });
      expect(template.template?.mappings?.dynamic).to.equal("strict");
    });

    it("maps exactly the fields the ML jobs may name, with the same types", () => {
      expect(leafTypes(LAB_INDEX_MAPPINGS.properties as Record<string, unknown>)).to.deep.equal(LAB_INDEX_FIELDS);
    });
  });

  describe("indexNameFor", () => {
    const plan = planDataset({ days: 7, seed: 1, end: END, scenario: "mixed" });

    it("is <prefix>-<scenario>-<day of the end>-<digest of the plan>", () => {
      expect(indexNameFor("lab-access", plan)).to.match(/^lab-access-mixed-2026\.11\.24-[0-9a-f]{8}$/);
    });

    it("is the same for the same plan and differs when anything that shapes the data differs", () => {
      const name = indexNameFor("lab-access", plan);
      expect(indexNameFor("lab-access", planDataset({ days: 7, seed: 1, end: END, scenario: "mixed" }))).to.equal(name);
      const variants = [
        planDataset({ days: 7, seed: 2, end: END, scenario: "mixed" }),
        planDataset({ days: 6, seed: 1, end: END, scenario: "mixed" }),
        planDataset({ days: 7, seed: 1, end: new Date("2026-11-24T01:00:00Z"), scenario: "mixed" }),
        planDataset({ days: 7, seed: 1, end: END, scenario: "mixed", meanRatePerSecond: 6 }),
        planDataset({ days: 7, seed: 1, end: END, scenario: "mixed", dataset: "other.access" }),
      ];
      const names = new Set(variants.map((variant) => indexNameFor("lab-access", variant)));
      expect(names.size).to.equal(variants.length);
      expect(names.has(name)).to.equal(false);
    });

    it("keeps the name valid whatever the scenario is called", () => {
      const custom = planDataset({ days: 2, seed: 1, end: END, anomalies: [{ kind: "spike" }] });
      expect(indexNameFor("lab-access", custom)).to.match(/^lab-access-custom-2026\.11\.24-[0-9a-f]{8}$/);
    });
  });

  describe("checks", () => {
    it("accepts lowercase prefixes and rejects what Elasticsearch would refuse", () => {
      checkIndexPrefix("lab-access");
      checkIndexPrefix("cohort_2.lab");
      for (const bad of ["", "Lab", "-lab", "_lab", "lab*", "lab data", "lab,other", "a".repeat(201)]) {
        expect(() => checkIndexPrefix(bad), bad).to.throw(UsageError, "is not allowed: use 1 to 200 lowercase letters");
      }
    });

    it("requires an explicit index name to sit under the prefix, so the template applies", () => {
      checkIndexName("lab-access-mine", "lab-access");
      expect(() => checkIndexName("mine", "lab-access")).to.throw(UsageError, 'index name "mine" must start with "lab-access-"');
      expect(() => checkIndexName("lab-access-*", "lab-access")).to.throw(UsageError, "is not allowed");
    });

    it("gathers every bad bulk setting in one error", () => {
      checkBulkSettings({ flushBytes: 1_048_576, concurrency: 2 });
      expect(() => checkBulkSettings({ flushBytes: 10, concurrency: 0 })).to.throw(UsageError)
        .with.property("problems").that.deep.equals([
          "flushBytes must be a whole number of bytes, at least 1024, got 10",
          "concurrency must be a whole number from 1 to 64, got 0",
        ]);
    });
  });
});
