import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { formatDuration, parseDuration, RosarchiveError } from "../common/index.js";
import { demoFleet, mutateExport, type DemoDevice } from "../demo/demo-fleet.js";
import { loadConfig } from "../config/index.js";
import { createLogger } from "../observe/index.js";
import { generateIdentityPair } from "../seal/index.js";
import { startSimulator, type Simulator } from "../simulator/index.js";
import { expectPositionals, parse, println, type Command } from "./command.js";
import { waitForSignals } from "./serve.js";
import { startService } from "./start-service.js";
import { startDemoRemote } from "./demo-collectors.js";

const DEMO_USAGE = `usage: rosarchive demo [--devices N] [--port P] [--dir D] [--change-every SECONDS] [--collectors N]

Starts N simulated RouterOS devices (real exports, v6 and v7) on loopback and a
real \`serve\` against them, writing a config, an age identity and tokens into
D (default ./demo-data). Every --change-every seconds (default 30) a device's
config changes. Prints the API URL, tokens, a git clone line, curl lines and
the decrypt line. Ctrl-C stops everything.

--collectors N (needs nats-server on PATH) runs collection remotely: a
nats-server with a temp JetStream store and N \`rosarchive collector\`
processes, the core publishing jobs and archiving their sealed snapshots.`;

const PASSWORD_ENV = "ROSARCHIVE_DEMO_PASSWORD";

export const demoCommand: Command = {
  name: "demo",
  summary: "simulated routers + a real serve, ready to explore",
  usage: DEMO_USAGE,
  async run(io) {
    const opts = demoOptions(io.argv);
    const { count, collectorCount, interval, dir } = opts;
    mkdirSync(dir, { recursive: true, mode: 0o700 });

    // Keys and tokens survive demo restarts so the archive stays decryptable.
    const idFile = path.join(dir, "identity.txt");
    const recipient = await loadOrMakeIdentity(idFile);
    const tokens = loadOrMakeTokens(path.join(dir, "tokens.json"));
    const devicePassword = randomBytes(12).toString("base64url");

    const remote = collectorCount > 0 ? await startDemoRemote(io.env) : null;
    const fleet = demoFleet(count);
    const sim = await startSimulator({ devices: fleet.map((d) => ({ id: d.id, exportText: d.exportText, version: d.version, username: "backup", password: devicePassword })) });
    const configText = demoConfigText({ port: opts.port, recipient, interval, natsUrl: remote?.url ?? null, tokens, devices: fleet.map((d) => ({ id: d.id, group: d.group, port: sim.devices.get(d.id)!.port })) });
    const configFile = path.join(dir, "config.yaml");
    writeFileSync(configFile, configText);
    mkdirSync(path.join(dir, "hooks"), { recursive: true });
    const config = loadConfig(configText, { baseDir: dir, sourcePath: configFile });
    const log = createLogger({ level: "warn" });
    const service = await startService(config, { ...io.env, [PASSWORD_ENV]: devicePassword }, { log });
    // The collectors hold the device password themselves (here: the same environment variable) and the core's index key.
    const collectorIds = remote ? await remote.startCollectors(collectorCount, configFile, { ...io.env, [PASSWORD_ENV]: devicePassword }) : [];
    const changer = startChanges(fleet, sim, opts.every);

    const first = fleet[0]!;
    println(io.stdout, demoBanner({ count, interval, dir, url: service.url, idFile, tokens, first, collectors: remote ? { ids: collectorIds, natsUrl: remote.url } : null }));
    const code = await waitForSignals(
      {
        reload: (c) => service.reload(c),
        close: async () => {
          clearInterval(changer);
          await service.close();
          await remote?.stop();
          await sim.stop();
        },
      },
      () => loadConfig(readFileSync(configFile, "utf8"), { baseDir: dir, sourcePath: configFile }),
      log,
    );
    return code;
  },
};

interface DemoOptions {
  readonly count: number;
  readonly port: number;
  /** Seconds between two config changes on the simulated devices. */
  readonly every: number;
  readonly collectorCount: number;
  /** The schedule interval, as the config writes it. */
  readonly interval: string;
  readonly dir: string;
}

/** The command line, checked: every number within its range. */
function demoOptions(argv: readonly string[]): DemoOptions {
  const { values, positionals } = parse(
    argv,
    {
      devices: { type: "string", default: "6" },
      port: { type: "string", default: "8080" },
      dir: { type: "string", default: "demo-data" },
      "change-every": { type: "string", default: "30" },
      collectors: { type: "string", default: "0" },
      // Hidden (not in usage): the schedule interval, so tests see commits within seconds.
      interval: { type: "string", default: "30s" },
    },
    DEMO_USAGE,
  );
  expectPositionals(positionals, [], DEMO_USAGE);
  const count = Number(values.devices);
  const port = Number(values.port);
  const every = Number(values["change-every"]);
  if (!Number.isInteger(count) || count < 1 || count > 2000) throw new RosarchiveError("bad_parameter", "--devices: a whole number from 1 to 2000");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RosarchiveError("bad_parameter", "--port: a port number (0 picks a free one)");
  const collectorCount = Number(values.collectors);
  if (!Number.isInteger(collectorCount) || collectorCount < 0 || collectorCount > 8) throw new RosarchiveError("bad_parameter", "--collectors: a whole number from 0 to 8");
  if (!(every >= 1)) throw new RosarchiveError("bad_parameter", "--change-every: seconds, at least 1");
  const intervalMs = parseDuration(values.interval!);
  if (intervalMs === null || intervalMs < 1000) throw new RosarchiveError("bad_parameter", "--interval: a duration of at least 1s");
  return { count, port, every, collectorCount, interval: formatDuration(intervalMs), dir: path.resolve(values.dir!) };
}

