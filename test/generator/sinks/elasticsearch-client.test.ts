import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import {
  checkConnection,
  createClient,
  describeErrorCause,
  redactUrl,
} from "../../../generator/sinks/elasticsearch-client";
import { LabError, UsageError } from "../../../generator/errors";
import { failureOf } from "../../support/failure";

/** A key and a self-signed certificate for 127.0.0.1, made with openssl; undefined when openssl is missing. */
function selfSignedCertificate(): { key: string; cert: string } | undefined {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "lab-tls-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { cwd: directory, stdio: "ignore" });
    return { key: fs.readFileSync(path.join(directory, "key.pem"), "utf8"), cert: fs.readFileSync(path.join(directory, "cert.pem"), "utf8") };
  } catch {
    return undefined;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** A port on 127.0.0.1 that nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("Elasticsearch client and connection check", () => {
  describe("createClient", () => {
    it("rejects a URL that is not http(s), naming it and what is expected", () => {
      expect(() => createClient({ url: "localhost:9200" })).to.throw(UsageError, /must use http or https|is not a URL/);
      expect(() => createClient({ url: "not a url" })).to.throw(UsageError, 'Elasticsearch URL "not a url" is not a URL; expected http(s)://host:port');
      expect(() => createClient({ url: "ftp://127.0.0.1:9200" })).to.throw(UsageError, "must use http or https, not ftp");
    });

    it("rejects a non-positive request timeout", () => {
      expect(() => createClient({ url: "http://127.0.0.1:9200", requestTimeoutMs: 0 })).to.throw(UsageError, "requestTimeoutMs must be a positive number");
    });
  });

  describe("checkConnection", () => {
    it("names the URL, the request and the attempts when nothing listens, and fails fast", async () => {
      const port = await closedPort();
      const started = Date.now();
      const error = await failureOf(checkConnection({ url: `http://127.0.0.1:${port}`, username: "elastic", password: "x" }));
      expect(error).to.be.instanceOf(LabError);
      expect(error.message).to.match(new RegExp(`^cannot reach Elasticsearch at http://127\\.0\\.0\\.1:${port}: GET / failed \\(2 attempts\\): .*ECONNREFUSED`));
      expect(Date.now() - started).to.be.lessThan(10_000);
    });

    it("gives up on a server that accepts the connection but never answers, after the bounded timeout", async () => {
      const sockets: net.Socket[] = [];
      const silent = net.createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const { port } = silent.address() as AddressInfo;
      try {
        const started = Date.now();
        const error = await failureOf(checkConnection({ url: `http://127.0.0.1:${port}`, requestTimeoutMs: 500 }));
        const elapsed = Date.now() - started;
        expect(error).to.be.instanceOf(LabError);
        expect(error.message).to.equal(`Elasticsearch at http://127.0.0.1:${port} did not answer GET / within 0.5 s; is the server overloaded or the address wrong?`);
        expect(elapsed).to.be.lessThan(5_000);
      } finally {
        sockets.forEach((socket) => socket.destroy());
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    // What another service answers on GET /: a page, a redirect (Kibana's port sends its app), an error.
    for (const [status, body] of [[404, "not here"], [302, ""], [200, "<html>Kibana</html>"]] as const) {
      it(`says the URL is not a supported Elasticsearch when GET / answers ${status} without Elasticsearch's product header`, async () => {
        const other = http.createServer((_request, response) => {
          response.writeHead(status, status === 302 ? { location: "/app/home" } : {}).end(body);
        });
        await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
        const { port } = other.address() as AddressInfo;
        try {
          const error = await failureOf(checkConnection({ url: `http://127.0.0.1:${port}` }));
          expect(error).to.be.instanceOf(LabError);
          expect(error.message).to.equal(`http://127.0.0.1:${port} answered GET / with ${status}, but it is not a supported Elasticsearch (7.14 or newer); is the URL (host, port, http or https) right?`);
        } finally {
          await new Promise((resolve) => other.close(resolve));
        }
      });
    }

    it("says how to trust a self-signed certificate, trusts it given the CA's fingerprint, and refuses another fingerprint", async function () {
      const certificate = selfSignedCertificate();
      if (certificate === undefined) return this.skip(); // no openssl to make one
      const server = https.createServer(certificate, (_request, response) => {
        response.writeHead(200, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" }).end('{"version":{"number":"8.19.0"}}');
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const error = await failureOf(checkConnection({ url }));
        expect(error).to.be.instanceOf(LabError);
        expect(error.message).to.match(/self[- ]signed certificate/);
        expect(error.message).to.include("pass that CA's SHA-256 fingerprint with --ca-fingerprint");
        const caFingerprint = new crypto.X509Certificate(certificate.cert).fingerprint256;
        expect(await checkConnection({ url, caFingerprint })).to.deep.equal({ version: "8.19.0" });
        // Trust comes from the fingerprint alone, so another one must still be refused.
        const wrong = await failureOf(checkConnection({ url, caFingerprint: caFingerprint.replace(/^../, caFingerprint.startsWith("00") ? "11" : "00") }));
        expect(wrong.message).to.include("CA fingerprint does not match");
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("never shows a password that is part of the URL", async () => {
      const port = await closedPort();
      const error = await failureOf(checkConnection({ url: `http://elastic:s3cret@127.0.0.1:${port}` }));
      expect(error.message).not.to.include("s3cret");
      expect(redactUrl("https://u:p@example.com:9200/")).to.equal("https://example.com:9200");
    });
  });

  describe("describeErrorCause", () => {
    it("gives the type and reason, with the root cause when it adds something", () => {
      expect(describeErrorCause({
        type: "document_parsing_exception",
        reason: "failed to parse field [source.ip] of type [ip]",
        caused_by: { type: "illegal_argument_exception", reason: "'x' is not an IP string literal." },
      })).to.equal("document_parsing_exception: failed to parse field [source.ip] of type [ip] (caused by illegal_argument_exception: 'x' is not an IP string literal.)");
      expect(describeErrorCause("plain text")).to.equal("plain text");
    });
  });
});
