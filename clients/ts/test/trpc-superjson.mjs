// The real @trpc/client with the superjson transformer against a server
// started with TRPC_TRANSFORMER=superjson, over httpLink, httpBatchLink and
// httpBatchStreamLink: timestamps arrive as Date objects, `undefined` inputs
// are dropped, errors keep their tRPC shape.
//
// Env: TRPC_URL, TRPC_TEST_HEADER ("authorization: Bearer ..." of an admin).
// Prints one line per passed check and ends with "N passed, 0 failed".

import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { TRPCClientError, createTRPCClient, httpBatchLink, httpBatchStreamLink, httpLink } from '@trpc/client';
import superjson from 'superjson';

const url = process.env.TRPC_URL;
const header = process.env.TRPC_TEST_HEADER ?? '';
if (!url || !header.includes(':')) {
  console.error('TRPC_URL and TRPC_TEST_HEADER ("name: value") must be set');
  process.exit(2);
}
const colon = header.indexOf(':');
const headers = { [header.slice(0, colon).trim()]: header.slice(colon + 1).trim() };
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

const links = [
  ['httpLink', httpLink],
  ['httpBatchLink', httpBatchLink],
  ['httpBatchStreamLink', httpBatchStreamLink],
];

let passed = 0;
async function check(name, fn) {
  try {
    await fn();
  } catch (err) {
    console.log(`FAIL ${name}: ${inspect(err, { depth: 8 })}`);
    console.log(`${passed} passed, 1 failed`);
    process.exit(1);
  }
  passed += 1;
  console.log(`ok ${name}`);
}

for (const [name, make] of links) {
  /** @type {any} */
  const client = createTRPCClient({ links: [make({ url, headers, transformer: superjson })] });
  const email = `sj-${name.toLowerCase()}-${runId}@example.com`;
  let created;

  await check(`${name}: a mutation's input and output go through superjson`, async () => {
    created = await client.core.user.create.mutate({ email, name: undefined });
    assert.equal(created.email, email);
    assert.equal(created.name, null, 'an undefined field is dropped, as if absent');
    assert.ok(created.createdAt instanceof Date, `createdAt is a Date: ${inspect(created.createdAt)}`);
    assert.ok(Math.abs(created.createdAt.getTime() - Date.now()) < 60_000, 'createdAt is now');
  });

  await check(`${name}: queries in one batch decode their own dates`, async () => {
    const [user, page, health] = await Promise.all([
      client.core.user.get.query({ id: created.id }),
      client.core.user.list.query({ limit: 5 }),
      client._meta.health.query(),
    ]);
    assert.ok(user.updatedAt instanceof Date);
    assert.equal(user.createdAt.getTime(), created.createdAt.getTime());
    assert.ok(page.data.length > 0 && page.data.every((u) => u.createdAt instanceof Date));
    assert.equal(typeof page.pagination.total, 'number');
    assert.equal(health.status, 'healthy');
  });

  await check(`${name}: errors keep code, status and zod field errors`, async () => {
    const failures = await Promise.allSettled([
      client.core.user.get.query({ id: 'not-a-cuid' }),
      client.core.user.create.mutate({ email }),
    ]);
    const [invalid, conflict] = failures.map((f) => f.reason);
    for (const err of [invalid, conflict]) {
      assert.ok(err instanceof TRPCClientError, inspect(err));
    }
    assert.equal(invalid.data.code, 'BAD_REQUEST');
    assert.equal(invalid.data.httpStatus, 400);
    assert.deepEqual(Object.keys(invalid.data.zodError.fieldErrors), ['id']);
    assert.equal(conflict.data.code, 'CONFLICT');
    assert.equal(conflict.message, 'A user with this email already exists');
  });
}

console.log(`${passed} passed, 0 failed`);
