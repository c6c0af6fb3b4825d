// Live mode's traffic (lab:live, Docker target): the generator in follow mode, in a container of its
// own on the cohort's network, writing events into the cohort's Elasticsearch as they happen. It
// starts once the dataset's backfill is written and resumes that index (lab/traffic-command.ts).
//
// The image is built from the project's Dockerfile (a bundle of the generator on Node's slim image,
// running as the unprivileged user `node`). The container publishes no port, has a read-only root
// file system and a small memory limit, and restarts unless someone stopped it.
//
// When it stops: `docker stop` (and so `pulumi destroy`) sends SIGTERM; the generator flushes what it
// holds and exits. A container that exited reads back with `mustRun` false, so `pulumi up --refresh`
// (`npm run up`) shows an update and starts it again; the generator resumes after the last event it
// indexed, without duplicates.

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { LabNames } from "./names";
import { trafficArguments, trafficEnvironment, type TrafficOptions } from "./traffic-command";

export interface TrafficArgs {
  names: LabNames;
  network: pulumi.Input<string>;
  /** The stream's options; `elasticsearchUrl` is the one containers on the network use */
  options: TrafficOptions;
  username: pulumi.Input<string>;
  password: pulumi.Input<string>;
}

/** Plenty for one process that generates a minute of traffic at a time and flushes every 5 s. */
export const TRAFFIC_MEMORY_MB = 256;

export class Traffic extends pulumi.ComponentResource {
  readonly image: docker.Image;
  readonly container: docker.Container;

  constructor(name: string, args: TrafficArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:live:Traffic", name, {}, opts);
    const labels = [{ label: args.names.label.key, value: args.names.label.value }];
    // Built where the engine is (a remote lab:dockerHost builds there) and never pushed. Its tag is
    // left behind on destroy (the provider never deletes tags); `docker image rm` removes it.
    this.image = new docker.Image(
      `${name}-image`,
      // The context is the project's root (Pulumi runs the program there); .dockerignore keeps it to
      // what the build needs, so the image is rebuilt only when the generator changes.
      { imageName: args.names.trafficImage, build: { context: ".", dockerfile: "Dockerfile" }, skipPush: true },
      { parent: this },
    );
    this.container = new docker.Container(
      `${name}-container`,
      {
        name: args.names.trafficContainer,
        // For a local build repoDigest is the image id (sha256:...), which the provider reads back
        // as the container's image: no drift, and a rebuilt image replaces the container.
        image: this.image.repoDigest,
        command: trafficArguments(args.options),
        // Secrets: the password stays encrypted in the state and hidden in previews.
        envs: pulumi
          .all([args.username, args.password])
          .apply(([username, password]) => Object.entries(trafficEnvironment({ username, password })).map(([key, value]) => `${key}=${value}`)),
        networksAdvanced: [{ name: args.network }],
        // Written as the docker provider reads them back (see elasticsearch.ts): memorySwap equal to
        // memory, restart policy by name. The generator writes no file, so the root file system is
        // read-only and needs no tmpfs.
        memory: TRAFFIC_MEMORY_MB,
        memorySwap: TRAFFIC_MEMORY_MB,
        readOnly: true,
        labels,
        restart: "unless-stopped",
        // The provider's default, written out because the lab relies on it: `up` fails when the
        // container exits right after it starts, and a stopped one reads back false and is started
        // again by the next `up --refresh`.
        mustRun: true,
        // docker stop sends SIGTERM and waits this long before SIGKILL: time for the final flush.
        destroyGraceSeconds: 30,
      },
      // Only once the backfill is written: the generator would otherwise start a stream of its own.
      { parent: this, dependsOn: opts?.dependsOn, deleteBeforeReplace: true },
    );
    this.registerOutputs({ containerName: this.container.name, imageName: this.image.imageName });
  }
}
