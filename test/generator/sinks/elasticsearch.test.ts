// The Elasticsearch sink against a real server (test/support/elasticsearch.sh in CI; skipped without
// ELASTICSEARCH_URL). Each run uses its own index prefix and removes its indices and template after.

import { expect } from "chai";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { Client } from "@elastic/elasticsearch";
import { requireEsTarget } from "../../support/es-target";
import { addFileRealmUser } from "../../support/es-instance";
import { planDataset, type DatasetPlan } from "../../../generator/plan";
import { generateEvents, documentId, errorDocumentId } from "../../../generator/events";
import { generateErrorEvents } from "../../../generator/error-log";
import {
  LAB_ERROR_INDEX_MAPPINGS,
  LAB_INDEX_MAPPINGS,
  deleteDataset,
  deleteUnusedTemplate,
  errorIndexNameFor,
  errorIndexPrefixFor,
  indexDataset,
  indexNameFor,
  indexTemplateFor,
  readDatasetMeta,
  type ElasticsearchConnection,
  type IndexDatasetResult,
} from "../../../generator/sinks/elasticsearch";
import { LabError } from "../../../generator/errors";
import { failureOf } from "../../support/failure";
import { deleteEverythingUnder } from "../../support/es-cleanup";

const END = new Date("2026-11-17T00:00:00Z");

function countEvents(plan: DatasetPlan): number {
  let count = 0;
  for (const _event of generateEvents(plan)) count++;
  return count;
}

/** Leaf field name -> mapping type, from a GET _mapping properties tree; multi-fields as `<field>.<name>`. */
function leafTypes(properties: Record<string, { type?: string; properties?: Record<string, unknown>; fields?: Record<string, { type: string }> }>, prefix = ""): Record<string, string> {
  const types: Record<string, string> = {};
  for (const [name, field] of Object.entries(properties)) {
    const path = prefix === "" ? name : `${prefix}.${name}`;
    if (field.properties !== undefined) Object.assign(types, leafTypes(field.properties as never, path));
    else types[path] = field.type ?? "object";
    for (const [subName, sub] of Object.entries(field.fields ?? {})) types[`${path}.${subName}`] = sub.type;
  }
  return types;
}

