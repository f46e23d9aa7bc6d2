import { BlockList, isIP } from "node:net";

export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: "ipv4" | "ipv6";
}

/** `10.0.0.0/8`, `::1/128`, or a bare address (a block of one); null when it is neither. */
export function parseCidr(text: string): Cidr | null {
  const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(text);
  if (!m) return null;
  const version = isIP(m[1]!);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  if (prefix > max) return null;
  return { address: m[1]!, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** `::ffff:127.0.0.1` (an IPv4 client of a dual-stack socket) is 127.0.0.1. */
export function plainAddress(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/**
 * A test for "is this peer one of these blocks", built once per list. Used
 * for `trusted_proxies`: only a peer inside one of them may say, with
 * `X-Forwarded-For`, who the client is.
 */
export function addressMatcher(blocks: readonly string[]): (address: string) => boolean {
  if (blocks.length === 0) return () => false;
  const list = new BlockList();
  for (const b of blocks) {
    const c = parseCidr(b);
    if (c) list.addSubnet(c.address, c.prefix, c.family);
  }
  return (address) => {
    const a = plainAddress(address);
    const v = isIP(a);
    return v !== 0 && list.check(a, v === 4 ? "ipv4" : "ipv6");
  };
}

/** 127.0.0.0/8, ::1 and the name localhost: a listener only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = plainAddress(host.replace(/^\[|\]$/g, ""));
  if (h === "localhost") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h === "::1";
}
