import type { MigrationReport } from "./migrate-history.js";

const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** Pure: the report as lines for a person (the JSON form is the report itself). */
export function formatReport(r: MigrationReport, tenant: string, seconds: number): string {
  const v = r.versions;
  const files = r.repositories.reduce((n, x) => n + x.files, 0);
  const rate = seconds > 0 ? ` (${(v.committed / seconds).toFixed(0)} commits/s)` : "";
  const out = [
    `${r.tool} history into tenant ${tenant}: ${n(r.repositories.length, "repository", "repositories")}, ${n(files, "file")}, ${n(r.devices.length, "device")} matched`,
    `versions: ${v.total} of matched devices, ${v.committed} committed, ${v.unchanged} unchanged, ${v.not_newer} not newer than the archive, ${v.skipped} skipped; ${seconds.toFixed(1)} s${rate}`,
  ];
  if (r.devices.length > 0) {
    const width = Math.max(...r.devices.map((d) => d.device.length));
    out.push("", "devices:");
    for (const d of r.devices) {
      const from = d.nodes.map((n) => (r.repositories.length > 1 ? `${n.repo}:${n.path}` : n.path)).join(", ");
      out.push(`  ${d.device.padEnd(width)}  ${d.committed} committed, ${d.unchanged} unchanged, ${d.not_newer} not newer, ${d.skipped} skipped  <- ${from}`);
    }
  }
  if (r.skipped_nodes.length > 0) {
    out.push("", "files not migrated:");
    for (const s of r.skipped_nodes) out.push(`  ${r.repositories.length > 1 ? `${s.repo}:` : ""}${s.path} (${n(s.versions, "version")}): ${s.reason}: ${s.detail}`);
  }
  if (r.skipped_versions.length > 0) {
    out.push("", "versions skipped:");
    for (const s of r.skipped_versions) {
      const when = s.versions === 1 ? `commit ${s.first_commit.slice(0, 12)} of ${s.first_time}` : `${s.versions} versions, ${s.first_time} to ${s.last_time}`;
      out.push(`  ${s.device} <- ${s.path}: ${s.reason} (${when}): ${s.detail}`);
    }
  }
  return out.join("\n");
}
