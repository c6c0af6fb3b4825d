// The --anomaly spec, `KIND[,start=TIME|+RELATIVE][,minutes=N][,magnitude=X][,target=VALUE]`, as
// lab-generate reads it and the lab's lab:liveAnomaly setting does. Small and dependency-free, so
// that the lab's dataset provider (serialized into the stack) can read a spec too.

import { ANOMALY_KINDS, type AnomalyKind, type AnomalyRequest } from "./types";

export const ANOMALY_KEYS = ["start", "minutes", "magnitude", "target"] as const;

/**
 * Parses `KIND[,start=TIME][,minutes=N][,magnitude=X][,target=VALUE]`. `target` takes the rest of
 * the spec, because user agents contain commas.
 */
export function parseAnomalySpec(spec: string, position: number, problems: string[]): AnomalyRequest {
  const label = `--anomaly #${position} ${JSON.stringify(spec)}`;
  const targetAt = spec.search(/,target=/);
  const head = targetAt === -1 ? spec : spec.slice(0, targetAt);
  const target = targetAt === -1 ? undefined : spec.slice(targetAt + ",target=".length);
  const [kindText, ...pairs] = head.split(",");
  const kind = kindText.trim();
  const request: AnomalyRequest = { kind: kind as AnomalyKind };
  if (!(ANOMALY_KINDS as readonly string[]).includes(kind)) {
    problems.push(`${label}: unknown kind ${JSON.stringify(kind)}; allowed: ${ANOMALY_KINDS.join(", ")}`);
  }
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    const key = equals === -1 ? pair : pair.slice(0, equals);
    const value = equals === -1 ? "" : pair.slice(equals + 1);
    if (key === "start" && /^[+-]/.test(value.trim())) {
      const after = parseRelativeStart(value.trim());
      if (after === undefined) problems.push(`${label}: start ${JSON.stringify(value)} is not a relative start such as +15m, +1h or +1h30m (follow mode)`);
      else request.startAfterMinutes = after;
    } else if (key === "start") {
      const start = parseIsoTime(value);
      if (start === undefined) problems.push(`${label}: start ${JSON.stringify(value)} is not an ISO-8601 time such as 2026-11-20T14:00:00Z`);
      else request.start = start;
    } else if (key === "minutes" || key === "magnitude") {
      const parsed = value === "" ? Number.NaN : Number(value);
      if (!Number.isFinite(parsed)) problems.push(`${label}: ${key} ${JSON.stringify(value)} is not a number`);
      else if (key === "minutes") request.durationMinutes = parsed;
      else request.magnitude = parsed;
    } else {
      problems.push(`${label}: unknown key ${JSON.stringify(key)}; allowed: ${ANOMALY_KEYS.join(", ")} (as key=value after the kind)`);
    }
  }
  if (target !== undefined) {
    if (target === "") problems.push(`${label}: target is empty`);
    else request.target = target;
  }
  return request;
}

/** "+15m" -> 15, "+1h30m" -> 90, "-5m" -> -5 (refused later, by name, as a start in the past). */
export function parseRelativeStart(text: string): number | undefined {
  const match = /^([+-])(?:(\d+)h)?(?:(\d+)m)?$/.exec(text);
  if (match === null || (match[2] === undefined && match[3] === undefined)) return undefined;
  const minutes = Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  return match[1] === "-" ? -minutes : minutes;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

/**
 * Parses an ISO-8601 date (midnight UTC) or date-time with an explicit zone (Z or ±hh:mm). A
 * date-time without a zone is refused: JavaScript would read it in the machine's local zone, and
 * the same command would then give different data on another machine. Impossible dates
 * (2026-02-30) are refused rather than rolled over.
 */
export function parseIsoTime(text: string): Date | undefined {
  const match = ISO_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const parsed = new Date(text.trim().replace(" ", "T"));
  if (Number.isNaN(parsed.getTime())) return undefined;
  const check = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0)));
  if (check.getUTCFullYear() !== Number(year) || check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== Number(day)) return undefined;
  if (Number(hour ?? 0) > 23 || Number(minute ?? 0) > 59 || Number(second ?? 0) > 59) return undefined;
  return parsed;
}
