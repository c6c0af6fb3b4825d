// What Elastic's nginx integration makes of a request: the raw combined-log line, and the fields its
// ingest pipeline adds (user_agent and geoip processors, event.kind/category/type/outcome). The lab
// writes documents in that shape directly, so a dataset looks as if it had come through
// Elastic Agent, without running the pipeline.
//
//   Fields of the access and error data streams:
//     https://www.elastic.co/docs/reference/integrations/nginx
//     https://www.elastic.co/guide/en/beats/filebeat/current/exported-fields-nginx.html
//   nginx's combined format and escaping (log_format ... escape=default):
//     https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format
//
// Everything here is computed once per client, URL or user agent, never per event: the event loop
// only joins precomputed pieces.

import { hashString } from "./rng";
import type { SourceFields } from "./types";

/** The site's name, in referrers, the error log's `server` and `host`. example.com is reserved for examples (RFC 2606). */
export const SITE_DOMAIN = "shop.example.com";
/** The ECS version the integration's pipeline sets (8.11.0 in nginx integration 1.x). */
export const ECS_VERSION = "8.11.0";
export const NGINX_MODULE = "nginx";
export const ACCESS_DATASET = "nginx.access";
export const ERROR_DATASET = "nginx.error";
/** The data stream namespace; the integration's default. */
export const DATA_STREAM_NAMESPACE = "default";
export const SERVICE_NAME = "shop-web";
/**
 * The error-log text of a new_error window: the certificate of the upstream behind the target has
 * expired or changed, so nginx's TLS handshake to it fails and the request is answered 502. It
 * occurs nowhere else, so a categorization job meets it as a new category.
 */
export const NEW_ERROR_TEXT = "SSL_do_handshake() failed (SSL: error:0A000086:SSL routines::certificate verify failed) while SSL handshaking to upstream";

// --- Escaping, as nginx does it -------------------------------------------------------------------

const HEX = "0123456789ABCDEF";

/**
 * A value as nginx writes it into a log_format with escape=default: `"`, `\`, control characters
 * and every byte from 0x7F up (so each byte of a multi-byte UTF-8 character) become `\xHH`.
 * Everything else is kept. Since a `"` can never appear unescaped, a quoted field of the combined
 * format always ends at the next `"`.
 */
export function nginxEscape(value: string): string {
  // Fast path: the common case (every generated path, agent and referrer) needs no escaping.
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code >= 0x7f || code === 0x22 || code === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  let escaped = "";
  for (const byte of Buffer.from(value, "utf8")) {
    if (byte < 0x20 || byte >= 0x7f || byte === 0x22 || byte === 0x5c) escaped += `\\x${HEX[byte >> 4]}${HEX[byte & 15]}`;
    else escaped += String.fromCharCode(byte);
  }
  return escaped;
}

// --- Time formats -------------------------------------------------------------------------------

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (value: number) => String(value).padStart(2, "0");

/** `$time_local` up to the minute, in UTC: `30/Nov/2026:09:12:` (the seconds and ` +0000` follow). */
export function accessLogMinutePrefix(minuteStartMs: number): string {
  const date = new Date(minuteStartMs);
  return `${pad2(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:`;
}

