// Durations as people type them on the command line: "90s", "20m", "3h", "1h30m". Whole units only,
// largest first, so "20m" means the same to the reader and to the program. Shared by lab-generate's
// follow-mode flags and lab-verify's --live flags, and used in their messages, which therefore show
// durations the way the flags take them.

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 };
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds in `text`, or undefined when it is not a duration such as "20m", "3h" or "1h30m". */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null || match.slice(1).every((part) => part === undefined)) return undefined;
  const [, h, m, s] = match;
  return Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s;
}

/** The shortest way to write `ms` in the units parseDuration reads: 5_400_000 is "1h30m". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds === 0) return "0s";
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [["h", 3600], ["m", 60], ["s", 1]] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  return parts.join("");
}
