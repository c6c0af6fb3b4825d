// The cohort's Elasticsearch: a pinned image, a named data volume and one container that is
// single-node, secured, on a trial licence (ML anomaly detection needs Platinum or trial; basic has
// none), and published on the configured host port and address only.
// `wait` makes Pulumi hold every dependent until Docker reports the container healthy.

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { HostArch } from "./config";
import type { LabNames } from "./names";

export interface ElasticsearchArgs {
  names: LabNames;
  version: string;
  network: pulumi.Input<string>;
  port: number;
  bindAddress: string;
  /** How the machine running Pulumi reaches the published port */
  publicHost: string;
  heapMb: number;
  memoryMb: number;
  allowMmap: boolean;
  hostArch: HostArch;
  elasticPassword: pulumi.Input<string>;
  waitTimeoutSeconds: number;
}

export const ELASTICSEARCH_HTTP_PORT = 9200;

/** The server's JVM options (ES_JAVA_OPTS): a fixed heap. */
export function elasticsearchJavaOpts(heapMb: number): string {
  return `-Xms${heapMb}m -Xmx${heapMb}m`;
}

/**
 * Options for every JVM in the container (_JAVA_OPTIONS), or undefined: the SVE workaround where the
 * host may be an arm64 (Apple M4) machine, whose JDK crashes with SIGILL unless SVE is off. Not in
 * ES_JAVA_OPTS alone: when ELASTIC_PASSWORD is set, the image's entrypoint first runs
 * elasticsearch-keystore in a JVM of its own, which reads _JAVA_OPTIONS but not ES_JAVA_OPTS
 * (start-local sets _JAVA_OPTIONS for this reason: https://github.com/elastic/start-local). On an
 * unknown remote host the option is made harmless for x86 JVMs by IgnoreUnrecognizedVMOptions.
 */
export function everyJvmOptions(hostArch: HostArch): string | undefined {
  if (hostArch === "arm64") return "-XX:UseSVE=0";
  if (hostArch === "unknown") return "-XX:+IgnoreUnrecognizedVMOptions -XX:UseSVE=0";
  return undefined;
}

/** The container's settings, password aside (it is added as a secret). */
export function elasticsearchEnvironment(args: Pick<ElasticsearchArgs, "names" | "heapMb" | "hostArch" | "allowMmap">): string[] {
  const env = [
    `node.name=${args.names.elasticsearchContainer}`,
    `cluster.name=${args.names.network}`,
    "discovery.type=single-node",
    "xpack.security.enabled=true",
    // A local lab: HTTP without TLS, like start-local; ports are bound to 127.0.0.1 by default.
    "xpack.security.http.ssl.enabled=false",
    "xpack.security.transport.ssl.enabled=false",
    "xpack.license.self_generated.type=trial",
    // Lets ML size its native processes from the container's memory limit.
    "xpack.ml.use_auto_machine_memory_percent=true",
    // Laptops with a nearly full disk would otherwise turn the index read-only mid-dataset.
    "cluster.routing.allocation.disk.watermark.low=2gb",
    "cluster.routing.allocation.disk.watermark.high=1gb",
    "cluster.routing.allocation.disk.watermark.flood_stage=512mb",
    `ES_JAVA_OPTS=${elasticsearchJavaOpts(args.heapMb)}`,
  ];
  const jvmOptions = everyJvmOptions(args.hostArch);
  if (jvmOptions !== undefined) env.push(`_JAVA_OPTIONS=${jvmOptions}`);
  // Without mmap Elasticsearch does not need vm.max_map_count >= 262144 (FIELD-NOTES, failure 1):
  // https://www.elastic.co/docs/reference/elasticsearch/index-settings/store#allow-mmap
  if (!args.allowMmap) env.push("node.store.allow_mmap=false");
  // No bootstrap.memory_lock: locking fails on LXC and rootless Docker (failure 6), and a lab can swap.
  return env;
}

