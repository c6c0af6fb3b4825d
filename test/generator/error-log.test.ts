import { expect } from "chai";
import { generateErrorEvents, generateNginxLogs, type NginxErrorEvent } from "../../generator/error-log";
import { NEW_ERROR_TEXT } from "../../generator/nginx";
import { planDataset, type DatasetOptions } from "../../generator/plan";
import type { AccessLogEvent } from "../../generator/types";
import { LAB_ERROR_INDEX_MAPPINGS, LAB_INDEX_MAPPINGS } from "../../generator/sinks/elasticsearch-index";

/** Each leaf of a document with the mapping type it needs, e.g. { "process.pid": "long" }. */
function leafTypes(properties: Record<string, any>, prefix = ""): Record<string, string> {
  const types: Record<string, string> = {};
  for (const [name, spec] of Object.entries(properties)) {
    if (spec.properties !== undefined) Object.assign(types, leafTypes(spec.properties, `${prefix}${name}.`));
    else types[`${prefix}${name}`] = spec.type;
  }
  return types;
}

function documentLeaves(value: unknown, prefix = ""): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { [prefix]: value };
  const leaves: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "location") leaves[`${prefix}${key}`] = child;
    else Object.assign(leaves, documentLeaves(child, `${prefix}${key}.`.replace(/^\./, "")));
  }
  return leaves;
}

const END = new Date("2026-11-24T00:00:00Z");
/** The categories nginx writes only when an upstream fails or stalls: the planted windows' own. */
const WINDOW_CATEGORIES = [
  "connect() failed (111: Connection refused) while connecting to upstream",
  "no live upstreams while connecting to upstream",
  "upstream timed out (110: Connection timed out) while reading response header from upstream",
  "upstream timed out (110: Connection timed out) while reading upstream",
];
const categoryOf = (error: NginxErrorEvent) => error.message.slice(0, error.message.indexOf(", client: "));
const isError = (event: AccessLogEvent | NginxErrorEvent): event is NginxErrorEvent => event.event.dataset === "nginx.error";

// The integration's grok for the error log: `%{DATA:nginx.error.time} \[%{DATA:log.level}\] %{NUMBER:process.pid}#%{NUMBER:process.thread.id}: (\*%{NUMBER:connection_id} )?%{GREEDYMULTILINE:message}`
const ERROR_LINE = /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)$/s;

