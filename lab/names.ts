// Every name the lab gives to something outside Pulumi's state (Docker objects, the index, the data
// view, ML jobs) comes from here, derived from the cohort, so two cohorts on one Docker host and one
// laptop collide nowhere. Pulumi's own logical names are derived from the component's name instead.

import { labJobId } from "./config";

export interface LabNames {
  /** The Docker label every container, network and volume carries: `lab.cohort=<cohort>` */
  label: { key: string; value: string };
  network: string;
  elasticsearchContainer: string;
  elasticsearchVolume: string;
  kibanaContainer: string;
  /** The mail catcher (lab:mailCatcher), and its host name on the cohort's network */
  mailContainer: string;
  /** Where the index connector writes every alert of the cohort's rule */
  alertsIndex: string;
  /** Live mode's traffic generator (lab:live) */
  trafficContainer: string;
  /** The image the traffic container runs, built from the project's Dockerfile */
  trafficImage: string;
  /** The host name Kibana reaches Elasticsearch by, inside the cohort's network */
  elasticsearchAlias: string;
  indexPrefix: string;
  /** Where nginx's error log for the same requests goes: the generator's errorIndexPrefixFor(indexPrefix) */
  errorIndexPrefix: string;
  dataViewId: string;
  jobId(jobName: string): string;
}

export function labNames(cohort: string): LabNames {
  const base = `lab-${cohort}`;
  return {
    label: { key: "lab.cohort", value: cohort },
    network: base,
    elasticsearchContainer: `${base}-elasticsearch`,
    elasticsearchVolume: `${base}-esdata`,
    kibanaContainer: `${base}-kibana`,
    mailContainer: `${base}-mail`,
    alertsIndex: `${base}-alerts`,
    trafficContainer: `${base}-traffic`,
    trafficImage: `${base}-traffic:latest`,
    elasticsearchAlias: "elasticsearch",
    indexPrefix: `${base}-access`,
    errorIndexPrefix: `${base}-error`,
    dataViewId: `${base}-access`,
    jobId: (jobName) => labJobId(cohort, jobName),
  };
}
