// A random secret made once and kept in the stack's (encrypted) state: the `elastic` password when
// none is configured, the `kibana_system` password and Kibana's encryption keys.
//
// create  -> crypto.randomBytes (no HTTP)
// diff    -> replace only when length or purpose changes, so every `pulumi up` keeps the same value
// read    -> the state itself: the secret exists nowhere else
// delete  -> nothing to undo
//
// Why not @pulumi/random: it needs a provider plugin download; this needs nothing but Node.

import * as pulumi from "@pulumi/pulumi";

export interface RandomSecretInputs {
  /** Characters in the secret */
  length: number;
  /** What it is for; part of the identity, so that two secrets never share a value by mistake */
  purpose: string;
}

interface RandomSecretOutputs extends RandomSecretInputs {
  value: string;
}

export const randomSecretProvider: pulumi.dynamic.ResourceProvider<RandomSecretInputs, RandomSecretOutputs> = {
  async create(inputs) {
    // Letters and digits only: safe in env files, URLs, shell healthchecks and Kibana's YAML.
    const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    const crypto = require("node:crypto") as typeof import("node:crypto");
    let value = "";
    while (value.length < inputs.length) {
      for (const byte of crypto.randomBytes(inputs.length * 2)) {
        // Rejection sampling keeps every character equally likely.
        if (byte < Math.floor(256 / alphabet.length) * alphabet.length && value.length < inputs.length) value += alphabet[byte % alphabet.length];
      }
    }
    return { id: `${inputs.purpose}-${crypto.randomUUID()}`, outs: { ...inputs, value } };
  },
  async diff(_id, olds, news) {
    const replaces = (["length", "purpose"] as const).filter((key) => olds[key] !== news[key]);
    return { changes: replaces.length > 0, replaces };
  },
  async read(id, props) {
    // Nothing outside the state to check: the secret exists only there.
    return { id, props };
  },
};

export class RandomSecret extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  declare readonly length: pulumi.Output<number>;

  constructor(name: string, args: { length: number; purpose: string }, opts?: pulumi.CustomResourceOptions) {
    super(randomSecretProvider, name, { ...args, value: undefined }, { ...opts, additionalSecretOutputs: ["value"] }, "lab", "RandomSecret");
  }
}
