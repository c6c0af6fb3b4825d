// JSON compared by value rather than by text. Elasticsearch does not keep the key order of the
// objects it stores (a mapping's `_meta` comes back reordered), and neither do tools such as
// `jq -S`, so two ground truths holding the same data can differ as text.

/** JSON text with every object's keys sorted, so that equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
