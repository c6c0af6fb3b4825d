// The Kibana data view over the dataset's index, made the default one so Discover opens on it.

import * as pulumi from "@pulumi/pulumi";
import { providerCredentials, type CredentialInputs } from "./credential-inputs";
import { KibanaDataView } from "./providers/data-view";

export interface DataViewArgs {
  kibanaUrl: pulumi.Input<string>;
  credentials: CredentialInputs;
  /** True in the Docker lab: refresh keeps this as it is while its server, a container of the stack, is down */
  serverInStack: boolean;
  dataViewId: string;
  /** The index (pattern) the view reads: the dataset's index */
  title: pulumi.Input<string>;
  name: string;
  timeoutSeconds: number;
}

export class DataView extends pulumi.ComponentResource {
  readonly dataViewId: pulumi.Output<string>;

  constructor(name: string, args: DataViewArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:kibana:DataView", name, {}, opts);
    const view = new KibanaDataView(
      `${name}-view`,
      {
        kibanaUrl: args.kibanaUrl,
        ...providerCredentials(args.credentials),
        serverInStack: args.serverInStack,
        dataViewId: args.dataViewId,
        title: args.title,
        name: args.name,
        timeFieldName: "@timestamp",
        makeDefault: true,
        timeoutSeconds: args.timeoutSeconds,
      },
      // The URLs are plain strings, so nothing ties this call to the servers being up but this:
      // Its id is fixed per cohort, so the old one must go before its replacement is made.
      { parent: this, dependsOn: opts?.dependsOn, deleteBeforeReplace: true },
    );
    this.dataViewId = view.dataViewId;
    this.registerOutputs({ dataViewId: this.dataViewId });
  }
}
