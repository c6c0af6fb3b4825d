import { expect } from "chai";
import { generateEvents } from "../../generator/events";
import { nginxEscape, sourceFields, userAgentFields } from "../../generator/nginx";
import { planDataset } from "../../generator/plan";
import { buildPopulation, RARE_USER_AGENTS } from "../../generator/population";
import type { AccessLogEvent } from "../../generator/types";
import { accessEvent } from "../support/access-event";
import { parseCombinedLine, unescapeNginx, type CombinedLogLine } from "../support/combined-log";

const END = new Date("2026-11-24T00:00:00Z");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** User agents and referrers written to break a naive log line: quotes, backslashes, escapes, control bytes, UTF-8. */
const HOSTILE = [
  'EvilBot/1.0 "quoted" (scanner, v2)',
  'a" 200 0 "-" "injected',
  "back\\slash\\",
  "\\x22 already-escaped-looking \\\\x5C",
  "tab\there, newline\nthere, CR\rhere, NUL\u0000, DEL\u007f, ESC\u001b[31m",
  "ünïcödé ☃ 日本語 😀",
  '"',
  "\\",
  "",
];

/** Where a parsed line and its document disagree, as "field: line vs document" strings. */
function differences(line: CombinedLogLine, event: AccessLogEvent): string[] {
  const wrong: string[] = [];
  const same = (field: string, fromLine: unknown, fromDocument: unknown) => {
    if (fromLine !== fromDocument) wrong.push(`${field}: ${JSON.stringify(fromLine)} vs ${JSON.stringify(fromDocument)}`);
  };
  const time = new Date(event["@timestamp"]);
  const local = `${String(time.getUTCDate()).padStart(2, "0")}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:` +
    `${event["@timestamp"].slice(11, 19)} +0000`;
  same("source.address", line.address, event.source.address);
  same("source.ip", line.address, event.source.ip);
  same("time", line.time, local);
  same("http.request.method", line.method, event.http.request.method);
  same("url.original", line.target, event.url.original);
  const queryAt = line.target.indexOf("?");
  same("url.path", queryAt < 0 ? line.target : line.target.slice(0, queryAt), event.url.path);
  same("url.query", queryAt < 0 ? undefined : line.target.slice(queryAt + 1), event.url.query);
  same("http.version", line.httpVersion, event.http.version);
  same("http.response.status_code", line.status, event.http.response.status_code);
  same("http.response.body.bytes", line.bytes, event.http.response.body.bytes);
  same("http.request.referrer", line.referrer, event.http.request.referrer);
  same("user_agent.original", line.agent, event.user_agent.original === "" ? undefined : event.user_agent.original);
  same("event.outcome", line.status < 400 ? "success" : "failure", event.event.outcome);
  return wrong;
}

