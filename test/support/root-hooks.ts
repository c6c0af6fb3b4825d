// Mocha root hooks (registered in .mocharc.json): the suite-wide side of the Elasticsearch harness.
//
// - With ELASTICSEARCH_URL set, check once, up front, that the server answers with these credentials,
//   so that a wrong URL or password is one clear failure rather than one per suite.
// - Without it, the Elasticsearch-backed suites skip themselves (requireEsTarget); say so once, at
//   the end, with how to run them.
// - Under LAB_REQUIRE_ELASTICSEARCH (CI), also prove the server was used: some suite must have run
//   against it, and the server's own per-route request counters must have moved. A CI run that
//   quietly skipped or never reached Elasticsearch fails.

import {
  basicAuthorization,
  elasticsearchRequired,
  esSuiteLedger,
  esTarget,
  HOW_TO_RUN_ELASTICSEARCH_TESTS,
  type EsTarget,
} from "./es-target";

const HARNESS_TIMEOUT_MS = 15_000;

// Routes the harness itself calls; they do not count as the suites using the server.
const HARNESS_ROUTES = new Set(["/_cluster/health", "/_nodes/stats", "/_nodes/stats/{metric}", "/_nodes/{nodeId}/stats/{metric}"]);

let requestsBefore: Map<string, number> | undefined;

async function getJson(target: EsTarget, path: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${target.url}${path}`, {
      headers: { authorization: basicAuthorization(target), "user-agent": "lab-test-harness" },
      signal: AbortSignal.timeout(HARNESS_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new Error(`Elasticsearch at ELASTICSEARCH_URL=${target.url} did not answer GET ${path}: ${reason}`);
  }
  const body = await response.text();
  if (!response.ok) {
    const hint = response.status === 401 ? " (check ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD)" : "";
    throw new Error(`Elasticsearch at ${target.url} answered GET ${path} with ${response.status}${hint}: ${body.slice(0, 300)}`);
  }
  return JSON.parse(body) as unknown;
}

interface RouteStats {
  nodes?: Record<string, { http?: { routes?: Record<string, { requests?: { count?: number } }> } }>;
}

/** Requests per REST route since the node started, summed over nodes. */
async function requestsPerRoute(target: EsTarget): Promise<Map<string, number>> {
  const stats = (await getJson(target, "/_nodes/stats/http?filter_path=nodes.*.http.routes.*.requests.count")) as RouteStats;
  const counts = new Map<string, number>();
  for (const node of Object.values(stats.nodes ?? {})) {
    for (const [route, routeStats] of Object.entries(node.http?.routes ?? {})) {
      counts.set(route, (counts.get(route) ?? 0) + (routeStats.requests?.count ?? 0));
    }
  }
  return counts;
}

function requestsSince(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [route, count] of after) {
    if (HARNESS_ROUTES.has(route)) continue;
    const grown = count - (before.get(route) ?? 0);
    if (grown > 0) delta.set(route, grown);
  }
  return delta;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    const target = esTarget();
    if (target === undefined) return;
    this.timeout(HARNESS_TIMEOUT_MS * 3);
    const health = (await getJson(target, "/_cluster/health")) as { status?: string };
    if (health.status === "red") throw new Error(`Elasticsearch at ${target.url} is red; the tests need it green or yellow`);
    if (elasticsearchRequired()) requestsBefore = await requestsPerRoute(target);
  },

  async afterAll(this: Mocha.Context): Promise<void> {
    if (esSuiteLedger.skipped.length > 0) {
      const count = esSuiteLedger.skipped.length;
      const suites = esSuiteLedger.skipped.map(({ suite, reason }) => `    - ${suite}: ${reason}`).join("\n");
      console.log(
        `\n  Note: ${count} Elasticsearch-backed suite${count === 1 ? " was" : "s were"} skipped:\n${suites}\n` +
          HOW_TO_RUN_ELASTICSEARCH_TESTS.replace(/^/gm, "  ") +
          "\n",
      );
    }
    const target = esTarget();
    // Without a target, requireEsTarget has already failed each suite that needed one.
    if (!elasticsearchRequired() || target === undefined || requestsBefore === undefined) return;
    if (esSuiteLedger.ran.length === 0) {
      throw new Error("LAB_REQUIRE_ELASTICSEARCH is set but no Elasticsearch-backed suite ran (none selected, or all skipped)");
    }
    this.timeout(HARNESS_TIMEOUT_MS * 2);
    const used = requestsSince(requestsBefore, await requestsPerRoute(target));
    const total = [...used.values()].reduce((sum, count) => sum + count, 0);
    if (total === 0) {
      throw new Error(`LAB_REQUIRE_ELASTICSEARCH is set, ${esSuiteLedger.ran.length} suites ran, but Elasticsearch at ${target.url} received no request from them`);
    }
    const busiest = [...used.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
    console.log(
      `\n  Elasticsearch at ${target.url} served ${total} request${total === 1 ? "" : "s"} to ${esSuiteLedger.ran.length} suite${esSuiteLedger.ran.length === 1 ? "" : "s"} ` +
        `(${busiest.map(([route, count]) => `${route} ×${count}`).join(", ")}${used.size > busiest.length ? ", ..." : ""})\n`,
    );
  },
};
