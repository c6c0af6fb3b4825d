// A reader of nginx's combined log format, written for the tests independently of the generator:
// it follows the integration's grok (https://github.com/elastic/integrations, packages/nginx,
// access ingest pipeline) and nginx's escape=default rule (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format),
// then undoes the \xHH escapes, which the integration's grok leaves in place.

export interface CombinedLogLine {
  address: string;
  user: string | undefined;
  /** `dd/MMM/yyyy:HH:mm:ss +zzzz` */
  time: string;
  method: string;
  /** The request target: path and query */
  target: string;
  /** e.g. "1.1" */
  httpVersion: string;
  status: number;
  bytes: number;
  referrer: string | undefined;
  agent: string | undefined;
}

// Every quoted field is [^"]*: with escape=default a quote inside a value is always \x22.
const LINE = /^(\S+) - (\S+) \[(\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$/;
const REQUEST = /^([A-Z]+) (\S+) HTTP\/(\d\.\d)$/;

/** The value nginx logged, with its \xHH escapes turned back into bytes and read as UTF-8. */
export function unescapeNginx(logged: string): string {
  if (!logged.includes("\\x")) return logged;
  const bytes: number[] = [];
  for (let i = 0; i < logged.length; i++) {
    if (logged[i] === "\\" && logged[i + 1] === "x" && /^[0-9A-F]{2}$/.test(logged.slice(i + 2, i + 4))) {
      bytes.push(parseInt(logged.slice(i + 2, i + 4), 16));
      i += 3;
    } else bytes.push(...Buffer.from(logged[i], "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The fields of one combined-log line, or an Error naming what did not match. */
export function parseCombinedLine(line: string): CombinedLogLine | Error {
  const match = LINE.exec(line);
  if (match === null) return new Error(`not a combined-log line: ${line}`);
  const [, address, user, time, request, status, bytes, referrer, agent] = match;
  const parts = REQUEST.exec(request);
  if (parts === null) return new Error(`not a request line: ${request}`);
  return {
    address,
    user: user === "-" ? undefined : user,
    time,
    method: parts[1],
    target: unescapeNginx(parts[2]),
    httpVersion: parts[3],
    status: Number(status),
    bytes: Number(bytes),
    referrer: referrer === "-" ? undefined : unescapeNginx(referrer),
    agent: agent === "-" ? undefined : unescapeNginx(agent),
  };
}
