// A value with every object's keys in reverse order: the same data as JSON, different as text, the
// way Elasticsearch (a mapping's _meta) and `jq -S` may hand a ground truth back.

export function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).reverse().map((key) => [key, reversedKeys((value as Record<string, unknown>)[key])])) as T;
}
