// Reads the stack's `lab:*` configuration through the Pulumi runtime and validates it with
// `parseLabConfig`. Kept apart from config.ts so that the parsing stays testable without Pulumi.

import * as pulumi from "@pulumi/pulumi";
import { isExpectedFailure, UsageError } from "../generator/errors";
import { planDataset } from "../generator/plan";
import { SCENARIOS } from "../generator/scenarios";
import { jobsForScenario, loadJobDefinitions } from "../ml-jobs/index";
import { parseLabConfig, type LabCatalog, type LabConfig, type RawLabConfig } from "./config";

/** The scenarios and ML jobs that ship with the lab. */
export function labCatalog(): LabCatalog {
  const definitions = loadJobDefinitions();
  return {
    scenarios: Object.keys(SCENARIOS),
    jobNames: definitions.map((def) => def.name),
    jobsForScenario: (scenario) => jobsForScenario(scenario, definitions),
    datasetProblems: (options) => {
      try {
        planDataset(options);
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
  return parseLabConfig(raw as RawLabConfig, catalog, { stack: pulumi.getStack(), localArch: process.arch });
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
