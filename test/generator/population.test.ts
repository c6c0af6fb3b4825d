import { expect } from "chai";
import { buildPopulation, CLIENT_COUNT, HOSTS, RARE_USER_AGENTS, STATUS_MIX } from "../../generator/population";

describe("generator/population", () => {
  const population = buildPopulation(1);

  it("is the same for the same seed and differs between seeds", () => {
    const again = buildPopulation(1);
    expect(again.clients.slice(0, 50)).to.deep.equal(population.clients.slice(0, 50));
    const other = buildPopulation(2);
    expect(other.clients.slice(0, 50)).to.not.deep.equal(population.clients.slice(0, 50));
    expect(other.urls.map((url) => url.path)).to.not.deep.equal(population.urls.map((url) => url.path));
  });

  it("has a few hundred distinct URLs with Zipf-like shares that sum to 1", () => {
    const paths = population.urls.map((url) => url.path);
    expect(new Set(paths).size).to.equal(paths.length);
    expect(paths.length).to.be.within(200, 1000);
    expect(population.urlShares.reduce((sum, share) => sum + share, 0)).to.be.closeTo(1, 1e-9);
    expect(population.urlShares[0] / population.urlShares[1]).to.be.closeTo(2, 1e-9);
    expect(population.urlShares[0] / population.urlShares[9]).to.be.closeTo(10, 1e-9);
    expect(paths[0]).to.equal("/");
    expect(paths.every((path) => path.startsWith("/"))).to.equal(true);
  });

  it("gives pages, API calls and assets their own response times and sizes", () => {
    const median = (kind: string, key: "medianDurationMs" | "medianBytes") => {
      const values = population.urls.filter((url) => url.urlClass === kind).map((url) => url[key]).sort((a, b) => a - b);
      return values[Math.floor(values.length / 2)];
    };
    expect(median("asset", "medianDurationMs")).to.be.below(median("api", "medianDurationMs"));
    expect(median("api", "medianBytes")).to.be.below(median("page", "medianBytes"));
    expect(population.urls.some((url) => url.postShare > 0)).to.equal(true);
  });

  it("has a population of distinct public client addresses, each with a country and a known browser or crawler", () => {
    expect(population.clients).to.have.length(CLIENT_COUNT);
    expect(population.knownIps.size).to.equal(CLIENT_COUNT);
    const privateOrReserved = /^(0|10|127|169\.254|172\.(1[6-9]|2\d|3[01])|192\.168|22[4-9]|2[3-5]\d)\./;
    expect(population.clients.filter((client) => privateOrReserved.test(client.ip))).to.deep.equal([]);
    expect(new Set(population.clients.map((client) => client.countryIsoCode)).size).to.be.at.least(10);
    const agentsInUse = new Set(population.clients.map((client) => client.userAgent));
    expect([...agentsInUse].sort()).to.deep.equal([...population.userAgents].sort());
  });

  it("keeps every normal user agent common enough that none looks rare", () => {
    const users = new Map<string, number>();
    for (const client of population.clients) users.set(client.userAgent, (users.get(client.userAgent) ?? 0) + 1);
    expect(Math.min(...users.values())).to.be.above(100);
  });

  it("keeps the rare user agents out of normal traffic", () => {
    for (const agent of RARE_USER_AGENTS) expect(population.userAgents).to.not.include(agent);
  });

  it("has a few hosts and a probe list of thousands of paths the site does not serve", () => {
    expect(population.hosts).to.equal(HOSTS);
    expect(population.hosts.length).to.be.within(2, 8);
    expect(population.probePaths.length).to.be.above(1800);
    expect(new Set(population.probePaths).size).to.equal(population.probePaths.length);
    const served = new Set(population.urls.map((url) => url.path));
    expect(population.probePaths.filter((path) => served.has(path))).to.deep.equal([]);
  });

  it("has status mixes dominated by 200 or 304, with rare 5xx", () => {
    for (const [kind, mix] of Object.entries(STATUS_MIX)) {
      const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
      const share = (predicate: (status: number) => boolean) => mix.filter(([status]) => predicate(status)).reduce((sum, [, weight]) => sum + weight, 0) / total;
      expect(share((status) => status < 400), kind).to.be.above(0.9);
      expect(share((status) => status >= 500), kind).to.be.within(0.001, 0.01);
    }
  });
});
