// What a promise that must fail failed with, so a test can assert on the error itself (its kind,
// its message) rather than only on the fact that something was thrown.

export async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure, got success");
}
