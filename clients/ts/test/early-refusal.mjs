// Node's built-in fetch (undici, what Node and browser clients use) receives
// the server's early refusals while it is still sending the body (decision 17),
// instead of failing with EPIPE / "fetch failed".
//
// Env:
//   SERVER_URL    base URL of the server, e.g. http://127.0.0.1:12345
//   AUTH_HEADER   "Bearer <token>" of a signed-in user
//
// Prints one line per passed check and ends with "N passed, 0 failed".

import assert from 'node:assert/strict';
import { inspect } from 'node:util';

const base = process.env.SERVER_URL;
if (!base) {
  console.error('SERVER_URL is not set');
  process.exit(2);
}
const MIB = 1024 * 1024;

/** A JSON body of about `bytes` bytes: {"title":"xxxx…"}. */
function jsonBody(bytes) {
  return `{"title":"${'x'.repeat(bytes - 12)}"}`;
}

/** POSTs `body` and returns the status, the request id header and the parsed JSON. */
async function post(path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, requestId: res.headers.get('x-request-id'), json: JSON.parse(text), res };
}

const checks = [
  ['an 11 MiB JSON body gets the 413 JSON', async () => {
    const got = await post('/trpc/core.post.create', jsonBody(11 * MIB));
    assert.equal(got.status, 413);
    assert.equal(got.json.error, 'Payload too large');
    assert.ok(got.requestId, 'x-request-id is sent');
    assert.equal(got.json.requestId, got.requestId);
  }],
  ['a 200 MiB body gets the 413 JSON too', async () => {
    const got = await post('/trpc/core.post.create', new Uint8Array(200 * MIB).fill(120));
    assert.equal(got.status, 413);
    assert.equal(got.json.requestId, got.requestId);
  }],
  ['a signed-in 11 MiB body gets the 413 as well', async () => {
    const got = await post('/trpc/core.post.create', jsonBody(11 * MIB), { authorization: process.env.AUTH_HEADER });
    assert.equal(got.status, 413);
  }],
  ['a wrong content type with a large body gets its 415', async () => {
    const got = await post('/trpc/core.post.create', 'x'.repeat(4 * MIB), { 'content-type': 'text/plain' });
    assert.equal(got.status, 415);
  }],
  ['the server still answers normally afterwards', async () => {
    const res = await fetch(`${base}/trpc/_meta.health`);
    assert.equal(res.status, 200);
  }],
];

let passed = 0;
for (const [name, run] of checks) {
  try {
    await run();
  } catch (err) {
    console.log(`FAIL ${name}`);
    console.error(inspect(err, { depth: 6 }));
    console.log(`${passed} passed, 1 failed`);
    process.exit(1);
  }
  passed += 1;
  console.log(`ok ${name}`);
}
console.log(`${passed} passed, 0 failed`);
