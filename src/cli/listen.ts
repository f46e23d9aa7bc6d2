import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { ConfigError, isLoopbackHost, type Config } from "../config/index.js";

/** The PEM chain and key the listener presents, read from `tls.cert_file` and `tls.key_file`. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Reads and checks the configured certificate and key (they must parse and
 * belong together); a problem is a ConfigError naming the key, so a start or
 * a reload is refused with the old certificate still in force.
 */
export function readTlsFiles(tls: NonNullable<Config["tls"]>): TlsFiles {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(tls.certFile);
  } catch (err) {
    throw new ConfigError([{ path: "tls.cert_file", message: `cannot read ${tls.certFile}: ${(err as Error).message}` }]);
  }
  try {
    key = readFileSync(tls.keyFile);
  } catch (err) {
    throw new ConfigError([{ path: "tls.key_file", message: `cannot read ${tls.keyFile}: ${(err as Error).message}` }]);
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError([{ path: "tls", message: `the certificate and key do not load together (${(err as Error).message}); both must be PEM, the key unencrypted` }]);
  }
  return { cert, key };
}

/**
 * Why a start deserves a warning: tokens and git's Basic auth would travel in
 * clear to anyone on the network path. Null when the listener is loopback
 * (a reverse proxy on this machine terminates TLS) or TLS is on.
 */
export function plaintextWarning(config: Config): string | null {
  if (config.tls || isLoopbackHost(config.listen.host)) return null;
  return `listening on ${config.listen.host}:${config.listen.port} without TLS: API tokens and git passwords cross the network in clear; set tls: { cert_file, key_file }, or listen on 127.0.0.1 behind a reverse proxy that terminates TLS`;
}