describe("generator/nginx: documents as Elastic's nginx integration leaves them", () => {
  describe("escaping, as nginx's escape=default does it", () => {
    it("turns quotes, backslashes, control bytes and every byte of a non-ASCII character into \\xHH, and keeps the rest", () => {
      expect(nginxEscape('Mozilla/5.0 (X11; Linux x86_64) ~!@#$%^&*()_+{}|:<>?[];,./`')).to.equal('Mozilla/5.0 (X11; Linux x86_64) ~!@#$%^&*()_+{}|:<>?[];,./`');
      expect(nginxEscape('say "hi"')).to.equal("say \\x22hi\\x22");
      expect(nginxEscape("a\\b")).to.equal("a\\x5Cb");
      expect(nginxEscape("\t\n\r\u0000\u007f")).to.equal("\\x09\\x0A\\x0D\\x00\\x7F");
      expect(nginxEscape("é☃")).to.equal("\\xC3\\xA9\\xE2\\x98\\x83");
    });

    it("never leaves a quote, and every hostile value reads back exactly", () => {
      for (const value of HOSTILE) {
        const logged = nginxEscape(value);
        expect(logged, value).to.not.include('"');
        expect(logged, value).to.match(/^[\x20-\x7e]*$/);
        expect(unescapeNginx(logged), value).to.equal(value);
      }
    });
  });

  describe("the combined-log message", () => {
    it("reads every message back and compares it field by field with the document, over 100,000 events and 5 seeds", function () {
      this.timeout(120_000);
      for (const seed of [1, 2, 3, 4, 5]) {
        // Two days of `mixed` at 0.65/s: over 100,000 events, with every anomaly kind in the second day.
        const plan = planDataset({ days: 2, seed, end: END, scenario: "mixed", meanRatePerSecond: 0.65 });
        let count = 0;
        const wrong: string[] = [];
        const seen = { query: 0, referrer: 0, http2: 0, probes: 0 };
        for (const event of generateEvents(plan)) {
          if (count === 100_000) break;
          count++;
          const line = parseCombinedLine(event.message);
          if (line instanceof Error) wrong.push(line.message);
          else for (const difference of differences(line, event)) wrong.push(`seed ${seed}, ${event["@timestamp"]}: ${difference}`);
          if (event.url.query !== undefined) seen.query++;
          if (event.http.request.referrer !== undefined) seen.referrer++;
          if (event.http.version === "2.0") seen.http2++;
          if (event.http.response.status_code === 404) seen.probes++;
          if (wrong.length >= 5) break;
        }
        expect(wrong).to.deep.equal([]);
        expect(count, `seed ${seed}`).to.equal(100_000);
        // The comparison means something only if the optional parts occur.
        expect(seen.query, `seed ${seed}: requests with a query`).to.be.above(2_000);
        expect(seen.referrer, `seed ${seed}: requests with a referrer`).to.be.above(30_000);
        expect(seen.http2, `seed ${seed}: HTTP/2 requests`).to.be.above(30_000);
      }
    });

    it("escapes hostile user agents: a rare_agent with quotes, backslashes, control bytes or UTF-8 still gives a line that reads back to the same agent", () => {
      for (const agent of HOSTILE.filter((value) => value !== "")) {
        const plan = planDataset({ days: 1, seed: 7, end: END, meanRatePerSecond: 0.2, anomalies: [{ kind: "rare_agent", target: agent, magnitude: 600 }] });
        let hits = 0;
        const wrong: string[] = [];
        for (const event of generateEvents(plan)) {
          if (event.user_agent.original !== agent) continue;
          hits++;
          const line = parseCombinedLine(event.message);
          if (line instanceof Error) wrong.push(line.message);
          else wrong.push(...differences(line, event));
          expect(event.user_agent.name).to.equal("Other");
          if (hits >= 200 || wrong.length > 0) break;
        }
        expect(wrong, JSON.stringify(agent)).to.deep.equal([]);
        expect(hits, JSON.stringify(agent)).to.equal(200);
      }
    });

    it("escapes hostile referrers and request targets the same way", () => {
      for (const value of HOSTILE) {
        const event = accessEvent({ timestamp: "2026-11-20T10:11:12.345Z", referrer: value === "" ? undefined : value, original: `/search?q=${encodeURIComponent(value)}`, agent: value || "-x" });
        const line = parseCombinedLine(event.message);
        if (line instanceof Error) throw line;
        expect(differences(line, event), JSON.stringify(value)).to.deep.equal([]);
      }
    });
  });

  describe("enrichment", () => {
    it("parses each user agent the normal traffic sends, as the user_agent processor does", () => {
      const population = buildPopulation(1);
      for (const agent of [...population.userAgents, ...RARE_USER_AGENTS]) {
        const fields = userAgentFields(agent);
        expect(fields.name, agent).to.not.equal("Other");
        expect(fields.device.name, agent).to.be.a("string");
      }
      expect(userAgentFields(population.userAgents[0])).to.deep.include({ name: "Chrome", version: "131.0.0.0", os: { name: "Windows", version: "10", full: "Windows 10" } });
      expect(userAgentFields("EvilBot/1.0")).to.deep.equal({ original: "EvilBot/1.0", name: "Other", device: { name: "Other" } });
      expect(Object.isFrozen(userAgentFields("EvilBot/1.0"))).to.equal(true);
    });

    it("puts crawlers in their operators' networks and everyone else in synthetic ones", () => {
      const population = buildPopulation(1);
      const crawlers = population.clients.filter((client) => /Googlebot|bingbot/.test(client.userAgent));
      expect(crawlers.length).to.be.above(500);
      for (const client of crawlers) {
        const google = client.userAgent.includes("Googlebot");
        expect(client.ip, client.userAgent).to.match(google ? /^66\.249\.(6[4-9]|[7-8]\d|9[0-5])\./ : /^(157\.55\.39|207\.46\.13|40\.77\.167)\./);
        expect(client.source.as.number).to.equal(google ? 15169 : 8075);
        expect(client.source.geo.country_iso_code).to.equal("US");
        expect(client.httpVersion).to.equal("1.1");
        expect(client.sendsReferrer).to.equal(false);
      }
      const residential = population.clients.filter((client) => !/bot|Robot/.test(client.userAgent));
      for (const client of residential.slice(0, 2_000)) {
        expect(client.source.as.number).to.be.within(64_512, 65_534);
        expect(client.source.as.organization.name).to.match(/^Example /);
        expect(client.source.geo.country_iso_code).to.equal(client.countryIsoCode);
        expect(client.source.geo.location.lat).to.be.within(-90, 90);
        expect(client.source.geo.location.lon).to.be.within(-180, 180);
      }
      expect(new Set(population.clients.map((client) => client.ip)).size).to.equal(population.clients.length);
      expect(population.knownIps.size).to.equal(population.clients.length);
    });

    it("gives the same address the same place and network every time", () => {
      expect(sourceFields("93.184.216.34", "DE", "access")).to.deep.equal(sourceFields("93.184.216.34", "DE", "access"));
      expect(sourceFields("93.184.216.34", "NL", "hosting").as.organization.name).to.match(/^Example /);
    });
  });
});
