import { expect } from "chai";
import type { InjectedAnomaly } from "../../generator/types";
import { countPerBucket, MIN_WINDOW_WIDTH_PX, renderRatePlot, severityColour, utcMinute } from "../../verify/plot";

const T0 = Date.parse("2026-11-20T00:00:00.000Z");
const spike: InjectedAnomaly = {
  id: "spike-1", kind: "spike", start: "2026-11-20T02:00:00.000Z", end: "2026-11-20T02:30:00.000Z", magnitude: 10, entity: null,
  description: "Request rate multiplied by 10 <for> 30 minutes & more",
};

async function* asyncBuckets() {
  for (let i = 0; i < 16; i++) yield { time: T0 + i * 900_000, count: i === 8 ? 1000 : 100 };
}

describe("verify/plot", () => {
  it("counts a time-ordered stream into 15-minute buckets, empty ones included", () => {
    const stamps = ["2026-11-20T00:01:00.000Z", "2026-11-20T00:14:59.999Z", "2026-11-20T00:45:00.000Z"].map((t) => ({ "@timestamp": t }));
    expect([...countPerBucket(stamps, 15)]).to.deep.equal([
      { time: T0, count: 2 },
      { time: T0 + 900_000, count: 0 },
      { time: T0 + 1_800_000, count: 0 },
      { time: T0 + 2_700_000, count: 1 },
    ]);
    expect([...countPerBucket([], 15)]).to.deep.equal([]);
  });

  it("draws the rate as one line over every bucket, and shades and labels each anomaly window", async () => {
    const svg = await renderRatePlot({ series: asyncBuckets(), bucketMinutes: 15, anomalies: [spike], title: "Scenario <spike>" });
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).to.equal(true);
    expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
    const points = /<polyline points="([^"]+)"/.exec(svg)![1].split(" ");
    expect(points).to.have.length(16);
    expect(svg).to.include(">spike-1</text>");
    expect(svg).to.include("<title>spike-1: Request rate multiplied by 10 &lt;for&gt; 30 minutes &amp; more</title>");
    expect(svg).to.include("Scenario &lt;spike&gt;");
    expect(svg).to.include("requests / 15 min");
    expect(svg).to.not.include("ML bucket anomaly score");
  });

  it("puts the peak of the line at the top of the rate panel", async () => {
    const svg = await renderRatePlot({ series: asyncBuckets(), bucketMinutes: 15, anomalies: [] });
    const ys = /<polyline points="([^"]+)"/.exec(svg)![1].split(" ").map((p) => Number(p.split(",")[1]));
    expect(Math.min(...ys)).to.equal(ys[8]);
  });

  it("adds one strip per job beneath, coloured by Kibana's severity bands, when scores are given", async () => {
    const svg = await renderRatePlot({
      series: asyncBuckets(),
      bucketMinutes: 15,
      anomalies: [spike],
      scores: [
        { jobId: "lab_request_rate_high", buckets: [{ timestamp: T0 + 8 * 900_000, anomalyScore: 91 }, { timestamp: T0 + 9 * 900_000, anomalyScore: 1 }] },
        { jobId: "lab_request_rate_low", buckets: [] },
      ],
    });
    expect(svg).to.include("ML bucket anomaly score");
    expect(svg).to.include(">lab_request_rate_high</text>").and.include(">lab_request_rate_low</text>");
    expect(svg.match(new RegExp(`fill="${severityColour(91)}"><title>`, "g"))).to.have.length(1);
    expect(svg, "scores below 3 are not drawn").to.not.include("score 1.0");
    expect([severityColour(2), severityColour(10), severityColour(30), severityColour(60), severityColour(80)]).to.have.length(5);
    expect(new Set([severityColour(10), severityColour(30), severityColour(60), severityColour(80)]).size).to.equal(4);
  });

  it("shades a 30-minute window at least 3 px wide in a year's plot", async () => {
    const yearStart = Date.parse("2026-01-01T00:00:00.000Z");
    const days = [...Array(366).keys()].map((day) => ({ time: yearStart + day * 86_400_000, count: 100 }));
    const svg = await renderRatePlot({ series: days, bucketMinutes: 24 * 60, anomalies: [spike] });
    const shade = /<rect x="[\d.]+" y="\d+" width="([\d.]+)"[^>]*><title>spike-1/.exec(svg);
    expect(shade, "the window's shading").to.not.equal(null);
    expect(Number(shade![1])).to.be.at.least(3);
    expect(MIN_WINDOW_WIDTH_PX).to.equal(3);
  });

  it("writes times for titles as people read them, to the minute in UTC", () => {
    expect(utcMinute("2026-11-17T00:00:00.000Z")).to.equal("2026-11-17 00:00 UTC");
    expect(utcMinute(Date.parse("2026-11-16T12:34:56.789Z"))).to.equal("2026-11-16 12:34 UTC");
  });

  it("says so when there are no events", async () => {
    expect(await renderRatePlot({ series: [], bucketMinutes: 15, anomalies: [] })).to.include(">no events</text>");
  });
});
