// A Pulumi mock engine that records what the program registers: each resource's type, name, inputs,
// parent and the URNs it depends on (dependsOn and inputs), so tests can check the graph itself.
// https://www.pulumi.com/docs/iac/guides/testing/unit/

import * as pulumi from "@pulumi/pulumi";
import { liveIndexOf } from "../../lab/providers/dataset-live";
import { errorIndexPrefixFor } from "../../generator/sinks/elasticsearch";

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
  dependencies: string[];
  deleteBeforeReplace: boolean;
  /** Reference to the explicit provider, "<urn>::<id>", or "" for the default one */
  provider: string;
}

export interface Recorder {
  resources: RecordedResource[];
  byName(name: string): RecordedResource;
  ofType(type: string): RecordedResource[];
}

/** Outputs the real providers would compute, so that applies downstream get plausible values. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "docker:index/remoteImage:RemoteImage":
      return { ...inputs, imageId: `sha256:${name}`, repoDigest: `${String(inputs.name)}@sha256:0` };
    case "docker:index/image:Image":
      // A local build (skipPush): repoDigest is the image id.
      return { ...inputs, repoDigest: `sha256:${name}`, baseImageName: inputs.imageName };
    default:
      if (!type.startsWith("pulumi-nodejs:")) return inputs;
      if ("purpose" in inputs) return { ...inputs, value: `generated-${name}` };
      // The timings the providers record (lab/timings.ts), at fixed times of a made-up run.
      if ("containerId" in inputs) {
        const times = inputs.server === "elasticsearch" ? ["10:00:00", "10:00:20"] : ["10:00:25", "10:01:10"];
        return { ...inputs, timing: { step: inputs.server, start: `2026-11-17T${times[0]}.000Z`, end: `2026-11-17T${times[1]}.000Z` } };
      }
      if ("indexPrefix" in inputs) {
        return {
          ...inputs,
          // Live mode: the stream's index, as prepareFollowIndex names it; the traffic must resume it.
          index: inputs.live === true ? liveIndexOf(inputs as unknown as Parameters<typeof liveIndexOf>[0]) : `${String(inputs.indexPrefix)}-0123abcd`,
          count: 1000,
          // Live mode writes the access log only.
          ...(inputs.live === true ? {} : { errorIndex: `${errorIndexPrefixFor(String(inputs.indexPrefix))}-0123abcd`, errorCount: 20 }),
          start: "2026-11-03T00:00:00.000Z",
          end: "2026-11-17T00:00:00.000Z",
          truth: { generator: "elastic-ml-lab", seed: 42, scenario: "spike", start: "2026-11-03T00:00:00.000Z", end: "2026-11-17T00:00:00.000Z", days: 14, meanRatePerSecond: 5, anomalies: [] },
          anomalies: [{ id: "spike-1", kind: "spike", start: "2026-11-10T10:00:00.000Z", end: "2026-11-10T10:30:00.000Z", magnitude: 10, entity: null, description: "" }],
          timing: { step: "dataset", start: "2026-11-17T10:00:21.000Z", end: "2026-11-17T10:01:30.000Z", documents: 1000, docsPerSecond: 15 },
        };
      }
      if ("kibanaSystemPassword" in inputs) return { ...inputs, kibanaSystemUsername: "kibana_system" };
      if ("dataViewId" in inputs) return { ...inputs, isDefault: true };
      if ("truth" in inputs && "jobs" in inputs) {
        return { ...inputs, allFound: true, falseAlarmCount: 0, report: "all found", timing: { step: "verification", start: "2026-11-17T10:02:01.000Z", end: "2026-11-17T10:02:03.000Z" } };
      }
      if ("jobId" in inputs) {
        const timing = { step: `datafeed ${String(inputs.jobId)}`, start: "2026-11-17T10:01:31.000Z", end: "2026-11-17T10:02:00.000Z" };
        return { ...inputs, datafeedId: `datafeed-${String(inputs.jobId)}`, datafeedState: "stopped", processedRecordCount: 1000, timing };
      }
      return inputs;
  }
}

/** Installs fresh mocks for one stack and returns the recorder. Config keys are given without `lab:`. */
export async function installMocks(stack: string, config: Record<string, string>, secretKeys: string[] = []): Promise<Recorder> {
  const resources: RecordedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = computedState(args.type, args.name, args.inputs);
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        return args.inputs;
      },
    },
    "lab",
    stack,
    false,
  );
  const lab: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) lab[`lab:${key}`] = value;
  pulumi.runtime.setAllConfig(lab, secretKeys.map((key) => `lab:${key}`));

  // Wrap the mock monitor's registerResource to see the request's dependency list, which the
  // public Mocks interface does not pass on.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: (err: unknown, response: { getUrn(): string } | undefined) => void): Promise<void>;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    original(req, (err, response) => {
      if (response !== undefined) {
        const record: RecordedResource = {
          type: req.getType(),
          name: req.getName(),
          urn: response.getUrn(),
          inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
          dependencies: req.getDependenciesList(),
          deleteBeforeReplace: req.getDeletebeforereplace(),
          provider: req.getProvider(),
        };
        resources.push(record);
      }
      callback(err, response);
    });

  return {
    resources,
    byName(name) {
      const found = resources.find((r) => r.name === name);
      if (found === undefined) throw new Error(`no resource named ${name}; registered: ${resources.map((r) => r.name).join(", ")}`);
      return found;
    },
    ofType(type) {
      return resources.filter((r) => r.type === type);
    },
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getObject(): { toJavaScript(): unknown } | undefined;
  getDependenciesList(): string[];
  getDeletebeforereplace(): boolean;
  getProvider(): string;
}

/** Pulumi's wire marker for a secret value: { [SECRET_SIG]: SECRET_VALUE, value } */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export function isSecretOnTheWire(value: unknown): boolean {
  return typeof value === "object" && value !== null && SECRET_SIG in value;
}

/** The plain value of a registered input, secret or not. */
export function plain<T = unknown>(value: unknown): T {
  return (isSecretOnTheWire(value) ? (value as { value: unknown }).value : value) as T;
}

/** The value of an Output, awaited (tests never assert inside apply). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** Whether an Output is marked secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
  return pulumi.isSecret(output);
}
