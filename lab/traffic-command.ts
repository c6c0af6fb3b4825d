// The command line of the live traffic generator (`lab-generate --follow`), for the lab's traffic
// container and for `npm run live`. It carries exactly the dataset's options, so that the generator
// names the same stream (liveIndexNameFor: prefix, scenario and a digest of the options) and resumes
// the index the dataset's backfill wrote instead of starting another.
//
// Credentials never go on the command line, where process lists show them: the generator reads
// ELASTICSEARCH_USERNAME, ELASTICSEARCH_PASSWORD and ELASTICSEARCH_API_KEY from its environment.

/** The dataset settings that name the stream, as the lab's configuration holds them. */
export interface TrafficOptions {
  elasticsearchUrl: string;
  indexPrefix: string;
  days: number;
  seed: number;
  scenario: string;
  /** Undefined: the generator's default rate */
  meanRatePerSecond: number | undefined;
  /** lab:liveAnomaly, passed as --anomaly (it replaces the live scenario's window, as in the dataset) */
  liveAnomaly?: string;
}

/** The arguments after `lab-generate`. */
export function trafficArguments(options: TrafficOptions): string[] {
  const args = [
    "--follow",
    "--es",
    options.elasticsearchUrl,
    "--index-prefix",
    options.indexPrefix,
    "--days",
    String(options.days),
    "--seed",
    String(options.seed),
    "--scenario",
    options.scenario,
  ];
  // String(0.5) is "0.5", which the generator parses back to 0.5: the same rate, the same stream.
  if (options.meanRatePerSecond !== undefined) args.push("--rate", String(options.meanRatePerSecond));
  if (options.liveAnomaly !== undefined) args.push("--anomaly", options.liveAnomaly);
  return args;
}

/** The environment that logs the generator in: a user and password, or an API key. */
export function trafficEnvironment(credentials: { username?: string; password?: string; apiKey?: string }): Record<string, string> {
  if (credentials.apiKey !== undefined) return { ELASTICSEARCH_API_KEY: credentials.apiKey };
  const env: Record<string, string> = {};
  if (credentials.username !== undefined) env.ELASTICSEARCH_USERNAME = credentials.username;
  if (credentials.password !== undefined) env.ELASTICSEARCH_PASSWORD = credentials.password;
  return env;
}
