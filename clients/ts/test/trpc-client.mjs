// Exercises a tRPC 11 HTTP server with the real @trpc/client.
//
// Env:
//   TRPC_URL          base URL of the tRPC endpoint, e.g. http://127.0.0.1:12345/trpc
//   TRPC_TEST_HEADER  optional extra header "name: value", sent on every request
//
// Prints one line per passed check and ends with "N passed, 0 failed".
// On the first failure it prints the error (with its tRPC data) and exits 1.

import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  TRPCClientError,
  createTRPCUntypedClient,
  httpBatchLink,
  httpBatchStreamLink,
  httpLink,
} from '@trpc/client';

const url = process.env.TRPC_URL;
if (!url) {
  console.error('TRPC_URL is not set (e.g. http://127.0.0.1:12345/trpc)');
  process.exit(2);
}

/** @type {Record<string, string>} */
const extraHeaders = {};
if (process.env.TRPC_TEST_HEADER) {
  const raw = process.env.TRPC_TEST_HEADER;
  const colon = raw.indexOf(':');
  if (colon <= 0) {
    console.error(`TRPC_TEST_HEADER must look like "name: value", got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  extraHeaders[raw.slice(0, colon).trim()] = raw.slice(colon + 1).trim();
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

// One run id so that re-running against the same database never collides.
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

const links = [
  { name: 'httpLink', make: httpLink, batches: false },
  { name: 'httpBatchLink', make: httpBatchLink, batches: true },
  { name: 'httpBatchStreamLink', make: httpBatchStreamLink, batches: true },
];

/** Asserts `err` is a TRPCClientError with the given tRPC error code and HTTP status. */
function checkTRPCError(err, code, httpStatus) {
  assert.ok(
    err instanceof TRPCClientError,
    `expected a TRPCClientError, got ${inspect(err, { depth: 6 })}`,
  );
  const context = `(message: ${JSON.stringify(err.message)}, data: ${inspect(err.data, { depth: 6 })})`;
  assert.ok(err.data, `TRPCClientError has no data ${context}`);
  assert.equal(err.data.code, code, `data.code ${context}`);
  if (httpStatus !== undefined) {
    assert.equal(err.data.httpStatus, httpStatus, `data.httpStatus ${context}`);
  }
  return err;
}

/** Awaits `promise`, asserts it rejects as in checkTRPCError, and returns the error. */
async function expectTRPCError(promise, code, httpStatus) {
  let value;
  try {
    value = await promise;
  } catch (err) {
    return checkTRPCError(err, code, httpStatus);
  }
  assert.fail(`expected rejection with ${code}, but resolved with ${inspect(value, { depth: 6 })}`);
}

function checkHealth(value) {
  assert.equal(typeof value, 'object');
  assert.notEqual(value, null);
  assert.equal(value.status, 'healthy');
  assert.equal(typeof value.timestamp, 'string', 'timestamp is a string');
  assert.match(value.timestamp, ISO_8601, 'timestamp is an ISO 8601 string');
  assert.ok(!Number.isNaN(Date.parse(value.timestamp)), 'timestamp parses as a date');
}

function checkVersion(value) {
  assert.equal(typeof value, 'object');
  assert.notEqual(value, null);
  assert.equal(typeof value.version, 'string', 'version is a string');
  assert.equal(typeof value.environment, 'string', 'environment is a string');
}

function buildChecks(link) {
  // Count HTTP requests so batching links are proven to actually batch.
  let requests = 0;
  const countingFetch = (input, init) => {
    requests += 1;
    return globalThis.fetch(input, init);
  };
  const client = createTRPCUntypedClient({
    links: [link.make({ url, headers: () => extraHeaders, fetch: countingFetch })],
  });
  const email = `client-${link.name.toLowerCase()}-${runId}@example.com`;
  /** @type {any} */
  let created;

  return [
    ['_meta.health', async () => {
      checkHealth(await client.query('_meta.health'));
    }],
    ['_meta.version', async () => {
      checkVersion(await client.query('_meta.version'));
    }],
    ['two queries in the same tick', async () => {
      const before = requests;
      const [health, version] = await Promise.all([
        client.query('_meta.health'),
        client.query('_meta.version'),
      ]);
      checkHealth(health);
      checkVersion(version);
      assert.equal(requests - before, link.batches ? 1 : 2, 'HTTP requests made');
    }],
    ['missing procedure is NOT_FOUND, sibling succeeds', async () => {
      const before = requests;
      const [missing, health] = await Promise.allSettled([
        client.query('nope.missing'),
        client.query('_meta.health'),
      ]);
      assert.equal(requests - before, link.batches ? 1 : 2, 'HTTP requests made');
      assert.equal(
        health.status,
        'fulfilled',
        `sibling _meta.health failed: ${inspect(health.reason, { depth: 6 })}`,
      );
      checkHealth(health.value);
      assert.equal(
        missing.status,
        'rejected',
        `nope.missing resolved with ${inspect(missing.value, { depth: 6 })}`,
      );
      checkTRPCError(missing.reason, 'NOT_FOUND', 404);
    }],
    ['core.user.create, then duplicate is CONFLICT', async () => {
      created = await client.mutation('core.user.create', { email, name: 'Client Test' });
      assert.equal(typeof created, 'object');
      assert.notEqual(created, null);
      assert.equal(typeof created.id, 'string', 'id is a string');
      assert.ok(created.id.startsWith('c'), `id ${JSON.stringify(created.id)} starts with "c"`);
      assert.equal(created.email, email);
      assert.equal(created.name, 'Client Test');
      assert.equal(created.role, 'USER');
      assert.deepEqual(created._count, { posts: 0, orders: 0, profiles: 0 });
      await expectTRPCError(
        client.mutation('core.user.create', { email, name: 'Client Test' }),
        'CONFLICT',
        409,
      );
    }],
    ['core.user.create with a bad email is BAD_REQUEST with zodError', async () => {
      const err = await expectTRPCError(
        client.mutation('core.user.create', { email: 'not-an-email' }),
        'BAD_REQUEST',
      );
      const fieldErrors = err.data.zodError?.fieldErrors;
      assert.ok(fieldErrors, `data.zodError.fieldErrors missing: ${inspect(err.data, { depth: 6 })}`);
      assert.ok(Array.isArray(fieldErrors.email), 'zodError.fieldErrors.email is an array');
      assert.ok(fieldErrors.email.length > 0, 'zodError.fieldErrors.email is non-empty');
    }],
    ['core.user.get returns the created user', async () => {
      assert.ok(created, 'no user was created by the earlier check');
      const got = await client.query('core.user.get', { id: created.id });
      assert.equal(typeof got, 'object');
      assert.notEqual(got, null);
      for (const key of ['id', 'email', 'name', 'role', 'createdAt', 'updatedAt']) {
        if (key in created) assert.deepEqual(got[key], created[key], `user.${key}`);
      }
      if ('_count' in got) assert.deepEqual(got._count, created._count, 'user._count');
    }],
  ];
}

let passed = 0;
for (const link of links) {
  for (const [name, run] of buildChecks(link)) {
    const label = `[${link.name}] ${name}`;
    try {
      await run();
    } catch (err) {
      console.log(`FAIL ${label}`);
      if (err instanceof TRPCClientError) {
        console.error(`TRPCClientError: ${err.message}`);
        console.error('data:', inspect(err.data, { depth: 8 }));
        if (err.cause) console.error('cause:', inspect(err.cause, { depth: 4 }));
      } else {
        console.error(inspect(err, { depth: 8 }));
      }
      console.log(`${passed} passed, 1 failed`);
      process.exit(1);
    }
    passed += 1;
    console.log(`ok ${label}`);
  }
}
console.log(`${passed} passed, 0 failed`);
