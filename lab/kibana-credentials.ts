// Kibana's login to Elasticsearch: a generated password for the built-in kibana_system user, set
// through Elasticsearch's API once the node is healthy, before Kibana starts. Kibana therefore never
// races the security index or a missing password (FIELD-NOTES, failure 3).

import * as pulumi from "@pulumi/pulumi";
import { KibanaSystemPassword } from "./providers/kibana-system-password";
import { RandomSecret } from "./providers/random-secret";

export interface KibanaCredentialsArgs {
  elasticsearchUrl: pulumi.Input<string>;
  elasticPassword: pulumi.Input<string>;
  timeoutSeconds: number;
}

export class KibanaCredentials extends pulumi.ComponentResource {
  readonly username: pulumi.Output<string>;
  readonly password: pulumi.Output<string>;

  constructor(name: string, args: KibanaCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lab:elastic:KibanaCredentials", name, {}, opts);
    const generated = new RandomSecret(`${name}-password`, { length: 32, purpose: "kibana_system" }, { parent: this });
    const applied = new KibanaSystemPassword(
      `${name}-kibana-system`,
      {
        elasticsearchUrl: args.elasticsearchUrl,
        username: "elastic",
        password: args.elasticPassword,
        kibanaSystemPassword: pulumi.secret(generated.value),
        timeoutSeconds: args.timeoutSeconds,
        // Only the Docker lab sets this password: its Elasticsearch is a container of the stack.
        serverInStack: true,
      },
      // The URLs are plain strings, so nothing ties this call to the servers being up but this:
      { parent: this, dependsOn: opts?.dependsOn },
    );
    this.username = applied.kibanaSystemUsername;
    this.password = pulumi.secret(applied.kibanaSystemPassword);
    this.registerOutputs({ username: this.username, password: this.password });
  }
}
