// Who asks for what: the site's URLs with Zipf-like popularity, a population of returning clients
// (IP, user agent, country), the hosts behind the load balancer, and the response behaviour of each
// kind of URL (status mix, sizes, response times). Built once per seed, before any event, so that
// drawing an event is a handful of table look-ups.

import { hashString, Random, WeightedChoice } from "./rng";
import { agentKind, crawlerNetwork, nginxEscape, SITE_DOMAIN, sourceFields, userAgentFields, type UserAgentFields } from "./nginx";
import type { SourceFields } from "./types";

export type UrlClass = "page" | "api" | "asset";

export interface SiteUrl {
  path: string;
  urlClass: UrlClass;
  /** Share of requests to this URL that are POST (forms, API writes). */
  postShare: number;
  /** Median response time in milliseconds; each request draws log-normally around it. */
  medianDurationMs: number;
  /** Median body size of a 200 answer in bytes. */
  medianBytes: number;
}

/** One way a URL is requested: with or without a query string, and the request target as nginx logs it. */
export interface UrlVariant {
  /** url.original: the path and the query, as sent. */
  original: string;
  /** url.query, or undefined when there is none. */
  query: string | undefined;
  /** `original` escaped as nginx writes it into the access log. */
  logged: string;
}

export interface Client {
  ip: string;
  countryIsoCode: string;
  userAgent: string;
}

/**
 * A client with everything its documents share, built once: the ECS source and user_agent objects
 * (frozen, shared by all its events) and the pieces of its combined-log lines.
 */
export interface ShapedClient extends Client {
  source: SourceFields;
  userAgentFields: UserAgentFields;
  /** http.version: browsers mostly speak HTTP/2, crawlers and scripts HTTP/1.1. */
  httpVersion: "1.1" | "2.0";
  /** Browsers send referrers; crawlers and scripts do not. */
  sendsReferrer: boolean;
  /** `<ip> - - [`: the line up to the time. */
  logHead: string;
  /** ` HTTP/x"`: the end of the request line. */
  logProtocol: string;
  /** `" "<agent>"`: the end of the line after the referrer. */
  logTail: string;
}

/**
 * A client shaped for the nginx documents. `network` says where its address is: an access network
 * (residential), a hosting provider's block, or a crawler's operator.
 */
export function shapeClient(client: Client, network: "access" | "hosting"): ShapedClient {
  const kind = agentKind(client.userAgent);
  const crawler = crawlerNetwork(client.userAgent);
  const httpVersion = kind === "browser" && hashString(client.ip) % 100 < 85 ? "2.0" : "1.1";
  // Named properties rather than a spread: spread copies came out as slow objects, and reading the
  // client's fields in the event loop then took most of generation's time (measured: 5.1 against
  // 1.8 microseconds per event).
  return {
    ip: client.ip,
    countryIsoCode: client.countryIsoCode,
    userAgent: client.userAgent,
    source: sourceFields(client.ip, client.countryIsoCode, crawler ?? network),
    userAgentFields: userAgentFields(client.userAgent),
    httpVersion,
    sendsReferrer: kind === "browser",
    logHead: `${client.ip} - - [`,
    logProtocol: ` HTTP/${httpVersion}"`,
    logTail: `" "${nginxEscape(client.userAgent)}"`,
  };
}

export interface Host {
  name: string;
  /** Relative speed of the machine: its response times are multiplied by this. */
  durationFactor: number;
}

