// Named bundles of anomalies. Each kind has a scenario of its own so that one ML job can be taught
// (and checked) alone; "mixed" shows the six classic kinds side by side (new_error, level_shift and
// ramp stay out of it, so its windows and figures stay as they were); "none" is the clean baseline
// on which no job should raise an alarm.

import type { AnomalyRequest } from "./types";

export interface Scenario {
  name: string;
  description: string;
  anomalies: readonly AnomalyRequest[];
}

function scenario(name: string, description: string, anomalies: AnomalyRequest[]): Scenario {
  return Object.freeze({ name, description, anomalies: Object.freeze(anomalies.map((anomaly) => Object.freeze(anomaly))) });
}

export const DEFAULT_SCENARIO = "spike";

export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.freeze({
  spike: scenario("spike", "The classic case: the request rate jumps tenfold for 30 minutes.", [{ kind: "spike" }]),
  mixed: scenario(
    "mixed",
    "One of each kind, in separate windows at least two hours apart: spike, drop, latency, errors, scan and a rare user agent.",
    [{ kind: "spike" }, { kind: "drop" }, { kind: "latency" }, { kind: "errors" }, { kind: "scan" }, { kind: "rare_agent" }],
  ),
  none: scenario("none", "Clean traffic with its daily and weekly cycle and no anomaly: the baseline on which nothing should alarm.", []),
  drop: scenario("drop", "An outage-like fall: the request rate drops to a tenth for an hour.", [{ kind: "drop" }]),
  latency: scenario("latency", "Response times on one host or one popular URL grow fivefold for an hour.", [{ kind: "latency" }]),
  errors: scenario("errors", "Half the requests to one host or one popular URL fail with 5xx for 30 minutes.", [{ kind: "errors" }]),
  scan: scenario("scan", "One new client probes 60 distinct URLs a minute for 30 minutes, mostly answered 404.", [{ kind: "scan" }]),
  rare_agent: scenario("rare_agent", "A scripted client with a user agent never seen before sends 10 requests a minute for 30 minutes.", [
    { kind: "rare_agent" },
  ]),
  new_error: scenario(
    "new_error",
    "A new error-log category appears and bursts: for 30 minutes, half the requests to one host or one popular URL fail with 502 because the TLS handshake with its upstream fails.",
    [{ kind: "new_error" }],
  ),
  level_shift: scenario(
    "level_shift",
    "A lasting step, as after a launch: the request rate grows 1.6 times and stays there; after two hours it is the new normal.",
    [{ kind: "level_shift" }],
  ),
  ramp: scenario("ramp", "A leak: response times on one popular URL grow steadily to four times normal over six hours, then return to normal.", [
    { kind: "ramp" },
  ]),
  live: scenario(
    "live",
    "Follow mode only: a clean history, then one clear spike (tenfold for 30 minutes) starting 10 to 20 minutes after live traffic begins, at a minute drawn from the seed.",
    [{ kind: "spike", startAfterMinutes: [10, 20] }],
  ),
});

export const SCENARIO_NAMES: readonly string[] = Object.keys(SCENARIOS);

/** The scenarios a dataset without follow mode can hold: all but those that plant windows in live traffic. */
export const HISTORY_SCENARIO_NAMES: readonly string[] = SCENARIO_NAMES.filter((name) => SCENARIOS[name].anomalies.every((anomaly) => anomaly.startAfterMinutes === undefined));
