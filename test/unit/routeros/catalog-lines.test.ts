import assert from "node:assert/strict";
import { KEYED_SECRETS, ROUTEROS, SCRIPT_PARAMS, SENSITIVE_PARAMS } from "../../../src/routeros/index.js";
import { sealValues, unsealText } from "../../../src/seal/index.js";
import { makeAgePair, testIndexKey, type TestAgePair } from "../../helpers/age.js";

/**
 * One realistic export line per catalog entry (RouterOS v6/v7 `/export`
 * syntax: menu line, then the command line), with the secret it holds. Every
 * entry of the sensitive catalog, the script-bearing parameters and the
 * env-like menus must have one; each must come out sealed and decrypt back
 * byte for byte.
 */
interface CatalogLine {
  /** Which entry it proves: `name` (and a menu for entries restricted to menus). */
  readonly entry: string;
  readonly menu: string;
  readonly line: string;
  /** Text that must not survive sealing. */
  readonly secret: string;
}

const SENSITIVE_LINES: readonly CatalogLine[] = [
  { entry: "password", menu: "/ppp secret", line: "add name=alice password=cnry-ppp-1 profile=default-encryption service=pppoe", secret: "cnry-ppp-1" },
  { entry: "secret", menu: "/radius", line: "add address=10.0.0.5 secret=cnry-radius service=ppp,login", secret: "cnry-radius" },
  { entry: "secrets", menu: "/tool romon", line: "set enabled=yes secrets=cnry-romon-a,cnry-romon-b", secret: "cnry-romon-a" },
  { entry: "shared-secret", menu: "/user-manager router", line: "add address=10.0.0.1 name=nas1 shared-secret=cnry-um-router", secret: "cnry-um-router" },
  { entry: "ipsec-secret", menu: "/interface l2tp-server server", line: "set enabled=yes ipsec-secret=cnry-l2tp-ipsec use-ipsec=yes", secret: "cnry-l2tp-ipsec" },
  { entry: "xauth-password", menu: "/ip ipsec peer", line: "add address=203.0.113.5/32 exchange-mode=main-l2tp xauth-login=u1 xauth-password=cnry-xauth", secret: "cnry-xauth" },
  { entry: "eap-password", menu: "/interface wifi security", line: "add authentication-types=wpa2-eap eap-methods=peap eap-password=cnry-eap eap-username=u1 name=ent", secret: "cnry-eap" },
  { entry: "smb-password", menu: "/disk", line: "add slot=nas smb-address=10.0.0.9 smb-password=cnry-smb smb-share=backup smb-user=rb type=smb", secret: "cnry-smb" },
  { entry: "smb-server-password", menu: "/disk", line: "set sata1 smb-export=yes smb-server-password=cnry-smbsrv smb-user=guest", secret: "cnry-smbsrv" },
  { entry: "sshfs-password", menu: "/disk", line: "add slot=remote sshfs-address=10.0.0.9 sshfs-password=cnry-sshfs sshfs-user=rb type=sshfs", secret: "cnry-sshfs" },
  { entry: "nvme-tcp-password", menu: "/disk", line: "add nvme-tcp-address=10.0.0.9 nvme-tcp-password=cnry-nvme slot=nvme1 type=nvme-tcp", secret: "cnry-nvme" },
  { entry: "nvme-tcp-server-password", menu: "/disk", line: "set nvme2 nvme-tcp-export=yes nvme-tcp-server-password=cnry-nvmesrv", secret: "cnry-nvmesrv" },
  { entry: "self-encryption-password", menu: "/disk", line: "set sata1 self-encryption-password=cnry-sed", secret: "cnry-sed" },
  { entry: "mac-auth-password", menu: "/ip hotspot profile", line: "add login-by=mac,http-chap mac-auth-password=cnry-macauth name=hsprof1", secret: "cnry-macauth" },
  { entry: "otp-secret", menu: "/ip hotspot user", line: "add name=guest otp-secret=CNRYOTPSECRET234 server=hotspot1", secret: "CNRYOTPSECRET234" },
  { entry: "ppk-secret", menu: "/ip ipsec peer", line: "add address=198.51.100.7/32 exchange-mode=ike2 name=pq ppk-secret=cnry-ppk", secret: "cnry-ppk" },
  { entry: "socks5-password", menu: "/ip socksify", line: "add name=s1 socks5-password=cnry-socks5 socks5-server=10.0.0.2 socks5-user=u1", secret: "cnry-socks5" },
  { entry: "connection-request-password", menu: "/tr069-client", line: "set acs-url=https://acs.example/ connection-request-password=cnry-tr069 connection-request-username=acs enabled=yes", secret: "cnry-tr069" },
  { entry: "paypal-password", menu: "/user-manager advanced", line: "set paypal-password=cnry-paypal paypal-user=shop", secret: "cnry-paypal" },
  { entry: "web-private-password", menu: "/user-manager advanced", line: "set web-private-password=cnry-webpriv web-private-username=admin", secret: "cnry-webpriv" },
  { entry: "challenge-password", menu: "/certificate scep-server ra", line: "add challenge-password=cnry-scep-challenge name=ra1 scep-server=scep1", secret: "cnry-scep-challenge" },
  { entry: "private-key", menu: "/interface wireguard", line: 'add listen-port=13231 mtu=1420 name=wg0 private-key="CnryWgPrivateKeyAAAAAAAAAAAAAAAAAAAAAAAAAAA="', secret: "CnryWgPrivateKey" },
  { entry: "cak", menu: "/interface macsec", line: "add cak=71f4d4a8b0b4e6a1c7d7d5f0a0b1c2d3 ckn=8a2f0b1c interface=ether2 name=macsec1", secret: "71f4d4a8b0b4e6a1c7d7d5f0a0b1c2d3" },
  { entry: "encryption-key", menu: "/disk", line: "set usb1 encryption=yes encryption-key=cnry-diskkey", secret: "cnry-diskkey" },
  { entry: "hkdf-secret", menu: "/system keymat-provider", line: "add hkdf-hash=sha256 hkdf-secret=c0ffee00c0ffee11c0ffee22 name=k1", secret: "c0ffee00c0ffee11c0ffee22" },
  { entry: "key-val", menu: "/system ntp key", line: "add key-id=1 key-val=cnry-ntp-key", secret: "cnry-ntp-key" },
  { entry: "mtik-key", menu: "/iot bluetooth peripheral-devices", line: "add address=DC:2C:6E:0F:C0:AA mtik-key=cnry-mtik name=tag1", secret: "cnry-mtik" },
  {
    entry: "identity /zerotier",
    menu: "/zerotier",
    line: 'add identity="bc37e1a2c4:0:7a1f00aa:cnryzerotierprivate" interfaces=all name=zt1 port=9993',
    secret: "cnryzerotierprivate",
  },
  { entry: "preshared-key", menu: "/interface wireguard peers", line: 'add allowed-address=10.9.0.2/32 interface=wg0 preshared-key="CnryPskBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=" public-key="Z2JamOjZYOGaf4tPZzchyHjLw/XlOtUtQObyROEQ9DM="', secret: "CnryPsk" },
  { entry: "tcp-md5-key", menu: "/routing bgp connection", line: "add as=65001 local.role=ebgp name=up1 remote.address=192.0.2.1 tcp-md5-key=cnry-md5", secret: "cnry-md5" },
  { entry: "auth-key", menu: "/routing ospf interface-template", line: "add area=backbone auth=md5 auth-id=1 auth-key=cnry-ospf interfaces=ether1", secret: "cnry-ospf" },
  { entry: "authentication-key", menu: "/routing ospf interface", line: "add authentication=md5 authentication-key=cnry-ospf6 interface=ether1", secret: "cnry-ospf6" },
  { entry: "key /routing rip keys", menu: "/routing rip keys", line: "add chain=k1 key=cnry-rip key-id=1", secret: "cnry-rip" },
  { entry: "key /iot lora servers", menu: "/iot lora servers", line: "add address=eu1.cloud.thethings.network key=cnry-lora-key name=ttn", secret: "cnry-lora-key" },
  { entry: "key /ip ipsec key psk", menu: "/ip ipsec key psk", line: "add key=00112233445566778899aabbccddeeffcnry name=ppk1", secret: "00112233445566778899aabbccddeeffcnry" },
  { entry: "authentication-password", menu: "/snmp community", line: "add authentication-password=cnry-snmpauth authentication-protocol=SHA1 name=mon security=private", secret: "cnry-snmpauth" },
  { entry: "encryption-password", menu: "/snmp community", line: "add encryption-password=cnry-snmpenc encryption-protocol=AES name=mon2 security=private", secret: "cnry-snmpenc" },
  { entry: "name /snmp community", menu: "/snmp community", line: "add addresses=10.0.0.0/8 name=cnry-community", secret: "cnry-community" },
  { entry: "trap-community /snmp", menu: "/snmp", line: "set enabled=yes trap-community=cnry-trap trap-version=2", secret: "cnry-trap" },
  { entry: "passphrase", menu: "/interface wifi security", line: "add authentication-types=wpa2-psk,wpa3-psk name=home passphrase=cnry-wifi-pass", secret: "cnry-wifi-pass" },
  { entry: "private-passphrase", menu: "/caps-man access-list", line: "add action=accept mac-address=AA:BB:CC:DD:EE:01 private-passphrase=cnry-capspriv", secret: "cnry-capspriv" },
  { entry: "wpa-pre-shared-key", menu: "/interface wireless security-profiles", line: "add authentication-types=wpa-psk mode=dynamic-keys name=p1 wpa-pre-shared-key=cnry-wpa1", secret: "cnry-wpa1" },
  { entry: "wpa2-pre-shared-key", menu: "/interface wireless security-profiles", line: "add authentication-types=wpa2-psk mode=dynamic-keys name=p2 wpa2-pre-shared-key=cnry-wpa2", secret: "cnry-wpa2" },
  { entry: "private-pre-shared-key", menu: "/interface wireless access-list", line: "add mac-address=AA:BB:CC:DD:EE:02 private-pre-shared-key=cnry-acl-psk", secret: "cnry-acl-psk" },
  { entry: "mschapv2-password", menu: "/interface wireless security-profiles", line: "add mode=dynamic-keys mschapv2-password=cnry-mschap mschapv2-username=u1 name=eap1", secret: "cnry-mschap" },
  { entry: "management-protection-key", menu: "/interface wireless security-profiles", line: "add management-protection=allowed management-protection-key=cnry-mgmt name=p3", secret: "cnry-mgmt" },
  { entry: "static-key-0", menu: "/interface wireless security-profiles", line: "add mode=static-keys-required name=wep0 static-algo-0=40bit-wep static-key-0=c0ffee0001", secret: "c0ffee0001" },
  { entry: "static-key-1", menu: "/interface wireless security-profiles", line: "add mode=static-keys-required name=wep1 static-algo-1=40bit-wep static-key-1=c0ffee0002", secret: "c0ffee0002" },
  { entry: "static-key-2", menu: "/interface wireless security-profiles", line: "add mode=static-keys-required name=wep2 static-algo-2=40bit-wep static-key-2=c0ffee0003", secret: "c0ffee0003" },
  { entry: "static-key-3", menu: "/interface wireless security-profiles", line: "add mode=static-keys-required name=wep3 static-algo-3=40bit-wep static-key-3=c0ffee0004", secret: "c0ffee0004" },
  { entry: "static-sta-private-key", menu: "/interface wireless security-profiles", line: "add mode=static-keys-required name=wep4 static-sta-private-algo=40bit-wep static-sta-private-key=c0ffee0005", secret: "c0ffee0005" },
  { entry: "radius-mac-authentication-password", menu: "/interface wireless security-profiles", line: "add name=radmac radius-mac-authentication=yes radius-mac-authentication-password=cnry-radmac", secret: "cnry-radmac" },
  { entry: "nv2-preshared-key", menu: "/interface wireless", line: "set [ find default-name=wlan1 ] nv2-preshared-key=cnry-nv2 nv2-security=enabled wireless-protocol=nv2", secret: "cnry-nv2" },
  { entry: "nv2-sync-secret", menu: "/interface wireless", line: "set [ find default-name=wlan2 ] nv2-sync-secret=cnry-nv2sync", secret: "cnry-nv2sync" },
  { entry: "sae-password", menu: "/interface wifi security", line: "add authentication-types=wpa3-psk name=wpa3 sae-password=cnry-sae", secret: "cnry-sae" },
  { entry: "sim-pin", menu: "/tool sms", line: "set port=lte1 receive-enabled=yes sim-pin=4821", secret: "4821" },
  { entry: "pin /interface lte", menu: "/interface lte", line: "set [ find default-name=lte1 ] pin=7391", secret: "7391" },
  { entry: "pin /interface ppp-client", menu: "/interface ppp-client", line: "add apn=internet name=ppp-out1 pin=6620 port=usb1", secret: "6620" },
  { entry: "key-passphrase", menu: "/system script", line: 'add name=csr source="/certificate create-certificate-request key-passphrase=cnry-keypass"', secret: "cnry-keypass" },
  { entry: "challenge-passphrase", menu: "/system script", line: 'add name=csr2 source="/certificate create-certificate-request challenge-passphrase=cnry-chall"', secret: "cnry-chall" },
  { entry: "export-passphrase", menu: "/system script", line: 'add name=p12 source="/certificate export-certificate server type=pkcs12 export-passphrase=cnry-p12"', secret: "cnry-p12" },
  { entry: "secret-download-key", menu: "/system script", line: 'add name=cloud source="/system backup cloud download-file action=download secret-download-key=cnry-cloudkey"', secret: "cnry-cloudkey" },
];