/**
 * Healthy means: the node answers as `elastic` with a cluster at least yellow. Runs inside the
 * container against its own port 9200, so a custom host port cannot break it (failure 4), and reads
 * the password from the container's environment, so it never appears in the container's config.
 */
export const ELASTICSEARCH_HEALTHCHECK = [
  "CMD-SHELL",
  `curl -fsS -o /dev/null -u "elastic:$ELASTIC_PASSWORD" "http://localhost:${ELASTICSEARCH_HTTP_PORT}/_cluster/health?wait_for_status=yellow&timeout=5s"`,
];

/** `http://host:port`, with IPv6 addresses bracketed. */
export function hostUrl(host: string, port: number): string {
  return `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

export class Elasticsearch extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly volume: docker.Volume;
  /** From the machine running Pulumi */
  readonly url: string;
  /** From containers on the cohort's network */
  readonly internalUrl: string;

  constructor(name: string, args: ElasticsearchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:elastic:Elasticsearch", name, {}, opts);
    const labels = [{ label: args.names.label.key, value: args.names.label.value }];
    const image = new docker.RemoteImage(
      `${name}-image`,
      // keepLocally: another cohort on the same host may run the same image.
      { name: `docker.elastic.co/elasticsearch/elasticsearch:${args.version}`, keepLocally: true },
      { parent: this },
    );
    this.volume = new docker.Volume(`${name}-data`, { name: args.names.elasticsearchVolume, labels }, { parent: this });
    const env = elasticsearchEnvironment(args);
    this.container = new docker.Container(
      `${name}-container`,
      {
        name: args.names.elasticsearchContainer,
        hostname: args.names.elasticsearchAlias,
        // The image id, not its name: a name makes pulumi-docker see drift and recreate on every run.
        image: image.imageId,
        envs: pulumi.all([args.elasticPassword]).apply(([password]) => [...env, `ELASTIC_PASSWORD=${password}`]),
        networksAdvanced: [{ name: args.network, aliases: [args.names.elasticsearchAlias] }],
        ports: [{ internal: ELASTICSEARCH_HTTP_PORT, external: args.port, ip: args.bindAddress }],
        volumes: [{ volumeName: this.volume.name, containerPath: "/usr/share/elasticsearch/data" }],
        // Every field below is written as the docker provider reads it back from the engine (see
        // docs/architecture.md, "Containers that keep still"), so a second `up` changes nothing:
        // - memorySwap: unset, Docker makes it twice `memory` and every preview shows an update.
        //   Equal to `memory` means no swap, which Elasticsearch wants anyway.
        // - durations in Go's own notation ("1m0s", not "60s"), the form the provider reads back.
        // Left out on purpose:
        // - healthcheck.startInterval: engines before Docker 25 (API 1.44), such as Debian 12's
        //   docker.io, refuse the whole container; a short interval does its job instead.
        // - a nofile ulimit: where the engine's own hard limit is lower (rootless Docker, LXC) the
        //   container fails with "error setting rlimit type 7"; a single-node cluster skips the
        //   bootstrap check that wants it, and the image's default is enough for a lab.
        memory: args.memoryMb,
        memorySwap: args.memoryMb,
        labels,
        restart: "unless-stopped",
        healthcheck: { tests: ELASTICSEARCH_HEALTHCHECK, interval: "5s", timeout: "10s", retries: 60, startPeriod: "30s" },
        wait: true,
        waitTimeout: args.waitTimeoutSeconds,
        destroyGraceSeconds: 30,
      },
      // Fixed host ports: a replacement created before the old container is gone would find its port taken.
      { parent: this, deleteBeforeReplace: true },
    );
    this.url = hostUrl(args.publicHost, args.port);
    this.internalUrl = `http://${args.names.elasticsearchAlias}:${ELASTICSEARCH_HTTP_PORT}`;
    this.registerOutputs({ url: this.url, containerName: this.container.name, volumeName: this.volume.name });
  }
}
