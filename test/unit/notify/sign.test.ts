import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { signBody, standardWebhookHeaders, verifySignature } from "../../../src/notify/index.js";

describe("notify: webhook signatures", () => {
  it("is sha256= and the hex HMAC-SHA256 of the exact body (RFC 4231 test case 2)", () => {
    assert.equal(signBody("Jefe", "what do ya want for nothing?"), "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });

  it("verifies the exact bytes only: another body, another secret, a missing or malformed header fail", () => {
    const body = Buffer.from('{"event":"config.changed"}');
    const header = signBody("s3cret", body);
    assert.equal(verifySignature("s3cret", body, header), true);
    assert.equal(verifySignature("s3cret", Buffer.from('{"event":"config.changed"} '), header), false);
    assert.equal(verifySignature("other", body, header), false);
    assert.equal(verifySignature("s3cret", body, undefined), false);
    assert.equal(verifySignature("s3cret", body, header.slice(0, -1)), false);
  });
});

describe("notify: Standard Webhooks headers (a signed timestamp against replays)", () => {
  it("match the scheme's published example: id, timestamp and body signed with the whsec_ key", () => {
    const h = standardWebhookHeaders("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}');
    assert.deepEqual(h, { "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330", "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" });
  });

  it("verify with the scheme's own library; a changed body or a replay after five minutes is refused", () => {
    const secret = "whsec_" + Buffer.from("a 24-byte webhook secret").toString("base64");
    const body = '{"event":"config.changed","id":"8d0c1ad0-0000-4000-8000-000000000000"}';
    const now = Math.floor(Date.now() / 1000);
    const wh = new Webhook(secret);
    assert.deepEqual(wh.verify(body, standardWebhookHeaders(secret, "8d0c1ad0", now, body)), JSON.parse(body));
    assert.throws(() => wh.verify(body.replace("changed", "chang3d"), standardWebhookHeaders(secret, "8d0c1ad0", now, body)));
    assert.throws(() => wh.verify(body, standardWebhookHeaders(secret, "8d0c1ad0", now - 600, body)), /timestamp/i);
  });
});