describe("generator/error-log: nginx's error log for the same traffic", () => {
  const options: DatasetOptions = {
    days: 1,
    seed: 11,
    end: END,
    meanRatePerSecond: 1,
    anomalies: [
      { kind: "errors", target: "web-02", start: new Date("2026-11-23T10:00:00Z"), durationMinutes: 30 },
      { kind: "latency", target: "/search", start: new Date("2026-11-23T14:00:00Z"), durationMinutes: 60 },
      { kind: "scan", start: new Date("2026-11-23T18:00:00Z") },
    ],
  };
  const plan = planDataset(options);

  it("is in time order, the same for the same plan, and each line follows the request it belongs to", () => {
    let previous: AccessLogEvent | undefined;
    let lines = 0;
    const wrong: string[] = [];
    let lastTime = "";
    for (const event of generateNginxLogs(plan)) {
      if (event["@timestamp"] < lastTime) wrong.push(`order ${event["@timestamp"]}`);
      lastTime = event["@timestamp"];
      if (!isError(event)) {
        previous = event;
        continue;
      }
      lines++;
      const request = `request: "${previous!.http.request.method} ${previous!.url.original} HTTP/${previous!.http.version}"`;
      if (event["@timestamp"] !== previous!["@timestamp"] || event.source.ip !== previous!.source.ip || !event.message.includes(request) || event.host.name !== previous!.host.name) {
        wrong.push(`${event["@timestamp"]}: ${event.message} after ${previous!.message}`);
      }
      if (wrong.length > 3) break;
    }
    expect(wrong).to.deep.equal([]);
    expect(lines).to.be.above(1_000);
    expect(JSON.stringify([...generateErrorEvents(plan)])).to.equal(JSON.stringify([...generateErrorEvents(planDataset(options))]));
  });

  it("writes each line in nginx's format, which the integration's grok reads back to the document's fields", () => {
    const wrong: string[] = [];
    for (const error of generateErrorEvents(plan)) {
      const match = ERROR_LINE.exec(error.event.original);
      if (match === null) {
        wrong.push(error.event.original);
        continue;
      }
      const [, time, level, pid, tid, connection, message] = match;
      const expected = `${error["@timestamp"].slice(0, 10).replace(/-/g, "/")} ${error["@timestamp"].slice(11, 19)}`;
      if (time !== expected || level !== error.log.level || Number(pid) !== error.process.pid || Number(tid) !== error.process.thread.id) wrong.push(error.event.original);
      if (Number(connection) !== error.nginx.error.connection_id || message !== error.message) wrong.push(error.event.original);
      if (!/, client: [\d.]+, server: shop\.example\.com, request: "[A-Z]+ \S+ HTTP\/\d\.\d"(, upstream: "http:\/\/10\.0\.1\.\d+:8080\S*")?, host: "shop\.example\.com"$/.test(error.message)) wrong.push(error.message);
      if (wrong.length > 3) break;
    }
    expect(wrong).to.deep.equal([]);
  });

  it("ties baseline lines to their access events: missing files and forbidden probes, a few upstream hiccups, abandoned downloads", () => {
    const counts = new Map<string, number>();
    let previous: AccessLogEvent | undefined;
    const wrong: string[] = [];
    for (const event of generateNginxLogs(plan)) {
      if (!isError(event)) {
        previous = event;
        continue;
      }
      const category = categoryOf(event).replace(/"[^"]*"/, '"…"');
      counts.set(category, (counts.get(category) ?? 0) + 1);
      const status = previous!.http.response.status_code;
      const expectedStatus: Record<string, number> = {
        'open() "…" failed (2: No such file or directory)': 404,
        "access forbidden by rule": 403,
        "upstream prematurely closed connection while reading response header from upstream": 502,
        "client prematurely closed connection while sending response to client": 200,
        "connect() failed (111: Connection refused) while connecting to upstream": 502,
        "no live upstreams while connecting to upstream": 503,
        "upstream timed out (110: Connection timed out) while reading response header from upstream": 504,
      };
      if (category in expectedStatus && expectedStatus[category] !== status) wrong.push(`${category} with status ${status}`);
      if (category.startsWith("open()") && !event.message.includes(`"/usr/share/nginx/html${previous!.url.path}"`)) wrong.push(event.message);
    }
    expect(wrong).to.deep.equal([]);
    expect(counts.get('open() "…" failed (2: No such file or directory)')).to.be.above(1_000);
    expect(counts.get("access forbidden by rule")).to.be.above(10);
    expect(counts.get("client prematurely closed connection while sending response to client")).to.be.above(5);
    expect(counts.get("upstream prematurely closed connection while reading response header from upstream")).to.be.above(5);
  });

  it("lines up the upstream failures with their access-log anomaly: inside its window, on its host or URL, and nowhere else", () => {
    const [errors, latency] = plan.truth.anomalies;
    const inWindow = (time: string, anomaly: typeof errors) => time >= anomaly.start && time < anomaly.end;
    const counts = new Map<string, number>();
    const wrong: string[] = [];
    for (const error of generateErrorEvents(plan)) {
      const category = categoryOf(error);
      if (!WINDOW_CATEGORIES.includes(category)) continue;
      counts.set(category, (counts.get(category) ?? 0) + 1);
      const errorsWindow = inWindow(error["@timestamp"], errors) && error.host.name === errors.entity!.value;
      const latencyWindow = inWindow(error["@timestamp"], latency) && error.url.path === latency.entity!.value;
      const fits = category.endsWith("while reading upstream") ? latencyWindow : errorsWindow;
      if (!fits) wrong.push(`${error["@timestamp"]} ${error.host.name} ${error.url.path}: ${category}`);
    }
    expect(wrong).to.deep.equal([]);
    for (const category of WINDOW_CATEGORIES) expect(counts.get(category) ?? 0, category).to.be.above(2);
  });

  it("fits the error mapping, and the access events fit theirs: every field mapped, with a value of its type", () => {
    const fits = (type: string, value: unknown) =>
      type === "long" ? Number.isInteger(value) : type === "geo_point" ? typeof value === "object" : Array.isArray(value) ? value.every((item) => typeof item === "string") : typeof value === "string";
    const check = (document: object, mapping: Record<string, string>, wrong: string[]) => {
      for (const [field, value] of Object.entries(documentLeaves(document))) {
        const name = field.replace(/\.$/, "");
        if (mapping[name] === undefined || !fits(mapping[name], value)) wrong.push(`${name}: ${JSON.stringify(value)} (${mapping[name]})`);
      }
    };
    const errorTypes = leafTypes(LAB_ERROR_INDEX_MAPPINGS.properties as Record<string, any>);
    const accessTypes = leafTypes(LAB_INDEX_MAPPINGS.properties as Record<string, any>);
    const wrong: string[] = [];
    let n = 0;
    for (const event of generateNginxLogs(plan)) {
      check(event, isError(event) ? errorTypes : accessTypes, wrong);
      if (wrong.length > 3 || ++n > 50_000) break;
    }
    expect(wrong).to.deep.equal([]);
  });
});

describe("generator/error-log: a new_error window's new category", () => {
  const plan = planDataset({
    days: 1,
    seed: 5,
    end: END,
    meanRatePerSecond: 0.5,
    anomalies: [{ kind: "new_error", target: "/api/v1/products", start: new Date("2026-11-23T15:00:00Z"), durationMinutes: 30, magnitude: 0.5 }],
  });
  const [window] = plan.truth.anomalies;

  it("appears only inside its window, on its URL, each line right after a 502 for the same request, at crit", () => {
    let previous: AccessLogEvent | undefined;
    const wrong: string[] = [];
    let lines = 0;
    let failures = 0;
    for (const event of generateNginxLogs(plan)) {
      if (!isError(event)) {
        previous = event;
        const inside = event["@timestamp"] >= window.start && event["@timestamp"] < window.end && event.url.path === window.entity!.value;
        if (inside && event.http.response.status_code === 502) failures += 1;
        continue;
      }
      if (categoryOf(event) !== NEW_ERROR_TEXT) continue;
      lines += 1;
      const inside = event["@timestamp"] >= window.start && event["@timestamp"] < window.end && event.url.path === window.entity!.value;
      const lined = previous !== undefined && previous["@timestamp"] === event["@timestamp"] && previous.url.path === event.url.path && previous.http.response.status_code === 502;
      if (!inside || !lined || event.log.level !== "crit") wrong.push(`${event["@timestamp"]} ${event.url.path} ${event.log.level}`);
    }
    expect(wrong).to.deep.equal([]);
    // Every 502 on the URL in the window is the handshake failure; about half the URL's requests fail.
    expect(lines).to.equal(failures);
    expect(lines).to.be.above(10);
  });

  it("is a category the error log never has without the window", () => {
    const clean = planDataset({ days: 1, seed: 5, end: END, meanRatePerSecond: 0.5, anomalies: [] });
    for (const error of generateErrorEvents(clean)) expect(categoryOf(error)).to.not.equal(NEW_ERROR_TEXT);
  });
});
