import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import { RosarchiveError } from "../common/index.js";
import type { NatsConfig } from "../config/index.js";

/** The client options for the `nats:` block: auth (creds file, user/password, nkey) and TLS passed through. */
export function natsConnectionOptions(nats: NatsConfig, env: NodeJS.ProcessEnv, o: { name: string; inboxPrefix?: string }): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: [...nats.servers],
    name: o.name,
    // Reconnect for ever: a NATS restart must never stop the core or a collector.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    waitOnFirstConnect: true,
    ...(o.inboxPrefix && { inboxPrefix: o.inboxPrefix }),
  };
  const read = (file: string, key: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new RosarchiveError("bad_parameter", `${key}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  if (nats.credsFile) opts.authenticator = credsAuthenticator(new Uint8Array(read(nats.credsFile, "nats.creds_file")));
  if (nats.nkeyFile) opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(read(nats.nkeyFile, "nats.nkey_file").toString("utf8").trim()));
  if (nats.user) {
    opts.user = nats.user;
    if (nats.passwordEnv) {
      const pass = env[nats.passwordEnv];
      if (pass === undefined) throw new RosarchiveError("bad_parameter", `nats.password_env: environment variable ${nats.passwordEnv} is not set`);
      opts.pass = pass;
    }
  }
  if (nats.tls) {
    opts.tls = {
      ...(nats.tls.caFile && { caFile: nats.tls.caFile }),
      ...(nats.tls.certFile && { certFile: nats.tls.certFile }),
      ...(nats.tls.keyFile && { keyFile: nats.tls.keyFile }),
    };
  }
  return opts;
}

/** Connects out to NATS (retrying until the server answers). */
export async function connectNats(nats: NatsConfig, env: NodeJS.ProcessEnv, o: { name: string; inboxPrefix?: string }): Promise<NatsConnection> {
  const opts = natsConnectionOptions(nats, env, o);
  try {
    return await connect(opts);
  } catch (err) {
    throw new RosarchiveError("unreachable", `cannot connect to NATS at ${nats.servers.join(", ")}: ${(err as Error).message}`);
  }
}