/** The age recipient of the demo's identity file, made (mode 0600) on the first run. */
async function loadOrMakeIdentity(idFile: string): Promise<string> {
  if (existsSync(idFile)) return /# public key: (age1\S+)/.exec(readFileSync(idFile, "utf8"))![1]!;
  const pair = await generateIdentityPair();
  writeFileSync(idFile, `# public key: ${pair.recipient}\n${pair.identity}\n`, { mode: 0o600 });
  return pair.recipient;
}

/** The demo's config.yaml: one tenant with its tokens, policy and compare rules, the simulated devices on loopback. */
function demoConfigText(c: {
  port: number;
  recipient: string;
  interval: string;
  natsUrl: string | null;
  tokens: { viewer: string; admin: string };
  devices: ReadonlyArray<{ id: string; group: string; port: number }>;
}): string {
  const sha = (t: string) => createHash("sha256").update(t).digest("hex");
  return `# Written by \`rosarchive demo\`; the devices are simulated on loopback.
listen: 127.0.0.1:${c.port}
data_dir: ./repos
state_dir: ./state
hooks_dir: ./hooks
encryption:
  recipients: [${c.recipient}]
  identity_file: ./identity.txt
schedule:
  interval: ${c.interval}
  concurrency: 20
  connect_timeout: 5s
  command_timeout: 20s
  backoff: [10s, 20s, 30s]
${c.natsUrl ? `nats: { url: "${c.natsUrl}", ack_wait: 10s, collector_ttl: 6s, heartbeat: 2s }\n` : ""}defaults:
  username: backup
  password_env: ${PASSWORD_ENV}
tenants:
  demo:
    tokens:
      - { name: demo-viewer, role: viewer, sha256: "${sha(c.tokens.viewer)}" }
      - { name: demo-admin, role: admin, sha256: "${sha(c.tokens.admin)}" }
    # Policy checks, evaluated after every commit (see config.example.yaml for more).
    policy:
      - { name: telnet-disabled, severity: critical, section: /ip service, must_contain: ['^set telnet .*disabled=yes'] }
      - { name: ssh-strong-crypto, severity: warning, section: /ip ssh, must_contain: ['strong-crypto=yes'] }
    # What twins differ in by design: left out of both sides of a compare.
    compare:
      ignore:
        - { section: /system identity, pattern: '^set name=' }
        - { section: /ip address, pattern: '^add address=' }
    devices:
${c.devices.map((d) => `      - { id: ${d.id}, host: 127.0.0.1, port: ${d.port}, group: ${d.group} }`).join("\n")}
`;
}

/** Every `every` seconds one device's config changes (round robin), so the archive has something to show. */
function startChanges(fleet: readonly DemoDevice[], sim: Simulator, every: number): NodeJS.Timeout {
  let n = 0;
  const current = new Map(fleet.map((d) => [d.id, d.exportText]));
  const changer = setInterval(() => {
    n += 1;
    const d = fleet[n % fleet.length]!;
    const next = mutateExport(current.get(d.id)!, n);
    current.set(d.id, next);
    sim.setExport(d.id, next);
  }, every * 1000);
  changer.unref();
  return changer;
}

/** What the demo prints once it runs: where to look, the tokens, lines to try. */
function demoBanner(b: {
  count: number;
  interval: string;
  dir: string;
  url: string;
  idFile: string;
  tokens: { viewer: string; admin: string };
  first: DemoDevice;
  collectors: { ids: readonly string[]; natsUrl: string } | null;
}): string {
  const { url, tokens, first, interval } = b;
  const host = url.replace(/^http:\/\//, "");
  return [
    "",
    `rosarchive demo: ${b.count} simulated RouterOS devices, archived every ${interval} into ${path.join(b.dir, "repos/demo.git")}`,
    "",
    `  Web UI       ${url}/  (tenant demo, either token below)`,
    `  API          ${url}/api/v1/tenants/demo/devices`,
    ...(b.collectors ? [`  Collectors   ${b.collectors.ids.join(", ")} via NATS at ${b.collectors.natsUrl} (GET ${url}/api/v1/tenants/demo/collectors)`] : []),
    `  viewer token ${tokens.viewer}`,
    `  admin token  ${tokens.admin}`,
    "",
    `  Try (first commits land within ${interval}):`,
    `    curl -s -H 'Authorization: Bearer ${tokens.viewer}' ${url}/api/v1/tenants/demo/devices/${first.id}/history`,
    `    curl -s -H 'Authorization: Bearer ${tokens.viewer}' ${url}/api/v1/tenants/demo/devices/${first.id}/diff`,
    `    git clone http://demo:${tokens.viewer}@${host}/git/demo.git demo-archive`,
    `    npx rosarchive decrypt -i ${b.idFile} demo-archive/${first.group}/${first.id}.rsc`,
    "",
    "  Ctrl-C stops the demo; its data stays in " + b.dir,
    "",
  ].join("\n");
}

function loadOrMakeTokens(file: string): { viewer: string; admin: string } {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const t = { viewer: `ra_${randomBytes(18).toString("base64url")}`, admin: `ra_${randomBytes(18).toString("base64url")}` };
  writeFileSync(file, JSON.stringify(t), { mode: 0o600 });
  return t;
}
