import { expect } from "chai";
import { LabError } from "../../generator/errors";
import { liveWindowState } from "../../verify/live-window";
import { BACKFILL_SCAN, LIVE_SPIKE, followTruth, iso, at } from "./live-fixtures";

const INDEX = "lab-a-access-live";

function failure(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("verify/live-window", () => {
  it("waits while the generator runs and names the next window's start, never its kind", () => {
    const state = liveWindowState(followTruth({ through: iso(at(30)), nextWindowStart: iso(at(60)) }), INDEX);
    expect(state.state).to.equal("pending");
    expect(state.live.nextWindowStart).to.equal(iso(at(60)));
  });

  it("picks the first live window once its traffic has started, never a backfill one", () => {
    const later = { ...LIVE_SPIKE, id: "drop-1", kind: "drop" as const, start: iso(at(300)), end: iso(at(360)) };
    const state = liveWindowState(followTruth({ through: iso(at(400)) }, [BACKFILL_SCAN, later, LIVE_SPIKE]), INDEX);
    expect(state).to.include({ state: "planted" });
    expect(state.state === "planted" && state.window.id).to.equal("spike-2");
  });

  it("picks the window --window names, and waits for it while it is still to come", () => {
    const truth = followTruth({ through: iso(at(100)), nextWindowStart: iso(at(300)) }, [BACKFILL_SCAN, LIVE_SPIKE]);
    expect(liveWindowState(truth, INDEX, "spike-2").state).to.equal("planted");
    expect(liveWindowState(truth, INDEX, "drop-1").state).to.equal("pending");
  });

  it("says the index was not written in follow mode when the truth has no live part", () => {
    const { live: _live, ...finished } = followTruth({ through: iso(at(0)) });
    const error = failure(() => liveWindowState(finished, INDEX));
    expect(error).to.be.instanceOf(LabError);
    expect(error.message).to.match(/^index lab-a-access-live was not written in follow mode/).and.include("drop --live");
  });

  it("fails at once when the generator failed or stopped before planting the window, with how far it got", () => {
    const failed = failure(() => liveWindowState(followTruth({ through: iso(at(42)), status: "failed", nextWindowStart: iso(at(60)) }), INDEX));
    expect(failed.message).to.equal(
      `the generator writing ${INDEX} failed (live.status "failed", events written through ${iso(at(42))}) before planting a live window (none is planted); restart it in follow mode`,
    );
    const stopped = failure(() => liveWindowState(followTruth({ through: iso(at(42)), status: "stopped" }, [BACKFILL_SCAN, LIVE_SPIKE]), INDEX, "drop-1"));
    expect(stopped.message).to.include("stopped").and.include("before planting live window drop-1 (planted: spike-2)");
  });

  it("fails at once when no window is left to plant, and when --window names a backfill window", () => {
    expect(failure(() => liveWindowState(followTruth({ through: iso(at(42)) }), INDEX)).message).to.include("no window left to plant (live.nextWindowStart is null; none is planted)");
    expect(failure(() => liveWindowState(followTruth({ through: iso(at(42)) }), INDEX, "scan-1")).message).to.equal(
      "--window scan-1: is a backfill window, written before live traffic began; drop --live to verify it",
    );
  });

  it("names every malformed field of the live part", () => {
    const truth = followTruth({ through: "soon" });
    (truth.live as unknown as Record<string, unknown>).status = "paused";
    const error = failure(() => liveWindowState(truth, INDEX));
    expect(error.message).to.equal(`${INDEX} _meta.lab.truth.live.through: "soon" is not an ISO-8601 time; ${INDEX} _meta.lab.truth.live.updatedAt: "soon" is not an ISO-8601 time; ${INDEX} _meta.lab.truth.live.status: "paused" is not one of running, stopped, failed`);
  });
});
