import { expect } from "chai";
import { planDataset } from "../../../generator/plan";
import {
  LAB_ERROR_INDEX_MAPPINGS,
  LAB_INDEX_MAPPINGS,
  checkBulkSettings,
  checkIndexName,
  checkIndexPrefix,
  datasetIndexPattern,
  errorIndexNameFor,
  errorIndexPrefixFor,
  indexNameFor,
  indexTemplateFor,
} from "../../../generator/sinks/elasticsearch";
import { UsageError } from "../../../generator/errors";

const END = new Date("2026-11-24T00:00:00Z");

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

    it("gives the error log's prefix a template of its own with the error mapping, which wins where the patterns overlap", () => {
      const errors = indexTemplateFor("lab-error", "error");
      expect(errors.index_patterns).to.deep.equal(["lab-error-*"]);
      expect(errors.template?.mappings).to.equal(LAB_ERROR_INDEX_MAPPINGS);
      expect(errors.template?.settings).to.deep.equal(indexTemplateFor("lab-access").template?.settings);
      expect(indexTemplateFor("lab-access").template?.mappings).to.equal(LAB_INDEX_MAPPINGS);
      // "web-*" also matches "web-error-*": Elasticsearch applies the template of higher priority.
      expect(indexTemplateFor(errorIndexPrefixFor("web"), "error").priority).to.be.greaterThan(indexTemplateFor("web").priority as number);
    });
  });

  describe("errorIndexPrefixFor and errorIndexNameFor", () => {
    const plan = planDataset({ days: 7, seed: 1, end: END, scenario: "mixed" });

    it("replaces a trailing -access with -error, and appends -error to any other prefix", () => {
      expect(errorIndexPrefixFor("lab-access")).to.equal("lab-error");
      expect(errorIndexPrefixFor("lab-cohort-a-access")).to.equal("lab-cohort-a-error");
      expect(errorIndexPrefixFor("web")).to.equal("web-error");
      expect(errorIndexPrefixFor("access")).to.equal("access-error");
      expect(errorIndexPrefixFor("lab-access-x")).to.equal("lab-access-x-error");
    });

    it("names the error index with the same scenario, day and digest as its access index", () => {
      const access = indexNameFor("lab-access", plan);
      const errors = errorIndexNameFor("lab-access", plan);
      expect(errors).to.equal(access.replace(/^lab-access-/, "lab-error-"));
      expect(errors).to.match(datasetIndexPattern("lab-error"));
      // The access prefix's pattern never claims the error index, so its template is kept or deleted on its own.
      expect(errors).not.to.match(datasetIndexPattern("lab-access"));
      expect(errorIndexNameFor("web", plan)).not.to.match(datasetIndexPattern("web"));
    });

    it("refuses a prefix that is bad, or too long to carry -error, naming the prefix", () => {
      expect(() => errorIndexPrefixFor("Lab")).to.throw(UsageError, 'index prefix "Lab" is not allowed');
      expect(() => errorIndexPrefixFor("a".repeat(196))).to.throw(UsageError, /^index prefix "a{196}" is too long for its error log's prefix "a{196}-error"/);
      expect(errorIndexPrefixFor(`${"a".repeat(193)}-access`)).to.equal(`${"a".repeat(193)}-error`);
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
