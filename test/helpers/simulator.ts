import { usableKeyPair } from "../../src/simulator/index.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { SshTarget } from "../../src/collect/index.js";
import { startSimulator, type SimDeviceOptions, type Simulator } from "../../src/simulator/index.js";
import { FIXTURES } from "./tmp.js";

/** A real export from test/fixtures/routeros, bytes as published. */
export function readFixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), "utf8");
}

export const V7_FIXTURE = "v7.17.2-chr-verbose-sensitive.rsc";
export const V6_FIXTURE = "v6.48.4-rb952-wifi.rsc";
export const TEST_USER = "backup";
export const TEST_PASSWORD = "correct horse battery staple";

/** A client key pair: `privateKey` for SshTarget, `publicKey` (OpenSSH line) for a device's publicKeys. */
export function clientKeyPair(): { privateKey: string; publicKey: string } {
  const k = usableKeyPair();
  return { privateKey: k.private, publicKey: k.public };
}

/**
 * Starts `n` simulated v7 devices `dev-0` … `dev-{n-1}` sharing one host key
 * (cheap for hundreds), each overridable per index. Stop it with `sim.stop()`.
 */
export async function startDevices(n: number, each: (i: number) => Partial<SimDeviceOptions> = () => ({})): Promise<Simulator> {
  const exportText = readFixture(V7_FIXTURE);
  const hostKey = usableKeyPair().private;
  return startSimulator({
    devices: Array.from({ length: n }, (_, i) => ({
      id: `dev-${i}`,
      exportText,
      version: "7.17.2",
      username: TEST_USER,
      password: TEST_PASSWORD,
      hostKey,
      ...each(i),
    })),
  });
}

/** The SshTarget of a simulated device, password auth unless overridden. */
export function targetOf(sim: Simulator, id: string, over: Partial<SshTarget> = {}): SshTarget {
  const d = sim.devices.get(id);
  if (!d) throw new Error(`no simulated device ${id}`);
  return { host: "127.0.0.1", port: d.port, username: TEST_USER, password: TEST_PASSWORD, ...over };
}