/** Every script-bearing parameter, in a menu where RouterOS prints it, with a secret inside. */
const SCRIPT_LINES: readonly CatalogLine[] = [
  { entry: "source /system script", menu: "/system script", line: 'add name=ddns policy=read,write,test source="/tool fetch url=\\"https://dyn.example/update\\" user=me password=cnry-s1"', secret: "cnry-s1" },
  { entry: "source /task", menu: "/task", line: 'add name=t1 source="/tool e-mail send to=a@b.c password=cnry-s2"', secret: "cnry-s2" },
  { entry: "on-event /system scheduler", menu: "/system scheduler", line: 'add interval=1d name=ddns on-event="/ppp secret set [ find name=bob ] password=cnry-s3" start-time=startup', secret: "cnry-s3" },
  { entry: "on-event /tool traffic-monitor", menu: "/tool traffic-monitor", line: 'add interface=ether1 name=tm1 on-event=":local apiToken \\"cnry-s4\\"" threshold=1000000 traffic=received', secret: "cnry-s4" },
  { entry: "on-event /system routerboard mode-button", menu: "/system routerboard mode-button", line: 'set enabled=yes on-event="/interface wifi security set home passphrase=cnry-s5"', secret: "cnry-s5" },
  { entry: "up-script /tool netwatch", menu: "/tool netwatch", line: 'add host=8.8.8.8 interval=30s type=icmp up-script="/tool fetch url=\\"https://hc.example/up\\" user=nw password=cnry-s6"', secret: "cnry-s6" },
  { entry: "down-script /tool netwatch", menu: "/tool netwatch", line: 'add down-script="/tool e-mail send to=noc@example.com password=cnry-s7" host=1.1.1.1', secret: "cnry-s7" },
  { entry: "test-script /tool netwatch", menu: "/tool netwatch", line: 'add host=9.9.9.9 test-script=":global botToken \\"cnry-s8\\"" type=icmp', secret: "cnry-s8" },
  { entry: "lease-script /ip dhcp-server", menu: "/ip dhcp-server", line: 'add address-pool=pool1 interface=bridge lease-script="/tool fetch url=\\"https://ipam.example/\\" password=cnry-s9" name=dhcp1', secret: "cnry-s9" },
  { entry: "script /ip dhcp-client", menu: "/ip dhcp-client", line: 'add interface=ether1 script=":if (\\$bound=1) do={ /tool fetch url=\\"https://ddns.example/\\" password=cnry-s10 }"', secret: "cnry-s10" },
  { entry: "script /ipv6 dhcp-client", menu: "/ipv6 dhcp-client", line: 'add interface=ether1 pool-name=pd request=prefix script="/tool fetch password=cnry-s11 url=\\"https://pd.example/\\""', secret: "cnry-s11" },
  { entry: "binding-script /ipv6 dhcp-server", menu: "/ipv6 dhcp-server", line: 'add binding-script="/tool fetch password=cnry-s12 url=\\"https://b.example/\\"" interface=bridge name=v6srv', secret: "cnry-s12" },
  { entry: "on-alert /ip dhcp-server alert", menu: "/ip dhcp-server alert", line: 'add interface=bridge on-alert="/tool e-mail send to=sec@example.com password=cnry-s13"', secret: "cnry-s13" },
  { entry: "on-up /ppp profile", menu: "/ppp profile", line: 'add name=vpn on-up="/tool fetch url=\\"https://radius.example/up\\" user=r password=cnry-s14"', secret: "cnry-s14" },
  { entry: "on-down /ppp profile", menu: "/ppp profile", line: 'add name=vpn2 on-down="/tool fetch url=\\"https://radius.example/down\\" password=cnry-s15"', secret: "cnry-s15" },
  { entry: "on-login /ip hotspot user profile", menu: "/ip hotspot user profile", line: 'add name=uprof on-login="/tool fetch url=\\"https://portal.example/in\\" password=cnry-s16"', secret: "cnry-s16" },
  { entry: "on-logout /ip hotspot user profile", menu: "/ip hotspot user profile", line: 'add name=uprof2 on-logout="/tool fetch url=\\"https://portal.example/out\\" password=cnry-s17"', secret: "cnry-s17" },
  { entry: "on-master /interface vrrp", menu: "/interface vrrp", line: 'add interface=bridge name=vrrp1 on-master="/ip ipsec peer set [ find name=hq ] secret=cnry-s18" vrid=10', secret: "cnry-s18" },
  { entry: "on-backup /interface vrrp", menu: "/interface vrrp", line: 'add interface=bridge name=vrrp2 on-backup="/interface l2tp-client set l2 password=cnry-s19" vrid=11', secret: "cnry-s19" },
  { entry: "on-fail /interface vrrp", menu: "/interface vrrp", line: 'add interface=bridge name=vrrp3 on-fail="/tool e-mail send password=cnry-s20" vrid=12', secret: "cnry-s20" },
  { entry: "on-message /iot mqtt subscriptions", menu: "/iot mqtt subscriptions", line: 'add broker=b1 on-message="/iot mqtt publish broker=b1 message=x topic=y; :local mqttPass \\"cnry-s21\\"" topic=cmd', secret: "cnry-s21" },
  { entry: "do", menu: "/system script", line: 'add name=d1 source=":do do=\\"/tool fetch password=cnry-s22\\""', secret: "cnry-s22" },
  { entry: "on-error", menu: "/system script", line: 'add name=d2 source=":do { :put 1 } on-error=\\"/tool fetch password=cnry-s23\\""', secret: "cnry-s23" },
  { entry: "else", menu: "/system script", line: 'add name=d3 source=":if (1=2) do={ :put 1 } else=\\"/tool fetch password=cnry-s24\\""', secret: "cnry-s24" },
];

