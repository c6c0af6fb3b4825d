// The Kibana links the instructor hands out, in the `_g` format of Kibana's ML URL generator.

import { expect } from "chai";
import { fitsSingleMetricViewer, mlGlobalState, mlJobUrl, publicHost } from "../../lab/urls";

const RANGE = { from: "2026-11-03T00:00:00.000Z", to: "2026-11-17T00:00:00.000Z" };

describe("Kibana ML links", () => {
  it("puts the job and the absolute time range into the global state, as rison", () => {
    expect(mlGlobalState(["lab-a-request_rate_high"], RANGE)).to.equal(
      "(ml:(jobIds:!(lab-a-request_rate_high)),refreshInterval:(pause:!t,value:0),time:(from:'2026-11-03T00:00:00.000Z',mode:absolute,to:'2026-11-17T00:00:00.000Z'))",
    );
  });

  it("links to the Anomaly Explorer and the Single Metric Viewer of one job", () => {
    const explorer = mlJobUrl("http://localhost:5601/", "explorer", "lab-a-request_rate_high", RANGE);
    expect(explorer.startsWith("http://localhost:5601/app/ml/explorer?_g=(ml:(jobIds:!(lab-a-request_rate_high))")).to.equal(true);
    expect(decodeURIComponent(explorer)).to.equal(`http://localhost:5601/app/ml/explorer?_g=${mlGlobalState(["lab-a-request_rate_high"], RANGE)}`);
    expect(mlJobUrl("http://localhost:5601", "timeseriesexplorer", "j", RANGE)).to.match(/^http:\/\/localhost:5601\/app\/ml\/timeseriesexplorer\?_g=/);
  });

  it("quotes rison strings that need it and escapes their quotes", () => {
    expect(mlGlobalState(["it's"], RANGE)).to.include("jobIds:!('it!'s')");
  });

  it("offers the Single Metric Viewer only for jobs it can plot", () => {
    expect(fitsSingleMetricViewer({ analysis_config: { detectors: [{ function: "high_count" }] } })).to.equal(true);
    expect(fitsSingleMetricViewer({ analysis_config: { detectors: [{ function: "high_distinct_count", over_field_name: "source.ip" }] } })).to.equal(false);
    expect(fitsSingleMetricViewer({ analysis_config: { detectors: [{ function: "rare", by_field_name: "user_agent.original" }] } })).to.equal(false);
  });

  it("turns loopback and wildcard bind addresses into localhost for browsers", () => {
    expect(publicHost("127.0.0.1")).to.equal("localhost");
    expect(publicHost("0.0.0.0")).to.equal("localhost");
    expect(publicHost("10.1.2.3")).to.equal("10.1.2.3");
    expect(publicHost("fd00::1")).to.equal("[fd00::1]");
  });
});
