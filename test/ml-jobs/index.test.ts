import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../generator/errors";
import { ANOMALY_KINDS } from "../../generator/types";
import {
  DEFAULT_INDEX_PATTERN,
  ERROR_INDEX_PATTERN,
  JOBS_DIR,
  LAB_ERROR_INDEX_FIELDS,
  LAB_INDEX_FIELDS,
  jobRequests,
  jobsForKinds,
  jobsForScenario,
  loadJobDefinitions,
  parseTimeValue,
  prebuiltJobs,
  queryFields,
  type LabJobDefinition,
} from "../../ml-jobs";
import { generateEvents } from "../../generator/events";
import { planDataset } from "../../generator/plan";
import { DETECTOR_FUNCTIONS } from "../../ml-jobs/functions";
import { SCENARIOS } from "../../generator/scenarios";
import { leafFieldTypes } from "../../ml-jobs/fields";

function libraryFile(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(JOBS_DIR, name), "utf8"));
}

function loadFailure(files: Record<string, unknown>): UsageError {
  const dir = mkdtempSync(join(tmpdir(), "ml-jobs-"));
  try {
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
    }
    loadJobDefinitions(dir);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return error as UsageError;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error("expected loadJobDefinitions to fail");
}

describe("ml-jobs", () => {
  describe("the shipped job library", () => {
    let jobs: LabJobDefinition[];
    before(() => {
      jobs = loadJobDefinitions();
    });

    it("loads every job file without a problem, each job named once", () => {
      expect(jobs.length).to.be.at.least(ANOMALY_KINDS.length);
      expect(new Set(jobs.map((job) => job.name)).size).to.equal(jobs.length);
    });

    it("has a job for every anomaly kind the generator injects", () => {
      for (const kind of ANOMALY_KINDS) expect(jobsForKinds([kind], jobs), kind).to.not.be.empty;
    });

    it("describes every job in one line naming the scenario that exercises it", () => {
      for (const job of jobs) {
        expect(job.description, job.name).to.not.include("\n");
        for (const kind of job.detects) expect(job.description, job.name).to.include(`"${kind}" scenario`);
      }
    });

    it("names only fields the index it reads defines (the error log's for a job on it), and mlcategory only when it categorizes", () => {
      for (const job of jobs) {
        const analysis = job.job.analysis_config as typeof job.job.analysis_config & { categorization_field_name?: string };
        const fields = job.indexPattern === ERROR_INDEX_PATTERN ? LAB_ERROR_INDEX_FIELDS : LAB_INDEX_FIELDS;
        const named = [
          ...(analysis.influencers ?? []),
          ...analysis.detectors.flatMap((d) => [d.field_name, d.by_field_name, d.over_field_name, d.partition_field_name]),
          analysis.categorization_field_name,
        ].filter((field) => field !== undefined && !(field === "mlcategory" && analysis.categorization_field_name !== undefined));
        for (const field of named) expect(fields, `${job.name}: ${String(field)}`).to.have.property(String(field));
        expect((job.job.data_description as { time_field: string }).time_field).to.equal("@timestamp");
      }
    });

    it("filters its datafeeds only on fields the index defines, with values the generated documents hold", () => {
      const events = [...generateEvents(planDataset({ days: 2, seed: 3, scenario: "mixed", meanRatePerSecond: 0.02, end: new Date("2026-11-20T00:00:00Z") }))];
      expect(events.length).to.be.above(1000);
      for (const job of jobs) {
        for (const { path, field } of queryFields(job.datafeed.query)) expect(LAB_INDEX_FIELDS, `${job.name}: ${path}`).to.have.property(field);
        // Elastic's module filters on the integration's dataset: every access document must pass it.
        const filtersDataset = queryFields(job.datafeed.query).some(({ path }) => path.endsWith(".term.data_stream.dataset"));
        if (job.prebuilt !== undefined) expect(filtersDataset, job.name).to.equal(true);
        if (filtersDataset) expect(new Set(events.map((event) => event.data_stream.dataset)), job.name).to.deep.equal(new Set(["nginx.access"]));
      }
      expect(prebuiltJobs(jobs)).to.have.length(5);
    });

    it("uses only documented detector functions, a parseable bucket span and a memory limit", () => {
      for (const job of jobs) {
        for (const detector of job.job.analysis_config.detectors) expect(DETECTOR_FUNCTIONS, job.name).to.have.property(String(detector.function));
        expect(parseTimeValue(job.job.analysis_config.bucket_span), job.name).to.be.a("number");
        expect((job.job.analysis_limits as { model_memory_limit: string }).model_memory_limit, job.name).to.match(/^\d+mb$/);
      }
    });

    it("sees a 30-minute burst in at least two buckets: the spike job's bucket span is 15 minutes or less", () => {
      for (const name of jobsForKinds(["spike"], jobs)) {
        const job = jobs.find((j) => j.name === name)!;
        expect(parseTimeValue(job.job.analysis_config.bucket_span)).to.be.at.most(15 * 60_000);
      }
    });

    it("uses the detector each kind calls for", () => {
      const functionsFor = (kind: (typeof ANOMALY_KINDS)[number]) =>
        jobs.filter((job) => job.detects.includes(kind)).flatMap((job) => job.job.analysis_config.detectors.map((d) => d.function));
      expect(functionsFor("spike")).to.include("high_count");
      expect(functionsFor("drop")).to.include("low_count");
      expect(functionsFor("latency")).to.include("high_mean");
      expect(functionsFor("scan")).to.include("high_distinct_count");
      expect(functionsFor("rare_agent")).to.include("rare");
      expect(functionsFor("level_shift")).to.include("count");
      expect(functionsFor("ramp")).to.include("high_mean");
      expect(functionsFor("new_error")).to.include.members(["count", "rare"]);
    });

    it("categorizes the error log's messages for new_error, with a raw datafeed on the error indices", () => {
      const [name] = jobsForKinds(["new_error"], jobs);
      const job = jobs.find((j) => j.name === name)!;
      expect(job.indexPattern).to.equal(ERROR_INDEX_PATTERN);
      expect(job.job.analysis_config).to.include({ categorization_field_name: "message" });
      expect(job.job.analysis_config.detectors.map((d) => [d.function, d.by_field_name])).to.deep.equal([["count", "mlcategory"], ["rare", "mlcategory"]]);
      expect(job.datafeed).to.not.have.property("aggregations");
      expect(jobRequests(job, { jobId: "c1-errors" }).datafeed.indices).to.deep.equal([ERROR_INDEX_PATTERN]);
    });
  });

  describe("jobsForScenario", () => {
    it("names, for every scenario, the jobs that detect its anomaly kinds", () => {
      expect(jobsForScenario("spike")).to.deep.equal(["lab_request_rate_high"]);
      expect(jobsForScenario("drop")).to.deep.equal(["lab_request_rate_low"]);
      expect(jobsForScenario("latency")).to.deep.equal(["lab_latency"]);
      expect(jobsForScenario("errors")).to.deep.equal(["lab_response_code_rates", "lab_server_errors"]);
      expect(jobsForScenario("scan")).to.deep.equal(["lab_url_scanning"]);
      expect(jobsForScenario("rare_agent")).to.deep.equal(["lab_rare_user_agent"]);
      expect(jobsForScenario("new_error")).to.deep.equal(["lab_error_categories"]);
      expect(jobsForScenario("level_shift")).to.deep.equal(["lab_request_rate_level"]);
      expect(jobsForScenario("ramp")).to.deep.equal(["lab_latency"]);
    });

    it("covers every kind of every scenario, and gives clean traffic every job (none of them should fire)", () => {
      const all = loadJobDefinitions();
      for (const [name, scenario] of Object.entries(SCENARIOS)) {
        const chosen = all.filter((def) => jobsForScenario(name, all).includes(def.name));
        for (const request of scenario.anomalies) expect(chosen.some((def) => def.detects.includes(request.kind)), `${name}: ${request.kind}`).to.equal(true);
      }
      expect(jobsForScenario("none", all)).to.deep.equal(all.filter((def) => def.prebuilt === undefined).map((def) => def.name));
      for (const name of Object.keys(SCENARIOS)) expect(jobsForScenario(name, all), name).to.not.include.members(prebuiltJobs(all));
    });

    it("rejects an unknown scenario, listing the known ones", () => {
      expect(() => jobsForScenario("ddos")).to.throw(UsageError, /unknown scenario "ddos"; known scenarios: spike, mixed, none/);
    });
  });

  describe("jobRequests", () => {
    const accessJob = () => loadJobDefinitions().find((def) => def.name === "lab_request_rate_high")!;

    it("points the datafeed at the given index pattern and job, named datafeed-<job>", () => {
      const def = accessJob();
      const { job, datafeed } = jobRequests(def, { jobId: "cohort1-spike", indexPattern: "cohort1-access-*" });
      expect(job.job_id).to.equal("cohort1-spike");
      expect(job.analysis_config).to.deep.equal(def.job.analysis_config);
      expect(datafeed).to.include({ datafeed_id: "datafeed-cohort1-spike", job_id: "cohort1-spike" });
      expect(datafeed.indices).to.deep.equal(["cohort1-access-*"]);
      expect(datafeed.query).to.deep.equal(def.datafeed.query);
    });

    it("points a datafeed whose file names lab-error-* at the error index, and every other at the access index", () => {
      // A small categorization job on nginx's error log, as a job file on lab-error-* is loaded.
      const errorJob: LabJobDefinition = {
        name: "error_categories",
        description: "count by mlcategory of nginx's error-log messages",
        detects: ["errors"],
        job: {
          analysis_config: Object.assign({ bucket_span: "15m", detectors: [{ function: "count", by_field_name: "mlcategory" }], influencers: ["mlcategory"] }, { categorization_field_name: "message" }),
          data_description: { time_field: "@timestamp" },
        },
        datafeed: { query: { match_all: {} } },
        indexPattern: ERROR_INDEX_PATTERN,
      };
      const target = { jobId: "lab-c1-error_categories", indexPattern: "lab-c1-access-2026.11.17-0123abcd", errorIndexPattern: "lab-c1-error-2026.11.17-0123abcd" };
      expect(jobRequests(errorJob, target).datafeed.indices).to.deep.equal(["lab-c1-error-2026.11.17-0123abcd"]);
      expect(jobRequests(errorJob, { jobId: "x" }).datafeed.indices).to.deep.equal([ERROR_INDEX_PATTERN]);
      const accessJob = loadJobDefinitions().find((def) => def.name === "lab_request_rate_high")!;
      expect(accessJob.indexPattern).to.equal(DEFAULT_INDEX_PATTERN);
      expect(jobRequests(accessJob, target).datafeed.indices).to.deep.equal(["lab-c1-access-2026.11.17-0123abcd"]);
    });

    it("defaults to the lab's index pattern and leaves the definition untouched", () => {
      const def = accessJob();
      const before = JSON.stringify(def);
      const { job, datafeed } = jobRequests(def, { jobId: "x" });
      expect(datafeed.indices).to.deep.equal([DEFAULT_INDEX_PATTERN]);
      job.analysis_config.detectors.push({ function: "count" });
      expect(JSON.stringify(def)).to.equal(before);
    });
  });

  describe("validation of a bad job file", () => {
    // The high-count job as a raw datafeed, so that these tests see only the problem they plant.
    const good = () => {
      const file = libraryFile("request_rate_high.json");
      delete file.datafeed.aggregations;
      delete file.datafeed.frequency;
      delete file.job.analysis_config.summary_count_field_name;
      return file;
    };

    it("names the path of a datafeed query's filter on a field the index lacks", () => {
      const file = good();
      file.datafeed.query = { bool: { filter: [{ term: { "event.dataset": "nginx.access" } }, { exists: { field: "nginx.access.remote_ip" } }], must_not: { range: { "http.status": { gte: 500 } } } } };
      const error = loadFailure({ "bad.json": file });
      expect(error.problems.map((p) => p.split(": ").slice(2, 4).join(": ").replace(/;.*/, ""))).to.deep.equal([
        'datafeed.query.bool.filter[1].exists.field: unknown field "nginx.access.remote_ip"',
        'datafeed.query.bool.must_not.range.http.status: unknown field "http.status"',
      ]);
    });

    it("names the file, the job and the field for an unknown field", () => {
      const file = good();
      file.job.analysis_config.influencers.push("client.ip");
      const error = loadFailure({ "bad.json": file });
      expect(error.message).to.include("bad.json").and.include('job "lab_request_rate_high"').and.include("influencers[1]").and.include('unknown field "client.ip"');
    });

    it("names the detector for an invalid function", () => {
      const file = good();
      file.job.analysis_config.detectors[0].function = "highest_count";
      const error = loadFailure({ "bad.json": file });
      expect(error.message).to.include("bad.json").and.include("detectors[0].function").and.include('"highest_count"');
    });

    it("rejects a metric function over a keyword field and a missing field_name", () => {
      const file = good();
      file.job.analysis_config.detectors = [{ function: "high_mean", field_name: "url.path" }, { function: "high_mean" }];
      const error = loadFailure({ "bad.json": file });
      expect(error.problems).to.have.length(2);
      expect(error.problems[0]).to.include("detectors[0].field_name").and.include("numeric");
      expect(error.problems[1]).to.include("detectors[1].field_name").and.include("needs a field_name");
    });

    it("rejects an unparseable bucket span", () => {
      const file = good();
      file.job.analysis_config.bucket_span = "15 minutes";
      expect(loadFailure({ "bad.json": file }).message).to.include("bucket_span").and.include('"15 minutes"');
    });

    it("rejects a datafeed that points at another job or index", () => {
      const file = good();
      file.datafeed.job_id = "other";
      file.datafeed.indices = ["logs-*"];
      const error = loadFailure({ "bad.json": file });
      expect(error.message).to.include("datafeed.job_id").and.include("datafeed.indices");
    });

    it("rejects unknown keys at every level, listing every problem at once", () => {
      const file = good();
      file.extra = 1;
      file.job.bucketspan = "15m";
      file.job.analysis_config.detectors[0].partition = "host.name";
      file.datafeed.index = "lab-access-*";
      const error = loadFailure({ "bad.json": file });
      expect(error.problems.map((p) => p.split(": ")[2])).to.deep.equal(["extra", "job.bucketspan", "job.analysis_config.detectors[0].partition", "datafeed.index"]);
    });

    it("rejects a file that is not JSON, naming the file", () => {
      expect(loadFailure({ "broken.json": "{ job: " }).message).to.include("broken.json").and.include("not valid JSON");
    });

    it("rejects a job id defined twice", () => {
      expect(loadFailure({ "a.json": good(), "b.json": good() }).message).to.include("b.json").and.include("already defined");
    });

    it("refuses a categorization job with an aggregated datafeed, and mlcategory without categorization", () => {
      const aggregated = libraryFile("request_rate_high.json");
      aggregated.job.analysis_config.categorization_field_name = "message";
      expect(loadFailure({ "bad.json": aggregated }).message).to.include("datafeed.aggregations").and.include("needs a raw datafeed");
      const file = good();
      file.job.analysis_config.detectors[0].by_field_name = "mlcategory";
      expect(loadFailure({ "bad.json": file }).message).to.include("detectors[0].by_field_name").and.include('"mlcategory" needs job.analysis_config.categorization_field_name');
    });

    it("checks a job on the error log against the error log's fields", () => {
      const file = libraryFile("error_categories.json");
      file.job.analysis_config.influencers.push("user_agent.original");
      file.job.analysis_config.categorization_field_name = "process.pid";
      const error = loadFailure({ "bad.json": file });
      expect(error.problems).to.have.length(2);
      expect(error.problems[0]).to.include("influencers[3]").and.include('unknown field "user_agent.original"; the error log\'s index (lab-error-*) defines');
      expect(error.problems[1]).to.include("categorization_field_name").and.include('"process.pid" is a long field');
    });

    it("rejects an undeclared or unknown anomaly kind", () => {
      const file = good();
      file.job.custom_settings.lab.detects = ["ddos"];
      expect(loadFailure({ "bad.json": file }).message).to.include("custom_settings.lab.detects").and.include('"ddos"');
    });
  });
});

