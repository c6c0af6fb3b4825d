// Turns a VerifyReport into the table `lab-verify verify` prints. Plain text, aligned columns, no colour,
// so it reads the same in a terminal, a CI log and a README.

import type { AnomalyVerdict, VerifyReport } from "./compare";

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `  ${l}`).join("\n");
}

function shortTime(iso: string): string {
  return iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, "");
}

function window(a: AnomalyVerdict): string {
  const start = shortTime(a.start);
  const end = shortTime(a.end);
  return `${start} → ${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end}`;
}

function delay(seconds: number): string {
  if (seconds < 3600) return `+${Math.round(seconds / 60)}m`;
  return `+${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

export function formatReport(report: VerifyReport): string {
  const out: string[] = [];
  out.push(`lab-verify verify: scenario "${report.scenario}", seed ${report.seed}, score threshold ${report.scoreThreshold}`);
  out.push("");
  out.push("Injected anomalies");
  if (report.anomalies.length === 0) {
    out.push("  (none: clean traffic, so every record at or above the threshold is a false alarm)");
  } else {
    out.push(
      table(
        ["ANOMALY", "WINDOW (UTC)", "ENTITY", "RESULT", "MAX SCORE", `FIRST >= ${report.scoreThreshold}`],
        report.anomalies.map((a) => [
          a.id,
          window(a),
          a.entity ?? "-",
          a.status.toUpperCase(),
          a.maxRecordScore.toFixed(1),
          a.firstHighScore === null ? "-" : `${delay(a.firstHighScore.secondsFromStart)} (${a.firstHighScore.jobId})`,
        ]),
      ),
    );
  }
  out.push("");
  out.push("Jobs");
  out.push(
    table(
      ["JOB", "DETECTS", "STATUS", "STATE", "DOCUMENTS", "BUCKETS", "RECORDS", "FALSE ALARMS"],
      report.jobs.map((j) => [
        j.jobId,
        j.detects.join(","),
        j.status,
        j.state ?? "-",
        String(j.processedRecordCount),
        String(j.bucketCount),
        String(j.recordCount),
        j.status === "ok" ? String(j.falseAlarms.length) : "-",
      ]),
    ),
  );
  const alarms = report.jobs.flatMap((j) => j.falseAlarms.map((f) => [j.jobId, shortTime(f.timestamp), f.recordScore.toFixed(1), f.entity ?? "-"]));
  if (alarms.length > 0) {
    out.push("");
    out.push(`False alarms (records scoring ${report.scoreThreshold} or more outside every window)`);
    out.push(table(["JOB", "BUCKET (UTC)", "SCORE", "ENTITY"], alarms));
  }
  const notes = [
    ...report.jobs.filter((j) => j.reason !== undefined).map((j) => j.reason as string),
    ...report.anomalies.filter((a) => a.reason !== undefined).map((a) => `${a.id}: ${a.reason}`),
  ];
  if (notes.length > 0) {
    out.push("");
    for (const note of notes) out.push(`  note: ${note}`);
  }
  out.push("");
  const found = report.anomalies.filter((a) => a.status === "found" || a.status === "late").length;
  const alarmsText = `${report.falseAlarmCount} false alarm${report.falseAlarmCount === 1 ? "" : "s"}`;
  if (report.allFound) {
    out.push(report.anomalies.length === 0 ? `OK: every job ran; ${alarmsText} on clean traffic.` : `OK: all ${report.anomalies.length} injected anomalies found; ${alarmsText}.`);
  } else {
    const broken = report.jobs.filter((j) => j.status !== "ok").length;
    const parts = [`${found} of ${report.anomalies.length} injected anomalies found`];
    if (broken > 0) parts.push(`${broken} job${broken === 1 ? "" : "s"} without results`);
    if (report.jobs.length === 0) parts.push("no jobs to verify");
    out.push(`NOT ALL FOUND: ${parts.join("; ")}; ${alarmsText}.`);
  }
  return out.join("\n");
}
