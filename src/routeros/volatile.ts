import type { VolatileComment } from "../common/index.js";

/**
 * Normalization step 4: comment lines RouterOS prints about runtime state, not
 * configuration; they come and go between two exports of the same config.
 * Each pattern is matched against one whole line (line endings unified),
 * indented or not, trailing blanks allowed; the normalizer tests comment lines
 * below the header block only. Comments that are stable for a
 * given device and version (`# software id`, `# model`, `# disabled` under a
 * menu the hardware lacks, `# Cloud services not supported on x86`, the PPTP
 * warning) are NOT here: they change only when the device really changes.
 * Nor are warnings that follow from the config itself (`# no interface`,
 * `# DHCP client can not run on slave or passthrough interface!`): they change
 * with the config, and a reviewer wants to see them appear.
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
    reason: "interface currently provisioned by a CAPsMAN controller (v6 wireless; v7 wifi adds the controller address): connection state",
  },
  {
    pattern: /^\s*# channel: .*$/,
    reason: "v6 wireless: channel/power/SSID a CAPsMAN controller assigned right now, under `# managed by CAPsMAN` (fixture v6.46.6-rb2011-capsman)",
  },
  {
    pattern: /^\s*# mode: .*, SSID: .*, channel: .*$/,
    reason: "v7 wifi: mode/SSID/channel a CAPsMAN controller assigned right now, under `# managed by CAPsMAN ...`",
  },
  {
    pattern: /^\s*#\s*$/,
    reason: "empty status comment under `/interface wireless cap` (v6.46.6-rb2011-capsman, also seen on 7.18.2): the CAP's status message, empty now; an empty comment carries nothing (the header's `#` is never tested)",
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
