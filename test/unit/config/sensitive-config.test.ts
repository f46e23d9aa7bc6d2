import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../../src/config/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { extendPlatform, isSensitive } from "../../../src/seal/index.js";

const A = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const B = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg";
const config = (top = "", acme = "") => `
encryption:
  recipients: [${A}]
  identity_file: ./global-identity.txt
${top}
tenants:
  acme:
${acme}    devices:
      - { id: core-1, host: 10.0.0.1 }
  other:
    devices:
      - { id: edge-1, host: 10.0.0.2 }
`;

function problems(text: string): string[] {
  try {
    loadConfig(text, { baseDir: "/etc/rosarchive" });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail("config was accepted");
}

describe("config: per-tenant encryption", () => {
  it("a tenant's own block replaces the global one for that tenant only", () => {
    const c = loadConfig(config("", `    encryption: { recipients: [${B}], identity_file: ./acme-identity.txt }\n`), { baseDir: "/etc/rosarchive" });
    const acme = c.tenants.get("acme")!;
    assert.deepEqual(acme.encryption, { recipients: [B], identityFile: "/etc/rosarchive/acme-identity.txt" });
    assert.equal(acme.ownEncryption, true);
    const other = c.tenants.get("other")!;
    assert.deepEqual(other.encryption, { recipients: [A], identityFile: "/etc/rosarchive/global-identity.txt" });
    assert.equal(other.ownEncryption, false);
  });

  it("a tenant's block without identity_file has none (the global identity is not used for it)", () => {
    const c = loadConfig(config("", `    encryption: { recipients: [${B}] }\n`), { baseDir: "/etc/rosarchive" });
    assert.equal(c.tenants.get("acme")!.encryption.identityFile, null);
  });

  it("refuses a bad tenant block, naming the key path", () => {
    assert.deepEqual(problems(config("", "    encryption: { recipients: [] }\n")), ["tenants.acme.encryption.recipients: at least one recipient is required"]);
    assert.deepEqual(problems(config("", "    encryption: { recipients: [age1nope] }\n")), [
      "tenants.acme.encryption.recipients[0]: must be an age X25519 recipient (age1..., from `rosarchive keygen`)",
    ]);
    assert.deepEqual(problems(config("", `    encryption: { recipients: [${B}], identity: x }\n`)), ["tenants.acme.encryption.identity: unknown key"]);
  });
});

describe("config: sensitive extensions", () => {
  it("adds parameters, script parameters and secret words, with menus in export form", () => {
    const c = loadConfig(
      config(`sensitive:
  params:
    - { name: api-key, menus: ["/tool/custom thing", "/ip hotspot"], reason: "our module" }
    - { name: bot-token }
  script_params:
    - { name: on-change, menus: ["/tool custom"] }
  secret_words: [bearer, Cookie]
  seal_whole_scripts: false`),
      { baseDir: "/etc/rosarchive" },
    );
    assert.deepEqual(c.sensitive.params, [
      { name: "api-key", menus: ["/tool custom thing", "/ip hotspot"], reason: "our module" },
      { name: "bot-token", reason: "sealed value added in the config (sensitive)" },
    ]);
    assert.deepEqual(c.sensitive.secretWords, ["BEARER", "COOKIE"]);
    const platform = extendPlatform(ROUTEROS, c.sensitive);
    assert.ok(isSensitive("/tool custom thing", "api-key", platform.sensitiveParams));
    assert.ok(isSensitive("/anything", "bot-token", platform.sensitiveParams));
    assert.equal(isSensitive("/tool custom", "api-key", platform.sensitiveParams), false);
    assert.ok(platform.secretWords.includes("COOKIE") && platform.secretWords.includes("PASS"), "words add to the built-in ones");
    assert.equal(extendPlatform(ROUTEROS, c.sensitive), platform, "one extended platform per config");
  });

  it("without a sensitive block the platform is RouterOS itself", () => {
    const c = loadConfig(config(), { baseDir: "/etc/rosarchive" });
    assert.equal(extendPlatform(ROUTEROS, c.sensitive), ROUTEROS);
  });

  it("refuses bad extensions, each error naming its key path", () => {
    assert.deepEqual(
      problems(
        config(`sensitive:
  params:
    - { name: "Api Key" }
    - { name: x, menus: ["tool custom"] }
    - { name: y, menus: [] }
    - { menus: ["/tool"] }
    - { name: z, why: nothing }
  script_params: { name: a }
  secret_words: ["a", "has space", 7]
  seal_whole_scripts: "yes"
  hide: [password]`),
      ).sort(),
      [
        "sensitive.hide: unknown key",
        'sensitive.params[0].name: must be a RouterOS parameter name as printed, e.g. api-key',
        'sensitive.params[1].menus[0]: must be a menu path like "/ip hotspot user"',
        "sensitive.params[2].menus: list at least one menu, or leave menus out for every menu",
        "sensitive.params[3].name: required",
        "sensitive.params[4].why: unknown key",
        "sensitive.script_params: must be a list of { name, menus?, reason? }",
        "sensitive.secret_words[0]: must be 2 to 32 letters, digits, _ or -",
        "sensitive.secret_words[1]: must be 2 to 32 letters, digits, _ or -",
        "sensitive.secret_words[2]: must be a word",
        "sensitive.seal_whole_scripts: must be true or false",
      ].sort(),
    );
  });
});
