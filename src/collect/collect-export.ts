import { RosarchiveError } from "../common/index.js";
import { checkExportOutput } from "./check-export-output.js";
import { parseVersion } from "./parse-version.js";
import { openSshSession } from "./ssh-session.js";
import { DEFAULT_MAX_EXPORT_BYTES, type CollectOptions, type CollectResult, type SshTarget } from "./types.js";

/** The version probe prints one short line; anything longer is not a version. */
const VERSION_OUTPUT_CAP = 64 * 1024;

/**
 * One collection (SPEC §4): one SSH connection, exec channels only. Probes the
 * version when it is not known, then runs the export command for that version
 * and checks the output. Throws a RosarchiveError with a SPEC code; never
 * returns a truncated or failed export. Messages never quote device output.
 */
export async function collectExport(target: SshTarget, opts: CollectOptions): Promise<CollectResult> {
  const started = Date.now();
  const where = `${target.host}:${target.port}`;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_EXPORT_BYTES;
  const { platform } = opts;
  const session = await openSshSession(target, {
    pinnedFingerprint: opts.pinnedFingerprint,
    connectTimeoutMs: opts.connectTimeoutMs,
    ...(opts.signal && { signal: opts.signal }),
  });
  try {
    const deadline = Date.now() + opts.commandTimeoutMs;
    let version = opts.knownVersion ?? null;
    if (!version) {
      const probe = await session.exec(platform.commands.version, { maxBytes: VERSION_OUTPUT_CAP, deadline });
      if (probe.exitCode !== 0) {
        throw new RosarchiveError("invalid_output", `${where}: the version probe exited with ${probe.exitCode === null ? "no status" : `status ${probe.exitCode}`}`);
      }
      version = parseVersion(probe.stdout.toString("utf8"));
      if (!version) throw new RosarchiveError("invalid_output", `${where}: the version probe printed no version`);
    }
    const out = await session.exec(platform.commands.exportFor(version), { maxBytes, deadline });
    const stderr = out.stderr.toString("utf8");
    if (stderr.split(/\r\n|\r|\n/).some((l) => platform.errorLines.some((re) => re.test(l)))) {
      throw new RosarchiveError("invalid_output", `${where}: the export command printed a RouterOS error message`);
    }
    let text: string;
    try {
      text = checkExportOutput(out.stdout, out.exitCode, platform, maxBytes);
    } catch (err) {
      if (err instanceof RosarchiveError) throw new RosarchiveError(err.code, `${where}: ${err.message}`, err.data);
      throw err;
    }
    return { text, version, fingerprint: session.fingerprint, bytes: out.stdout.length, ms: Date.now() - started };
  } finally {
    session.close();
  }
}
