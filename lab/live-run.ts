// What `npm run live [-- <stack>]` decides before it starts the generator: whether the stack is one it
// may run for, the generator's arguments (from the stack's `liveTraffic` output, the dataset's exact
// options, so that it resumes the index the backfill wrote) and the environment that logs it in.
// Pure, so scripts/live.ts only does the I/O.

import { constants } from "node:os";
import { trafficEnvironment } from "./traffic-command";

/** The stack as the Automation API reads it: outputs with secrets decrypted, and the API key if one is configured. */
export interface LiveStack {
  stackName: string;
  existingCluster: boolean;
  outputs: Readonly<Record<string, { value: unknown } | undefined>>;
  /** lab:elasticsearchApiKey, decrypted; undefined when the lab logs in with a password */
  apiKey: string | undefined;
}

export type LiveRun = { run: true; args: string[]; env: Record<string, string> } | { run: false; exitCode: number; message: string };

/** The variables the generator reads its credentials from; any the caller had are replaced. */
export const CREDENTIAL_VARIABLES = ["ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD", "ELASTICSEARCH_API_KEY"] as const;

export function planLiveRun(stack: LiveStack): LiveRun {
  const traffic = stack.outputs.liveTraffic?.value as { container?: string; arguments?: string[] } | undefined;
  if (!stack.existingCluster) {
    const container = traffic?.container ?? "lab-<cohort>-traffic";
    return {
      run: false,
      exitCode: 2,
      message: `npm run live is for a lab on an existing cluster; stack ${stack.stackName} runs in Docker, where the container ${container} already writes live traffic (docker logs -f ${container} shows it; lab:live true adds it)`,
    };
  }
  if (traffic?.arguments === undefined) {
    return {
      run: false,
      exitCode: 2,
      message: `stack ${stack.stackName} has no live traffic to follow: set lab:live true (pulumi config set lab:live true --stack ${stack.stackName}), run npm run up -- ${stack.stackName}, then npm run live -- ${stack.stackName}`,
    };
  }
  const username = stack.outputs.username?.value;
  const password = stack.outputs.password?.value;
  const env =
    stack.apiKey !== undefined
      ? trafficEnvironment({ apiKey: stack.apiKey })
      : trafficEnvironment({ username: typeof username === "string" ? username : undefined, password: typeof password === "string" ? password : undefined });
  if (Object.keys(env).length === 0 || (stack.apiKey === undefined && env.ELASTICSEARCH_PASSWORD === undefined)) {
    return { run: false, exitCode: 2, message: `stack ${stack.stackName} exports no password and has no API key, so the generator could not log in; set lab:elasticPassword or lab:elasticsearchApiKey with --secret, then npm run up -- ${stack.stackName}` };
  }
  return { run: true, args: [...traffic.arguments], env };
}

/** The child's environment: the caller's, with the credential variables replaced by the stack's. */
export function childEnvironment(parent: NodeJS.ProcessEnv, credentials: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const key of CREDENTIAL_VARIABLES) delete env[key];
  return { ...env, ...credentials };
}

/** The exit code that passes the child's on: its own, or 128 + the signal that ended it (143 for SIGTERM). */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return 1;
}
