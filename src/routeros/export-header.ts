/**
 * The comment lines RouterOS prints at the top of `/export`, under the dated
 * line (`header.ts`): they describe the device, not its runtime state, so the
 * archive keeps them. Tools that store an export behind comments of their own
 * (another backup tool's preamble) are told apart from the export by these.
 */
export const EXPORT_HEADER_COMMENTS: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /^# software id = ?/, reason: "RouterBOARD and CHR licence id; v6 and v7, the first line under the date" },
  { pattern: /^# model = /, reason: "RouterBOARD model; absent on CHR" },
  { pattern: /^# serial number = /, reason: "RouterBOARD serial number; absent on CHR" },
  { pattern: /^# system id = /, reason: "CHR system id printed by some v7 releases" },
];
