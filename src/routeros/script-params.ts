import type { ScriptParam } from "../common/index.js";

/**
 * Parameters whose value is RouterOS script, v6 and v7. Inside them the
 * catalogued `name=value` pairs (and variables named like secrets) are sealed
 * in place; see `sealValues` in src/seal.
 *
 * Sources: the RouterOS 7.24 and 7.13 command trees (`/console/inspect`, as
 * published by the tikoci/restraml project, x86 and arm64 builds: every
 * `add`/`set` argument named `*script*`, `on-*` or `source`), the
 * help.mikrotik.com pages named in each reason, and v6 exports seen in
 * public repositories. `/interface wifi`, `/caps-man`, `/interface lte` and
 * `/iot gpio` have no script-bearing parameter in those trees.
 */
export const SCRIPT_PARAMS: readonly ScriptParam[] = [
  { name: "source", menus: ["/system script"], reason: "/system script: the script itself (v6, v7)" },
  { name: "source", menus: ["/task"], reason: "/task (7.24 command tree): a task's script body" },
  { name: "on-event", menus: ["/system scheduler"], reason: "/system scheduler: script or script name run at each interval (v6, v7)" },
  {
    name: "on-event",
    menus: ["/tool traffic-monitor"],
    reason: "/tool traffic-monitor: script run when traffic crosses the threshold (v6, v7; 7.24 command tree)",
  },
  {
    name: "on-event",
    menus: ["/system routerboard mode-button", "/system routerboard reset-button", "/system routerboard wps-button"],
    reason: "/system routerboard mode-button, reset-button, wps-button: script run when the button is pressed (RouterBOARD hardware; 7.24 arm64 command tree)",
  },
  { name: "up-script", menus: ["/tool netwatch"], reason: "/tool netwatch: script run when the probe goes fail -> OK (help.mikrotik.com Netwatch; v6, v7)" },
  { name: "down-script", menus: ["/tool netwatch"], reason: "/tool netwatch: script run when the probe goes OK -> fail (help.mikrotik.com Netwatch; v6, v7)" },
  { name: "test-script", menus: ["/tool netwatch"], reason: "/tool netwatch (v7.4+): script run after every probe (help.mikrotik.com Netwatch)" },
  { name: "lease-script", menus: ["/ip dhcp-server"], reason: "/ip dhcp-server: script run on lease bind and release (v6, v7)" },
  { name: "script", menus: ["/ip dhcp-client"], reason: "/ip dhcp-client: script run on bound and unbound (v6.39+, v7)" },
  { name: "script", menus: ["/ipv6 dhcp-client"], reason: "/ipv6 dhcp-client: script run on prefix or address changes (v7)" },
  { name: "binding-script", menus: ["/ipv6 dhcp-server"], reason: "/ipv6 dhcp-server: script run on binding changes (v7; 7.24 command tree)" },
  { name: "on-alert", menus: ["/ip dhcp-server alert"], reason: "/ip dhcp-server alert: script run when a rogue DHCP server is seen (v6, v7)" },
  { name: "on-up", menus: ["/ppp profile"], reason: "/ppp profile: script run when a PPP session comes up (v6, v7)" },
  { name: "on-down", menus: ["/ppp profile"], reason: "/ppp profile: script run when a PPP session goes down (v6, v7)" },
  { name: "on-login", menus: ["/ip hotspot user profile"], reason: "/ip hotspot user profile: script run at each hotspot login (v6, v7)" },
  { name: "on-logout", menus: ["/ip hotspot user profile"], reason: "/ip hotspot user profile: script run at each hotspot logout (v6, v7)" },
  { name: "on-master", menus: ["/interface vrrp"], reason: "/interface vrrp: script run when the router becomes master (v6, v7)" },
  { name: "on-backup", menus: ["/interface vrrp"], reason: "/interface vrrp: script run when the router becomes backup (v6, v7)" },
  { name: "on-fail", menus: ["/interface vrrp"], reason: "/interface vrrp: script run when VRRP fails (v7; 7.24 command tree)" },
  { name: "on-message", menus: ["/iot mqtt subscriptions"], reason: "/iot mqtt subscriptions: script run for each received MQTT message (v7 iot package; 7.24 command tree)" },
  // Inside scripts, the same parameters of nested commands hold scripts too
  // (`/system scheduler add on-event="..."` in a setup script), and so do these:
  { name: "do", reason: "`:do`, `:if`, `:foreach`, `:while` bodies written as do=\"...\" strings in scripts" },
  { name: "on-error", reason: "`:do {...} on-error=\"...\"` in scripts" },
  { name: "else", reason: "`:if (...) do={...} else=\"...\"` in scripts" },
];
