// Drives Plain's official TypeScript SDK (@team-plain/typescript-sdk,
// pinned in package-lock.json) against plain-mock on loopback and checks
// every result the SDK hands back: values, not just "no exception". Beyond
// what plainsync uses it covers webhookVersions, subscriptionEventTypes,
// filtered and backward-paged delivery attempts, backward target pages,
// publicEventRequestBody, real deliveries verified with the SDK, and
// Plain's answers to mixed pagination, a missing permission and the 26th
// target.
//
//   node interop.mjs            # uses ../../bin/plain-mock
//   PLAIN_MOCK=/path/to/plain-mock node interop.mjs
//
// make interop builds the binary, runs npm ci when needed, then this.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import sdk from '@team-plain/typescript-sdk';

const { PlainClient } = sdk;
const here = dirname(fileURLToPath(import.meta.url));
const mockBin = process.env.PLAIN_MOCK || resolve(here, '../../bin/plain-mock');

const KEY = 'plainApiKey_interop';
const RO_KEY = 'plainApiKey_interop_ro';
const SEEDED_ID = 'whTarget_01HD4400VTDJQ646V6RY37SR7K';
const WORKSPACE = 'w_01INTEROP0000000000000000';

// The state the mock starts from: one older target with one delivery
// attempt of every result kind, for the rawRequest step.
const seededState = {
  workspace: { id: WORKSPACE, name: 'Interop' },
  targets: [
    {
      id: SEEDED_ID,
      url: 'https://seeded.example.com/hook',
      description: 'seeded',
      eventTypes: ['thread.thread_created'],
      version: '2026-05-06',
      enabled: true,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    },
  ],
  deliveryAttempts: [
    attempt(1, 'successful_response', { httpStatusCode: 200 }),
    attempt(2, 'failed_response', { httpStatusCode: 503 }),
    attempt(3, 'error', { errorCode: 'ETIMEDOUT', message: 'The webhook target did not respond within 10 seconds.' }),
    attempt(4, 'rejected', { message: 'The webhook target URL resolves to a private IP address.' }),
    attempt(5, 'schema_validation_failed', { message: 'The payload did not validate.' }),
  ],
};

function attempt(n, result, extra) {
  return {
    id: `whAttempt_${String(n).padStart(26, '0')}`,
    webhookTargetId: SEEDED_ID,
    publicEventId: `pEv_${String(n).padStart(26, '0')}`,
    eventType: 'thread.thread_created',
    attemptedAt: `2026-01-0${n + 1}T00:00:00Z`,
    durationInMilliseconds: 10 * n,
    result,
    ...extra,
  };
}

let passed = 0;
async function step(name, fn) {
  try {
    await fn();
  } catch (err) {
    console.error(`not ok ${passed + 1} - ${name}`);
    throw err;
  }
  passed++;
  console.log(`ok ${passed} - ${name}`);
}

