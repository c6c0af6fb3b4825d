// Reads the stack's `lab:*` configuration through the Pulumi runtime and validates it with
// `parseLabConfig`. Kept apart from config.ts so that the parsing stays testable without Pulumi.

import * as pulumi from "@pulumi/pulumi";
import { isExpectedFailure, UsageError } from "../generator/errors";
import { planFollow } from "../generator/follow-plan";
import { planDataset } from "../generator/plan";
import { SCENARIOS } from "../generator/scenarios";
import { jobsForKinds, jobsForScenario, loadJobDefinitions, prebuiltJobs } from "../ml-jobs/index";
import type { AnomalyKind } from "../generator/types";
import { followOptionsOf } from "./providers/dataset-live";
import { parseLabConfig, type LabCatalog, type LabConfig, type RawLabConfig } from "./config";
import { preflightExistingCluster } from "./preflight";

/** The scenarios and ML jobs that ship with the lab. */
export function labCatalog(): LabCatalog {
  const definitions = loadJobDefinitions();
  return {
    scenarios: Object.keys(SCENARIOS),
    jobNames: definitions.map((def) => def.name),
    prebuiltJobs: prebuiltJobs(definitions),
    jobsForScenario: (scenario, liveAnomalyKind) => (liveAnomalyKind === undefined ? jobsForScenario(scenario, definitions) : jobsForKinds([liveAnomalyKind as AnomalyKind], definitions)),
    datasetProblems: ({ live, end, liveAnomaly, ...options }) => {
      try {
        // Live mode plans a follow-mode stream: its backfill ends at the origin, and live windows come after.
        if (live === true) planFollow(followOptionsOf({ ...options, liveAnomaly }), end);
        else planDataset({ ...options, end });
        return [];
      } catch (error) {
        if (error instanceof UsageError) return [...error.problems];
        throw error;
      }
    },
  };
}

/**
 * The stack's lab configuration. Reads every `lab:` key at once, from the raw config map rather
 * than `Config.get`, so that unknown keys are reported too and reading the secret password logs
 * no "secret read as plain text" warning: the value is wrapped in `pulumi.secret` by the program.
 */
export function readLabConfig(catalog: LabCatalog = labCatalog()): LabConfig {
  const raw: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith("lab:")) raw[key.slice("lab:".length)] = value;
  }
  return parseLabConfig(raw as RawLabConfig, catalog, {
    stack: pulumi.getStack(),
    localArch: process.arch,
    isSecret: storedAsSecret,
  });
}

/**
 * Whether the stack keeps `lab:<key>` encrypted. The SDK's `runtime.isConfigSecret` reads the secret
 * keys the language host passes (PULUMI_CONFIG_SECRET_KEYS); it is marked internal, so its absence
 * in a later SDK turns the check off rather than refusing every password.
 */
function storedAsSecret(key: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (fullKey: string) => boolean };
  return runtime.isConfigSecret === undefined ? true : runtime.isConfigSecret(`lab:${key}`);
}

/**
 * `readLabConfig` for the Pulumi program: a bad configuration stops the run as a RunError, which
 * Pulumi prints as its message alone (every problem, each naming its key), without a stack trace.
 */
export function readLabConfigOrStop(catalog?: LabCatalog): LabConfig {
  try {
    return readLabConfig(catalog);
  } catch (error) {
    if (isExpectedFailure(error)) throw new pulumi.RunError(`the lab's configuration (pulumi config) is not usable: ${error.message}`);
    throw error;
  }
}

/**
 * On an existing cluster, asks it whether the lab can work there (lab/preflight.ts) and stops the
 * program with every problem, each naming its key, before any resource is declared. The Docker
 * target has nothing to ask yet: its servers do not exist before `up`.
 */
export async function checkTargetOrStop(config: LabConfig): Promise<void> {
  if (config.existingCluster === undefined) return;
  const problems = await preflightExistingCluster({ cluster: config.existingCluster, password: config.elasticPassword, mlJobs: config.mlJobs });
  if (problems.length > 0) {
    throw new pulumi.RunError(`the lab cannot use the cluster at ${config.existingCluster.elasticsearchUrl}:\n  - ${problems.join("\n  - ")}`);
  }
}
