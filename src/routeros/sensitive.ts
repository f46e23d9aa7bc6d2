import type { SensitiveParam } from "../common/index.js";

/**
 * The RouterOS parameters whose values are sealed. Matching is on
 * whole names (see `isSensitive` in src/seal): `always-allow-password-login`,
 * `policy=...,password,...`, `public-key`, `minimum-password-length` are not
 * secrets. A dotted v7 name (`security.passphrase`) matches on its full name
 * or its last component, so `passphrase` covers `/interface wifi` too.
 *
 * Names that are secrets wherever RouterOS prints them have no `menus`: a
 * secret sealed needlessly costs a little diff readability, a secret missed
 * leaks into every clone of the archive. `menus` restricts only names that
 * are ordinary elsewhere (`name`, `key`, `pin`, `identity`).
 *
 * Audited against what v7 `/export` hides without `show-sensitive`: every
 * `add`/`set` argument of the RouterOS 7.13 and 7.24 command trees
 * (`/console/inspect` as published by the tikoci/restraml project, x86 and
 * arm64, extra packages included) whose name holds pass, secret, key, token,
 * pin, psk, identity or credential was read and classified; the terraform
 * RouterOS provider's `Sensitive` attributes were compared. Left out on
 * purpose: `ckn` (macsec: the key's name, sent in clear in every MKA frame),
 * `supplicant-identity`, `identity`/`anon-identity` of dot1x (user names),
 * `/user ssh-keys key` (a public key), `/ip ipsec identity key` and
 * `remote-key` (names of `/ip ipsec key` entries), `/ip dhcp-server config
 * radius-password` (a choice of what to send, not a password).
 * Command parameters that exist only inside scripts are listed too
 * (`key-passphrase`...): scripts are sealed with this same catalog.
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
  { name: "smb-server-password", reason: "/disk (v7.24 command tree): password of the disk's SMB share" },
  { name: "sshfs-password", reason: "/disk (v7.24 command tree): SSHFS mount password" },
  { name: "nvme-tcp-password", reason: "/disk (v7.24 command tree): NVMe over TCP password" },
  { name: "nvme-tcp-server-password", reason: "/disk (v7.24 command tree): NVMe over TCP export password" },
  { name: "self-encryption-password", reason: "/disk (v7.24 command tree): drive self-encryption password" },
  { name: "mac-auth-password", reason: "/ip hotspot profile: password sent with MAC authentication (v6, v7; terraform provider Sensitive)" },
  { name: "otp-secret", reason: "/ip hotspot user and /user-manager user (v7.24 command tree): one-time-password seed" },
  { name: "ppk-secret", reason: "/ip ipsec peer (v7.24 command tree): IKEv2 post-quantum preshared key" },
  { name: "socks5-password", reason: "/ip socksify (v7.24 command tree): upstream SOCKS5 password" },
  { name: "connection-request-password", reason: "/tr069-client: password the ACS uses to wake the client (v6, v7)" },
  { name: "paypal-password", reason: "/user-manager advanced (v7): PayPal API password" },
  { name: "web-private-password", reason: "/user-manager advanced (v7): password of the private web pages" },
  { name: "challenge-password", reason: "/certificate scep-server ra (v7): SCEP enrollment challenge; also `/certificate create-certificate-request` in scripts" },
  // Keys
  { name: "private-key", reason: "/interface wireguard and its peers (v7.13+ client configs), /ip cloud back-to-home-user (v7.12+ arm64 command tree), /interface wireless access-list: private keys" },
  { name: "cak", reason: "/interface macsec (v7): MACsec connectivity association key, the link's pre-shared secret (7.13 and 7.24 command trees)" },
  { name: "encryption-key", reason: "/disk (v7.24 command tree): key of an encrypted disk" },
  { name: "hkdf-secret", reason: "/system keymat-provider (v7.24 command tree): key-derivation secret" },
  { name: "key-val", reason: "/system ntp key (v7): the symmetric NTP key itself (7.13 and 7.24 command trees)" },
  { name: "mtik-key", reason: "/iot bluetooth peripheral-devices (v7 iot package): key of encrypted MikroTik tag advertisements" },
  { name: "identity", menus: ["/zerotier"], reason: "/zerotier (v7 zerotier package, arm64 command tree): the instance identity, which holds its private key; elsewhere `identity` is a user name" },
  { name: "preshared-key", reason: "/interface wireguard peers: symmetric pre-shared key" },
  { name: "tcp-md5-key", reason: "/routing bgp peer (v6), connection and template (v7): TCP MD5 signature key" },
  { name: "auth-key", reason: "/routing ospf interface-template (v7) OSPF authentication key; also a key name on /system ntp, sealed there harmlessly" },
  { name: "authentication-key", reason: "/routing ospf interface and virtual-link, /routing rip interface (v6): routing protocol authentication key" },
  {
    name: "key",
    menus: ["/routing rip keys", "/system ntp key", "/iot lora servers", "/ip ipsec key psk"],
    reason: "RIP MD5 key (v6, v7), LoRa network server key (`/iot lora servers`, v7 iot package), IPsec PPK (`/ip ipsec key psk`, 7.24); kept for /system ntp key in case a build prints `key=`; elsewhere `key` is not a secret",
  },
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
  { name: "pin", menus: ["/interface lte", "/interface lte settings", "/interface ppp-client"], reason: "/interface lte (v6, v7) and /interface ppp-client (v7.24 command tree): SIM PIN" },
  // Parameters of commands, not of configuration: they appear only inside scripts.
  { name: "key-passphrase", reason: "`/certificate create-certificate-request key-passphrase=`, `/interface ovpn-client import-ovpn-configuration key-passphrase=` in scripts" },
  { name: "challenge-passphrase", reason: "`/certificate create-certificate-request challenge-passphrase=` in scripts" },
  { name: "export-passphrase", reason: "`/certificate export-certificate export-passphrase=` in scripts (a PKCS#12 key export)" },
  { name: "secret-download-key", reason: "`/system backup cloud download-file secret-download-key=` in scripts" },
];
