// What `npm run live` decides before it starts the generator (lab/live-run.ts): plain logic.

import { expect } from "chai";
import { childEnvironment, exitCodeOf, planLiveRun, type LiveStack } from "../../lab/live-run";

const ARGS = ["--follow", "--es", "https://es.example.com:443", "--index-prefix", "lab-a-access", "--days", "14", "--seed", "42", "--scenario", "live"];

function stack(overrides: Partial<LiveStack> = {}): LiveStack {
  return {
    stackName: "cohort-a",
    existingCluster: true,
    outputs: { liveTraffic: { value: { arguments: ARGS } }, username: { value: "lab-admin" }, password: { value: "s3cret" } },
    apiKey: undefined,
    ...overrides,
  };
}

describe("npm run live", () => {
  it("runs the generator with the stack's arguments and its credentials in the environment, not on the command line", () => {
    const plan = planLiveRun(stack());
    expect(plan).to.deep.equal({ run: true, args: ARGS, env: { ELASTICSEARCH_USERNAME: "lab-admin", ELASTICSEARCH_PASSWORD: "s3cret" } });
    if (plan.run) expect(plan.args.join(" ")).to.not.include("s3cret");
  });

  it("logs in with the stack's API key when it has one", () => {
    expect(planLiveRun(stack({ apiKey: "a2V5", outputs: { liveTraffic: { value: { arguments: ARGS } } } }))).to.deep.equal({ run: true, args: ARGS, env: { ELASTICSEARCH_API_KEY: "a2V5" } });
  });

  it("refuses the Docker target with exit 2, naming the container that already writes the traffic", () => {
    const plan = planLiveRun(stack({ existingCluster: false, outputs: { liveTraffic: { value: { container: "lab-cohort-a-traffic" } } } }));
    expect(plan).to.include({ run: false, exitCode: 2 });
    expect((plan as { message: string }).message).to.include("lab-cohort-a-traffic").and.include("existing cluster");
  });

  it("refuses a stack without lab:live, saying what to set", () => {
    const plan = planLiveRun(stack({ outputs: { username: { value: "u" }, password: { value: "p" } } }));
    expect(plan).to.include({ run: false, exitCode: 2 });
    expect((plan as { message: string }).message).to.include("pulumi config set lab:live true --stack cohort-a");
  });

  it("replaces whatever credentials the caller's environment held, so the stack's are the ones used", () => {
    const env = childEnvironment({ PATH: "/bin", ELASTICSEARCH_API_KEY: "someone-else", ELASTICSEARCH_PASSWORD: "old" }, { ELASTICSEARCH_USERNAME: "u", ELASTICSEARCH_PASSWORD: "p" });
    expect(env).to.deep.equal({ PATH: "/bin", ELASTICSEARCH_USERNAME: "u", ELASTICSEARCH_PASSWORD: "p" });
  });

  it("exits with the generator's code, or 128 + the signal that ended it", () => {
    expect(exitCodeOf(0, null)).to.equal(0);
    expect(exitCodeOf(143, null)).to.equal(143);
    expect(exitCodeOf(null, "SIGTERM")).to.equal(143);
    expect(exitCodeOf(null, "SIGINT")).to.equal(130);
    expect(exitCodeOf(null, "SIGHUP")).to.equal(129);
  });
});
