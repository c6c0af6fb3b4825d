// A tiny HTTP server on 127.0.0.1 that plays Kibana's or Elasticsearch's ML API for contract tests:
// each route answers from a script, and every request is recorded (method, path, query, body,
// headers) for the test to check against the published API.

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: IncomingHttpHeaders;
}

export interface Reply {
  status: number;
  body?: unknown;
}

/** Answers a request; return undefined to fall through to the default (404 with an Elasticsearch-style error). */
export type Route = (request: RecordedRequest) => Reply | undefined;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** "METHOD /path" of each request, in order */
  calls(): string[];
  close(): Promise<void>;
}

export async function startFakeServer(route: Route): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = undefined;
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const recorded: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), body, headers: req.headers };
      requests.push(recorded);
      const reply = route(recorded) ?? { status: 404, body: { error: { type: "resource_not_found_exception", reason: `no route for ${recorded.method} ${recorded.path}` }, status: 404 } };
      // The Elasticsearch client checks that it talks to Elasticsearch by this header.
      res.writeHead(reply.status, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" });
      res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    calls: () => requests.map((r) => `${r.method} ${r.path}`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An Elasticsearch error body: { error: { type, reason, root_cause }, status } */
export function esError(status: number, type: string, reason: string): Reply {
  return { status, body: { error: { root_cause: [{ type, reason }], type, reason }, status } };
}