describe("ml-jobs field catalogue", () => {
  it("reads each leaf field of a mapping with its type, through nested objects, leaving multi-fields out", () => {
    const mapping = {
      properties: {
        "@timestamp": { type: "date" },
        url: { properties: { original: { type: "keyword", fields: { text: { type: "text" } } }, path: { type: "keyword" } } },
        source: { properties: { geo: { properties: { location: { type: "geo_point" } } } } },
      },
    } as const;
    expect(leafFieldTypes(mapping as any)).to.deep.equal({ "@timestamp": "date", "url.original": "keyword", "url.path": "keyword", "source.geo.location": "geo_point" });
  });

  it("refuses a mapping type that job validation does not know, naming the field", () => {
    expect(() => leafFieldTypes({ properties: { message: { type: "match_only_text" } } } as any)).to.throw("field message of the lab's mapping has type match_only_text");
  });

  it("gives jobs on the access log the integration's types, and the error log's fields to jobs on the error log", () => {
    expect(LAB_INDEX_FIELDS).to.include({ "@timestamp": "date", message: "text", "event.duration": "long", "http.response.status_code": "long", "source.ip": "ip", "source.geo.location": "geo_point", "user_agent.original": "keyword", "url.path": "keyword" });
    expect(LAB_INDEX_FIELDS).to.not.have.property("user_agent.original.text");
    expect(LAB_INDEX_FIELDS).to.not.have.property("log.level");
    expect(LAB_ERROR_INDEX_FIELDS).to.include({ "@timestamp": "date", message: "text", "log.level": "keyword", "process.pid": "long", "url.path": "keyword", "source.ip": "ip" });
    expect(LAB_ERROR_INDEX_FIELDS).to.not.have.property("event.duration");
  });

  it("is what docs/generator.md's mapping table lists, field by field and type by type", () => {
    const page = readFileSync(join(__dirname, "..", "..", "docs", "generator.md"), "utf8");
    const table = page.slice(page.indexOf("**Mapping**"), page.indexOf("**The error log's mapping**"));
    const documented: Record<string, string> = {};
    for (const row of table.split("\n").filter((line) => line.startsWith("| `"))) {
      const [, fields, type] = row.split("|").map((cell) => cell.trim());
      for (const [, field] of fields.matchAll(/`([^`]+)`/g)) documented[field] = /^[a-z_]+/.exec(type)![0];
    }
    expect(documented).to.deep.equal({ ...LAB_INDEX_FIELDS });
  });
});

