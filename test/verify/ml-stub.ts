// A tiny local HTTP server that answers like Elasticsearch's ML results APIs, for the contract
// tests: the suite's real Elasticsearch has no ML plugin. Responses are typed with the client's
// published types (estypes.*), so a shape the client would not accept fails to compile. For the
// CLI's --live tests it also answers the few plain Elasticsearch requests around ML: the first
// contact (GET /), an index's mapping _meta and a search of the alerts index.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client, type estypes } from "@elastic/elasticsearch";

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
}

export type Route = (request: SeenRequest) => { status?: number; body: unknown } | undefined;

export class MlStub {
  readonly seen: SeenRequest[] = [];
  private server: Server | undefined;
  private routes: Route[] = [];
  private upstream: { url: string; authorization: string } | undefined;

  on(route: Route): this {
    this.routes.push(route);
    return this;
  }

  /**
   * Sends every request no route answers to a real Elasticsearch, so a test can stand in for ML
   * alone while the index _meta and the alerts come from the real server.
   */
  passThrough(url: string, authorization: string): this {
    this.upstream = { url, authorization };
    return this;
  }

  /** Answers GET / as Elasticsearch does, so lab-verify's first contact passes. */
  asElasticsearch(version = "8.19.2"): this {
    return this.on((r) => (r.method === "GET" && r.path === "/" ? { body: { name: "stub", cluster_name: "stub", version: { number: version } } } : undefined));
  }

  /** Answers GET <pattern>/_mapping with one index whose mapping _meta is `meta()` at the time of the request. */
  withIndexMeta(pattern: string, index: string, meta: () => estypes.Metadata): this {
    return this.on((r) =>
      r.method === "GET" && r.path === `/${pattern}/_mapping` ? { body: { [index]: { mappings: { _meta: meta() } } } satisfies estypes.IndicesGetMappingResponse } : undefined,
    );
  }

  /** Answers a search of `index` with `sources()` as its hits, or 404 index_not_found while it returns undefined. */
  withSearch(index: string, sources: (request: SeenRequest) => unknown[] | undefined): this {
    return this.on((r) => {
      if (r.path !== `/${index}/_search`) return undefined;
      const hits = sources(r);
      if (hits === undefined) {
        return { status: 404, body: { error: { type: "index_not_found_exception", reason: `no such index [${index}]` }, status: 404 } };
      }
      const body: estypes.SearchResponse<unknown> = {
        took: 1, timed_out: false, _shards: { total: 1, successful: 1, failed: 0 },
        hits: { total: { value: hits.length, relation: "eq" }, hits: hits.map((source, i) => ({ _index: index, _id: String(i), _source: source })) },
      };
      return { body };
    });
  }

  async start(): Promise<Client> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://stub");
        const text = Buffer.concat(chunks).toString("utf8");
        const request: SeenRequest = {
          method: req.method ?? "GET",
          path: decodeURIComponent(url.pathname),
          query: Object.fromEntries(url.searchParams),
          body: text === "" ? undefined : JSON.parse(text),
        };
        this.seen.push(request);
        const routed = this.routes.map((route) => route(request)).find((a) => a !== undefined);
        const answer: Promise<{ status?: number; body: unknown }> =
          routed !== undefined
            ? Promise.resolve(routed)
            : this.upstream !== undefined
              ? forward(this.upstream, req.method ?? "GET", req.url ?? "/", text)
              : Promise.resolve({
                  status: 404,
                  body: { error: { type: "resource_not_found_exception", reason: `stub has no route for ${request.method} ${request.path}` }, status: 404 },
                });
        void answer.then((a) => {
          // The 8.x client refuses answers without this header (its product check).
          res.writeHead(a.status ?? 200, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" });
          res.end(JSON.stringify(a.body));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return new Client({ node: this.url, maxRetries: 0, requestTimeout: 5000 });
  }

  /** Where the stub listens, once started */
  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}

async function forward(upstream: { url: string; authorization: string }, method: string, pathAndQuery: string, body: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${upstream.url}${pathAndQuery}`, {
    method,
    headers: { authorization: upstream.authorization, "content-type": "application/json" },
    // fetch sends no body with GET or HEAD; the requests passed through send theirs with POST.
    body: body === "" || method === "GET" || method === "HEAD" ? undefined : body,
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : JSON.parse(text) };
}
