import type { SensitiveParam } from "../common/index.js";

/**
 * SPEC §6: the RouterOS parameters whose values are sealed. Matching is on
 * whole names (see `isSensitive` in src/seal): `always-allow-password-login`,
 * `policy=...,password,...`, `public-key`, `minimum-password-length` are not
 * secrets. A dotted v7 name (`security.passphrase`) matches on its full name
 * or its last component, so `passphrase` covers `/interface wifi` too.
 *
 * Names that are secrets wherever RouterOS prints them have no `menus`: a
 * secret sealed needlessly costs a little diff readability, a secret missed
 * leaks into every clone of the archive. `menus` restricts only names that
 * are ordinary elsewhere (`name`, `key`, `pin`).
 */
export const SENSITIVE_PARAMS: readonly SensitiveParam[] = [
  // Generic credentials
  {
    name: "password",
    reason: "login/tunnel/service passwords: /ppp secret, /ip hotspot user, /user, /tool e-mail, /ip smb users, /ip socks users, /container config, /interface lte apn, /interface vrrp, /iot mqtt brokers, l2tp/pptp/sstp/ovpn/pppoe-client, /ip ipsec identity (v7 EAP)",
  },
  {
    name: "secret",
    reason: "shared secrets: /radius, /ip ipsec peer (v6) and identity (v7), /system ntp key (v7), /tool sms (command secret), /user-manager",
  },
  { name: "secrets", reason: "/tool romon and /tool romon port: RoMON authentication secrets (comma-separated list)" },
  { name: "shared-secret", reason: "/user-manager router (RADIUS client secret)" },
  { name: "ipsec-secret", reason: "l2tp-server/l2tp-client, eoip, gre, ipip, 6to4: IPsec pre-shared key for the tunnel" },
  { name: "xauth-password", reason: "/ip ipsec peer (v6): XAuth user password" },
  { name: "eap-password", reason: "/interface wifi security (v7): EAP client password" },
  { name: "smb-password", reason: "/disk (v7) SMB network mount password" },
  // Keys
  { name: "private-key", reason: "/interface wireguard and its peers (v7.13+ client configs), /ip cloud back-to-home-users: WireGuard private key" },
  { name: "preshared-key", reason: "/interface wireguard peers: symmetric pre-shared key" },
  { name: "tcp-md5-key", reason: "/routing bgp peer (v6), connection and template (v7): TCP MD5 signature key" },
  { name: "auth-key", reason: "/routing ospf interface-template (v7) OSPF authentication key; also a key name on /system ntp, sealed there harmlessly" },
  { name: "authentication-key", reason: "/routing ospf interface and virtual-link, /routing rip interface (v6): routing protocol authentication key" },
  { name: "key", menus: ["/routing rip keys", "/system ntp key"], reason: "RIP MD5 key (v6) and NTP symmetric key (v7); elsewhere `key` is not a secret" },
  // SNMP
  { name: "authentication-password", reason: "/snmp community: SNMPv3 authentication password" },
  { name: "encryption-password", reason: "/snmp community: SNMPv3 privacy password" },
  { name: "name", menus: ["/snmp community"], reason: "an SNMP v1/v2c community name is the access credential" },
  { name: "trap-community", menus: ["/snmp"], reason: "the community string sent with SNMP traps" },
  // Wireless (v6 wireless, CAPsMAN, v7 wifi/wifiwave2)
  { name: "passphrase", reason: "/caps-man security, /interface wifi security and access-list, `security.passphrase` on /interface wifi and wifi configuration" },
  { name: "private-passphrase", reason: "/caps-man access-list: per-client passphrase" },
  { name: "wpa-pre-shared-key", reason: "/interface wireless security-profiles: WPA PSK" },
  { name: "wpa2-pre-shared-key", reason: "/interface wireless security-profiles: WPA2 PSK" },
  { name: "private-pre-shared-key", reason: "/interface wireless access-list: per-client PSK" },
  { name: "mschapv2-password", reason: "/interface wireless security-profiles: station EAP-MSCHAPv2 password" },
  { name: "management-protection-key", reason: "/interface wireless security-profiles: 802.11w management frame key" },
  { name: "static-key-0", reason: "/interface wireless security-profiles: WEP key 0" },
  { name: "static-key-1", reason: "/interface wireless security-profiles: WEP key 1" },
  { name: "static-key-2", reason: "/interface wireless security-profiles: WEP key 2" },
  { name: "static-key-3", reason: "/interface wireless security-profiles: WEP key 3" },
  { name: "static-sta-private-key", reason: "/interface wireless security-profiles: WEP station private key" },
  { name: "radius-mac-authentication-password", reason: "wireless/CAPsMAN RADIUS MAC authentication password, where printed" },
  { name: "nv2-preshared-key", reason: "/interface wireless (v6): NV2 protocol encryption key" },
  { name: "nv2-sync-secret", reason: "/interface wireless (v6): NV2 synchronization secret" },
  { name: "sae-password", reason: "/interface wifi security (v7): WPA3 SAE password, where printed apart from passphrase" },
  // Mobile
  { name: "sim-pin", reason: "/tool sms: SIM PIN" },
  { name: "pin", menus: ["/interface lte", "/interface lte settings"], reason: "/interface lte (v6): SIM PIN" },
];
