import type { SkipReason, SourceFile, SourceNode, SourceVersion } from "./types.js";

/** What mapping needs of a configured device. */
export interface MappableDevice {
  readonly id: string;
  readonly host: string;
  readonly group: string | null;
}

export interface NodeFile {
  readonly file: SourceFile;
  readonly node: SourceNode;
}

/** One device and the source history replayed into it (several files when a node moved, oldest first). */
export interface DevicePlan<D extends MappableDevice> {
  readonly device: D;
  readonly files: readonly NodeFile[];
  /** Every version of those files, oldest first. */
  readonly versions: ReadonlyArray<{ readonly file: NodeFile; readonly version: SourceVersion }>;
}

export interface UnmappedFile {
  readonly file: NodeFile;
  readonly reason: SkipReason;
  readonly detail: string;
  /** The device it would have gone to (ambiguous, other_group). */
  readonly device: string | null;
}

/**
 * Pure: which device each node's history goes to. A node matches the device
 * whose id is its name (as is, then lowercased: Oxidized keeps names as
 * written in its source, device ids are lowercase), else the one device whose
 * host is its name (Oxidized's and RANCID's node names are often the address
 * they connect to). Nothing matches: skipped, never added to the config.
 *
 * Several files for one device (a node that moved between groups, or two
 * groups with one name): the file in the device's own group wins; otherwise
 * they are one history when they follow each other in time (the node moved),
 * and none is taken when they overlap (two routers; rename one in the config).
 */
export function mapNodes<D extends MappableDevice>(files: readonly NodeFile[], devices: readonly D[]): { plans: DevicePlan<D>[]; unmapped: UnmappedFile[] } {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const byHost = new Map<string, D[]>();
  for (const d of devices) {
    const k = d.host.toLowerCase();
    byHost.set(k, [...(byHost.get(k) ?? []), d]);
  }
  const unmapped: UnmappedFile[] = [];
  const wanted = new Map<D, NodeFile[]>();
  for (const f of files) {
    const name = f.node.name;
    const hosts = byHost.get(name.toLowerCase()) ?? [];
    const device = byId.get(name) ?? byId.get(name.toLowerCase()) ?? (hosts.length === 1 ? hosts[0] : undefined);
    if (!device) {
      const why = hosts.length > 1 ? `${hosts.length} devices have host ${JSON.stringify(name)}; give one of them this node's name as its id` : "no device of the tenant has this id or host; add it to the config to bring its history";
      unmapped.push({ file: f, reason: "not_in_config", detail: why, device: null });
      continue;
    }
    wanted.set(device, [...(wanted.get(device) ?? []), f]);
  }

  const plans: DevicePlan<D>[] = [];
  for (const [device, candidates] of wanted) {
    let chosen = candidates;
    if (candidates.length > 1) {
      const own = candidates.filter((c) => device.group !== null && c.node.group === device.group);
      if (own.length === 1) {
        chosen = own;
        for (const c of candidates) if (c !== own[0]) unmapped.push({ file: c, reason: "other_group", detail: `device ${device.id} is in group ${device.group}; its history is taken from that group's node`, device: device.id });
      } else if (overlapping(candidates)) {
        for (const c of candidates) unmapped.push({ file: c, reason: "ambiguous", detail: `${candidates.length} nodes map to device ${device.id} and their histories overlap in time; give the device a group or rename nodes apart`, device: device.id });
        continue;
      }
    }
    const versions = chosen
      .flatMap((file) => file.file.versions.map((version) => ({ file, version })))
      .sort((a, b) => a.version.time - b.version.time || a.version.seq - b.version.seq);
    plans.push({ device, files: chosen, versions });
  }
  plans.sort((a, b) => (a.device.id < b.device.id ? -1 : a.device.id > b.device.id ? 1 : 0));
  return { plans, unmapped };
}

/** Whether any two histories interleave in time (a node that moved has one history after the other). */
function overlapping(files: readonly NodeFile[]): boolean {
  const spans = files
    .filter((f) => f.file.versions.length > 0)
    .map((f) => f.file.versions.reduce((s, v) => ({ first: Math.min(s.first, v.time), last: Math.max(s.last, v.time) }), { first: Infinity, last: -Infinity }))
    .sort((a, b) => a.first - b.first);
  for (let i = 1; i < spans.length; i++) if (spans[i]!.first < spans[i - 1]!.last) return true;
  return false;
}
