import { expect } from "chai";
import { Command } from "commander";
import { addConnectionOptions, CONNECTION_FLAGS, parseConnection } from "../../generator/connection-flags";

describe("generator/connection-flags: how lab-generate and lab-verify reach Elasticsearch", () => {
  const URL = "http://127.0.0.1:9200";
  function parse(flags: Parameters<typeof parseConnection>[1], env: NodeJS.ProcessEnv = {}, url = URL) {
    const problems: string[] = [];
    const connection = parseConnection(url, flags, env, problems);
    return { connection, problems };
  }

  it("defines every shared flag once, with the option key Commander gives it", () => {
    const command = addConnectionOptions(new Command());
    expect(command.options.map((option) => [option.long, option.attributeName()])).to.deep.equal(CONNECTION_FLAGS.map(([flag, key]) => [flag, key]));
  });

  it("takes the flags before the environment", () => {
    const env = { ELASTICSEARCH_USERNAME: "env-user", ELASTICSEARCH_PASSWORD: "env-pw" };
    expect(parse({ esUser: "flag-user", esPassword: "flag-pw" }, env).connection).to.deep.equal({ url: URL, username: "flag-user", password: "flag-pw" });
    expect(parse({}, env).connection).to.deep.equal({ url: URL, username: "env-user", password: "env-pw" });
  });

  it("uses elastic for a password given without a user, and no credentials when there is no password", () => {
    expect(parse({}, { ELASTICSEARCH_PASSWORD: "pw" }).connection).to.deep.equal({ url: URL, username: "elastic", password: "pw" });
    expect(parse({ esPassword: "pw" }).connection).to.deep.equal({ url: URL, username: "elastic", password: "pw" });
    expect(parse({}).connection).to.deep.equal({ url: URL });
  });

  it("prefers an API key to a password, and ignores empty variables", () => {
    expect(parse({ esApiKey: "k" }, { ELASTICSEARCH_PASSWORD: "pw" }).connection).to.deep.equal({ url: URL, apiKey: "k" });
    expect(parse({}, { ELASTICSEARCH_API_KEY: "", ELASTICSEARCH_USERNAME: "", ELASTICSEARCH_PASSWORD: "pw" }).connection).to.deep.equal({ url: URL, username: "elastic", password: "pw" });
  });

  it("passes the timeout in milliseconds and the CA fingerprint", () => {
    expect(parse({ esTimeout: "2.5", caFingerprint: "AB:CD" }).connection).to.deep.equal({ url: URL, requestTimeoutMs: 2500, caFingerprint: "AB:CD" });
  });

  it("names the flag, the value and what is allowed for each bad value, all at once", () => {
    expect(parse({ esTimeout: "soon" }, {}, "localhost:9200").problems).to.deep.equal([
      '--es "localhost:9200" must use http or https',
      '--es-timeout "soon" is not a number',
    ]);
    expect(parse({ esTimeout: "7200" }, {}, "not a url").problems).to.deep.equal([
      '--es "not a url" is not a URL; expected http(s)://host:port, e.g. http://127.0.0.1:9200',
      "--es-timeout 7200 is not allowed; allowed: seconds > 0 and <= 3600",
    ]);
  });
});
