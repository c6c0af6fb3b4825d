// The Elastic ML training lab, one stack per workshop cohort. Configuration (documented in
// Pulumi.yaml) is read and validated first: a bad value stops the run before any resource exists.
// The graph itself is in lab/program.ts; these exports are what the instructor hands out
// (`pulumi stack output`, and `pulumi stack output password --show-secrets`).

import { buildLab } from "./lab/program";
import { readLabConfigOrStop } from "./lab/read-config";

const lab = buildLab(readLabConfigOrStop());

export const cohort = lab.cohort;
export const kibanaUrl = lab.kibanaUrl;
export const elasticsearchUrl = lab.elasticsearchUrl;
export const username = lab.username;
export const password = lab.password;
export const index = lab.index;
export const documentCount = lab.documentCount;
export const timeRange = lab.timeRange;
export const anomalyWindows = lab.anomalyWindows;
export const dataViewId = lab.dataViewId;
export const jobs = lab.jobs;
export const verification = lab.verification;
