// The cohort's Kibana: on the cohort's network, logged in to Elasticsearch as kibana_system, with its
// three encryption keys set (saved objects, sessions, reports) so that alerts and saved objects
// survive restarts, and a healthcheck on /api/status so `pulumi up` returns when Kibana is usable.

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { hostUrl } from "./elasticsearch";
import type { LabNames } from "./names";
import { RandomSecret } from "./providers/random-secret";

export interface KibanaArgs {
  names: LabNames;
  version: string;
  network: pulumi.Input<string>;
  elasticsearchInternalUrl: string;
  port: number;
  bindAddress: string;
  publicHost: string;
  memoryMb: number;
  kibanaSystemUsername: pulumi.Input<string>;
  kibanaSystemPassword: pulumi.Input<string>;
  waitTimeoutSeconds: number;
}

export const KIBANA_HTTP_PORT = 5601;

/**
 * Healthy means /api/status reports the overall level "available". Anonymous status access is on
 * (STATUS_ALLOWANONYMOUS) so that the check needs no credentials; it shows the level only.
 */
export const KIBANA_HEALTHCHECK = ["CMD-SHELL", `curl -fsS http://localhost:${KIBANA_HTTP_PORT}/api/status | grep -q '"level":"available"'`];

// Kibana refuses to start on a setting it does not know, so only long-standing ones are set here.
export function kibanaEnvironment(args: Pick<KibanaArgs, "names" | "elasticsearchInternalUrl">, publicBaseUrl: string): string[] {
  return [
    `SERVER_NAME=${args.names.kibanaContainer}`,
    `SERVER_PUBLICBASEURL=${publicBaseUrl}`,
    `ELASTICSEARCH_HOSTS=${args.elasticsearchInternalUrl}`,
    "STATUS_ALLOWANONYMOUS=true",
    "TELEMETRY_OPTIN=false",
  ];
}

export class Kibana extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly url: string;

  constructor(name: string, args: KibanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:elastic:Kibana", name, {}, opts);
    const labels = [{ label: args.names.label.key, value: args.names.label.value }];
    const image = new docker.RemoteImage(`${name}-image`, { name: `docker.elastic.co/kibana/kibana:${args.version}`, keepLocally: true }, { parent: this });
    // Kibana wants 32 characters or more for each key.
    const keys = ["saved-objects", "security", "reporting"].map(
      (purpose) => pulumi.secret(new RandomSecret(`${name}-${purpose}-key`, { length: 48, purpose: `kibana-${purpose}` }, { parent: this }).value),
    );
    this.url = hostUrl(args.publicHost, args.port);
    const env = kibanaEnvironment(args, this.url);
    this.container = new docker.Container(
      `${name}-container`,
      {
        name: args.names.kibanaContainer,
        image: image.imageId,
        envs: pulumi.all([args.kibanaSystemUsername, args.kibanaSystemPassword, ...keys]).apply(([username, password, savedObjects, security, reporting]) => [
          ...env,
          `ELASTICSEARCH_USERNAME=${username}`,
          `ELASTICSEARCH_PASSWORD=${password}`,
          `XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY=${savedObjects}`,
          `XPACK_SECURITY_ENCRYPTIONKEY=${security}`,
          `XPACK_REPORTING_ENCRYPTIONKEY=${reporting}`,
        ]),
        networksAdvanced: [{ name: args.network }],
        ports: [{ internal: KIBANA_HTTP_PORT, external: args.port, ip: args.bindAddress }],
        // Written as the docker provider reads them back, for the reasons given in elasticsearch.ts:
        // memorySwap explicit, durations in Go's notation, no startInterval.
        memory: args.memoryMb,
        memorySwap: args.memoryMb,
        labels,
        restart: "unless-stopped",
        healthcheck: { tests: KIBANA_HEALTHCHECK, interval: "5s", timeout: "10s", retries: 120, startPeriod: "1m0s" },
        wait: true,
        waitTimeout: args.waitTimeoutSeconds,
        destroyGraceSeconds: 30,
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({ url: this.url, containerName: this.container.name });
  }
}
