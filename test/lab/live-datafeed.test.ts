// Live mode's datafeed settings and the "caught up" check (lab/live-datafeed.ts): plain logic.

import { expect } from "chai";
import { LIVE_FREQUENCY, LIVE_QUERY_DELAY, liveDatafeed, lookbackProgress } from "../../lab/live-datafeed";
import { jobRequests, loadJobDefinitions } from "../../ml-jobs/index";
import { parseGoDuration } from "./docker-read-back";

const seconds = (duration: string) => parseGoDuration(duration) / 1e9;

describe("live datafeeds", () => {
  describe("the datafeed request", () => {
    it("adds a fixed query delay and a real-time frequency to the library's datafeed, and changes nothing else", () => {
      const { datafeed } = jobRequests(loadJobDefinitions().find((def) => def.name === "lab_request_rate_high")!, { jobId: "lab-x-job", indexPattern: "lab-x-access-live-0123abcd" });
      expect(liveDatafeed(datafeed)).to.deep.equal({ ...datafeed, query_delay: LIVE_QUERY_DELAY, frequency: LIVE_FREQUENCY });
    });

    it("searches every 15 minutes for a datafeed aggregated into 15-minute buckets (Elastic's low_request_rate_nginx): a frequency must be a multiple of the interval", () => {
      const definition = loadJobDefinitions().find((def) => def.name === "low_request_rate_nginx")!;
      const { datafeed } = jobRequests(definition, { jobId: "lab-x-low_request_rate_nginx" });
      expect(liveDatafeed(datafeed).frequency).to.equal("900s");
    });

    it("waits longer than the generator's flush (5 s) plus a late minute, within Elasticsearch's own default range (60-120 s)", () => {
      expect(seconds(LIVE_QUERY_DELAY)).to.be.at.least(60 + 5).and.at.most(120);
    });

    it("searches more often than every job's bucket span, and divides it, so interim results come each time", () => {
      for (const definition of loadJobDefinitions()) {
        const bucket = seconds(String(definition.job.analysis_config.bucket_span));
        expect(seconds(LIVE_FREQUENCY), definition.name).to.be.below(bucket);
        expect(bucket % seconds(LIVE_FREQUENCY), definition.name).to.equal(0);
      }
    });
  });

  describe("caught up", () => {
    const feed = "datafeed-lab-x-job";
    it("is true once the started datafeed runs in real time", () => {
      expect(lookbackProgress({ datafeed_id: feed, state: "started", running_state: { real_time_configured: true, real_time_running: true } }, feed)).to.deep.equal({ caughtUp: true });
    });

    it("is not yet while the lookback runs, or before the datafeed reports a running state", () => {
      expect(lookbackProgress({ datafeed_id: feed, state: "started", running_state: { real_time_configured: true, real_time_running: false } }, feed)).to.deep.equal({ caughtUp: false, reason: `datafeed ${feed} is still in its lookback over the backfill` });
      expect(lookbackProgress({ datafeed_id: feed, state: "starting" }, feed)).to.deep.equal({ caughtUp: false, reason: `datafeed ${feed} is starting` });
      expect(lookbackProgress({ datafeed_id: feed, state: "started" }, feed)).to.have.property("caughtUp", false);
      expect(lookbackProgress(undefined, feed)).to.have.property("caughtUp", false);
    });

    it("never comes for a datafeed started with an end", () => {
      expect(lookbackProgress({ datafeed_id: feed, state: "started", running_state: { real_time_configured: false, real_time_running: false } }, feed)).to.have.property("caughtUp", false);
    });

    it("says a stopped datafeed will not follow live traffic, and where to look", () => {
      const progress = lookbackProgress({ datafeed_id: feed, state: "stopped" }, feed);
      expect(progress).to.have.property("stopped", true);
      expect((progress as { reason: string }).reason).to.include("_stats");
    });
  });
});
