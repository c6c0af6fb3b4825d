// The full `pulumi up` of the Docker lab as a timeline, from step durations: what the critical-path
// benchmark (bench/critical-path.ts) reports. Pure. The graph is the program's (lab/program.ts):
//
//   engine ── network, volume ── Elasticsearch healthy ─┬─ kibana_system password ── Kibana ready ─┬─ data view
//                                                      └─ dataset ──────────────────────────────────┘
//                                                                └─ datafeeds (in parallel) ── verification
//
// so Kibana's start overlaps the dataset. ML results are there to look at once the datafeeds are
// done and Kibana is ready: the dataset's branch decides, unless Kibana takes longer than the
// dataset and the datafeeds together.

import type { StepTiming } from "../verify/timeline";

/** Seconds each step takes. */
export interface StepSeconds {
  /** The CLI, the language host running index.ts, the provider host */
  engine: number;
  /** Network and volume, made side by side */
  networkAndVolume: number;
  elasticsearch: number;
  kibanaSystemPassword: number;
  kibana: number;
  dataset: number;
  dataView: number;
  /** Every job's datafeed, run side by side on the one node: the longest of them */
  datafeeds: number;
  verification: number;
}

export interface UpModel {
  timeline: StepTiming[];
  /** Seconds from `pulumi up` to ML results to look at: the datafeeds done and Kibana ready */
  mlResultsAt: number;
  /** Seconds from `pulumi up` to the last step's end */
  doneAt: number;
  /** The steps the ML results wait for, in order */
  criticalPath: string[];
}

export function modelUp(seconds: StepSeconds, origin = Date.parse("2026-01-01T00:00:00.000Z")): UpModel {
  const timeline: StepTiming[] = [];
  const step = (name: string, startS: number, lengthS: number): number => {
    timeline.push({ step: name, start: new Date(origin + startS * 1000).toISOString(), end: new Date(origin + (startS + lengthS) * 1000).toISOString() });
    return startS + lengthS;
  };
  const engine = step("engine start-up", 0, seconds.engine);
  const infrastructure = step("network and volume", engine, seconds.networkAndVolume);
  const elasticsearch = step("elasticsearch", infrastructure, seconds.elasticsearch);
  const password = step("kibana_system password", elasticsearch, seconds.kibanaSystemPassword);
  const kibana = step("kibana", password, seconds.kibana);
  const dataset = step("dataset", elasticsearch, seconds.dataset);
  const dataView = step("data view", Math.max(kibana, dataset), seconds.dataView);
  const datafeeds = step("datafeeds", dataset, seconds.datafeeds);
  const verification = step("verification", datafeeds, seconds.verification);
  return {
    timeline: timeline.sort((a, b) => Date.parse(a.start) - Date.parse(b.start)),
    mlResultsAt: Math.max(datafeeds, kibana),
    doneAt: Math.max(dataView, verification),
    criticalPath: ["engine start-up", "network and volume", "elasticsearch", ...(kibana > datafeeds ? ["kibana_system password", "kibana"] : ["dataset", "datafeeds"])],
  };
}
