import { addressMatcher, type ConfigSource } from "../config/index.js";

/**
 * Express's "trust proxy" test over the live `trusted_proxies`: `req.ip`
 * walks `X-Forwarded-For` from the right only while each hop is one of
 * them, so a client cannot name itself by sending the header, and with an
 * empty list (the default) the header is ignored entirely.
 */
export function trustProxy(config: ConfigSource): (address: string, hop: number) => boolean {
  let blocks: readonly string[] | null = null;
  let match: (address: string) => boolean = () => false;
  return (address) => {
    const now = config().trustedProxies;
    if (now !== blocks) {
      blocks = now;
      match = addressMatcher(now);
    }
    return match(address);
  };
}
