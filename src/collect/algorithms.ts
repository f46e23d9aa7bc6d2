import { getCiphers } from "node:crypto";
import type { Algorithms } from "ssh2";

/**
 * ssh2's modern defaults stay first; the legacy algorithms RouterOS v6 needs
 * (group14-sha1, group-exchange-sha1, CBC ciphers) are appended, so a
 * modern device never negotiates them. `ssh-rsa` host keys and `hmac-sha1` are
 * already in ssh2 1.17's defaults. group1-sha1 comes last: only very old
 * RouterOS offers nothing better.
 */
const LEGACY_KEX = ["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1", "diffie-hellman-group1-sha1"];

/** ssh2 refuses names the local OpenSSL cannot run (3DES may be missing from OpenSSL 3 builds). */
const LEGACY_CIPHERS: ReadonlyArray<readonly [ssh: string, openssl: string]> = [
  ["aes128-cbc", "aes-128-cbc"],
  ["aes256-cbc", "aes-256-cbc"],
  ["3des-cbc", "des-ede3-cbc"],
];

export function sshAlgorithms(): Algorithms {
  const available = new Set(getCiphers());
  return {
    kex: { append: LEGACY_KEX },
    cipher: { append: LEGACY_CIPHERS.filter(([, ossl]) => available.has(ossl)).map(([name]) => name) },
    serverHostKey: { append: ["ssh-rsa"] },
    hmac: { append: ["hmac-sha1"] },
  } as Algorithms;
}
