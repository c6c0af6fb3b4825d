// The live generator's command line (lab/traffic-command.ts): it must name the very stream the
// dataset's backfill wrote, or the traffic would start another index instead of resuming it.

import { expect } from "chai";
import { parseRun } from "../../generator/cli";
import { liveIndexNameFor } from "../../generator/follow-plan";
import { liveIndexOf } from "../../lab/providers/dataset-live";
import { trafficArguments, trafficEnvironment, type TrafficOptions } from "../../lab/traffic-command";

/** The generator's own reading of the arguments (commander's option names, camel-cased). */
function parsedByTheGenerator(args: string[]) {
  const raw: Record<string, unknown> = { anomaly: [] };
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i].replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (args[i] === "--follow") raw.follow = true;
    else if (args[i] === "--anomaly") (raw.anomaly as string[]).push(args[++i]);
    else raw[flag] = args[++i];
  }
  return parseRun(raw as unknown as Parameters<typeof parseRun>[0], { env: { ELASTICSEARCH_PASSWORD: "pw" }, now: () => new Date("2026-11-30T10:00:00Z") });
}

const OPTIONS: TrafficOptions[] = [
  { elasticsearchUrl: "http://elasticsearch:9200", indexPrefix: "lab-cohort-a-access", days: 14, seed: 42, scenario: "live", meanRatePerSecond: undefined },
  { elasticsearchUrl: "https://es.example.com:443", indexPrefix: "lab-b-access", days: 3, seed: 7, scenario: "mixed", meanRatePerSecond: 0.5 },
  { elasticsearchUrl: "http://elasticsearch:9200", indexPrefix: "lab-c-access", days: 2, seed: 42, scenario: "live", meanRatePerSecond: undefined, liveAnomaly: "spike,start=+5m,minutes=30" },
];

describe("the live generator's command line", () => {
  it("runs follow mode against the given Elasticsearch with the dataset's prefix, days, seed, scenario and rate", () => {
    expect(trafficArguments(OPTIONS[1])).to.deep.equal(["--follow", "--es", "https://es.example.com:443", "--index-prefix", "lab-b-access", "--days", "3", "--seed", "7", "--scenario", "mixed", "--rate", "0.5"]);
    expect(trafficArguments(OPTIONS[0])).to.not.include("--rate");
    expect(trafficArguments(OPTIONS[2]).slice(-2)).to.deep.equal(["--anomaly", "spike,start=+5m,minutes=30"]);
  });

  it("names the index the dataset's backfill wrote, as the generator itself reads the arguments, so the traffic resumes it", () => {
    for (const options of OPTIONS) {
      const run = parsedByTheGenerator(trafficArguments(options));
      expect(run.follow, options.scenario).to.not.equal(undefined);
      const { end: _end, ...followOptions } = run.datasetOptions;
      expect(liveIndexNameFor(options.indexPrefix, followOptions)).to.equal(liveIndexOf({ ...options, meanRatePerSecond: options.meanRatePerSecond }));
    }
  });

  it("puts no credential on the command line: they go in the environment", () => {
    for (const options of OPTIONS) expect(trafficArguments(options).join(" ")).to.not.match(/password|api-key|user/i);
    expect(trafficEnvironment({ username: "elastic", password: "s3cret" })).to.deep.equal({ ELASTICSEARCH_USERNAME: "elastic", ELASTICSEARCH_PASSWORD: "s3cret" });
    expect(trafficEnvironment({ username: "elastic", password: "s3cret", apiKey: "a2V5" })).to.deep.equal({ ELASTICSEARCH_API_KEY: "a2V5" });
  });
});
