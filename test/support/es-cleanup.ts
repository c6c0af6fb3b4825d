// Test teardown: every index and index template a suite created under its own random prefix.

import type { Client } from "@elastic/elasticsearch";

/**
 * Deletes the indices and index templates whose names start with `prefix`. Deleting by wildcard is
 * refused (action.destructive_requires_name), so the names are listed first.
 */
export async function deleteEverythingUnder(client: Client, prefix: string): Promise<void> {
  const indices = Object.keys(await client.indices.get({ index: `${prefix}*`, allow_no_indices: true }));
  if (indices.length > 0) await client.indices.delete({ index: indices });
  const templates = await client.indices.getIndexTemplate({ name: `${prefix}*` }).catch(() => ({ index_templates: [] }));
  for (const { name } of templates.index_templates) await client.indices.deleteIndexTemplate({ name });
}
