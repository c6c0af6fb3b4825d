// Index settings for a bulk load, from Elasticsearch's "Tune for indexing speed"
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/tune-for-indexing-speed.html):
// no periodic refresh while loading ("Unset or increase the refresh interval", refresh_interval -1)
// and no replicas ("Disable replicas for initial loads"), then the index's own settings back and a
// single refresh, so the load ends searchable exactly once.
//
//   GET  <index>/_settings   the refresh interval and replica settings the index has now
//   PUT  <index>/_settings   the load settings
//   ...  the load
//   PUT  <index>/_settings   the saved settings back (also when the load failed or was interrupted)
//   POST <index>/_refresh    one refresh, so every document written is searchable
//
// A refresh interval of -1 is only ever the lab's own load setting: an index found with it was left
// by a load that was killed before it could restore (kill -9, a lost machine), and gets the default
// (1s) back instead of keeping -1 for good.

import type { Client } from "@elastic/elasticsearch";
import { describeRequestFailure, type ElasticsearchConnection } from "./elasticsearch-client";

/** The settings a load writes with. auto_expand_replicas must be off for number_of_replicas to hold. */
export const LOAD_SETTINGS = {
  "index.refresh_interval": "-1",
  "index.auto_expand_replicas": "false",
  "index.number_of_replicas": "0",
} as const;

type SettingName = keyof typeof LOAD_SETTINGS;
/** A setting's value before the load; null when the index did not set it (Elasticsearch's default applies). */
export type SavedSettings = Record<SettingName, string | null>;

const NAMES = Object.keys(LOAD_SETTINGS) as SettingName[];

/** The body that puts `saved` back: an unset setting is reset with null; a replica count under auto-expansion is left to it. */
export function restoreBody(saved: SavedSettings): Record<string, string | null> {
  const body: Record<string, string | null> = {
    "index.refresh_interval": saved["index.refresh_interval"] === LOAD_SETTINGS["index.refresh_interval"] ? null : saved["index.refresh_interval"],
    "index.auto_expand_replicas": saved["index.auto_expand_replicas"],
  };
  const expanding = saved["index.auto_expand_replicas"] !== null && saved["index.auto_expand_replicas"] !== "false";
  if (!expanding) body["index.number_of_replicas"] = saved["index.number_of_replicas"];
  return body;
}

async function readSettings(client: Client, connection: ElasticsearchConnection, index: string): Promise<SavedSettings> {
  try {
    const response = await client.indices.getSettings({ index, flat_settings: true, name: NAMES });
    const settings = (Object.values(response)[0]?.settings ?? {}) as Record<string, unknown>;
    return Object.fromEntries(NAMES.map((name) => [name, settings[name] === undefined ? null : String(settings[name])])) as SavedSettings;
  } catch (error) {
    throw describeRequestFailure(error, connection, `GET /${index}/_settings`);
  }
}

async function putSettings(client: Client, connection: ElasticsearchConnection, index: string, settings: Record<string, string | null>): Promise<void> {
  try {
    await client.indices.putSettings({ index, settings });
  } catch (error) {
    throw describeRequestFailure(error, connection, `PUT /${index}/_settings`);
  }
}

async function refresh(client: Client, connection: ElasticsearchConnection, index: string): Promise<void> {
  try {
    await client.indices.refresh({ index });
  } catch (error) {
    throw describeRequestFailure(error, connection, `POST /${index}/_refresh`);
  }
}

/**
 * Runs `load` with the load settings on `index`, then restores the index's settings and refreshes it
 * once, whether the load succeeded, failed or was aborted. A failure of the load is what is thrown;
 * a failure to restore after it is added to its message, since the index then needs a hand.
 */
export async function withLoadSettings<T>(client: Client, connection: ElasticsearchConnection, index: string, load: () => Promise<T>): Promise<T> {
  const saved = await readSettings(client, connection, index);
  await putSettings(client, connection, index, LOAD_SETTINGS);
  let result: T;
  try {
    result = await load();
  } catch (loadError) {
    try {
      await putSettings(client, connection, index, restoreBody(saved));
      await refresh(client, connection, index);
    } catch (restoreError) {
      if (loadError instanceof Error) {
        loadError.message += `; restoring the settings of index ${index} failed too (${(restoreError as Error).message}): set index.refresh_interval and index.number_of_replicas back by hand`;
      }
    }
    throw loadError;
  }
  await putSettings(client, connection, index, restoreBody(saved));
  await refresh(client, connection, index);
  return result;
}