export interface Population {
  /** Ordered by popularity: index 0 is the most requested URL. */
  readonly urls: readonly SiteUrl[];
  /** The ways each URL is requested (same order as `urls`): one variant, or several with query strings. */
  readonly urlVariants: ReadonlyArray<readonly UrlVariant[]>;
  /** Share of requests to each URL that carry a query string (0 for most). */
  readonly queryShares: readonly number[];
  /** Referrers a browser sends, escaped as logged: other pages of the site and search engines. */
  readonly referrers: readonly { value: string; logged: string }[];
  readonly urlChoice: WeightedChoice;
  /** Probability of each URL, in the same order as `urls`. */
  readonly urlShares: readonly number[];
  readonly clients: readonly ShapedClient[];
  readonly clientChoice: WeightedChoice;
  readonly hosts: readonly Host[];
  readonly hostChoice: WeightedChoice;
  /** Every user agent normal traffic uses. */
  readonly userAgents: readonly string[];
  /** Scripted clients normal traffic never uses, for the rare_agent anomaly. */
  readonly rareUserAgents: readonly string[];
  /** Countries of hosting providers' address blocks, where scanners run from. */
  readonly hostingCountries: readonly string[];
  /** Paths a vulnerability scanner probes that the site does not serve. */
  readonly probePaths: readonly string[];
  /** The probe paths as variants (no query), same order. */
  readonly probeVariants: readonly UrlVariant[];
  /** IPs of normal clients, to keep anomaly clients fresh. */
  readonly knownIps: ReadonlySet<string>;
}

/** Zipf exponent of URL popularity: the n-th most requested URL gets a share proportional to 1/n^s. */
export const URL_ZIPF_EXPONENT = 1.0;
export const CLIENT_COUNT = 30_000;
/**
 * Client activity falls off as (1 + rank/CLIENT_SKEW_SCALE)^-CLIENT_SKEW_EXPONENT: a core of regular
 * visitors and a long tail of occasional ones. Deliberately mild: even the busiest client makes
 * only a few requests per 15 minutes, so no normal client resembles a scanner, even inside a spike.
 */
export const CLIENT_SKEW_SCALE = 300;
export const CLIENT_SKEW_EXPONENT = 0.8;
/** Spread (sigma of the log) of response times around each URL's median. */
export const DURATION_SIGMA = 0.45;
/** Spread (sigma of the log) of body sizes around each URL's median. */
export const BYTES_SIGMA = 0.5;
export const HEAD_SHARE = 0.005;

export const HOSTS: readonly Host[] = [
  { name: "web-01", durationFactor: 1 },
  { name: "web-02", durationFactor: 1 },
  { name: "web-03", durationFactor: 1.05 },
  { name: "web-04", durationFactor: 1.15 },
];
const HOST_WEIGHTS = [0.3, 0.3, 0.25, 0.15];

