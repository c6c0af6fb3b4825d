// The fields a job may name: exactly the leaf fields of the index mapping the generator's sink
// creates (LAB_INDEX_MAPPINGS: the ECS fields of one AccessLogEvent, with the nginx integration's
// types), read from that mapping. A job naming anything else would run against a field the index
// does not have and find nothing, so validation rejects it up front. Multi-fields
// (`user_agent.original.text`) are left out: they are for searching, and a detector cannot split or
// count by them.

import type { estypes } from "@elastic/elasticsearch";
import { LAB_ERROR_INDEX_MAPPINGS, LAB_INDEX_MAPPINGS } from "../generator/sinks/elasticsearch-index";

const FIELD_TYPES = ["date", "keyword", "ip", "long", "text", "geo_point"] as const;
export type LabFieldType = (typeof FIELD_TYPES)[number];

/**
 * The leaf fields of an index mapping, by dotted path, with their types; multi-fields are left out.
 * Derived from the mapping the sink creates, so the two cannot drift apart.
 */
export function leafFieldTypes(mapping: estypes.MappingTypeMapping): Readonly<Record<string, LabFieldType>> {
  const types: Record<string, LabFieldType> = {};
  const walk = (properties: Record<string, estypes.MappingProperty>, prefix: string) => {
    for (const [name, property] of Object.entries(properties)) {
      const nested = (property as { properties?: Record<string, estypes.MappingProperty> }).properties;
      if (nested !== undefined) {
        walk(nested, `${prefix}${name}.`);
        continue;
      }
      const type = String(property.type);
      if (!(FIELD_TYPES as readonly string[]).includes(type)) throw new Error(`field ${prefix}${name} of the lab's mapping has type ${type}, which job validation does not know; add it to FIELD_TYPES`);
      types[`${prefix}${name}`] = type as LabFieldType;
    }
  };
  walk(mapping.properties ?? {}, "");
  return Object.freeze(types);
}

/** The fields of the access-log index (LAB_INDEX_MAPPINGS). */
export const LAB_INDEX_FIELDS = leafFieldTypes(LAB_INDEX_MAPPINGS);

/**
 * The fields of nginx's error log (generator/error-log.ts), from LAB_ERROR_INDEX_MAPPINGS: what a job
 * whose datafeed reads the error indices (ERROR_INDEX_PATTERN) may name.
 */
export const LAB_ERROR_INDEX_FIELDS = leafFieldTypes(LAB_ERROR_INDEX_MAPPINGS);

export function isNumericField(field: string, fields: Readonly<Record<string, LabFieldType>> = LAB_INDEX_FIELDS): boolean {
  return fields[field] === "long";
}
