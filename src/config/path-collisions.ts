/** A device's file in its tenant repository, and where the device was defined (for the message). */
export interface DevicePath {
  readonly id: string;
  readonly path: string;
  /** e.g. `tenants.acme.devices[3]`, or an inventory source's name. */
  readonly where: string;
}

export interface PathCollision {
  readonly first: DevicePath;
  readonly second: DevicePath;
  readonly why: string;
}

/**
 * Devices of one tenant whose files would overwrite or remove each other in
 * the repository: the same path, or a path that is another's folder (device
 * `core` writes `core.rsc`, group `core.rsc` needs a folder `core.rsc/`).
 * Each device's commit would then delete the other's file from main. Pure.
 */
export function pathCollisions(devices: readonly DevicePath[]): PathCollision[] {
  const out: PathCollision[] = [];
  const byPath = new Map<string, DevicePath>();
  for (const d of devices) {
    const seen = byPath.get(d.path);
    if (seen) out.push({ first: seen, second: d, why: `both write ${d.path}` });
    else byPath.set(d.path, d);
  }
  const folders = new Map<string, DevicePath>();
  for (const d of devices) {
    const slash = d.path.indexOf("/");
    if (slash > 0 && !folders.has(d.path.slice(0, slash))) folders.set(d.path.slice(0, slash), d);
  }
  for (const [folder, inFolder] of folders) {
    const file = byPath.get(folder);
    if (file) out.push({ first: file, second: inFolder, why: `${file.path} is the file of ${file.id} and the folder of ${inFolder.id}'s group` });
  }
  return out;
}
