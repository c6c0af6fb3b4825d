// Elasticsearch time values ("15m", "90s"), shared by the job validation and the aggregation plan.

const TIME_UNITS_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Parses an Elasticsearch time value such as "15m" or "1h" into milliseconds; undefined when it is not one. */
export function parseTimeValue(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d+)(d|h|m|s|ms)$/.exec(value.trim());
  if (match === null) return undefined;
  return Number(match[1]) * TIME_UNITS_MS[match[2]];
}
