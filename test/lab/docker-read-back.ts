// A stand-in for what the docker provider (pulumi-docker 5.x, bridged from kreuzwerker's
// terraform-provider-docker) reads back from the engine for the Container fields the lab sets. There
// is no Docker engine or docker plugin on the test machine, so this model stands in for a real
// `pulumi refresh`; each rule names the provider's read (resourceDockerContainerRead):
//
//   memory       HostConfig.Memory / 1024 / 1024 (MiB)
//   memorySwap   HostConfig.MemorySwap / 1024 / 1024; when only `memory` is given, Docker sets
//                MemorySwap to twice the memory, so the provider reads back 2 x memory
//   healthcheck  interval, timeout, startPeriod: time.Duration.String() ("1m0s" for 60 s);
//                startInterval likewise (and refused by engines before API 1.44)
//   ports        NetworkSettings.Ports: internal, external, ip, protocol ("tcp" unless given)
//   restart      HostConfig.RestartPolicy.Name
//   hostname     Config.Hostname
//   readOnly     HostConfig.ReadonlyRootfs
//   command      Config.Cmd, as given
//   mustRun      true while the container runs; a stopped container reads back false, which shows as
//                an update that starts it again (the provider's documented trigger for a restart)
//
// Fields the provider does not read back (envs, labels, wait, waitTimeout, destroyGraceSeconds,
// networksAdvanced, volumes) keep the declared value, so they cannot drift.

const NS_PER = { h: 3_600e9, m: 60e9, s: 1e9, ms: 1e6, us: 1e3, "µs": 1e3, ns: 1 } as const;

/** Parses a Go duration such as "1m30s", "60s" or "500ms" into nanoseconds. */
export function parseGoDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new Error(`not a Go duration: "${text}"`);
  return parts.reduce((sum, [, value, unit]) => sum + Number(value) * NS_PER[unit as keyof typeof NS_PER], 0);
}

/** time.Duration.String() for whole milliseconds and up: "2s", "1m0s", "1h0m0s", "500ms". */
export function goDurationString(ns: number): string {
  if (ns === 0) return "0s";
  if (ns < 1e9) return `${ns / 1e6}ms`;
  const hours = Math.floor(ns / NS_PER.h);
  const minutes = Math.floor((ns % NS_PER.h) / NS_PER.m);
  const seconds = (ns % NS_PER.m) / 1e9;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

interface ContainerInputs {
  memory?: number;
  memorySwap?: number;
  healthcheck?: { interval?: string; timeout?: string; startPeriod?: string; startInterval?: string; retries?: number; tests?: string[] };
  ports?: { internal: number; external?: number; ip?: string; protocol?: string }[];
  restart?: string;
  hostname?: string;
  readOnly?: boolean;
  command?: string[];
  mustRun?: boolean;
  [key: string]: unknown;
}

/** What `pulumi refresh` would store for the fields the inputs set, as the provider reads them back (of a running container unless told). */
export function readBack(inputs: ContainerInputs, engine: { running: boolean } = { running: true }): Partial<ContainerInputs> {
  const read: Partial<ContainerInputs> = {};
  if (inputs.memory !== undefined) read.memory = inputs.memory;
  if (inputs.memory !== undefined || inputs.memorySwap !== undefined) {
    read.memorySwap = inputs.memorySwap ?? (inputs.memory === undefined ? 0 : inputs.memory * 2);
  }
  if (inputs.healthcheck !== undefined) {
    const hc = inputs.healthcheck;
    const duration = (value: string | undefined) => (value === undefined ? "0s" : goDurationString(parseGoDuration(value)));
    read.healthcheck = {
      tests: hc.tests,
      retries: hc.retries,
      interval: duration(hc.interval),
      timeout: duration(hc.timeout),
      startPeriod: duration(hc.startPeriod),
      ...(hc.startInterval === undefined ? {} : { startInterval: duration(hc.startInterval) }),
    };
  }
  if (inputs.ports !== undefined) read.ports = inputs.ports.map((port) => ({ ...port, protocol: port.protocol ?? "tcp" }));
  if (inputs.restart !== undefined) read.restart = inputs.restart;
  if (inputs.hostname !== undefined) read.hostname = inputs.hostname;
  if (inputs.readOnly !== undefined) read.readOnly = inputs.readOnly;
  if (inputs.command !== undefined) read.command = [...inputs.command];
  if (inputs.mustRun !== undefined) read.mustRun = engine.running;
  return read;
}

/** The declared values of the fields readBack covers, to compare with what it returns. */
export function declared(inputs: ContainerInputs): Partial<ContainerInputs> {
  const read = readBack(inputs);
  const mine: Partial<ContainerInputs> = {};
  for (const key of Object.keys(read)) mine[key] = inputs[key];
  // The provider's schema defaults apply to the declared side as well, so they are no drift.
  if (mine.healthcheck !== undefined) mine.healthcheck = { ...mine.healthcheck, timeout: mine.healthcheck.timeout ?? "0s", interval: mine.healthcheck.interval ?? "0s", startPeriod: mine.healthcheck.startPeriod ?? "0s" };
  if (mine.ports !== undefined) mine.ports = mine.ports.map((port) => ({ ...port, protocol: port.protocol ?? "tcp" }));
  return mine;
}
