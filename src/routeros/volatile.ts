import type { VolatileComment } from "../common/index.js";

/**
 * SPEC §5 step 4: comment lines RouterOS prints about runtime state, not
 * configuration; they come and go between two exports of the same config.
 * Each pattern is matched against one whole line (line endings unified),
 * indented or not, trailing blanks allowed. Comments that are stable for a
 * given device and version (`# software id`, `# model`, `# disabled` under a
 * menu the hardware lacks, `# Cloud services not supported on x86`, the PPTP
 * warning) are NOT here: they change only when the device really changes.
 */
export const VOLATILE_COMMENTS: readonly VolatileComment[] = [
  {
    pattern: /^\s*# inactive time\s*$/,
    reason: "runtime timer note printed on some items (oxidized #1138): changes with uptime, not config",
  },
  {
    pattern: /^\s*# .*\bnot ready\s*$/,
    reason: "`# ether1 not ready`, `# lte1 not ready`: link/modem state at export time",
  },
  {
    pattern: /^\s*# received packet from \S+ bad format\s*$/,
    reason: "VRRP peer sent a malformed packet recently (oxidized #1807): intermittent runtime warning",
  },
  {
    pattern: /^\s*# poe-out status: .*$/,
    reason: "PoE port state (`short_circuit`, `voltage_too_low`, ...): measured, not configured",
  },
  {
    pattern: /^\s*# managed by CAPsMAN\b.*$/,
    reason: "v6 wireless interface currently provisioned by a CAPsMAN controller: connection state",
  },
  {
    pattern: /^\s*# channel: .*$/,
    reason: "channel/SSID a CAPsMAN controller assigned right now, printed under `# managed by CAPsMAN` (fixture v6.46.6-rb2011-capsman)",
  },
  {
    pattern: /^\s*# Interface not active\s*$/,
    reason: "VRRP interface whose link is down at export time: runtime state that flaps with the link",
  },
  {
    pattern: /^\s*# .*\bnot running\s*$/,
    reason: "`# ... not running`: link or service state at export time",
  },
  {
    pattern: /^\s*# Firmware upgraded successfully, please reboot\b.*$/,
    reason: "printed after /system routerboard upgrade until the next reboot: transient",
  },
  {
    pattern: /^\s*# .*please restart the device in order to apply the new setting.*$/,
    reason: "pending-reboot notice (e.g. after a switch or routerboard setting change): transient until reboot",
  },
];