const KEYED_LINES: readonly CatalogLine[] = [
  { entry: "value /container envs", menu: "/container envs", line: "add key=DB_PASSWORD name=db value=cnry-env-db", secret: "cnry-env-db" },
];

/** Which catalog entry a line proves, as the `entry` strings above name them. */
const entryName = (e: { name: string; menus?: readonly string[] }, menu?: string) => (e.menus ? `${e.name} ${menu}` : e.name);

describe("routeros catalog: one export line per entry, each sealed and restored", function () {
  let pair: TestAgePair;
  before(async () => {
    pair = await makeAgePair();
  });
  const seal = (text: string) => sealValues(text, { platform: ROUTEROS, recipients: [pair.recipient], previous: {}, indexKey: testIndexKey(), context: "t/d" });

  it("every sensitive entry has a fixture line (menu-restricted entries: one per menu printed above)", () => {
    const proven = new Set(SENSITIVE_LINES.map((l) => l.entry));
    for (const p of SENSITIVE_PARAMS) {
      const ok = p.menus ? p.menus.some((m) => proven.has(entryName(p, m))) : proven.has(p.name);
      assert.ok(ok, `no fixture line for ${entryName(p, p.menus?.[0])}`);
    }
  });

  it("every script-bearing parameter and env-like menu has a fixture line", () => {
    const proven = new Set([...SCRIPT_LINES, ...KEYED_LINES].map((l) => l.entry));
    for (const p of SCRIPT_PARAMS) {
      const ok = p.menus ? p.menus.some((m) => proven.has(`${p.name} ${m}`)) : proven.has(p.name);
      assert.ok(ok, `no fixture line for script parameter ${p.name} ${p.menus?.[0] ?? ""}`);
    }
    for (const k of KEYED_SECRETS) for (const m of k.menus) assert.ok(proven.has(`${k.valueParam} ${m}`), `no fixture line for ${m}`);
  });

  for (const l of [...SENSITIVE_LINES, ...SCRIPT_LINES, ...KEYED_LINES]) {
    it(`${l.entry}: ${l.menu} is sealed and restored byte for byte`, async () => {
      const text = `${l.menu}\n${l.line}\n`;
      assert.ok(text.includes(l.secret), "the fixture holds its secret");
      const r = await seal(text);
      assert.ok(r.sealed >= 1, "at least one value sealed");
      assert.ok(!r.text.includes(l.secret), `the secret is gone: ${r.text.slice(0, 200)}`);
      assert.equal(await unsealText(r.text, [pair.identity], ROUTEROS), text);
    });
  }

  it("leaves the readable parts of a script readable (URLs without credentials, user names, commands)", async () => {
    const l = SCRIPT_LINES[0]!;
    const r = await seal(`${l.menu}\n${l.line}\n`);
    assert.ok(r.text.includes('source="/tool fetch url=\\"https://dyn.example/update\\" user=me password=age:'), r.text);
  });

  it("an env whose key names no secret stays readable; one without a key on its line is sealed", async () => {
    const text = "/container envs\nadd key=TZ name=db value=Europe/Vienna\nadd key=api_token list=app value=cnry-env-tok\nset [ find ] value=cnry-env-nokey\n";
    const r = await seal(text);
    assert.equal(r.sealed, 2);
    assert.ok(r.text.includes("value=Europe/Vienna"));
    assert.ok(!r.text.includes("cnry-env-tok") && !r.text.includes("cnry-env-nokey"));
  });

  it("macsec ckn (the key's name, sent in clear) stays readable", async () => {
    const r = await seal("/interface macsec\nadd cak=71f4d4a8b0b4e6a1c7d7d5f0a0b1c2d3 ckn=8a2f0b1c interface=ether2 name=macsec1\n");
    assert.ok(r.text.includes("ckn=8a2f0b1c"));
  });

  it("identity is a secret under /zerotier only (elsewhere it is a user name)", async () => {
    const r = await seal('/interface dot1x client\nadd identity=alice interface=ether1 password=cnry-dot1x\n');
    assert.ok(r.text.includes("identity=alice"));
  });
});