/** Great-circle distance in metres (haversine, on Elasticsearch's mean earth radius). */
function metresBetween(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const radians = (degrees: number) => (degrees * Math.PI) / 180;
  const h = Math.sin(radians(b.lat - a.lat) / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(radians(b.lon - a.lon) / 2) ** 2;
  return 2 * 6_371_008.7714 * Math.asin(Math.sqrt(h));
}

describe("Elasticsearch sink (real server)", function () {
  this.timeout(180_000);
  let connection: ElasticsearchConnection;
  let client: Client;
  const prefix = `lab-test-g2-${randomBytes(3).toString("hex")}`;
  const smallPlan = planDataset({ days: 0.2, seed: 11, end: END, scenario: "none", meanRatePerSecond: 0.5 });

  before(function () {
    const target = requireEsTarget(this);
    connection = { url: target.url, username: target.username, password: target.password };
    client = new Client({ node: target.url, auth: { username: target.username, password: target.password } });
  });

  after(async () => {
    if (client === undefined) return;
    await deleteEverythingUnder(client, prefix);
    await client.close();
  });

  describe("a full dataset", () => {
    const plan = planDataset({
      days: 1,
      seed: 42,
      end: END,
      meanRatePerSecond: 1,
      anomalies: [
        { kind: "spike", start: new Date("2026-11-16T14:00:00Z"), durationMinutes: 30, magnitude: 10 },
        // Upstream failures, so that the error log holds the window's own categories too.
        { kind: "errors", start: new Date("2026-11-16T19:00:00Z"), durationMinutes: 30 },
      ],
    });
    let generated: number;
    let firstRunIndex: string;
    let firstRun: IndexDatasetResult;

    before(async () => {
      generated = countEvents(plan);
      const progress: number[] = [];
      const result = await indexDataset(plan, { connection, indexPrefix: prefix, onProgress: (n) => progress.push(n) });
      firstRun = result;
      firstRunIndex = result.index;
      expect(result.count).to.equal(generated);
      expect(progress[progress.length - 1]).to.equal(generated);
    });

    it("goes to the index named by the documented rule", () => {
      expect(firstRunIndex).to.equal(indexNameFor(prefix, plan));
      expect(firstRunIndex).to.match(new RegExp(`^${prefix}-custom-2026\\.11\\.17-[0-9a-f]{8}$`));
    });

    it("holds exactly the events generated", async () => {
      const { count } = await client.count({ index: firstRunIndex });
      expect(count).to.equal(generated);
      const first = await client.get({ index: firstRunIndex, id: documentId(plan, 0) });
      expect(first._source).to.deep.equal(generateEvents(plan).next().value);
    });

    it("is mapped by the lab's index template with the nginx integration's field types, strict", async () => {
      const template = indexTemplateFor(prefix);
      const stored = await client.indices.getIndexTemplate({ name: prefix });
      expect(stored.index_templates[0].index_template.index_patterns).to.deep.equal([`${prefix}-*`]);
      expect(template.index_patterns).to.deep.equal([`${prefix}-*`]);
      const mapping = (await client.indices.getMapping({ index: firstRunIndex }))[firstRunIndex].mappings;
      expect(mapping.dynamic).to.equal("strict");
      const types = leafTypes(mapping.properties as never);
      // The server kept every type the template declares...
      expect(types).to.deep.equal(leafTypes(LAB_INDEX_MAPPINGS.properties as never));
      // ...and those are the integration's (ECS) types for the fields its jobs and dashboards use.
      expect(types).to.include({
        "@timestamp": "date",
        "event.created": "date",
        message: "text",
        "event.duration": "long",
        "http.response.status_code": "long",
        "http.response.body.bytes": "long",
        "http.request.method": "keyword",
        "url.original": "keyword",
        "url.original.text": "text",
        "url.path": "keyword",
        "source.ip": "ip",
        "source.geo.location": "geo_point",
        "source.geo.country_iso_code": "keyword",
        "source.as.number": "long",
        "source.as.organization.name": "keyword",
        "user_agent.original": "keyword",
        "user_agent.original.text": "text",
        "user_agent.name": "keyword",
        "host.name": "keyword",
      });
    });

    it("answers geo_distance and geo_bounding_box queries on source.geo.location as the events' coordinates say", async () => {
      const events = [...generateEvents(plan)];
      const seattle = { lat: 47.6062, lon: -122.3321 };
      const within500km = events.filter((event) => metresBetween(event.source.geo.location, seattle) <= 500_000).length;
      // Europe west of 20°E between 35°N and 60°N: a box, counted the same way.
      const box = { top_left: { lat: 60, lon: -11 }, bottom_right: { lat: 35, lon: 20 } };
      const inBox = events.filter(({ source: { geo: { location } } }) => location.lat <= 60 && location.lat >= 35 && location.lon >= -11 && location.lon <= 20).length;
      expect(within500km).to.be.greaterThan(0).and.lessThan(events.length);
      expect(inBox).to.be.greaterThan(0).and.lessThan(events.length);
      const near = await client.count({ index: firstRunIndex, query: { geo_distance: { distance: "500km", "source.geo.location": seattle } } });
      const boxed = await client.count({ index: firstRunIndex, query: { geo_bounding_box: { "source.geo.location": box } } });
      expect(near.count).to.equal(within500km);
      expect(boxed.count).to.equal(inBox);
    });

    it("stores the ground truth with the event count in the index mapping's _meta.lab", async () => {
      const meta = await readDatasetMeta(connection, firstRunIndex);
      expect(meta.status).to.equal("complete");
      expect(meta.truth).to.deep.equal({ ...plan.truth, eventCount: generated });
      const raw = (await client.indices.getMapping({ index: firstRunIndex }))[firstRunIndex].mappings._meta as { lab: { truth: unknown } };
      expect(raw.lab.truth).to.deep.equal({ ...plan.truth, eventCount: generated });
    });

    it("shows the injected ratio in a date_histogram over the spike window", async () => {
      const [spike] = plan.anomalies;
      const windowMs = Date.parse(spike.end) - Date.parse(spike.start);
      const response = await client.search({
        index: firstRunIndex,
        size: 0,
        query: { range: { "@timestamp": { gte: Date.parse(spike.start) - 4 * windowMs, lt: Date.parse(spike.end) + 4 * windowMs, format: "epoch_millis" } } },
        aggs: { per_window: { date_histogram: { field: "@timestamp", fixed_interval: `${windowMs / 60_000}m`, offset: `${(Date.parse(spike.start) % windowMs) / 60_000}m` } } },
      });
      const buckets = (response.aggregations!.per_window as { buckets: Array<{ key: number; doc_count: number }> }).buckets;
      const inside = buckets.find((bucket) => bucket.key === Date.parse(spike.start))!;
      const around = buckets.filter((bucket) => bucket.key !== inside.key);
      expect(around).to.have.length(8);
      const baseline = around.reduce((sum, bucket) => sum + bucket.doc_count, 0) / around.length;
      const ratio = inside.doc_count / baseline;
      expect(ratio, `spike bucket ${inside.doc_count} vs baseline ${baseline}`).to.be.within(spike.magnitude * 0.75, spike.magnitude * 1.25);
    });

    it("leaves the count unchanged when run again with the same seed (deterministic ids)", async () => {
      const again = await indexDataset(plan, { connection, indexPrefix: prefix });
      expect(again.index).to.equal(firstRunIndex);
      expect(again.count).to.equal(generated);
      const { count } = await client.count({ index: firstRunIndex });
      expect(count).to.equal(generated);
      const first = await client.get({ index: firstRunIndex, id: documentId(plan, 0) });
      expect(first._version).to.equal(2);
      // The error log's index too: the same ids again, overwritten, never doubled.
      expect(again.errorLog).to.deep.equal(firstRun.errorLog);
      expect((await client.count({ index: again.errorLog!.index })).count).to.equal(firstRun.errorLog!.count);
      expect((await client.get({ index: again.errorLog!.index, id: errorDocumentId(plan, 0) }))._version).to.equal(2);
    });

    describe("nginx's error log, in an index of its own", () => {
      const errorPrefix = errorIndexPrefixFor(prefix);
      let errorEvents: ReturnType<typeof generateErrorEvents> extends Iterable<infer E> ? E[] : never;
      before(() => {
        errorEvents = [...generateErrorEvents(plan)];
      });

      it("goes to <error prefix>-<scenario>-<day>-<the access index's digest>, holding exactly the lines generated", async () => {
        const errorIndex = errorIndexNameFor(prefix, plan);
        expect(errorPrefix).to.equal(`${prefix}-error`);
        expect(errorIndex).to.equal(`${errorPrefix}${firstRunIndex.slice(prefix.length)}`);
        expect(firstRun.errorLog).to.deep.equal({ index: errorIndex, count: errorEvents.length });
        expect(errorEvents.length).to.be.greaterThan(0);
        expect((await client.count({ index: errorIndex })).count).to.equal(errorEvents.length);
        // Nothing of the error log in the access index: its count is the requests' alone.
        expect((await client.count({ index: firstRunIndex, query: { term: { "event.dataset": "nginx.error" } } })).count).to.equal(0);
        const first = await client.get({ index: errorIndex, id: errorDocumentId(plan, 0) });
        expect(first._source).to.deep.equal(errorEvents[0]);
      });

      it("is mapped by a template of its own with the integration's error-log types, strict", async () => {
        const errorIndex = firstRun.errorLog!.index;
        const stored = await client.indices.getIndexTemplate({ name: errorPrefix });
        expect(stored.index_templates[0].index_template.index_patterns).to.deep.equal([`${errorPrefix}-*`]);
        const mapping = (await client.indices.getMapping({ index: errorIndex }))[errorIndex].mappings;
        expect(mapping.dynamic).to.equal("strict");
        const types = leafTypes(mapping.properties as never);
        expect(types).to.deep.equal(leafTypes(LAB_ERROR_INDEX_MAPPINGS.properties as never));
        expect(types).to.include({
          "@timestamp": "date",
          message: "text",
          "log.level": "keyword",
          "event.dataset": "keyword",
          "event.original": "keyword",
          "process.pid": "long",
          "process.thread.id": "long",
          "nginx.error.connection_id": "long",
          "source.ip": "ip",
          "url.path": "keyword",
          "host.name": "keyword",
        });
      });

      it("finds each error category word by word in message, as categorization and Discover need", async () => {
        const errorIndex = firstRun.errorLog!.index;
        const phrases = ["No such file or directory", "Connection refused", "upstream timed out"];
        for (const phrase of phrases) {
          const expected = errorEvents.filter((event) => event.message.includes(phrase)).length;
          const { count } = await client.count({ index: errorIndex, query: { match_phrase: { message: phrase } } });
          expect(count, phrase).to.equal(expected);
        }
        expect(errorEvents.filter((event) => event.message.includes("Connection refused")).length, "the errors window's own category").to.be.greaterThan(0);
        const levels = await client.count({ index: errorIndex, query: { term: { "log.level": "error" } } });
        expect(levels.count).to.equal(errorEvents.filter((event) => event.log.level === "error").length);
      });

      it("carries the access index's ground truth in its _meta.lab, complete", async () => {
        const meta = await readDatasetMeta(connection, firstRun.errorLog!.index);
        expect(meta.status).to.equal("complete");
        expect(meta.truth).to.deep.equal({ ...plan.truth, eventCount: generated });
      });
    });
  });

  describe("without the error log (errorLog: false)", () => {
    it("writes the access index only, and no error template", async () => {
      const isolated = `${prefix}-noerr`;
      const result = await indexDataset(smallPlan, { connection, indexPrefix: isolated, errorLog: false });
      expect(result.errorLog).to.equal(undefined);
      expect((await client.count({ index: result.index })).count).to.equal(countEvents(smallPlan));
      expect(await client.indices.exists({ index: `${isolated}-error-*`, allow_no_indices: false })).to.equal(false);
      expect(await client.indices.existsIndexTemplate({ name: `${isolated}-error` })).to.equal(false);
    });
  });

  describe("bad credentials and servers", () => {
    it("writes nothing, not even the template, when the password is wrong", async () => {
      const isolated = `${prefix}-wrongpw`;
      const error = await failureOf(indexDataset(smallPlan, { connection: { ...connection, password: "not-the-password" }, indexPrefix: isolated }));
      expect(error).to.be.instanceOf(LabError);
      expect(error.message).to.equal(`Elasticsearch at ${connection.url.replace(/\/$/, "")} refused the password for user '${connection.username}': 401 Unauthorized on GET /; check the credentials`);
      expect(await client.indices.existsIndexTemplate({ name: isolated })).to.equal(false);
      expect(await client.indices.exists({ index: `${isolated}-*`, allow_no_indices: false })).to.equal(false);
    });

    it("names the refused request and writes nothing for a user who may only read", async function () {
      const user = `lab_reader_${randomBytes(3).toString("hex")}`; // users cannot be removed; a fresh name per run
      const password = await addFileRealmUser(user, ["viewer"]);
      if (password === undefined) this.skip(); // not a server of test/support/elasticsearch.sh: no way to add a user
      const isolated = `${prefix}-reader`;
      const reader = { ...connection, username: user, password: password as string };
      const error = await failureOf(indexDataset(smallPlan, { connection: reader, indexPrefix: isolated }));
      expect(error).to.be.instanceOf(LabError);
      expect(error.message).to.match(
        new RegExp(`^PUT /_index_template/${isolated} on ${connection.url.replace(/\/$/, "")} failed: 403 security_exception: action \\[indices:admin/index_template/put\\] is unauthorized for user \\[${user}\\]`),
      );
      expect(await client.indices.existsIndexTemplate({ name: isolated })).to.equal(false);
      expect(await client.indices.exists({ index: `${isolated}-*`, allow_no_indices: false })).to.equal(false);
    });

    it("fails within a bounded time with a clear message when the server goes away mid-way", async () => {
      // A proxy in front of the real server that cuts every connection once 300 kB of bulk data went through.
      const upstream = new URL(connection.url);
      const sockets = new Set<net.Socket>();
      let forwarded = 0;
      const proxy = net.createServer((downstream) => {
        const up = net.connect(Number(upstream.port), upstream.hostname);
        sockets.add(downstream).add(up);
        downstream.on("data", (data: Buffer) => {
          forwarded += data.length;
          if (forwarded > 300_000) {
            proxy.close();
            for (const socket of sockets) socket.destroy();
          } else {
            up.write(data);
          }
        });
        up.pipe(downstream);
        downstream.on("error", () => undefined);
        up.on("error", () => undefined);
      });
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
      const { port } = proxy.address() as AddressInfo;
      const started = Date.now();
      const plan = planDataset({ days: 0.5, seed: 5, end: END, scenario: "none", meanRatePerSecond: 1 });
      const error = await failureOf(
        indexDataset(plan, { connection: { ...connection, url: `http://127.0.0.1:${port}`, requestTimeoutMs: 5_000 }, indexPrefix: `${prefix}-cut`, flushBytes: 64 * 1024 }),
      );
      expect(Date.now() - started).to.be.lessThan(30_000);
      expect(error).to.be.instanceOf(LabError);
      expect(error.message).to.match(new RegExp(`^(POST /_bulk on http://127\\.0\\.0\\.1:${port} failed: the connection was lost|cannot reach Elasticsearch)`));
    });
  });

  describe("documents the server rejects", () => {
    it("counts them, quotes the first reasons, and leaves the dataset marked incomplete", async () => {
      const plan = planDataset({ days: 0.2, seed: 12, end: END, scenario: "none", meanRatePerSecond: 0.5 });
      const index = indexNameFor(prefix, plan);
      // A mapping conflict: response sizes above 32767 do not fit a short.
      await client.indices.create({
        index,
        mappings: {
          _meta: { lab: { generator: "elastic-ml-lab", status: "indexing", truth: plan.truth, updatedAt: END.toISOString() } },
          properties: { http: { properties: { response: { properties: { body: { properties: { bytes: { type: "short" } } } } } } } },
        },
      });
      let tooLarge = 0;
      let total = 0;
      for (const event of generateEvents(plan)) {
        total++;
        if (event.http.response.body.bytes > 32767) tooLarge++;
      }
      expect(tooLarge).to.be.greaterThan(0).and.lessThan(total);
      const error = await failureOf(indexDataset(plan, { connection, indexPrefix: prefix }));
      expect(error).to.be.instanceOf(LabError);
      expect(error.message).to.match(new RegExp(`^${tooLarge} of ${total} documents were rejected by index ${index}; first reasons: ${tooLarge}x document_parsing_exception: failed to parse field \\[http\\.response\\.body\\.bytes\\] of type \\[short\\]`));
      expect((await readDatasetMeta(connection, index)).status).to.equal("indexing");
    });

    it("fails with both numbers when the index holds more documents than were generated", async () => {
      const plan = planDataset({ days: 0.1, seed: 13, end: END, scenario: "none", meanRatePerSecond: 0.5 });
      const index = indexNameFor(prefix, plan);
      await client.indices.create({ index, mappings: { _meta: { lab: { generator: "elastic-ml-lab", status: "indexing", truth: plan.truth, updatedAt: END.toISOString() } } } });
      const [stray] = generateEvents(plan);
      await client.index({ index, id: "stray-document-of-another-run", document: stray, refresh: true });
      const total = countEvents(plan);
      const error = await failureOf(indexDataset(plan, { connection, indexPrefix: prefix }));
      expect(error).to.be.instanceOf(LabError);
      expect(error.message).to.equal(`index ${index} holds ${total + 1} documents but ${total} events were generated; it holds documents of another run: delete it and run again`);
    });

    it("refuses to write into an index the lab did not create", async () => {
      const index = `${prefix}-foreign`;
      await client.indices.create({ index });
      const error = await failureOf(indexDataset(smallPlan, { connection, indexPrefix: prefix, index }));
      expect(error).to.be.instanceOf(LabError);
      expect(error.message).to.equal(`index ${index} exists and was not created by the lab (its mapping has no _meta.lab); refusing to write into it`);
      expect((await client.count({ index })).count).to.equal(0);
    });
  });

  describe("deleteDataset", () => {
    it("deletes the error log's index and then its unused template the same way as the access index's", async () => {
      const isolated = `${prefix}-delerr`;
      const result = await indexDataset(smallPlan, { connection, indexPrefix: isolated });
      const errorIndex = result.errorLog!.index;
      expect(await deleteDataset(connection, errorIndex)).to.equal("deleted");
      expect(await deleteDataset(connection, errorIndex)).to.equal("absent");
      expect(await deleteUnusedTemplate(connection, `${isolated}-error`)).to.equal("deleted");
      // The access index is untouched, and keeps its template.
      expect((await client.count({ index: result.index })).count).to.equal(result.count);
      expect(await deleteUnusedTemplate(connection, isolated)).to.deep.equal({ kept: [result.index] });
    });

    it("deletes the lab's index, then reports it absent, and refuses an index the lab did not create", async () => {
      const result = await indexDataset(smallPlan, { connection, indexPrefix: `${prefix}-del` });
      expect(await deleteDataset(connection, result.index)).to.equal("deleted");
      expect(await client.indices.exists({ index: result.index })).to.equal(false);
      expect(await deleteDataset(connection, result.index)).to.equal("absent");
      const foreign = `${prefix}-not-ours`;
      await client.indices.create({ index: foreign });
      const error = await failureOf(deleteDataset(connection, foreign));
      expect(error.message).to.equal(`index ${foreign} was not created by the lab (its mapping has no _meta.lab); refusing to delete it`);
      expect(await client.indices.exists({ index: foreign })).to.equal(true);
    });
  });
});
