// A webhook receiver built the way Plain tells integrators to build one: every
// delivery is checked with the SDK's own verifyPlainWebhook (signature, payload
// schema of the SDK's version, timestamp tolerance). internal/e2e drives it
// against plain-mock's real deliveries; it is not a service, it listens on
// loopback only and lives as long as the test.
//
//   node receiver.mjs            prints "receiver listening on http://127.0.0.1:PORT"
//
// Control (JSON over the same listener, for the test):
//   POST /_control {"secrets": ["current", "other"], "statuses": {"/flaky": [500, 500, 200]}}
//        secrets: every delivery is verified with each; the first decides the answer
//        (200 when it verifies, 401 when the SDK rejects it).
//        statuses: per path, answers to give in turn instead (the last one repeats).
//   GET /_log  every delivery so far: path, headers, the SDK's verdict per secret, status.
import { createServer } from 'node:http';
import { verifyPlainWebhook } from '@team-plain/typescript-sdk';

let secrets = [];
let statuses = {};
const log = [];

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function verdict(raw, signature, secret) {
  const res = verifyPlainWebhook(raw, signature, secret);
  if (res.error) {
    return `${res.error.constructor.name}: ${res.error.message}`;
  }
  return 'ok';
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  try {
    const raw = await readBody(req);
    const path = new URL(req.url, 'http://receiver').pathname;
    if (path === '/_control' && req.method === 'POST') {
      const c = JSON.parse(raw);
      if (c.secrets) secrets = c.secrets;
      if (c.statuses) statuses = c.statuses;
      return answer(res, 200, { ok: true });
    }
    if (path === '/_log' && req.method === 'GET') {
      return answer(res, 200, log);
    }
    const signature = req.headers['plain-request-signature'] ?? '';
    const verified = {};
    for (const s of secrets) verified[s] = verdict(raw, signature, s);
    let status = secrets.length > 0 && verified[secrets[0]] === 'ok' ? 200 : 401;
    const plan = statuses[path];
    if (plan && plan.length > 0) {
      status = plan.length > 1 ? plan.shift() : plan[0];
    }
    let body = {};
    try {
      body = JSON.parse(raw);
    } catch {
      // recorded as is: the test fails on the verdict
    }
    log.push({
      path,
      method: req.method,
      headers: req.headers,
      verified,
      status,
      eventId: body.id ?? null,
      eventType: body.type ?? null,
      attemptNumber: body.webhookMetadata?.webhookDeliveryAttemptNumber ?? null,
      targetVersion: body.webhookMetadata?.webhookTargetVersion ?? null,
    });
    res.writeHead(status);
    res.end();
  } catch (e) {
    answer(res, 500, { error: String(e) });
  }
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`receiver listening on http://127.0.0.1:${port}\n`);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
