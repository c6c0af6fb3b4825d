import { expect } from "chai";
import { modelUp, type StepSeconds } from "../../bench/up-model";
import { formatTimeline } from "../../verify/timeline";

const LAPTOP: StepSeconds = { engine: 6, networkAndVolume: 2, elasticsearch: 20, kibanaSystemPassword: 2, kibana: 60, dataset: 90, dataView: 1, datafeeds: 30, verification: 2 };

describe("bench/up-model: the full pulumi up as a timeline", () => {
  it("starts Kibana while the dataset is written, and has ML results once the datafeeds are done, Kibana being ready by then", () => {
    const model = modelUp(LAPTOP);
    // engine 6 + network 2 + Elasticsearch 20 = 28; dataset to 118, datafeeds to 148; Kibana ready at 28 + 2 + 60 = 90.
    expect(model.mlResultsAt).to.equal(148);
    expect(model.doneAt).to.equal(150);
    expect(model.criticalPath).to.deep.equal(["engine start-up", "network and volume", "elasticsearch", "dataset", "datafeeds"]);
    expect(formatTimeline(model.timeline)).to.equal(`lab-verify timings: 9 steps from 2026-01-01 00:00:00 UTC, 2:30 from the first start to the last end

  STEP                    START  TOOK  TIMELINE
  engine start-up         +0:00  0:06  |██                                      |
  network and volume      +0:06  0:02  | █                                      |
  elasticsearch           +0:08  0:20  |  █████                                 |
  kibana_system password  +0:28  0:02  |       █                                |
  dataset                 +0:28  1:30  |       ████████████████████████         |
  kibana                  +0:30  1:00  |        ████████████████                |
  data view               +1:58  0:01  |                               █        |
  datafeeds               +1:58  0:30  |                               ████████ |
  verification            +2:28  0:02  |                                       █|`);
  });

  it("puts Kibana on the critical path when it takes longer than the dataset and the datafeeds together", () => {
    const model = modelUp({ ...LAPTOP, kibana: 200 });
    expect(model.mlResultsAt).to.equal(28 + 2 + 200);
    expect(model.criticalPath.slice(-2)).to.deep.equal(["kibana_system password", "kibana"]);
  });
});
