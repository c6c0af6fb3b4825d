// How the lab's dynamic providers log in, as Pulumi inputs: the `elastic` superuser with its password
// in the Docker lab; on an existing cluster, lab:elasticsearchUsername with lab:elasticPassword, or an
// API key. The components spread these into each provider's inputs (see Credentials in http.ts), so
// that every password and key stays a secret on the wire and in the state.

import * as pulumi from "@pulumi/pulumi";

export interface CredentialInputs {
  username: string;
  password: pulumi.Input<string>;
  apiKey?: pulumi.Input<string>;
  caFingerprint?: string;
}

/** The provider input fields, with the password and the API key marked secret. */
export function providerCredentials(credentials: CredentialInputs): {
  username: string;
  password: pulumi.Output<string>;
  apiKey: pulumi.Output<string> | undefined;
  caFingerprint: string | undefined;
} {
  return {
    username: credentials.username,
    password: pulumi.secret(credentials.password),
    apiKey: credentials.apiKey === undefined ? undefined : pulumi.secret(credentials.apiKey),
    caFingerprint: credentials.caFingerprint,
  };
}