/** Browsers and crawlers of normal traffic, with the share of clients using each. */
const USER_AGENT_SHARES: ReadonlyArray<readonly [string, number]> = [
  ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 22],
  ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", 8],
  ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 9],
  ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", 7],
  ["Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 12],
  ["Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 2],
  ["Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", 11],
  ["Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", 2],
  ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", 6],
  ["Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0", 5],
  ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:132.0) Gecko/20100101 Firefox/132.0", 1.5],
  ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 2],
  ["Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0", 1],
  ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 3],
  ["Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 1.5],
  ["Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 1],
  ["Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", 0.5],
];

/**
 * Scripted clients that never appear in normal traffic; the `rare_agent` anomaly picks one.
 * They are what a `rare` detector on user_agent.original is meant to surface.
 */
export const RARE_USER_AGENTS: readonly string[] = [
  "python-requests/2.32.3",
  "curl/8.5.0",
  "Go-http-client/1.1",
  "Wget/1.21.4",
  "okhttp/4.12.0",
  "Apache-HttpClient/4.5.14 (Java/17.0.9)",
  "libwww-perl/6.72",
  "Scrapy/2.11.2 (+https://scrapy.org)",
];

/** Country of each client and the first octets of the address blocks it draws from. */
const COUNTRIES: ReadonlyArray<readonly [string, number, readonly number[]]> = [
  ["US", 30, [3, 8, 23, 24, 50, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99, 104, 107, 108]],
  ["DE", 9, [46, 77, 78, 79, 84, 87, 91, 93]],
  ["GB", 8, [2, 5, 25, 51, 81, 86, 90]],
  ["FR", 6, [37, 62, 80, 82, 88, 92]],
  ["IN", 8, [14, 27, 49, 103, 106, 117]],
  ["BR", 5, [177, 179, 186, 187, 189, 191]],
  ["JP", 5, [1, 126, 133, 150, 153]],
  ["CA", 4, [142, 174, 184, 206]],
  ["NL", 3, [31, 83, 94, 145]],
  ["AU", 3, [101, 110, 120, 121]],
  ["ES", 3, [85, 89, 95]],
  ["IT", 3, [151, 176, 212]],
  ["PL", 2, [188, 217]],
  ["SE", 2, [155, 213]],
  ["MX", 2, [200, 201]],
  ["KR", 2, [58, 61, 211]],
  ["SG", 1.5, [43, 116, 119]],
  ["ZA", 1.5, [41, 102, 105]],
];

/** Address blocks of hosting providers, where scanners and scripts tend to run from. */
const HOSTING_FIRST_OCTETS = [45, 134, 139, 159, 165, 167, 178, 185, 193, 194, 195, 209];
const HOSTING_COUNTRIES = ["NL", "DE", "US", "SG", "RU", "CN", "FR", "GB"];

const PRODUCT_WORDS = [
  "alpine", "aurora", "basalt", "birch", "boreal", "canyon", "cedar", "cobalt", "coral", "delta",
  "ember", "fjord", "glacier", "granite", "harbor", "juniper", "lagoon", "maple", "meadow", "mesa",
  "nova", "onyx", "orchid", "pine", "prairie", "quartz", "raven", "ridge", "sable", "sierra",
  "spruce", "summit", "tundra", "willow",
];
const PRODUCT_KINDS = ["jacket", "boots", "tent", "backpack", "lamp", "stove", "bottle", "gloves", "hat", "scarf"];
const CATEGORIES = ["outdoor", "camping", "hiking", "climbing", "running", "cycling", "winter", "kids", "sale", "new"];
const BLOG_TOPICS = [
  "packing-list", "trail-guide", "gear-care", "layering", "first-hike", "winter-camping", "water-filters",
  "navigation", "bike-maintenance", "trail-running", "family-trips", "photography", "leave-no-trace",
  "night-sky", "food-planning", "first-aid", "rain-gear", "footwear-fit", "ultralight", "base-camp",
];
const HELP_TOPICS = ["shipping", "returns", "sizing", "warranty", "payment", "orders", "account", "privacy", "contact", "stores"];

/** Popular entry points, in order; the rest of the site follows in a seeded order. */
function headUrls(): SiteUrl[] {
  const page = (path: string, medianDurationMs: number, medianBytes: number, postShare = 0): SiteUrl =>
    ({ path, urlClass: "page", postShare, medianDurationMs, medianBytes });
  const api = (path: string, medianDurationMs: number, medianBytes: number, postShare = 0): SiteUrl =>
    ({ path, urlClass: "api", postShare, medianDurationMs, medianBytes });
  const asset = (path: string, medianBytes: number): SiteUrl =>
    ({ path, urlClass: "asset", postShare: 0, medianDurationMs: 4, medianBytes });
  return [
    page("/", 90, 48_000),
    asset("/static/js/app.3f9a2c.js", 310_000),
    asset("/static/css/main.81be0d.css", 64_000),
    api("/api/v1/products", 60, 14_000),
    page("/products", 110, 52_000),
    api("/api/v1/cart", 45, 2_400, 0.4),
    page("/search", 240, 38_000),
    api("/api/v1/recommendations", 130, 6_500),
    asset("/static/js/vendor.77d1e4.js", 520_000),
    page("/cart", 95, 30_000),
    api("/api/v1/session", 35, 900, 0.3),
    page("/login", 70, 18_000, 0.45),
    asset("/favicon.ico", 15_000),
    page("/checkout", 380, 34_000, 0.3),
    api("/api/v1/orders", 210, 3_200, 0.55),
  ];
}

function tailUrls(random: Random): SiteUrl[] {
  const urls: SiteUrl[] = [];
  const page = (path: string, medianDurationMs: number, medianBytes: number): SiteUrl => ({
    path,
    urlClass: "page",
    postShare: 0,
    medianDurationMs: medianDurationMs * random.logNormal(1, 0.25),
    medianBytes: medianBytes * random.logNormal(1, 0.3),
  });
  for (const word of PRODUCT_WORDS) {
    for (const kind of random.shuffled(PRODUCT_KINDS).slice(0, 5)) {
      urls.push(page(`/products/${word}-${kind}`, 120, 56_000));
    }
  }
  for (const word of PRODUCT_WORDS.slice(0, 20)) {
    urls.push({ path: `/api/v1/products/${word}/reviews`, urlClass: "api", postShare: 0.05, medianDurationMs: 70, medianBytes: 8_000 });
  }
  for (const category of CATEGORIES) urls.push(page(`/category/${category}`, 140, 61_000));
  for (const topic of BLOG_TOPICS) urls.push(page(`/blog/${topic}`, 80, 42_000));
  for (const topic of HELP_TOPICS) urls.push(page(`/help/${topic}`, 60, 22_000));
  for (const path of ["/about", "/contact", "/stores", "/careers", "/press", "/terms", "/privacy", "/account", "/account/orders", "/account/settings", "/logout", "/blog", "/help"]) {
    urls.push(page(path, 75, 24_000));
  }
  for (const word of PRODUCT_WORDS) {
    urls.push({ path: `/static/img/products/${word}.webp`, urlClass: "asset", postShare: 0, medianDurationMs: 6, medianBytes: 85_000 * random.logNormal(1, 0.4) });
  }
  urls.push({ path: "/robots.txt", urlClass: "asset", postShare: 0, medianDurationMs: 2, medianBytes: 400 });
  urls.push({ path: "/sitemap.xml", urlClass: "asset", postShare: 0, medianDurationMs: 12, medianBytes: 36_000 });
  return random.shuffled(urls);
}

function buildProbePaths(random: Random): string[] {
  const words = [
    "admin", "administrator", "backup", "backups", "config", "configuration", "console", "db", "database", "debug",
    "dev", "dump", "env", "install", "login", "manager", "old", "panel", "phpmyadmin", "private",
    "server-status", "setup", "shell", "sql", "staging", "test", "tmp", "upload", "uploads", "user",
    "wp-admin", "wp-content", "wp-includes", "xmlrpc", "api-docs", "swagger", "actuator", "jenkins", "git", "svn",
    "cgi-bin", "vendor", "storage", "logs", "secret", "credentials", "aws", "docker", "kibana", "solr",
  ];
  const shapes = [
    (word: string) => `/${word}`,
    (word: string) => `/${word}/`,
    (word: string) => `/${word}.php`,
    (word: string) => `/${word}.bak`,
    (word: string) => `/${word}.zip`,
    (word: string) => `/${word}.tar.gz`,
    (word: string) => `/${word}.sql`,
    (word: string) => `/${word}/index.php`,
    (word: string) => `/${word}/login.php`,
    (word: string) => `/${word}/config.json`,
    (word: string) => `/.${word}`,
    (word: string) => `/${word}/.env`,
    (word: string) => `/cgi-bin/${word}.cgi`,
    (word: string) => `/wp-content/plugins/${word}/readme.txt`,
    (word: string) => `/${word}/.git/config`,
    (word: string) => `/api/${word}`,
    (word: string) => `/${word}.asp`,
    (word: string) => `/${word}.jsp`,
    (word: string) => `/${word}/${word}.yml`,
    (word: string) => `/static/${word}.js.map`,
    (word: string) => `/${word}_old`,
    (word: string) => `/${word}~`,
    (word: string) => `/${word}.conf`,
    (word: string) => `/${word}/phpinfo.php`,
    (word: string) => `/${word}/web.config`,
    (word: string) => `/${word}/server.key`,
    (word: string) => `/${word}.log`,
    (word: string) => `/${word}/debug.log`,
    (word: string) => `/${word}/.htaccess`,
    (word: string) => `/${word}/id_rsa`,
    (word: string) => `/${word}/credentials.xml`,
    (word: string) => `/${word}/settings.py`,
    (word: string) => `/${word}/dump.rdb`,
    (word: string) => `/${word}.old`,
    (word: string) => `/${word}.orig`,
    (word: string) => `/${word}/composer.json`,
    (word: string) => `/${word}/package.json`,
    (word: string) => `/${word}/Dockerfile`,
    (word: string) => `/${word}/.DS_Store`,
    (word: string) => `/${word}/wp-login.php`,
  ];
  const paths: string[] = [];
  for (const word of words) for (const shape of shapes) paths.push(shape(word));
  return random.shuffled([...new Set(paths)]);
}

function ipInBlock(random: Random, firstOctet: number): string {
  return `${firstOctet}.${random.below(256)}.${random.below(256)}.${1 + random.below(254)}`;
}

/** An address from a hosting provider's block that no normal client uses, with a plausible country. */
export function freshClient(random: Random, population: Pick<Population, "knownIps">): { ip: string; countryIsoCode: string } {
  for (;;) {
    const ip = ipInBlock(random, random.pick(HOSTING_FIRST_OCTETS));
    if (!population.knownIps.has(ip)) return { ip, countryIsoCode: random.pick(HOSTING_COUNTRIES) };
  }
}

// planDataset and generateEvents both need the population of a seed; building it takes tens of
// milliseconds, so the last few are kept. They are immutable, so sharing is safe.
const recentPopulations = new Map<number, Population>();
const RECENT_POPULATIONS_KEPT = 4;

/** The population of a seed: the same seed always gives the same URLs, clients and hosts. */
export function buildPopulation(seed: number): Population {
  const cached = recentPopulations.get(seed);
  if (cached !== undefined) return cached;
  const population = createPopulation(seed);
  if (recentPopulations.size >= RECENT_POPULATIONS_KEPT) recentPopulations.delete(recentPopulations.keys().next().value!);
  recentPopulations.set(seed, population);
  return population;
}

function createPopulation(seed: number): Population {
  const random = new Random(seed, "population");

  const urls = [...headUrls(), ...tailUrls(random.fork("urls"))];
  const urlWeights = urls.map((_, rank) => 1 / Math.pow(rank + 1, URL_ZIPF_EXPONENT));
  const urlTotal = urlWeights.reduce((sum, weight) => sum + weight, 0);
  // A probe that hits a real page is no longer a miss; scans draw real pages separately.
  const servedPaths = new Set(urls.map((url) => url.path));

  const userAgents = USER_AGENT_SHARES.map(([agent]) => agent);
  const agentChoice = new WeightedChoice(USER_AGENT_SHARES.map(([, share]) => share));
  const countryChoice = new WeightedChoice(COUNTRIES.map(([, share]) => share));
  const clientRandom = random.fork("clients");
  const drawn: Client[] = [];
  const knownIps = new Set<string>();
  while (drawn.length < CLIENT_COUNT) {
    const [countryIsoCode, , octets] = COUNTRIES[countryChoice.pick(clientRandom)];
    const ip = ipInBlock(clientRandom, clientRandom.pick(octets));
    if (knownIps.has(ip)) continue;
    knownIps.add(ip);
    drawn.push({ ip, countryIsoCode, userAgent: userAgents[agentChoice.pick(clientRandom)] });
  }
  // Crawlers come from their operators' networks, not from residential blocks. Their addresses are
  // drawn from a stream of their own, so every other client keeps the address it always had.
  const crawlerRandom = random.fork("crawlers");
  for (const client of drawn) {
    const network = crawlerNetwork(client.userAgent);
    if (network === undefined) continue;
    knownIps.delete(client.ip);
    let ip: string;
    do ip = `${crawlerRandom.pick(network.blocks)}.${1 + crawlerRandom.below(254)}`;
    while (knownIps.has(ip));
    knownIps.add(ip);
    client.ip = ip;
    client.countryIsoCode = network.country;
  }
  const clients = drawn.map((client) => shapeClient(client, "access"));
  const clientWeights = clients.map((_, rank) => Math.pow(1 + rank / CLIENT_SKEW_SCALE, -CLIENT_SKEW_EXPONENT));
  const probePaths = buildProbePaths(random.fork("probes")).filter((path) => !servedPaths.has(path));
  const queries = urls.map((url) => queriesOf(url.path));

  return Object.freeze({
    urls,
    urlVariants: urls.map((url, index) => [variantOf(url.path, undefined), ...queries[index][1].map((query) => variantOf(url.path, query))]),
    queryShares: queries.map(([share]) => share),
    referrers: [
      ...SEARCH_ENGINES,
      ...urls.filter((url) => url.urlClass === "page").slice(0, INTERNAL_REFERRER_PAGES).map((url) => `https://${SITE_DOMAIN}${url.path}`),
    ].map((value) => ({ value, logged: nginxEscape(value) })),
    urlChoice: new WeightedChoice(urlWeights),
    urlShares: urlWeights.map((weight) => weight / urlTotal),
    clients,
    clientChoice: new WeightedChoice(clientWeights),
    hosts: HOSTS,
    hostChoice: new WeightedChoice(HOST_WEIGHTS),
    userAgents,
    rareUserAgents: RARE_USER_AGENTS,
    hostingCountries: HOSTING_COUNTRIES,
    probePaths,
    probeVariants: probePaths.map((path) => variantOf(path, undefined)),
    knownIps,
  });
}

/** Search engines first (their share is drawn in the event loop), then the site's own pages. */
export const SEARCH_ENGINES = ["https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/"];
/** How many of the most visited pages appear as internal referrers. */
const INTERNAL_REFERRER_PAGES = 30;

function variantOf(path: string, query: string | undefined): UrlVariant {
  const original = query === undefined ? path : `${path}?${query}`;
  return { original, query, logged: nginxEscape(original) };
}

/**
 * The query strings a URL takes and the share of its requests that carry one: search always has a
 * term, listings are paged and sorted now and then, two API calls always take parameters.
 */
function queriesOf(path: string): readonly [number, string[]] {
  const pages = (last: number) => Array.from({ length: last - 1 }, (_, i) => `page=${i + 2}`);
  if (path === "/search") {
    const terms = PRODUCT_WORDS.slice(0, 12).flatMap((word) => PRODUCT_KINDS.slice(0, 4).map((kind) => `q=${word}+${kind}`));
    return [1, [...terms, ...PRODUCT_KINDS.map((kind) => `q=${kind}`)]];
  }
  if (path === "/products") return [0.3, [...pages(6), "sort=price_asc", "sort=newest", "sort=popular"]];
  if (path.startsWith("/category/")) return [0.25, [...pages(4), "sort=newest"]];
  if (path === "/blog") return [0.2, pages(4)];
  if (path === "/api/v1/products") return [1, [...CATEGORIES.map((category) => `category=${category}&limit=24`), "limit=24&offset=24", "limit=24&offset=48"]];
  if (path === "/api/v1/recommendations") return [1, PRODUCT_WORDS.slice(0, 20).map((word) => `product=${word}-${PRODUCT_KINDS[word.length % PRODUCT_KINDS.length]}`)];
  return [0, []];
}

/** Response status mixes, as [status, weight] pairs; weights are per mille. */
export const STATUS_MIX: Readonly<Record<UrlClass | "post", ReadonlyArray<readonly [number, number]>>> = {
  page: [[200, 912], [304, 30], [301, 15], [302, 5], [404, 28], [403, 3], [401, 2], [500, 2], [502, 1], [503, 1], [504, 1]],
  api: [[200, 950], [304, 10], [400, 5], [401, 9], [403, 3], [404, 14], [429, 3], [500, 3], [502, 1], [503, 1], [504, 1]],
  asset: [[200, 785], [304, 190], [404, 23], [500, 1], [503, 1]],
  post: [[200, 600], [201, 250], [302, 80], [400, 30], [401, 20], [403, 5], [422, 10], [500, 3], [503, 2]],
};

/** The 5xx answers of an error burst, and their weights. */
export const ERROR_STATUS_MIX: ReadonlyArray<readonly [number, number]> = [[500, 45], [502, 20], [503, 30], [504, 5]];
