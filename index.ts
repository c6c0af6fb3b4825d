// The Elastic ML training lab, one stack per workshop cohort. Configuration (documented in
// Pulumi.yaml) is read and validated first; on an existing cluster, the cluster is asked whether the
// lab can work there. A bad value stops the run before any resource exists.
// The graph itself is in lab/program.ts; the outputs are what the instructor hands out
// (`pulumi stack output`, and `pulumi stack output password --show-secrets`).
//
// The program is a function so that outputs the configuration leaves out (the verification, a
// Kibana URL on a cluster without one) are not exported at all: an exported `undefined` makes
// Pulumi warn on every preview.

import { buildLab, stackOutputs } from "./lab/program";
import { checkTargetOrStop, readLabConfigOrStop } from "./lab/read-config";

export = async () => {
  const config = readLabConfigOrStop();
  await checkTargetOrStop(config);
  return stackOutputs(buildLab(config));
};
