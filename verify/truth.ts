// Where `lab-verify verify` and `lab-verify expect` get the ground truth: a file written by `lab-generate --truth FILE`, or the
// lab index's mapping `_meta`, where the Elasticsearch sink stores it next to the data it describes.

import { readFileSync } from "node:fs";
import type { Client } from "@elastic/elasticsearch";
import { LabError, UsageError } from "../generator/errors";
import { ANOMALY_KINDS, type GroundTruth } from "../generator/types";
import { canonicalJson } from "./canonical-json";
import { esFailure, isNotFound } from "./es-errors";

/** Checks the shape of a parsed ground truth; `source` names where it came from in the message. */
export function parseTruth(value: unknown, source: string): GroundTruth {
  const problems: string[] = [];
  const v = value as Partial<GroundTruth> | null;
  if (typeof v !== "object" || v === null) throw new UsageError(`${source}: the ground truth must be a JSON object`);
  if (v.generator !== "elastic-ml-lab") problems.push(`${source}: generator: expected "elastic-ml-lab", got ${JSON.stringify(v.generator)}`);
  for (const key of ["start", "end", "scenario"] as const) if (typeof v[key] !== "string") problems.push(`${source}: ${key}: missing`);
  if (!Array.isArray(v.anomalies)) problems.push(`${source}: anomalies: must be an array`);
  else {
    v.anomalies.forEach((a, i) => {
      if (!(ANOMALY_KINDS as readonly string[]).includes(a?.kind)) problems.push(`${source}: anomalies[${i}].kind: ${JSON.stringify(a?.kind)} is not one of ${ANOMALY_KINDS.join(", ")}`);
      if (Number.isNaN(Date.parse(a?.start)) || Number.isNaN(Date.parse(a?.end))) problems.push(`${source}: anomalies[${i}]: start and end must be ISO-8601 times`);
    });
  }
  if (problems.length > 0) throw new UsageError(problems);
  return v as GroundTruth;
}

export function readTruthFile(path: string): GroundTruth {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--truth ${path}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--truth ${path}: not valid JSON: ${(error as Error).message}`);
  }
  return parseTruth(parsed, `--truth ${path}`);
}

/** Where in the mapping `_meta` the Elasticsearch sink keeps the ground truth. */
export const TRUTH_META_PATH = ["lab", "truth"] as const;

function truthIn(meta: unknown): unknown {
  let node = meta;
  for (const key of TRUTH_META_PATH) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** Reads the ground truth from the mapping `_meta` of the index (or the indices a pattern matches). */
export async function readTruthFromIndex(client: Client, index: string): Promise<GroundTruth> {
  return (await readIndexTruth(client, index)).truth;
}

export interface IndexTruth {
  truth: GroundTruth;
  /** The indices holding it, sorted */
  indices: string[];
}

/**
 * The ground truth in the mapping `_meta` of the indices `index` names, and which indices hold it.
 * An index still being written is refused unless `whileWriting`: a finished dataset is what verify
 * compares with, while `--live` reads the truth a follow-mode generator keeps updating.
 */
export async function readIndexTruth(client: Client, index: string, options: { whileWriting?: boolean } = {}): Promise<IndexTruth> {
  let mappings: Record<string, { mappings: { _meta?: unknown } }>;
  try {
    mappings = (await client.indices.getMapping({ index, allow_no_indices: false })) as typeof mappings;
  } catch (error) {
    if (isNotFound(error)) throw new LabError(`no index matches "${index}"; generate data first (lab-generate --es ...) or name the index with --index`);
    throw esFailure(error, `GET ${index}/_mapping`);
  }
  const names = Object.keys(mappings).sort();
  if (names.length === 0) throw new LabError(`no index matches "${index}"; generate data first or name the index with --index`);
  const found = names
    .map((name) => ({ name, meta: mappings[name].mappings._meta, truth: truthIn(mappings[name].mappings._meta) }))
    .filter((entry) => entry.truth !== undefined);
  const unfinished = found.filter((entry) => (entry.meta as { lab?: { status?: string } }).lab?.status === "indexing");
  if (unfinished.length > 0 && options.whileWriting !== true) {
    throw new LabError(`${unfinished.map((e) => e.name).join(", ")}: still being written (_meta.lab.status is "indexing"); wait for lab-generate to finish, or re-run it if it was interrupted`);
  }
  if (found.length === 0) {
    throw new LabError(`${names.join(", ")}: no ground truth in the mapping _meta.${TRUTH_META_PATH.join(".")}; pass --truth FILE (written by lab-generate --truth)`);
  }
  // By value: each index keeps its own copy of _meta, and Elasticsearch need not keep their key order alike.
  const distinct = new Map(found.map((entry) => [canonicalJson(entry.truth), entry.name]));
  if (distinct.size > 1) {
    throw new UsageError(`"${index}" matches indices with different ground truths (${[...distinct.values()].join(", ")}); pick one with --index or pass --truth FILE`);
  }
  return { truth: parseTruth(found[0].truth, `${found[0].name} _meta.${TRUTH_META_PATH.join(".")}`), indices: found.map((entry) => entry.name) };
}
