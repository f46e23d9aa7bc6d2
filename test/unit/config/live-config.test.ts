import assert from "node:assert/strict";
import { LiveConfig, loadConfig } from "../../../src/config/index.js";

const text = (listen: string) => `listen: ${listen}\nencryption:\n  recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p]\ntenants: {}\n`;

describe("config: LiveConfig, the one owner of the live configuration", () => {
  it("readers see a replacement at once; subscribers hear it with the previous one; unsubscribed ones do not", () => {
    const a = loadConfig(text("127.0.0.1:8080"), { baseDir: "/tmp" });
    const b = loadConfig(text("127.0.0.1:9090"), { baseDir: "/tmp" });
    const live = new LiveConfig(a);
    const read = live.source;
    const heard: Array<[number, number]> = [];
    const off = live.onChange((next, prev) => heard.push([next.listen.port, prev.listen.port]));
    assert.equal(read().listen.port, 8080);
    live.replace(b);
    assert.equal(read().listen.port, 9090);
    off();
    live.replace(a);
    assert.deepEqual(heard, [[9090, 8080]]);
    assert.equal(read(), a);
  });
});
