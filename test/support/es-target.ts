// Where the Elasticsearch-backed tests find their server. `.ci/run` (via test/support/elasticsearch.sh)
// starts a real one and exports these variables; on a laptop, point them at any Elasticsearch
// (for example a Docker one) to run the same tests. With none set, those tests are skipped, and
// the suite says so once, with how to run them (test/support/root-hooks.ts).
//
// CI sets LAB_REQUIRE_ELASTICSEARCH=1: then a missing server fails the suites instead of skipping
// them, so that a green CI run always means the tests talked to a real Elasticsearch.

export interface EsTarget {
  url: string;
  username: string;
  password: string;
}

export const REQUIRE_ELASTICSEARCH_VARIABLE = "LAB_REQUIRE_ELASTICSEARCH";

export const HOW_TO_RUN_ELASTICSEARCH_TESTS = [
  "Run them against a throw-away Elasticsearch (needs Java 17+ and Maven, no Docker):",
  "  bash test/support/elasticsearch.sh run -- npm test",
  "or against one you already run (for example in Docker):",
  "  ELASTICSEARCH_URL=http://127.0.0.1:9200 ELASTICSEARCH_USERNAME=elastic ELASTICSEARCH_PASSWORD=... npm test",
].join("\n");

export interface EsSuiteLedger {
  ran: string[];
  skipped: { suite: string; reason: string }[];
}

/** What the suites saw: which needed Elasticsearch, and whether they ran or were skipped (and why). */
export const esSuiteLedger: EsSuiteLedger = { ran: [], skipped: [] };

export function esTarget(): EsTarget | undefined {
  const url = process.env.ELASTICSEARCH_URL;
  if (url === undefined || url === "") return undefined;
  return {
    url: url.replace(/\/+$/, ""),
    username: process.env.ELASTICSEARCH_USERNAME ?? "elastic",
    password: process.env.ELASTICSEARCH_PASSWORD ?? "",
  };
}

export function elasticsearchRequired(): boolean {
  const value = process.env[REQUIRE_ELASTICSEARCH_VARIABLE];
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/**
 * Call in a `before` hook: returns the target, or skips the suite when no Elasticsearch is configured.
 * When LAB_REQUIRE_ELASTICSEARCH is set, a missing target fails the suite instead.
 */
export function requireEsTarget(context: Mocha.Context, ledger: EsSuiteLedger = esSuiteLedger): EsTarget {
  const target = esTarget();
  if (target === undefined) {
    skipEsSuite(context, "ELASTICSEARCH_URL is not set", ledger);
  }
  ledger.ran.push(suiteTitle(context));
  return target as EsTarget;
}

/**
 * Skips an Elasticsearch-backed suite for `reason`, recording it for the end-of-run note; under
 * LAB_REQUIRE_ELASTICSEARCH it fails the suite instead. Never returns.
 */
export function skipEsSuite(context: Mocha.Context, reason: string, ledger: EsSuiteLedger = esSuiteLedger): never {
  const suite = suiteTitle(context);
  if (elasticsearchRequired()) {
    throw new Error(
      `${REQUIRE_ELASTICSEARCH_VARIABLE} is set but "${suite}" cannot run against a real Elasticsearch: ${reason}.\n` +
        HOW_TO_RUN_ELASTICSEARCH_TESTS,
    );
  }
  ledger.skipped.push({ suite, reason });
  context.skip();
}

function suiteTitle(context: Mocha.Context): string {
  return context.test?.parent?.fullTitle() ?? "(unnamed suite)";
}

/** The Basic authorization header for a target, for tests that use plain `fetch`. */
export function basicAuthorization(target: EsTarget): string {
  return `Basic ${Buffer.from(`${target.username}:${target.password}`).toString("base64")}`;
}
