// The cohort's mail catcher (lab:mailCatcher): an SMTP server that keeps every message it receives
// and shows it in a web inbox, so a class sees the alert e-mail without anyone's real mailbox.
//
// Mailpit (https://mailpit.axllent.org), pinned to a release tag: it is maintained, small (one Go
// binary), needs no configuration, and has a ready check of its own. MailHog, the usual older
// choice, has had no release since 2020.
//
// Kibana reaches its SMTP port by the container's name on the cohort's network, so that port is not
// published; only the web inbox is, on lab:bindAddress (127.0.0.1 by default) and lab:mailCatcherPort.

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { hostUrl } from "./elasticsearch";
import type { LabNames } from "./names";

export interface MailCatcherArgs {
  names: LabNames;
  network: pulumi.Input<string>;
  webPort: number;
  bindAddress: string;
  publicHost: string;
  waitTimeoutSeconds: number;
}

export const MAILPIT_IMAGE = "axllent/mailpit:v1.27.8";
export const MAILPIT_SMTP_PORT = 1025;
export const MAILPIT_WEB_PORT = 8025;
/** Mailpit stays well under this; the limit keeps a runaway rule from taking the host's memory. */
export const MAIL_CATCHER_MEMORY_MB = 128;

/** Mailpit's own readiness command, the one its image declares. */
export const MAIL_CATCHER_HEALTHCHECK = ["CMD", "/mailpit", "readyz"];

export class MailCatcher extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** The web inbox, from the machine running Pulumi and the students' browsers */
  readonly inboxUrl: string;
  /** Where Kibana sends mail: the container's name on the cohort's network */
  readonly smtpHost: string;
  readonly smtpPort: number;

  constructor(name: string, args: MailCatcherArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:docker:MailCatcher", name, {}, opts);
    const labels = [{ label: args.names.label.key, value: args.names.label.value }];
    const image = new docker.RemoteImage(`${name}-image`, { name: MAILPIT_IMAGE, keepLocally: true }, { parent: this });
    this.container = new docker.Container(
      `${name}-container`,
      {
        name: args.names.mailContainer,
        // The image id, not its name, and the fields below as the docker provider reads them back
        // (see elasticsearch.ts), so a second `up` changes nothing.
        image: image.imageId,
        // A class's worth of alerts and then some; the oldest go first.
        envs: ["MP_MAX_MESSAGES=1000"],
        networksAdvanced: [{ name: args.network, aliases: [args.names.mailContainer] }],
        ports: [{ internal: MAILPIT_WEB_PORT, external: args.webPort, ip: args.bindAddress }],
        memory: MAIL_CATCHER_MEMORY_MB,
        memorySwap: MAIL_CATCHER_MEMORY_MB,
        labels,
        restart: "unless-stopped",
        healthcheck: { tests: MAIL_CATCHER_HEALTHCHECK, interval: "5s", timeout: "5s", retries: 12, startPeriod: "5s" },
        wait: true,
        waitTimeout: args.waitTimeoutSeconds,
      },
      // A fixed host port: the old container must be gone before its replacement starts.
      { parent: this, deleteBeforeReplace: true },
    );
    this.inboxUrl = hostUrl(args.publicHost, args.webPort);
    this.smtpHost = args.names.mailContainer;
    this.smtpPort = MAILPIT_SMTP_PORT;
    this.registerOutputs({ inboxUrl: this.inboxUrl, containerName: this.container.name });
  }
}