// startMock runs plain-mock on a free loopback port and returns its URL
// (from --url-file) and a stop function.
async function startMock(dir, name, extraArgs) {
  const urlFile = join(dir, `${name}.url`);
  const args = ['--addr', '127.0.0.1:0', '--url-file', urlFile, ...extraArgs];
  const child = spawn(mockBin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  for (let i = 0; i < 200 && !existsSync(urlFile); i++) {
    if (exited) throw new Error(`plain-mock exited early: ${JSON.stringify(exited)}`);
    await sleep(25);
  }
  if (!existsSync(urlFile)) throw new Error('plain-mock did not write --url-file within 5 s');
  const url = readFileSync(urlFile, 'utf8').trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/graphql\/v1$/);
  return {
    url,
    stop: () =>
      new Promise((done) => {
        if (exited) return done();
        child.on('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// checkTarget asserts the shape of the SDK's WebhookTargetParts.
function checkTarget(t, want) {
  assert.match(t.id, /^whTarget_[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.equal(t.url, want.url);
  assert.equal(t.description, want.description);
  assert.equal(t.isEnabled, want.isEnabled);
  assert.deepEqual(
    t.eventSubscriptions,
    want.eventTypes.map((eventType) => ({ __typename: 'WebhookTargetEventSubscription', eventType }))
  );
  for (const at of [t.createdAt, t.updatedAt]) {
    assert.equal(at.__typename, 'DateTime');
    assert.match(at.iso8601, ISO);
    assert.equal(at.unixTimestamp, String(Date.parse(at.iso8601)));
  }
  for (const actor of [t.createdBy, t.updatedBy]) {
    assert.equal(actor.__typename, 'MachineUserActor');
    // Plain documents no machine-user prefix: only the id shape of its
    // payload schema (a type prefix, _, a 26-character ULID) is asserted.
    assert.match(actor.machineUserId, /^[a-zA-Z]+_[0-9A-HJKMNP-TV-Z]{26}$/);
  }
  assert.equal(t.createdBy.machineUserId, t.updatedBy.machineUserId);
}

// The rest of the webhook surface, beyond what plainsync uses, as any client
// of Plain's API would drive it: through the SDK's methods, rawRequest where
// the SDK has none, and plain fetch where the SDK cannot show the answer.
// Its own mock instance and Plain-shaped fixtures, so that nothing above
// shifts what it sees.
const S_KEY = 'plainApiKey_surface';
const S_WO_KEY = 'plainApiKey_surface_create_only';
const S_WORKSPACE = 'w_01HD4400VTDJQ646V6RY37SR7W';
const S_TARGET = 'whTarget_01HD4400VTDJQ646V6RY37SR7K';

// Six attempts on S_TARGET, oldest first: two event types, three results.
const surfaceAttempts = [
  ['J', 'A', 'thread.thread_created', 'successful_response', { httpStatusCode: 200 }],
  ['K', 'B', 'customer.customer_created', 'failed_response', { httpStatusCode: 503 }],
  ['M', 'B', 'customer.customer_created', 'successful_response', { httpStatusCode: 204 }],
  ['N', 'C', 'thread.thread_created', 'failed_response', { httpStatusCode: 500 }],
  ['P', 'C', 'thread.thread_created', 'error', { errorCode: 'ECONNRESET', message: 'The webhook target closed the connection before responding.' }],
  ['Q', 'D', 'customer.customer_created', 'failed_response', { httpStatusCode: 410 }],
].map(([a, e, eventType, result, extra], i) => ({
  id: `whAttempt_01HD450N6X782MDTDBMS6Z14D${a}`,
  webhookTargetId: S_TARGET,
  publicEventId: `pEv_01HD450JT0RPBT7RRKS1ZQJYB${e}`,
  eventType,
  attemptedAt: `2026-02-0${i + 1}T00:00:00Z`,
  durationInMilliseconds: 5,
  result,
  ...extra,
}));

const versionsDoc = `query($first: Int, $after: String, $last: Int, $before: String) {
  webhookVersions(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { __typename version isDeprecated isLatest } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

const attemptsDoc = `query($id: ID!, $filters: WebhookDeliveryAttemptFilter, $first: Int, $after: String, $last: Int, $before: String) {
  webhookDeliveryAttempts(webhookTargetId: $id, filters: $filters, first: $first, after: $after, last: $last, before: $before) {
    edges { node { id publicEventId publicEventEventType result { __typename
      ... on WebhookDeliveryAttemptSuccessfulResult { status }
      ... on WebhookDeliveryAttemptFailedResult { status httpStatusCode }
      ... on WebhookDeliveryAttemptErrorResult { status errorCode } } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

const bodyDoc = 'query($id: ID!) { publicEventRequestBody(publicEventId: $id) }';

// startHookReceiver listens on loopback and keeps every request.
async function startHookReceiver() {
  const got = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, got, close: () => new Promise((done) => server.close(done)) };
}

// admin calls plain-mock's admin API (the events Plain's users cause).
async function admin(mockUrl, path, body) {
  const res = await fetch(mockUrl.replace(/\/graphql\/v1$/, path), {
    method: 'POST', headers: { Authorization: `Bearer ${S_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

async function surfaceSteps(dir, mocks) {
  const statePath = join(dir, 'surface.json');
  writeFileSync(statePath, JSON.stringify({
    workspace: { id: S_WORKSPACE, name: 'Surface' },
    targets: [{ id: S_TARGET, url: 'https://seeded.example.com/hook', description: 'seeded', eventTypes: ['thread.thread_created', 'customer.customer_created'],
      version: '2026-02-27', enabled: false, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }],
    deliveryAttempts: surfaceAttempts,
  }));
  const mock = await startMock(dir, 'surface', ['--state', statePath, '--key', S_KEY, '--key', `${S_WO_KEY}=webhookTarget:create`]);
  mocks.push(mock);
  const plain = new PlainClient({ apiKey: S_KEY, apiUrl: mock.url });
  const raw = async (query, variables = {}) => {
    const res = await plain.rawRequest({ query, variables });
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    return res.data;
  };

  await step('webhookVersions lists the evidenced versions, forward and backward', async () => {
    const all = (await raw(versionsDoc, { first: 100 })).webhookVersions;
    assert.deepEqual(all.edges.map((e) => e.node), [
      { __typename: 'WebhookVersion', version: '2026-05-06', isDeprecated: false, isLatest: true },
      { __typename: 'WebhookVersion', version: '2026-04-21', isDeprecated: false, isLatest: false },
      { __typename: 'WebhookVersion', version: '2026-02-27', isDeprecated: false, isLatest: false },
      { __typename: 'WebhookVersion', version: '2025-08-06', isDeprecated: false, isLatest: false },
      { __typename: 'WebhookVersion', version: '2025-07-30', isDeprecated: false, isLatest: false },
      { __typename: 'WebhookVersion', version: '2024-09-18', isDeprecated: false, isLatest: false },
      { __typename: 'WebhookVersion', version: 'unversioned', isDeprecated: true, isLatest: false },
    ]);
    const tail = (await raw(versionsDoc, { last: 2 })).webhookVersions;
    assert.deepEqual(tail.edges.map((e) => e.node.version), ['2024-09-18', 'unversioned']);
    assert.equal(tail.pageInfo.hasPreviousPage, true);
    assert.equal(tail.pageInfo.hasNextPage, false);
    const before = (await raw(versionsDoc, { last: 2, before: tail.pageInfo.startCursor })).webhookVersions;
    assert.deepEqual(before.edges.map((e) => e.node.version), ['2025-08-06', '2025-07-30']);
  });

  await step('subscriptionEventTypes lists the 30 event types', async () => {
    const { subscriptionEventTypes: types } = await raw('{ subscriptionEventTypes { __typename eventType description } }');
    assert.equal(types.length, 30);
    assert.ok(types.every((t) => t.__typename === 'SubscriptionEventType' && /^[a-z_]+\.[a-z_]+$/.test(t.eventType) && t.description.length > 0));
    assert.deepEqual(types.map((t) => t.eventType), [...types.map((t) => t.eventType)].sort());
    assert.ok(types.some((t) => t.eventType === 'thread.thread_created'));
  });

  await step('webhookDeliveryAttempts filters by event type and result status', async () => {
    const ids = async (filters) =>
      (await raw(attemptsDoc, { id: S_TARGET, filters, first: 100 })).webhookDeliveryAttempts.edges.map((e) => e.node.id.slice(-1));
    // Newest first.
    assert.deepEqual(await ids(undefined), ['Q', 'P', 'N', 'M', 'K', 'J']);
    assert.deepEqual(await ids({ eventTypes: ['customer.customer_created'] }), ['Q', 'M', 'K']);
    assert.deepEqual(await ids({ resultStatus: 'FAILED_RESPONSE' }), ['Q', 'N', 'K']);
    assert.deepEqual(await ids({ eventTypes: ['thread.thread_created'], resultStatus: 'FAILED_RESPONSE' }), ['N']);
    assert.deepEqual(await ids({ resultStatus: 'ERROR' }), ['P']);
    const failed = (await raw(attemptsDoc, { id: S_TARGET, filters: { resultStatus: 'FAILED_RESPONSE' }, first: 1 })).webhookDeliveryAttempts;
    assert.deepEqual(failed.edges[0].node.result, { __typename: 'WebhookDeliveryAttemptFailedResult', status: 'FAILED_RESPONSE', httpStatusCode: 410 });
    assert.equal(failed.pageInfo.hasNextPage, true);
  });

  await step('webhookDeliveryAttempts pages backward with last/before', async () => {
    const page = async (v) => (await raw(attemptsDoc, { id: S_TARGET, ...v })).webhookDeliveryAttempts;
    const oldest = await page({ last: 2 });
    assert.deepEqual(oldest.edges.map((e) => e.node.id.slice(-1)), ['K', 'J']);
    assert.equal(oldest.pageInfo.hasPreviousPage, true);
    const prev = await page({ last: 2, before: oldest.pageInfo.startCursor });
    assert.deepEqual(prev.edges.map((e) => e.node.id.slice(-1)), ['N', 'M']);
    const filtered = await page({ last: 1, filters: { eventTypes: ['thread.thread_created'] } });
    assert.deepEqual(filtered.edges.map((e) => e.node.publicEventId), ['pEv_01HD450JT0RPBT7RRKS1ZQJYBA']);
  });

  const made = [];
  await step('getWebhookTargets pages backward with last/before', async () => {
    for (const d of ['s1', 's2', 's3']) {
      const res = await plain.createWebhookTarget({ url: `https://${d}.example.com/`, description: d, eventSubscriptions: [], isEnabled: false });
      assert.equal(res.error, undefined, JSON.stringify(res.error));
      made.push(res.data.id);
    }
    const last = await plain.getWebhookTargets({ last: 2 });
    assert.equal(last.error, undefined, JSON.stringify(last.error));
    assert.deepEqual(last.data.webhookTargets.map((t) => t.description), ['s2', 's3']);
    assert.equal(last.data.pageInfo.hasPreviousPage, true);
    assert.equal(last.data.pageInfo.hasNextPage, false);
    const before = await plain.getWebhookTargets({ last: 2, before: last.data.pageInfo.startCursor });
    assert.deepEqual(before.data.webhookTargets.map((t) => t.id), [S_TARGET, made[0]]);
    assert.equal(before.data.pageInfo.hasPreviousPage, false);
  });

  await step('first/after mixed with last/before is BAD_USER_INPUT, not a page', async () => {
    const cursor = (await plain.getWebhookTargets({ first: 2 })).data.pageInfo.endCursor;
    // On the wire: HTTP 200, one BAD_USER_INPUT error on the field, data null
    // (Plain's pagination docs: mixing them "will result in a validation error").
    const res = await fetch(mock.url, {
      method: 'POST', headers: { Authorization: `Bearer ${S_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'query($c: String) { webhookTargets(first: 2, before: $c) { edges { cursor } } }', variables: { c: cursor } }),
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.data, null);
    assert.equal(body.errors.length, 1);
    assert.equal(body.errors[0].extensions.code, 'BAD_USER_INPUT');
    assert.deepEqual(body.errors[0].path, ['webhookTargets']);
    assert.match(body.errors[0].message, /must not be mixed; got first with before\./);
    // The SDK 5.12.1 hands back a 200's data and drops its errors: no page
    // reaches the caller, and its typed method fails on the null.
    assert.deepEqual(await plain.rawRequest({ query: 'query($c: String) { webhookTargets(last: 2, after: $c) { edges { cursor } } }', variables: { c: cursor } }), { data: null });
    await assert.rejects(plain.getWebhookTargets({ first: 2, before: cursor }), TypeError);
  });

  const hook = await startHookReceiver();
  try {
    let target;
    let secret;
    await step('a delivery carries Plain-Webhook-Target-Version and verifies with the SDK', async () => {
      const res = await plain.createWebhookTarget({
        url: hook.url, description: 'sdk hook', eventSubscriptions: [{ eventType: 'thread.thread_created' }], isEnabled: true, version: '2026-02-27',
      });
      assert.equal(res.error, undefined, JSON.stringify(res.error));
      target = res.data;
      const regen = await raw('mutation { regenerateWorkspaceHmac { workspaceHmac { hmacSecret } error { message } } }');
      secret = regen.regenerateWorkspaceHmac.workspaceHmac.hmacSecret;
      const emitted = await admin(mock.url, '/mock/v1/events', { eventType: 'thread.thread_created', count: 2 });
      assert.equal(emitted.deliveries, 2);
      assert.equal(hook.got.length, 2);
      for (const d of hook.got) {
        assert.equal(d.headers['plain-webhook-target-version'], '2026-02-27');
        assert.equal(d.headers['plain-webhook-target-id'], target.id);
        assert.equal(d.headers['plain-workspace-id'], S_WORKSPACE);
        assert.ok(emitted.eventIds.includes(d.headers['plain-event-id']));
        const verified = sdk.verifyPlainWebhook(d.body, d.headers['plain-request-signature'], secret);
        assert.equal(verified.error, undefined, String(verified.error));
        assert.equal(verified.data.webhookMetadata.webhookTargetVersion, '2026-02-27');
        assert.equal(verified.data.id, d.headers['plain-event-id']);
      }
    });

    await step('publicEventRequestBody is the exact body delivered, null after 30 days', async () => {
      for (const d of hook.got) {
        const id = d.headers['plain-event-id'];
        assert.deepEqual(await raw(bodyDoc, { id }), { publicEventRequestBody: d.body });
      }
      assert.deepEqual(await raw(bodyDoc, { id: 'pEv_01HD450JT0RPBT7RRKS1ZQJYBA' }), { publicEventRequestBody: null });
      const ids = hook.got.map((d) => d.headers['plain-event-id']);
      await admin(mock.url, '/mock/v1/age-attempts', { by: '719h' });
      assert.equal((await raw(bodyDoc, { id: ids[0] })).publicEventRequestBody, hook.got[0].body);
      await admin(mock.url, '/mock/v1/age-attempts', { by: '1h' });
      for (const id of ids) assert.deepEqual(await raw(bodyDoc, { id }), { publicEventRequestBody: null });
    });
  } finally {
    await hook.close();
  }

  await step('a key without webhookTarget:read gets the SDK forbidden result for queries', async () => {
    const wo = new PlainClient({ apiKey: S_WO_KEY, apiUrl: mock.url });
    const forbidden = { type: 'forbidden', message: 'Forbidden: the API key lacks the permission webhookTarget:read.', requestId: undefined };
    // HTTP 403 with FORBIDDEN, which the SDK maps to its forbidden result.
    assert.deepEqual(await wo.getWebhookTargets({ first: 10 }), { error: forbidden });
    assert.deepEqual(await wo.getWebhookTargetById({ id: S_TARGET }), { error: forbidden });
    assert.deepEqual(await wo.rawRequest({ query: bodyDoc, variables: { id: 'pEv_01HD450JT0RPBT7RRKS1ZQJYBA' } }), { error: forbidden });
    assert.deepEqual(await wo.rawRequest({ query: '{ webhookVersions { edges { node { version } } } }', variables: {} }), { error: forbidden });
    // Its own permission still works; a mutation it lacks is the typed result.
    const res = await wo.createWebhookTarget({ url: 'https://wo.example.com/', description: 'wo', eventSubscriptions: [], isEnabled: false });
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    assert.deepEqual(await wo.deleteWebhookTarget({ webhookTargetId: res.data.id }), {
      error: { type: 'forbidden', message: 'Forbidden: the API key lacks the permission webhookTarget:delete.', requestId: undefined },
    });
    const perms = await wo.rawRequest({ query: '{ myPermissions { permissions } }', variables: {} });
    assert.deepEqual(perms, { data: { myPermissions: { permissions: ['webhookTarget:create'] } } });
  });
}

async function main() {
  assert.ok(existsSync(mockBin), `no plain-mock binary at ${mockBin} (run make build)`);
  const dir = mkdtempSync(join(tmpdir(), 'plain-sdk-interop-'));
  const statePath = join(dir, 'state.json');
  writeFileSync(statePath, JSON.stringify(seededState));
  const mocks = [];
  try {
    // 30 targets are more than Plain allows; this instance lifts the limit
    // to page through them, the one below keeps Plain's 25.
    const mock = await startMock(dir, 'main', [
      '--state', statePath, '--key', KEY, '--key', `${RO_KEY}=webhookTarget:read`, '--max-targets', '0',
    ]);
    mocks.push(mock);
    const plain = new PlainClient({ apiKey: KEY, apiUrl: mock.url });

    const input = {
      url: 'https://crm.example.com/hooks/plain?token=abc&x=1',
      description: 'crm-sync',
      eventSubscriptions: [{ eventType: 'thread.thread_created' }, { eventType: 'customer.customer_created' }],
      isEnabled: true,
    };
    let created;
    await step('createWebhookTarget returns the new target', async () => {
      const res = await plain.createWebhookTarget(input);
      assert.equal(res.error, undefined, JSON.stringify(res.error));
      created = res.data;
      // Plain keeps event subscriptions sorted.
      checkTarget(created, { ...input, eventTypes: ['customer.customer_created', 'thread.thread_created'] });
      assert.equal(created.createdAt.iso8601, created.updatedAt.iso8601);
    });

    const ids = [SEEDED_ID, created.id];
    await step('create 28 more, so 30 targets in all', async () => {
      for (let i = 0; i < 28; i++) {
        const res = await plain.createWebhookTarget({
          url: `https://h${i}.example.com/`, description: `t${i}`, eventSubscriptions: [], isEnabled: i % 2 === 0,
        });
        assert.equal(res.error, undefined, JSON.stringify(res.error));
        assert.equal(res.data.description, `t${i}`);
        assert.equal(res.data.isEnabled, i % 2 === 0);
        ids.push(res.data.id);
      }
    });

    await step('getWebhookTargets pages through all 30 with first: 10', async () => {
      const seen = [];
      const pages = [];
      let after;
      for (;;) {
        const res = await plain.getWebhookTargets({ first: 10, after });
        assert.equal(res.error, undefined, JSON.stringify(res.error));
        const { webhookTargets, pageInfo } = res.data;
        pages.push(webhookTargets.length);
        assert.equal(pageInfo.hasPreviousPage, pages.length > 1);
        assert.equal(pageInfo.startCursor !== null, true);
        seen.push(...webhookTargets.map((t) => t.id));
        if (!pageInfo.hasNextPage) break;
        assert.ok(pages.length < 5, 'pagination does not end');
        after = pageInfo.endCursor;
      }
      assert.deepEqual(pages, [10, 10, 10]);
      // Oldest first: the seeded target, then creation order.
      assert.deepEqual(seen, ids);
      const last = await plain.getWebhookTargets({ first: 10, after });
      assert.equal(last.data.pageInfo.hasNextPage, false);
    });

    await step('getWebhookTargetById returns the same target', async () => {
      const res = await plain.getWebhookTargetById({ id: created.id });
      assert.equal(res.error, undefined);
      assert.deepEqual(res.data, created);
    });

    let current = created;
    const update = async (patch, check) => {
      const res = await plain.updateWebhookTarget({ webhookTargetId: current.id, ...patch });
      assert.equal(res.error, undefined, JSON.stringify(res.error));
      const t = res.data;
      assert.equal(t.id, current.id);
      assert.deepEqual(t.createdAt, current.createdAt);
      assert.ok(Number(t.updatedAt.unixTimestamp) >= Number(current.updatedAt.unixTimestamp));
      check(t);
      current = t;
      return t;
    };
    await step('updateWebhookTarget changes each field alone', async () => {
      await update({ url: { value: 'https://crm.example.com/v2' } }, (t) => {
        assert.equal(t.url, 'https://crm.example.com/v2');
        assert.equal(t.description, 'crm-sync');
      });
      await update({ description: { value: 'crm-sync v2' } }, (t) => {
        assert.equal(t.description, 'crm-sync v2');
        assert.equal(t.url, 'https://crm.example.com/v2');
      });
      await update({ isEnabled: { value: false } }, (t) => {
        assert.equal(t.isEnabled, false);
        assert.equal(t.description, 'crm-sync v2');
      });
      await update({ eventSubscriptions: [{ eventType: 'thread.note_created' }] }, (t) => {
        assert.deepEqual(t.eventSubscriptions, [{ __typename: 'WebhookTargetEventSubscription', eventType: 'thread.note_created' }]);
        assert.equal(t.isEnabled, false);
      });
      await update({ version: { value: '2025-08-06' } }, (t) => {
        assert.equal(t.url, 'https://crm.example.com/v2');
      });
      // The SDK's fragment does not select version; read it raw.
      const raw = await plain.rawRequest({
        query: 'query($id: ID!) { webhookTarget(webhookTargetId: $id) { version } }',
        variables: { id: current.id },
      });
      assert.deepEqual(raw, { data: { webhookTarget: { version: '2025-08-06' } } });
    });

    await step('a Basic-auth URL is stored and returned verbatim', async () => {
      const url = 'https://hook-user:p%40ss@hooks.example.com/plain?x=1';
      await update({ url: { value: url } }, (t) => assert.equal(t.url, url));
      const res = await plain.getWebhookTargetById({ id: current.id });
      assert.equal(res.data.url, url);
    });

    await step('updating an unknown id is a typed MutationError', async () => {
      const res = await plain.updateWebhookTarget({ webhookTargetId: 'whTarget_01HD4400VTDJQ646V6RY37SR0H', description: { value: 'x' } });
      assert.equal(res.data, undefined);
      assert.equal(res.error.type, 'mutation_error');
      assert.equal(res.error.errorDetails.__typename, 'MutationError');
      assert.equal(res.error.errorDetails.type, 'VALIDATION');
      assert.equal(res.error.errorDetails.code, 'input_validation');
      assert.deepEqual(res.error.errorDetails.fields, [
        { field: 'webhookTargetId', message: 'No webhook target with this id exists.', type: 'NOT_FOUND' },
      ]);
      assert.equal(res.error.message, res.error.errorDetails.message);
    });

    await step('an unknown event type is a typed MutationError naming the field', async () => {
      const res = await plain.createWebhookTarget({ ...input, eventSubscriptions: [{ eventType: 'thread.thread_created' }, { eventType: 'thread.no_such_event' }] });
      assert.equal(res.error.type, 'mutation_error');
      assert.equal(res.error.errorDetails.type, 'VALIDATION');
      assert.deepEqual(res.error.errorDetails.fields, [
        { field: 'eventSubscriptions[1].eventType', message: '"thread.no_such_event" is not a subscribable event type.', type: 'VALIDATION' },
      ]);
    });

    await step('a read-only key gets the SDK forbidden result for a mutation', async () => {
      const ro = new PlainClient({ apiKey: RO_KEY, apiUrl: mock.url });
      const res = await ro.deleteWebhookTarget({ webhookTargetId: created.id });
      assert.deepEqual(res.error, {
        type: 'forbidden', message: 'Forbidden: the API key lacks the permission webhookTarget:delete.', requestId: undefined,
      });
      const still = await ro.getWebhookTargetById({ id: created.id });
      assert.equal(still.data.id, created.id);
    });

    await step('deleteWebhookTarget succeeds with null data', async () => {
      const res = await plain.deleteWebhookTarget({ webhookTargetId: created.id });
      assert.deepEqual(res, { data: null });
    });

    await step('getWebhookTargetById after delete is null', async () => {
      const res = await plain.getWebhookTargetById({ id: created.id });
      assert.deepEqual(res, { data: null });
      const list = await plain.getWebhookTargets({ first: 100 });
      assert.equal(list.data.webhookTargets.length, 29);
      assert.ok(!list.data.webhookTargets.some((t) => t.id === created.id));
    });

    await step('a bad key is the SDK forbidden result', async () => {
      const bad = new PlainClient({ apiKey: 'plainApiKey_wrong', apiUrl: mock.url });
      const res = await bad.getWebhookTargets({ first: 10 });
      // plain-mock answers HTTP 401 UNAUTHENTICATED; the SDK maps 401 to
      // its forbidden result with this text.
      assert.deepEqual(res, {
        error: { type: 'forbidden', message: 'Authentication failed. Please check the provided API key.', requestId: undefined },
      });
      const none = new PlainClient({ apiKey: '', apiUrl: mock.url });
      assert.equal((await none.createWebhookTarget(input)).error.type, 'forbidden');
    });

    await step('rawRequest lists delivery attempts newest first', async () => {
      const res = await plain.rawRequest({
        query: `query Attempts($id: ID!, $first: Int = 3, $after: String) {
          webhookDeliveryAttempts(webhookTargetId: $id, first: $first, after: $after) {
            edges { node { id publicEventId publicEventEventType durationInMilliseconds attemptedAt { iso8601 }
              result { __typename ... on WebhookDeliveryAttemptSuccessfulResult { status httpStatusCode }
                ... on WebhookDeliveryAttemptFailedResult { status httpStatusCode }
                ... on WebhookDeliveryAttemptErrorResult { status errorCode errorMessage }
                ... on WebhookDeliveryAttemptRejectedResult { status rejectedMessage }
                ... on WebhookDeliveryAttemptSchemaValidationFailedResult { status errorMessage } } } }
            pageInfo { hasNextPage endCursor }
          }
        }`,
        variables: { id: SEEDED_ID },
      });
      assert.equal(res.error, undefined, JSON.stringify(res.error));
      const conn = res.data.webhookDeliveryAttempts;
      assert.deepEqual(conn.edges.map((e) => e.node), [
        { id: 'whAttempt_00000000000000000000000005', publicEventId: 'pEv_00000000000000000000000005', publicEventEventType: 'thread.thread_created', durationInMilliseconds: 50, attemptedAt: { iso8601: '2026-01-06T00:00:00.000Z' },
          result: { __typename: 'WebhookDeliveryAttemptSchemaValidationFailedResult', status: 'SCHEMA_VALIDATION_FAILED', errorMessage: 'The payload did not validate.' } },
        { id: 'whAttempt_00000000000000000000000004', publicEventId: 'pEv_00000000000000000000000004', publicEventEventType: 'thread.thread_created', durationInMilliseconds: 40, attemptedAt: { iso8601: '2026-01-05T00:00:00.000Z' },
          result: { __typename: 'WebhookDeliveryAttemptRejectedResult', status: 'REJECTED', rejectedMessage: 'The webhook target URL resolves to a private IP address.' } },
        { id: 'whAttempt_00000000000000000000000003', publicEventId: 'pEv_00000000000000000000000003', publicEventEventType: 'thread.thread_created', durationInMilliseconds: 30, attemptedAt: { iso8601: '2026-01-04T00:00:00.000Z' },
          result: { __typename: 'WebhookDeliveryAttemptErrorResult', status: 'ERROR', errorCode: 'ETIMEDOUT', errorMessage: 'The webhook target did not respond within 10 seconds.' } },
      ]);
      assert.equal(conn.pageInfo.hasNextPage, true);
      const next = await plain.rawRequest({
        query: `query($id: ID!, $after: String) { webhookDeliveryAttempts(webhookTargetId: $id, first: 10, after: $after) {
          edges { node { id result { __typename ... on WebhookDeliveryAttemptSuccessfulResult { httpStatusCode } ... on WebhookDeliveryAttemptFailedResult { httpStatusCode } } } }
          pageInfo { hasNextPage } } }`,
        variables: { id: SEEDED_ID, after: conn.pageInfo.endCursor },
      });
      assert.deepEqual(next.data.webhookDeliveryAttempts, {
        edges: [
          { node: { id: 'whAttempt_00000000000000000000000002', result: { __typename: 'WebhookDeliveryAttemptFailedResult', httpStatusCode: 503 } } },
          { node: { id: 'whAttempt_00000000000000000000000001', result: { __typename: 'WebhookDeliveryAttemptSuccessfulResult', httpStatusCode: 200 } } },
        ],
        pageInfo: { hasNextPage: false },
      });
    });

    await step('rawRequest outside the webhook surface is one clear error', async () => {
      const res = await plain.rawRequest({ query: 'query { customers(first: 1) { edges { node { id } } } }', variables: {} });
      assert.equal(res.error.type, 'bad_request');
      assert.equal(res.error.graphqlErrors.length, 1);
      assert.match(res.error.graphqlErrors[0].message, /^plain-mock does not implement Query\.customers\./);
      assert.equal(res.error.graphqlErrors[0].extensions.code, 'PLAIN_MOCK_NOT_IMPLEMENTED');
    });

    await step('rawRequest: workspaceHmac and regenerateWorkspaceHmac', async () => {
      const before = await plain.rawRequest({ query: '{ workspaceHmac { hmacSecret } }', variables: {} });
      assert.deepEqual(before, { data: { workspaceHmac: null } });
      const res = await plain.rawRequest({
        query: 'mutation { regenerateWorkspaceHmac { workspaceHmac { hmacSecret updatedBy { __typename } } error { message } } }',
        variables: {},
      });
      const hmac = res.data.regenerateWorkspaceHmac.workspaceHmac;
      assert.match(hmac.hmacSecret, /^[0-9a-f]{64}$/);
      assert.deepEqual(hmac.updatedBy, { __typename: 'MachineUserActor' });
      const after = await plain.rawRequest({ query: '{ workspaceHmac { hmacSecret } }', variables: {} });
      assert.equal(after.data.workspaceHmac.hmacSecret, hmac.hmacSecret);
    });

    await surfaceSteps(dir, mocks);

    // Plain's 25-target limit, as the SDK sees it.
    const limited = await startMock(dir, 'limited', ['--key', KEY]);
    mocks.push(limited);
    await step('the 26th create is a typed MutationError', async () => {
      const c = new PlainClient({ apiKey: KEY, apiUrl: limited.url });
      for (let i = 0; i < 25; i++) {
        const res = await c.createWebhookTarget({ url: `https://l${i}.example.com/`, description: `l${i}`, eventSubscriptions: [], isEnabled: true });
        assert.equal(res.error, undefined, JSON.stringify(res.error));
      }
      const res = await c.createWebhookTarget({ url: 'https://l26.example.com/', description: 'l26', eventSubscriptions: [], isEnabled: true });
      assert.equal(res.error.type, 'mutation_error');
      assert.equal(res.error.errorDetails.type, 'VALIDATION');
      // Plain's error-codes reference: too_many_webhook_targets.
      assert.equal(res.error.errorDetails.code, 'too_many_webhook_targets');
      assert.match(res.error.message, /^The maximum number of webhook targets has been reached.*at most 25 webhook targets/);
      assert.deepEqual(res.error.errorDetails.fields, []);
      assert.equal((await c.getWebhookTargets({ first: 100 })).data.webhookTargets.length, 25);
    });
  } finally {
    for (const m of mocks) await m.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`# plain-sdk interop: ${passed} steps passed`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
