#!/usr/bin/env node
// A webhook receiver for rosarchive that verifies each delivery's signature.
//
//   WEBHOOK_SECRET=... node webhook-receiver.mjs            # listens on 127.0.0.1:8090
//   WEBHOOK_SECRET=... PORT=0 node webhook-receiver.mjs     # any free port (printed)
//
// It prints one JSON line per verified event on stdout and answers 204; a
// delivery whose signature does not verify gets 401 and is not printed.
// Deliveries are at least once: the same X-Rosarchive-Delivery may arrive
// again after a timeout or a restart, so it is acted on once. Node 18+, no
// dependencies.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error("set WEBHOOK_SECRET to the webhook's secret (the value of its secret_env or secret_file)");
  process.exit(1);
}
const MAX_BODY = 1024 * 1024;
const seen = new Set(); // delivery ids already handled; a real receiver keeps them in its database

/** `sha256=<hex>` over the exact bytes received: never over re-serialized JSON. */
function verified(body, header) {
  if (typeof header !== "string") return false;
  const want = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

const server = http.createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    size += c.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(c);
  });
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    if (!verified(body, req.headers["x-rosarchive-signature-256"])) {
      res.writeHead(401, { "content-type": "text/plain" }).end("bad signature\n");
      return;
    }
    const delivery = req.headers["x-rosarchive-delivery"];
    if (!seen.has(delivery)) {
      seen.add(delivery);
      const event = JSON.parse(body.toString("utf8"));
      // Act on it here: open a ticket, post to chat, pull the repository...
      console.log(JSON.stringify({ verified: true, delivery, event: event.event, tenant: event.tenant, device: event.device, commit: event.commit ?? null }));
    }
    res.writeHead(204).end();
  });
});

server.listen(Number(process.env.PORT ?? 8090), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address();
  console.error(`listening on http://${address}:${port}/`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
