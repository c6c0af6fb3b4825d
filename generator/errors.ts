// Kinds of failure the lab tells apart. Each message is written for a person: it names the bad
// value and what is allowed, or the request, status and the server's reason. Entry points print
// `message` alone (no stack) for these, and pick the exit code from the kind.

/** Bad input from the user: a flag, a config key, a job file. Exit code 2. Nothing has been changed. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode = 2;
  /** Every problem found, when validation gathered several; `message` joins them. */
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[]) {
    const list = typeof problems === "string" ? [problems] : [...problems];
    super(list.length === 1 ? list[0] : `${list.length} problems:\n  - ${list.join("\n  - ")}`);
    this.problems = list;
  }
}

/** An expected failure while doing the work: server down, credentials refused, documents rejected. Exit code 1. */
export class LabError extends Error {
  override readonly name = "LabError";
  readonly exitCode = 1;
}

/** True for the failures whose message is enough, so that callers print no stack trace. */
export function isExpectedFailure(error: unknown): error is UsageError | LabError {
  return error instanceof UsageError || error instanceof LabError;
}

/**
 * The error with its stack trace dropped, for hosts that print `${error}: ${error.stack}` whatever
 * the failure (Pulumi's dynamic-provider host does for `read`): an expected failure is its message.
 */
export function withoutStack<E extends Error>(error: E): E {
  error.stack = "";
  return error;
}
