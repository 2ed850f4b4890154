// Drives Plain's official TypeScript SDK (@team-plain/typescript-sdk,
// pinned in package-lock.json) against plain-mock on loopback and checks
// every result the SDK hands back: values, not just "no exception".
//
//   node interop.mjs            # uses ../../bin/plain-mock
//   PLAIN_MOCK=/path/to/plain-mock node interop.mjs
//
// make interop builds the binary, runs npm ci when needed, then this.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
    assert.match(actor.machineUserId, /^mu_[0-9A-F]{26}$/);
  }
  assert.equal(t.createdBy.machineUserId, t.updatedBy.machineUserId);
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
      assert.equal(res.error.errorDetails.code, 'webhook_target_limit_reached');
      assert.match(res.error.message, /at most 25 webhook targets/);
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
