// How a dynamic provider finds its logic at run time.
//
// Pulumi serializes each dynamic provider's object into the stack's state and later evaluates that
// text in its dynamic-provider host, a plain Node process started in the project directory
// (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/). Anything the provider's
// methods capture gets serialized with it, so they capture nothing: each method calls a small local
// loader that registers tsx and requires the logic module from the project, by path. This file only
// documents the convention and gives tests the same path arithmetic; the loaders are copied into each
// provider file on purpose (a captured import would drag this module into the serialized text).

import { join } from "node:path";

/** The project-relative path of a provider's logic module, as the loaders require it. */
export function logicModulePath(projectDir: string, name: string): string {
  return join(projectDir, "lab", "providers", `${name}-logic.ts`);
}
