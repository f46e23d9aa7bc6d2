const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** True for versions that print ISO header dates: RouterOS 7.10 and later. */
export function usesIsoDate(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return true;
  const major = Number(m[1]);
  return major > 7 || (major === 7 && Number(m[2]) >= 10);
}

/**
 * The export header RouterOS prints: `# nov/23/2026 15:04:05 by RouterOS 6.48.4`
 * (v6 and v7 before 7.10) or `# 2026-11-23 15:04:05 by RouterOS 7.16.2`.
 */
export function exportHeaderLine(version: string, now: Date): string {
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  const date = usesIsoDate(version)
    ? `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
    : `${MONTHS[now.getMonth()]}/${pad(now.getDate())}/${now.getFullYear()}`;
  return `# ${date} ${time} by RouterOS ${version}`;
}
