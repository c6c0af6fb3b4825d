// The short text `lab-verify verify --live` prints: the window, whether ML scored it, whether an alert
// arrived, how long each took, and one verdict line. Plain text, like format.ts.

import { formatDuration } from "../generator/duration";
import type { LiveReport, Missing } from "./live-report";
import { utcMinute } from "./plot";

const MISSING_WORDS: Record<Missing, string> = {
  "window-not-planted": "the live window was not planted",
  "window-not-over": "the live window was not over (plus the margin)",
  "no-record": "no ML record",
  "no-alert": "no alert",
};

function after(seconds: number): string {
  return `+${formatDuration(Math.max(0, seconds) * 1000)}`;
}

function clockTime(iso: string): string {
  return iso.slice(11, 16);
}

/** "2026-11-20 10:00 to 10:30 UTC", with the end's date only when it is another day. */
function span(start: string, end: string): string {
  const from = utcMinute(start).replace(" UTC", "");
  const to = utcMinute(end).replace(" UTC", "");
  return `${from} to ${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to} UTC`;
}

function recordLine(report: LiveReport): string {
  const { record } = report;
  if (record === null) return "not looked for yet";
  if (record.found && record.first !== null) {
    const f = record.first;
    return `yes: score ${f.score.toFixed(1)} from ${f.jobId}, bucket ${clockTime(f.bucket)}, which exists from ${clockTime(f.availableAt)} (${after(f.secondsFromStart)})`;
  }
  return `no: ${record.reason ?? record.status}${record.maxScore > 0 ? ` (best ${record.maxScore.toFixed(1)})` : ""}`;
}

function alertLine(report: LiveReport): string {
  const { alert } = report;
  if (alert === null) return "not looked for yet";
  if (alert.found && alert.first !== null) {
    const f = alert.first;
    const rule = f.ruleName === null ? "" : ` by rule "${f.ruleName}"`;
    const score = f.score === null ? "" : `, score ${f.score.toFixed(1)}`;
    return `yes: sent ${clockTime(f.sentAt)} (${after(f.secondsFromStart)})${rule}, for the bucket at ${clockTime(f.anomalyAt)}${score}${f.isInterim ? ", interim" : ""}`;
  }
  if (!alert.indexExists) return `no: ${report.alertsIndex} does not exist (the first alert creates it)`;
  const others = alert.sentSinceStart === 0 ? "none sent since the window began" : `${alert.sentSinceStart} sent since the window began, none about it`;
  return `no: ${report.alertsIndex} has no alert for this window (${others})`;
}

export function formatLiveReport(report: LiveReport): string {
  const out: string[] = [];
  const w = report.window;
  out.push(
    w === null
      ? `lab-verify verify --live: ${report.index}, no live window yet, score threshold ${report.scoreThreshold}`
      : `lab-verify verify --live: ${w.id} (${w.kind}${w.entity === null ? "" : `, ${w.entity}`}), ${span(w.start, w.end)}, score threshold ${report.scoreThreshold}`,
  );
  out.push("");
  const g = report.generator;
  const rows: [string, string][] = [];
  if (g !== null) {
    const next = g.nextWindowStart === null ? "" : `; next window ${utcMinute(g.nextWindowStart)}`;
    rows.push(["generator", `${g.status}, events written through ${utcMinute(g.through)}${next}`]);
  }
  if (w !== null) {
    rows.push(["jobs", w.jobs.join(", ")]);
    rows.push(["ML record", recordLine(report)]);
    rows.push(["alert", alertLine(report)]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, text] of rows) out.push(`  ${label.padEnd(width)}  ${text}`);
  if (report.notes.length > 0) {
    out.push("");
    for (const note of report.notes) out.push(`  note: ${note}`);
  }
  out.push("");
  if (report.ok) {
    out.push(`OK: ML scored ${w?.id} at ${report.scoreThreshold} or more and an alert arrived.`);
  } else {
    const waitedMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    // Stopped before the bound only when waiting could not help (the notes say why).
    const when = waitedMs >= report.waitSeconds * 1000 ? ` after ${formatDuration(waitedMs)} (--wait ${formatDuration(report.waitSeconds * 1000)})` : "";
    out.push(`NOT OK${when}: ${report.missing.map((m) => MISSING_WORDS[m]).join("; ")}.`);
  }
  return out.join("\n");
}
