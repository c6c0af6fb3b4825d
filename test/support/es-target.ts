// Where the Elasticsearch-backed tests find their server. `.ci/run` (via test/support/elasticsearch.sh)
// starts a real one and exports these variables; on a laptop, point them at any Elasticsearch
// (for example a Docker one) to run the same tests. With none set, those tests are skipped, and
// the suite says so once, with how to run them.

export interface EsTarget {
  url: string;
  username: string;
  password: string;
}

export function esTarget(): EsTarget | undefined {
  const url = process.env.ELASTICSEARCH_URL;
  if (url === undefined || url === "") return undefined;
  return {
    url,
    username: process.env.ELASTICSEARCH_USERNAME ?? "elastic",
    password: process.env.ELASTICSEARCH_PASSWORD ?? "",
  };
}

/** Call in a `before` hook: skips the suite when no Elasticsearch is configured, and returns the target otherwise. */
export function requireEsTarget(context: Mocha.Context): EsTarget {
  const target = esTarget();
  if (target === undefined) context.skip();
  return target as EsTarget;
}
