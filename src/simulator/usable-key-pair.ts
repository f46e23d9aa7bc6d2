import ssh2 from "ssh2";
import { RosarchiveError } from "../common/index.js";

/**
 * An ed25519 key pair (OpenSSH format) that ssh2's own parser accepts: now and
 * then ssh2 generates one it then refuses to parse, so draw again.
 */
export function usableKeyPair(): { private: string; public: string } {
  for (let i = 0; i < 10; i++) {
    const k = ssh2.utils.generateKeyPairSync("ed25519");
    if (!(ssh2.utils.parseKey(k.private) instanceof Error) && !(ssh2.utils.parseKey(k.public) instanceof Error)) return { private: k.private, public: k.public };
  }
  throw new RosarchiveError("error", "could not generate a usable ed25519 key pair");
}
