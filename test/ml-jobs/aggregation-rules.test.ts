// The documented rules for datafeeds with aggregations ("Aggregating data for faster performance",
// https://www.elastic.co/guide/en/machine-learning/current/ml-configuring-aggregation.html), one bad
// example each: every message names the file, the job and the field.

import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { JOBS_DIR, loadJobDefinitions, validateJobFile } from "../../ml-jobs";
import { liveDatafeed } from "../../lab/live-datafeed";

function libraryFile(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(JOBS_DIR, name), "utf8"));
}

function problemsOf(file: Record<string, any>): string[] {
  return validateJobFile("ml-jobs/bad.json", file).problems;
}

/** Exactly one problem, about `path`, naming the file and the job. */
function onlyProblem(file: Record<string, any>, path: string): string {
  const problems = problemsOf(file);
  expect(problems, problems.join("\n")).to.have.length(1);
  expect(problems[0]).to.include("ml-jobs/bad.json").and.include(`job "${file.job.job_id}"`).and.include(`${path}:`);
  return problems[0];
}

describe("ml-jobs: aggregated datafeeds", () => {
  describe("the shipped library", () => {
    it("aggregates every datafeed of the lab's own jobs but the population analysis (url_scanning), which scrolls with tuned pages and chunks, and the categorization of the error log", () => {
      const jobs = loadJobDefinitions().filter((job) => job.prebuilt === undefined);
      const raw = jobs.filter((job) => job.datafeed.aggregations === undefined).map((job) => job.name);
      expect(raw).to.deep.equal(["lab_error_categories", "lab_url_scanning"]);
      const categories = jobs.find((job) => job.name === "lab_error_categories")!;
      expect(categories.job.analysis_config).to.not.have.property("summary_count_field_name");
      expect(categories.description).to.include("ml-configuring-categories");
      const scanning = jobs.find((job) => job.name === "lab_url_scanning")!;
      expect(scanning.datafeed).to.deep.include({ scroll_size: 10_000, chunking_config: { mode: "manual", time_span: "6h" } });
      expect(scanning.job.analysis_config).to.not.have.property("summary_count_field_name");
      for (const job of jobs.filter((j) => j.datafeed.aggregations !== undefined)) {
        expect(job.job.analysis_config, job.name).to.have.property("summary_count_field_name", "doc_count");
        expect(job.description, job.name).to.include("ml-configuring-aggregation");
      }
    });

    it("keeps Elastic's prebuilt datafeeds as published: raw where the module's are raw, aggregated into 15m buckets where they are", () => {
      const prebuilt = new Map(loadJobDefinitions().filter((job) => job.prebuilt !== undefined).map((job) => [job.name, job]));
      const aggregated = [...prebuilt.values()].filter((job) => job.datafeed.aggregations !== undefined).map((job) => job.name);
      expect(aggregated.sort()).to.deep.equal(["low_request_rate_nginx", "visitor_rate_nginx"]);
      expect(prebuilt.get("visitor_rate_nginx")!.job.analysis_config).to.have.property("summary_count_field_name", "dc_source_address");
      expect(prebuilt.get("low_request_rate_nginx")!.job.analysis_config).to.have.property("summary_count_field_name", "doc_count");
    });

    it("accepts a cardinality aggregation as the summary count, as Elastic's visitor_rate_nginx uses it, and refuses another metric or one that is absent", () => {
      const file = libraryFile("visitor_rate_nginx.json");
      expect(problemsOf(file)).to.deep.equal([]);
      const summed = libraryFile("visitor_rate_nginx.json");
      (summed.datafeed.aggregations as any).buckets.aggregations.dc_source_address = { sum: { field: "http.response.body.bytes" } };
      expect(problemsOf(summed).join("\n")).to.include("the job's summary count must be a cardinality or value_count per bucket, got sum");
      const absent = libraryFile("visitor_rate_nginx.json");
      delete (absent.datafeed.aggregations as any).buckets.aggregations.dc_source_address;
      expect(problemsOf(absent).join("\n")).to.include('the name of a cardinality or value_count aggregation beside the histogram\'s max of the time field; got "dc_source_address"');
    });
  });

  describe("live mode", () => {
    it("keeps every job valid with live mode's datafeed frequency (lab/live-datafeed.ts): a multiple of each aggregation interval", () => {
      for (const name of readdirSync(JOBS_DIR).filter((file) => file.endsWith(".json"))) {
        const file = libraryFile(name);
        Object.assign(file.datafeed, liveDatafeed(file.datafeed));
        expect(problemsOf(file), name).to.deep.equal([]);
      }
    });
  });

  describe("rejects", () => {
    const histogramJob = () => libraryFile("request_rate_high.json");
    const nestedJob = () => libraryFile("response_code_rates.json");
    const compositeJob = () => libraryFile("latency.json");

    it("a date_histogram without the max of the time field", () => {
      const file = histogramJob();
      delete file.datafeed.aggregations.buckets.aggregations["@timestamp"];
      expect(onlyProblem(file, "datafeed.aggregations.buckets.aggregations.@timestamp")).to.include("max aggregation on the time field");
    });

    it("a composite without the max of the time field", () => {
      const file = compositeJob();
      delete file.datafeed.aggregations.buckets.aggregations["@timestamp"];
      expect(onlyProblem(file, "datafeed.aggregations.buckets.aggregations.@timestamp")).to.include("max aggregation");
    });

    it("a max of the time field under another name, or a min of it", () => {
      const file = histogramJob();
      const aggs = file.datafeed.aggregations.buckets.aggregations;
      delete aggs["@timestamp"];
      aggs.latest = { max: { field: "@timestamp" } };
      const problems = problemsOf(file);
      expect(problems.join("\n")).to.include("datafeed.aggregations.buckets.aggregations.latest: must be named after its field \"@timestamp\"");
      const min = histogramJob();
      min.datafeed.aggregations.buckets.aggregations["@timestamp"] = { min: { field: "@timestamp" } };
      expect(problemsOf(min).join("\n")).to.include("the time field's aggregation must be a max");
    });

    it("a terms aggregation on a field that is neither a partition/by/over field nor an influencer", () => {
      const file = histogramJob();
      const aggs = file.datafeed.aggregations.buckets.aggregations;
      delete aggs["host.name"];
      aggs["url.path"] = { terms: { field: "url.path", size: 100 } };
      const problems = problemsOf(file);
      expect(problems).to.have.length(2);
      expect(problems[0]).to.include("job.analysis_config.influencers[0]").and.include('"host.name" is not produced');
      expect(problems[1]).to.include("datafeed.aggregations.buckets.aggregations.url.path").and.include("is not a partition, by or over field nor an influencer");
    });

    it("a partition field the aggregations do not produce", () => {
      const file = nestedJob();
      delete file.datafeed.aggregations.buckets.aggregations["http.response.status_code"];
      file.datafeed.aggregations.buckets.aggregations["host.name"] = { terms: { field: "host.name", size: 10 } };
      const problems = problemsOf(file);
      expect(problems.join("\n")).to.include('job.analysis_config.detectors[0].partition_field_name: "http.response.status_code" is not produced');
      expect(problems.join("\n")).to.include("job.analysis_config.influencers[0]");
    });

    it("a histogram interval that does not divide the bucket span", () => {
      const file = histogramJob();
      file.datafeed.aggregations.buckets.date_histogram.fixed_interval = "7m";
      file.datafeed.frequency = "14m";
      expect(onlyProblem(file, "datafeed.aggregations.buckets.date_histogram.fixed_interval")).to.include("420s does not divide the job's bucket span (900s)");
    });

    it("a composite interval that does not divide the bucket span, and a frequency that is not a multiple of it", () => {
      const file = compositeJob();
      file.datafeed.aggregations.buckets.composite.sources[0]["@timestamp"].date_histogram.fixed_interval = "4m";
      file.datafeed.frequency = "8m";
      expect(onlyProblem(file, "datafeed.aggregations.buckets.composite.sources[0].@timestamp.date_histogram.fixed_interval")).to.include("240s does not divide");
      const frequency = histogramJob();
      frequency.datafeed.frequency = "90s";
      expect(onlyProblem(frequency, "datafeed.frequency")).to.include("not a whole multiple of the aggregation interval (60s)");
    });

    it("a calendar interval, a time zone other than UTC and a histogram on another field", () => {
      const file = histogramJob();
      const histogram = file.datafeed.aggregations.buckets.date_histogram;
      histogram.time_zone = "Europe/Berlin";
      histogram.field = "event.duration";
      const problems = problemsOf(file).join("\n");
      expect(problems).to.include("date_histogram.time_zone: must be \"UTC\"").and.include("date_histogram.field: must be the job's time field");
      const calendar = histogramJob();
      delete calendar.datafeed.aggregations.buckets.date_histogram.fixed_interval;
      calendar.datafeed.aggregations.buckets.date_histogram.calendar_interval = "1h";
      expect(problemsOf(calendar).join("\n")).to.include("date_histogram.calendar_interval: use fixed_interval");
    });

    it("a detector field the aggregations do not produce, or produce with the wrong metric", () => {
      const file = compositeJob();
      delete file.datafeed.aggregations.buckets.aggregations["event.duration"];
      const problems = problemsOf(file);
      expect(problems).to.have.length(2);
      for (const [index, problem] of problems.entries()) {
        expect(problem).to.include(`job.analysis_config.detectors[${index}].field_name: "event.duration" is not produced`).and.include("avg aggregation");
      }
      const wrong = compositeJob();
      wrong.datafeed.aggregations.buckets.aggregations["event.duration"] = { max: { field: "event.duration" } };
      expect(problemsOf(wrong).join("\n")).to.include('"high_mean" needs the avg of "event.duration" per row, but the aggregation "event.duration" is a max');
    });

    it("a metric beside a terms aggregation instead of under it", () => {
      const file = nestedJob();
      file.job.analysis_config.detectors.push({ function: "high_mean", field_name: "event.duration", partition_field_name: "http.response.status_code" });
      file.datafeed.aggregations.buckets.aggregations["http.response.status_code"].aggregations["host.name"].aggregations = { "event.duration": { avg: { field: "event.duration" } } };
      expect(problemsOf(file)).to.deep.equal([]);
      const early = nestedJob();
      early.job.analysis_config.detectors.push({ function: "high_mean", field_name: "event.duration", partition_field_name: "http.response.status_code" });
      early.datafeed.aggregations.buckets.aggregations["event.duration"] = { avg: { field: "event.duration" } };
      expect(onlyProblem(early, "datafeed.aggregations.buckets.aggregations.event.duration")).to.include("innermost level");
    });

    it("a metric aggregation named other than its field", () => {
      const file = compositeJob();
      const aggs = file.datafeed.aggregations.buckets.aggregations;
      aggs["event.duration"] = { avg: { field: "http.response.body.bytes" } };
      expect(problemsOf(file).join("\n")).to.include('buckets.aggregations.event.duration: must be named after its field "http.response.body.bytes"');
    });

    it("a missing summary_count_field_name, and one on a raw datafeed", () => {
      const file = histogramJob();
      delete file.job.analysis_config.summary_count_field_name;
      expect(onlyProblem(file, "job.analysis_config.summary_count_field_name")).to.include('must be "doc_count" when the datafeed has aggregations');
      const raw = libraryFile("url_scanning.json");
      raw.job.analysis_config.summary_count_field_name = "doc_count";
      expect(onlyProblem(raw, "job.analysis_config.summary_count_field_name")).to.include("only for a datafeed with aggregations");
    });

    it("functions that cannot take aggregated rows: metric, and distinct_count of a population", () => {
      const file = compositeJob();
      file.job.analysis_config.detectors[0].function = "metric";
      expect(problemsOf(file).join("\n")).to.include('detectors[0].function: "metric" cannot take pre-summarised input');
      const scanning = libraryFile("url_scanning.json");
      delete scanning.datafeed.scroll_size;
      delete scanning.datafeed.chunking_config;
      scanning.job.analysis_config.summary_count_field_name = "doc_count";
      scanning.datafeed.aggregations = {
        buckets: {
          date_histogram: { field: "@timestamp", fixed_interval: "15m" },
          aggregations: {
            "@timestamp": { max: { field: "@timestamp" } },
            "source.ip": { terms: { field: "source.ip", size: 1000 }, aggregations: { "url.path": { cardinality: { field: "url.path" } } } },
          },
        },
      };
      const problems = problemsOf(scanning).join("\n");
      expect(problems).to.include('detectors[0].function: "high_distinct_count" of "url.path" cannot be computed from aggregated rows here; keep this job\'s datafeed raw');
    });

    it("a terms aggregation without a size, or with one too large for terms", () => {
      const file = histogramJob();
      delete file.datafeed.aggregations.buckets.aggregations["host.name"].terms.size;
      expect(onlyProblem(file, "datafeed.aggregations.buckets.aggregations.host.name.terms.size")).to.include("cover the field's cardinality");
      const large = histogramJob();
      large.datafeed.aggregations.buckets.aggregations["host.name"].terms.size = 5000;
      expect(onlyProblem(large, "datafeed.aggregations.buckets.aggregations.host.name")).to.include("use a composite aggregation");
    });

    it("a top level that is not one date_histogram or composite, and a composite with two histograms or a descending one", () => {
      const file = histogramJob();
      file.datafeed.aggregations = { "host.name": { terms: { field: "host.name", size: 10 } } };
      expect(onlyProblem(file, "datafeed.aggregations.host.name")).to.include("must be a date_histogram or a composite");
      const two = histogramJob();
      two.datafeed.aggregations.other = two.datafeed.aggregations.buckets;
      expect(onlyProblem(two, "datafeed.aggregations")).to.include("exactly one top-level aggregation");
      const composite = compositeJob();
      const sources = composite.datafeed.aggregations.buckets.composite.sources;
      sources[0]["@timestamp"].date_histogram.order = "desc";
      sources.push({ again: { date_histogram: { field: "@timestamp", fixed_interval: "5m" } } });
      const problems = problemsOf(composite).join("\n");
      expect(problems).to.include('date_histogram.order: must not be "desc"').and.include("exactly one date_histogram source");
    });

    it("scroll_size on an aggregated datafeed, a bad scroll_size or chunking_config on a raw one", () => {
      const file = histogramJob();
      file.datafeed.scroll_size = 1000;
      expect(onlyProblem(file, "datafeed.scroll_size")).to.include("does not scroll");
      const raw = libraryFile("url_scanning.json");
      raw.datafeed.scroll_size = 50_000;
      raw.datafeed.chunking_config = { mode: "manual" };
      const problems = problemsOf(raw).join("\n");
      expect(problems).to.include("datafeed.scroll_size: must be an integer from 1 to 10000").and.include("datafeed.chunking_config.time_span");
    });

    it("an unknown field in a terms aggregation, and the 'aggs' spelling", () => {
      const file = histogramJob();
      file.datafeed.aggregations.buckets.aggregations["host.name"].terms.field = "host";
      const problems = problemsOf(file).join("\n");
      expect(problems).to.include('must be named after its field "host"').and.include('unknown field "host"');
      const aggs = histogramJob();
      aggs.datafeed.aggs = aggs.datafeed.aggregations;
      delete aggs.datafeed.aggregations;
      expect(problemsOf(aggs).join("\n")).to.include('datafeed.aggs: spell it "aggregations"');
    });
  });
});