/** The error log's time, in UTC: `2026/11/30 09:12:01`. */
export function errorLogTime(timeMs: number): string {
  const date = new Date(timeMs);
  return `${date.getUTCFullYear()}/${pad2(date.getUTCMonth() + 1)}/${pad2(date.getUTCDate())} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
}

// --- User agents, as the user_agent processor parses them -----------------------------------------

/** The ECS user_agent object of a document. Shared by every event with that agent: never mutate it. */
export interface UserAgentFields {
  original: string;
  name: string;
  version?: string;
  os?: { name: string; version?: string; full?: string };
  device: { name: string };
}

/** What a client is, for its network and protocol. */
export type AgentKind = "browser" | "crawler" | "script";

interface AgentParse {
  kind: AgentKind;
  name: string;
  version?: string;
  os?: readonly [name: string, version?: string];
  device: string;
}

/**
 * What Elasticsearch's user_agent processor (uap-core's regexes) reports for the agents the lab
 * sends, written out by hand for these exact strings. Any other agent (a rare_agent target given on
 * the command line) gets name and device "Other", which is what the processor reports for an agent
 * it does not recognise.
 * https://www.elastic.co/docs/reference/enrich-processor/user-agent-processor
 */
const KNOWN_AGENTS: Readonly<Record<string, AgentParse>> = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":
    { kind: "browser", name: "Chrome", version: "131.0.0.0", os: ["Windows", "10"], device: "Other" },
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36":
    { kind: "browser", name: "Chrome", version: "130.0.0.0", os: ["Windows", "10"], device: "Other" },
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":
    { kind: "browser", name: "Chrome", version: "131.0.0.0", os: ["Mac OS X", "10.15.7"], device: "Mac" },
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15":
    { kind: "browser", name: "Safari", version: "18.1", os: ["Mac OS X", "10.15.7"], device: "Mac" },
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1":
    { kind: "browser", name: "Mobile Safari", version: "18.1", os: ["iOS", "18.1"], device: "iPhone" },
  "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1":
    { kind: "browser", name: "Mobile Safari", version: "18.1", os: ["iOS", "18.1"], device: "iPad" },
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36":
    { kind: "browser", name: "Chrome Mobile", version: "131.0.0.0", os: ["Android", "10"], device: "K" },
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36":
    { kind: "browser", name: "Samsung Internet", version: "26.0", os: ["Android", "14"], device: "Samsung SM-S918B" },
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0":
    { kind: "browser", name: "Edge", version: "131.0.0.0", os: ["Windows", "10"], device: "Other" },
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0":
    { kind: "browser", name: "Firefox", version: "132.0", os: ["Windows", "10"], device: "Other" },
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:132.0) Gecko/20100101 Firefox/132.0":
    { kind: "browser", name: "Firefox", version: "132.0", os: ["Mac OS X", "10.15"], device: "Mac" },
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":
    { kind: "browser", name: "Chrome", version: "131.0.0.0", os: ["Linux"], device: "Other" },
  "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0":
    { kind: "browser", name: "Firefox", version: "132.0", os: ["Ubuntu"], device: "Other" },
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)":
    { kind: "crawler", name: "Googlebot", version: "2.1", device: "Spider" },
  "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)":
    { kind: "crawler", name: "bingbot", version: "2.0", device: "Spider" },
  "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)":
    { kind: "crawler", name: "Googlebot", version: "2.1", os: ["Android", "6.0.1"], device: "Spider" },
  "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)":
    { kind: "crawler", name: "UptimeRobot", version: "2.0", device: "Spider" },
  "python-requests/2.32.3": { kind: "script", name: "Python Requests", version: "2.32", device: "Other" },
  "curl/8.5.0": { kind: "script", name: "curl", version: "8.5.0", device: "Other" },
  "Go-http-client/1.1": { kind: "script", name: "Go-http-client", version: "1.1", device: "Other" },
  "Wget/1.21.4": { kind: "script", name: "Wget", version: "1.21.4", device: "Other" },
  "okhttp/4.12.0": { kind: "script", name: "okhttp", version: "4.12.0", device: "Other" },
  "Apache-HttpClient/4.5.14 (Java/17.0.9)": { kind: "script", name: "Apache-HttpClient", version: "4.5.14", device: "Other" },
  "libwww-perl/6.72": { kind: "script", name: "libwww-perl", version: "6.72", device: "Other" },
  "Scrapy/2.11.2 (+https://scrapy.org)": { kind: "script", name: "Scrapy", version: "2.11.2", device: "Spider" },
};

export function agentKind(agent: string): AgentKind {
  return KNOWN_AGENTS[agent]?.kind ?? "script";
}

const parsedAgents = new Map<string, UserAgentFields>();

/** The user_agent object for an agent string, built once per string and frozen. */
export function userAgentFields(agent: string): UserAgentFields {
  const cached = parsedAgents.get(agent);
  if (cached !== undefined) return cached;
  const parse = KNOWN_AGENTS[agent];
  let os: UserAgentFields["os"];
  if (parse?.os !== undefined) {
    const [name, version] = parse.os;
    os = version === undefined ? { name, full: name } : { name, version, full: `${name} ${version}` };
  }
  const fields: UserAgentFields = {
    original: agent,
    name: parse?.name ?? "Other",
    ...(parse?.version === undefined ? {} : { version: parse.version }),
    ...(os === undefined ? {} : { os }),
    device: { name: parse?.device ?? "Other" },
  };
  // Unknown agents come from the command line, a handful per run; the known ones are 25.
  parsedAgents.set(agent, deepFreeze(fields));
  return fields;
}

// --- Where clients are: geo and network ----------------------------------------------------------

type City = readonly [city: string, region: string, lat: number, lon: number];

/** Country name, continent and a few cities (with their region and a centre point, as GeoLite2-City gives a city). */
const COUNTRY_GEO: Readonly<Record<string, readonly [country: string, continent: string, cities: readonly City[]]>> = {
  US: ["United States", "North America", [["New York", "New York", 40.7128, -74.006], ["Los Angeles", "California", 34.0522, -118.2437], ["Chicago", "Illinois", 41.8781, -87.6298], ["Dallas", "Texas", 32.7767, -96.797], ["Seattle", "Washington", 47.6062, -122.3321], ["Ashburn", "Virginia", 39.0438, -77.4874]]],
  DE: ["Germany", "Europe", [["Berlin", "Land Berlin", 52.52, 13.405], ["Munich", "Bavaria", 48.1351, 11.582], ["Hamburg", "Hamburg", 53.5511, 9.9937], ["Frankfurt am Main", "Hesse", 50.1109, 8.6821]]],
  GB: ["United Kingdom", "Europe", [["London", "England", 51.5074, -0.1278], ["Manchester", "England", 53.4808, -2.2426], ["Edinburgh", "Scotland", 55.9533, -3.1883]]],
  FR: ["France", "Europe", [["Paris", "Île-de-France", 48.8566, 2.3522], ["Lyon", "Auvergne-Rhône-Alpes", 45.764, 4.8357], ["Marseille", "Provence-Alpes-Côte d'Azur", 43.2965, 5.3698]]],
  IN: ["India", "Asia", [["Mumbai", "Maharashtra", 19.076, 72.8777], ["Bengaluru", "Karnataka", 12.9716, 77.5946], ["New Delhi", "National Capital Territory of Delhi", 28.6139, 77.209]]],
  BR: ["Brazil", "South America", [["São Paulo", "São Paulo", -23.5505, -46.6333], ["Rio de Janeiro", "Rio de Janeiro", -22.9068, -43.1729]]],
  JP: ["Japan", "Asia", [["Tokyo", "Tokyo", 35.6762, 139.6503], ["Osaka", "Osaka", 34.6937, 135.5023]]],
  CA: ["Canada", "North America", [["Toronto", "Ontario", 43.6532, -79.3832], ["Montreal", "Quebec", 45.5017, -73.5673], ["Vancouver", "British Columbia", 49.2827, -123.1207]]],
  NL: ["The Netherlands", "Europe", [["Amsterdam", "North Holland", 52.3676, 4.9041], ["Rotterdam", "South Holland", 51.9244, 4.4777]]],
  AU: ["Australia", "Oceania", [["Sydney", "New South Wales", -33.8688, 151.2093], ["Melbourne", "Victoria", -37.8136, 144.9631]]],
  ES: ["Spain", "Europe", [["Madrid", "Madrid", 40.4168, -3.7038], ["Barcelona", "Catalonia", 41.3874, 2.1686]]],
  IT: ["Italy", "Europe", [["Rome", "Lazio", 41.9028, 12.4964], ["Milan", "Lombardy", 45.4642, 9.19]]],
  PL: ["Poland", "Europe", [["Warsaw", "Mazovia", 52.2297, 21.0122], ["Kraków", "Lesser Poland", 50.0647, 19.945]]],
  SE: ["Sweden", "Europe", [["Stockholm", "Stockholm County", 59.3293, 18.0686], ["Gothenburg", "Västra Götaland County", 57.7089, 11.9746]]],
  MX: ["Mexico", "North America", [["Mexico City", "Mexico City", 19.4326, -99.1332], ["Guadalajara", "Jalisco", 20.6597, -103.3496]]],
  KR: ["South Korea", "Asia", [["Seoul", "Seoul", 37.5665, 126.978], ["Busan", "Busan", 35.1796, 129.0756]]],
  SG: ["Singapore", "Asia", [["Singapore", "Central Singapore", 1.3521, 103.8198]]],
  ZA: ["South Africa", "Africa", [["Johannesburg", "Gauteng", -26.2041, 28.0473], ["Cape Town", "Western Cape", -33.9249, 18.4241]]],
  RU: ["Russia", "Europe", [["Moscow", "Moscow", 55.7558, 37.6173]]],
  CN: ["China", "Asia", [["Beijing", "Beijing", 39.9042, 116.4074]]],
};

/**
 * Autonomous systems. THE NUMBERS AND NAMES OF ACCESS AND HOSTING NETWORKS ARE SYNTHETIC: numbers
 * from the private-use range 64512-65534 (RFC 6996), so they can never be mistaken for a real
 * operator, with organization names that say "Example". Only the crawlers' networks are real, because a
 * crawler that does not come from its operator's network is exactly what a security analyst is
 * taught to flag: Googlebot from Google's AS15169 and its published crawler range 66.249.64.0/19
 * (https://developers.google.com/search/docs/crawling-indexing/verifying-googlebot), bingbot from
 * Microsoft's AS8075 and 157.55.39.0/24, 207.46.13.0/24, 40.77.167.0/24 (Bing's published list).
 */
const ACCESS_NETWORK_KINDS = ["Telecom", "Broadband", "Fibre"];
const HOSTING_NETWORKS = ["Example Cloud", "Example Hosting", "Example Servers", "Example Datacenters", "Example VPS"];
const COUNTRY_CODES = Object.keys(COUNTRY_GEO);

export interface CrawlerNetwork {
  /** First three octets of the /24 blocks it crawls from. */
  blocks: readonly string[];
  asNumber: number;
  organization: string;
  country: string;
  city: City;
}

const GOOGLE: CrawlerNetwork = {
  blocks: Array.from({ length: 32 }, (_, i) => `66.249.${64 + i}`),
  asNumber: 15169,
  organization: "GOOGLE",
  country: "US",
  city: ["Mountain View", "California", 37.386, -122.0838],
};
const MICROSOFT: CrawlerNetwork = {
  blocks: ["157.55.39", "207.46.13", "40.77.167"],
  asNumber: 8075,
  organization: "MICROSOFT-CORP-MSN-AS-BLOCK",
  country: "US",
  city: ["Boydton", "Virginia", 36.6676, -78.3875],
};
/**
 * UptimeRobot's probes run in rented data centres. Here both their addresses (TEST-NET-2 and
 * TEST-NET-3, RFC 5737 documentation ranges) and their network are synthetic.
 */
const UPTIME_MONITOR: CrawlerNetwork = {
  blocks: ["198.51.100", "203.0.113"],
  asNumber: 65_001,
  organization: "Example Hosting",
  country: "US",
  city: ["Dallas", "Texas", 32.7767, -96.797],
};

/** The network a crawler's requests come from, by its user agent; undefined for anything else. */
export function crawlerNetwork(agent: string): CrawlerNetwork | undefined {
  if (agent.includes("Googlebot")) return GOOGLE;
  if (agent.includes("bingbot")) return MICROSOFT;
  if (agent.includes("UptimeRobot")) return UPTIME_MONITOR;
  return undefined;
}

function geoOf(country: string, city: City | undefined): SourceFields["geo"] {
  const [countryName, continent, cities] = COUNTRY_GEO[country] ?? ["Unknown", "Unknown", []];
  const at = city ?? cities[0];
  return {
    continent_name: continent,
    country_iso_code: country,
    country_name: countryName,
    ...(city === undefined ? {} : { region_name: city[1], city_name: city[0] }),
    location: at === undefined ? { lat: 0, lon: 0 } : { lat: at[2], lon: at[3] },
  };
}

/**
 * The source object of a client: geo and AS follow from the address (a hash of it picks the city and
 * the access network, as a GeoIP database would always answer the same for one address), so no
 * random draw is spent and the rest of the model is untouched.
 */
export function sourceFields(ip: string, country: string, network: "access" | "hosting" | CrawlerNetwork): SourceFields {
  const hash = hashString(ip);
  let geo: SourceFields["geo"];
  let as: SourceFields["as"];
  if (typeof network === "object") {
    geo = geoOf(network.country, network.city);
    as = { number: network.asNumber, organization: { name: network.organization } };
  } else {
    const cities = COUNTRY_GEO[country]?.[2] ?? [];
    geo = geoOf(country, cities.length > 0 ? cities[hash % cities.length] : undefined);
    const countryIndex = Math.max(0, COUNTRY_CODES.indexOf(country));
    if (network === "hosting") {
      const provider = (hash >>> 8) % HOSTING_NETWORKS.length;
      as = { number: 65_000 + provider, organization: { name: HOSTING_NETWORKS[provider] } };
    } else {
      const isp = (hash >>> 8) % ACCESS_NETWORK_KINDS.length;
      as = { number: 64_512 + countryIndex * 4 + isp, organization: { name: `Example ${ACCESS_NETWORK_KINDS[isp]} ${country}` } };
    }
  }
  return deepFreeze({ address: ip, ip, geo, as });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export { deepFreeze };
