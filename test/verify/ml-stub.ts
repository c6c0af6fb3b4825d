// A tiny local HTTP server that answers like Elasticsearch's ML results APIs, for the contract
// tests: the suite's real Elasticsearch has no ML plugin. Responses are typed with the client's
// published types (estypes.*), so a shape the client would not accept fails to compile.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@elastic/elasticsearch";

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

  on(route: Route): this {
    this.routes.push(route);
    return this;
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
        const answer = this.routes.map((route) => route(request)).find((a) => a !== undefined) ?? {
          status: 404,
          body: { error: { type: "resource_not_found_exception", reason: `stub has no route for ${request.method} ${request.path}` }, status: 404 },
        };
        // The 8.x client refuses answers without this header (its product check).
        res.writeHead(answer.status ?? 200, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return new Client({ node: `http://127.0.0.1:${port}`, maxRetries: 0, requestTimeout: 5000 });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}
