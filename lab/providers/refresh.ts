// What `pulumi refresh` learns from a dynamic provider's read, in one shape for every provider:
//
//   present    the thing is there: the state, updated with what the server reports
//   gone       it no longer exists (or is damaged): the provider returns an empty id, the engine
//              drops it from the state, and the next `up` makes it again
//   unchecked  its server did not answer, and that server is a container of this same stack (the
//              Docker lab): the state is kept as it is, since the same refresh finds the container
//              gone and the update brings it back with its data volume; failing here would block
//              exactly that repair (`docker rm -f` of the Elasticsearch container)
//
// A server outside the stack (an existing cluster) that does not answer is an error instead: a
// refresh must never forget, or vouch for, what it could not see.

import { LabError, withoutStack } from "../../generator/errors";

export type Refreshed<T> = { state: "present"; outputs: T } | { state: "gone"; reason: string } | { state: "unchecked"; reason: string };

/** Inputs of every provider whose read asks a server. */
export interface RefreshPolicy {
  /** True in the Docker lab: the server is a container of this stack. */
  serverInStack?: boolean;
}

/**
 * The outcome of a read that failed: "unchecked" when the server, a container of this stack, did not
 * answer; otherwise an error (without a stack trace) naming what could not be checked and why.
 */
export function failedRead<T>(what: string, policy: RefreshPolicy, error: unknown, unreachable: boolean, server: string): Refreshed<T> {
  const message = error instanceof Error ? error.message : String(error);
  if (unreachable && policy.serverInStack === true) {
    return { state: "unchecked", reason: `${what} was not checked, since ${server} did not answer (${message}); it is kept as it is: its container belongs to this stack, which this refresh and the next up repair` };
  }
  throw withoutStack(new LabError(`cannot check ${what}: ${message}. Nothing was changed in the stack's state; refresh again once ${server} answers`));
}

/**
 * What a provider's read hands the engine for a read's outcome, saying on stderr (which reaches the
 * refresh's output as one line) what was found: gone is an empty id, with what the next `up` does
 * about it (`repair`); unchecked keeps the stored state; present gives the state as the server reports it.
 */
export function readResult<T>(id: string, stored: T, found: Refreshed<T>, repair: string): { id: string; props?: T } {
  if (found.state === "gone") {
    console.error(`lab: refresh: ${found.reason}; ${repair}`);
    return { id: "" };
  }
  if (found.state === "unchecked") console.error(`lab: refresh: ${found.reason}`);
  return { id, props: found.state === "present" ? found.outputs : stored };
}
