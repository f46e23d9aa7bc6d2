/**
 * Normalization step 2. RouterOS opens every export with the time it was taken:
 * v6 and v7 before 7.10 print `# jan/02/1970 06:11:28 by RouterOS 6.43.8`
 * (the 1970 date is a router without NTP), later v7 print
 * `# 2024-01-04 18:22:26 by RouterOS 7.17.2`. The date changes on every
 * export, so it would make every snapshot a change; the version stays.
 * Whatever follows the version on that line is kept as printed.
 */
export const HEADER: { readonly pattern: RegExp; readonly replacement: string } = {
  pattern: /^# (?:[a-z]{3}\/\d{2}\/\d{4}|\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2} by RouterOS (\S+)/i,
  replacement: "# RouterOS $1",
};
