import { prepareStateDir } from "../store/index.js";
import { promises as fs } from "node:fs";
import { asRosarchiveError, assertId, RosarchiveError } from "../common/index.js";
import { createLogger } from "../observe/index.js";
import { resealDevice } from "../pipeline/index.js";
import { parseIdentityFile } from "../seal/index.js";
import { buildContext } from "./build-context.js";
import { parse, println, type Command } from "./command.js";
import { findTenant, readConfigWithInventory } from "./load.js";
import { createNotifier } from "./outbox.js";

const RESEAL_USAGE = `usage: rosarchive reseal -c FILE [-i IDENTITY_FILE] TENANT [DEVICE...]

Re-seals the current archived snapshot of each device of TENANT (all of
them, or the DEVICEs named) to the tenant's current recipients: one commit
per device, labelled \`Resealed: true\` (trigger manual), summarized as a
re-seal in history, with no config.changed event. A device already sealed to
the current recipients gets no commit. Run it after changing a tenant's
recipients; without it, each device re-seals at its next backup, labelled
the same way.

  -i FILE   the identity that opens the current snapshots (during a key
            rotation: the old identity, or a file holding both). Default:
            the tenant's identity_file (tenants.<t>.encryption.identity_file,
            or encryption.identity_file for a tenant without its own block).

Prints one JSON line per device ({tenant, device, result, commit, parent},
result resealed, unchanged, never or the error); progress on a terminal.
Exit 1 if any device failed. Older commits stay sealed to the recipients of
their time: keep the old identity to read them.`;

export const resealCommand: Command = {
  name: "reseal",
  summary: "re-seal a tenant's current snapshots to its current recipients",
  usage: RESEAL_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" }, identity: { type: "string", short: "i" } }, RESEAL_USAGE);
    const config = await readConfigWithInventory(values.config);
    if (!positionals[0]) throw new RosarchiveError("bad_parameter", `missing TENANT\n\n${RESEAL_USAGE}`);
    const tenant = config.tenants.get(findTenant(config, positionals[0]))!;
    const wanted = positionals.slice(1).map((d) => assertId("device", d));
    for (const d of wanted) if (!tenant.deviceById.has(d)) throw new RosarchiveError("not_found", `device ${d} is not in tenant ${tenant.id} of the config`);
    const devices = wanted.length > 0 ? wanted.map((d) => tenant.deviceById.get(d)!) : tenant.devices;

    const idFile = values.identity ?? tenant.encryption.identityFile;
    if (!idFile) {
      const where = tenant.ownEncryption ? `tenants.${tenant.id}.encryption.identity_file` : `encryption.identity_file (or a tenants.${tenant.id}.encryption block)`;
      throw new RosarchiveError(
        "no_identity",
        `tenant ${tenant.id} has no identity to open its current snapshots: set ${where}, or pass -i IDENTITY_FILE (during a key rotation, the old identity)`,
      );
    }
    let identities: string[];
    try {
      identities = parseIdentityFile(await fs.readFile(idFile, "utf8"));
    } catch (err) {
      throw new RosarchiveError("bad_parameter", `cannot read identity file ${idFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (identities.length === 0) throw new RosarchiveError("bad_parameter", `${idFile} holds no AGE-SECRET-KEY-1... line`);

    await prepareStateDir(config.stateDir);
    const log = createLogger({ level: config.logLevel });
    const notifier = createNotifier(() => config, io.env, log);
    const ctx = buildContext(config, io.env, { log, events: notifier.outbox });
    const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
    let failed = 0;
    try {
      for (const [i, device] of devices.entries()) {
        if (tty) io.stderr.write(`\r\x1b[K[${i + 1}/${devices.length}] ${tenant.id}/${device.id}`);
        try {
          println(io.stdout, JSON.stringify(await resealDevice(ctx, device, identities)));
        } catch (raw) {
          failed++;
          const err = asRosarchiveError(raw);
          println(io.stdout, JSON.stringify({ tenant: tenant.id, device: device.id, result: "error", commit: null, parent: null, error: { code: err.code, message: err.message } }));
        }
      }
    } finally {
      if (tty) io.stderr.write(`\r\x1b[K${devices.length} device${devices.length === 1 ? "" : "s"}, ${failed} failed\n`);
      await ctx.repos.closeAll();
      await notifier.hooks.idle();
    }
    return failed > 0 ? 1 : 0;
  },
};
