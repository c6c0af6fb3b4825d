// The alerts index `lab-verify verify --live` reads when --alerts-index is not given: the one the lab
// names after the cohort of the dataset index. Pure.

import { datasetIndexPattern } from "../generator/sinks/elasticsearch-index";

/**
 * The lab names a cohort's dataset indices `lab-<cohort>-access-...` and its alerts index
 * `lab-<cohort>-alerts`. Cohorts may hold hyphens, even "-access-" (cohort "a-access-x"), so a name
 * can split more than one way; the lab's dataset names end `-<scenario>-<yyyy.mm.dd>-<8 hex>` (or
 * `-<scenario>-live-<8 hex>` in live mode), with no hyphen in the scenario, which settles it. Undefined unless every index gives the same one cohort.
 */
export function alertsIndexFor(datasetIndices: readonly string[]): string | undefined {
  const cohorts = new Set<string>();
  for (const name of datasetIndices) {
    const cohort = cohortOf(name);
    if (cohort === undefined) return undefined;
    cohorts.add(cohort);
  }
  return cohorts.size === 1 ? `lab-${[...cohorts][0]}-alerts` : undefined;
}

const COHORT = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;

function cohortOf(index: string): string | undefined {
  if (!index.startsWith("lab-")) return undefined;
  const candidates: string[] = [];
  for (let at = index.indexOf("-access-", 4); at !== -1; at = index.indexOf("-access-", at + 1)) {
    const cohort = index.slice(4, at);
    if (COHORT.test(cohort)) candidates.push(cohort);
  }
  if (candidates.length === 1) return candidates[0];
  // The generator's own naming rule settles the split.
  const named = candidates.filter((cohort) => datasetIndexPattern(`lab-${cohort}-access`).test(index));
  return named.length === 1 ? named[0] : undefined;
}
