#!/usr/bin/env node
// Drives the running server with the REAL better-auth client (`better-auth/client`,
// npm better-auth 1.3.34) through the email + password flow.
//
//   AUTH_BASE_URL=http://127.0.0.1:PORT node client-run.mjs
//
// The client appends /api/auth. Requests go through a fetch wrapper that keeps
// cookies like a browser (every Set-Cookie is stored as name=value, Max-Age<=0 or
// a past Expires deletes it, later requests carry a Cookie header) and sends
// `Origin: http://localhost:3000`, a trusted origin.
//
// Prints one line per passed check and finally "N passed, 0 failed".
// Exit codes: 0 = all checks passed, 1 = a check failed (error printed), 2 = usage error.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { createAuthClient } from "better-auth/client";

const ORIGIN = "http://localhost:3000";
const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "brand new password";

const baseURL = process.env.AUTH_BASE_URL;
if (!baseURL) {
  process.stderr.write("usage: AUTH_BASE_URL=http://127.0.0.1:PORT node client-run.mjs\n");
  process.exit(2);
}

// ---- a browser-like cookie jar -------------------------------------------------

const jar = new Map();

function storeSetCookie(line) {
  const [pair, ...attrs] = line.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  let expired = false;
  for (const attr of attrs) {
    const aEq = attr.indexOf("=");
    const key = (aEq < 0 ? attr : attr.slice(0, aEq)).trim().toLowerCase();
    const val = aEq < 0 ? "" : attr.slice(aEq + 1).trim();
    if (key === "max-age" && Number(val) <= 0) expired = true;
    if (key === "expires" && !attrs.some((a) => a.trim().toLowerCase().startsWith("max-age="))) {
      const when = Date.parse(val);
      if (!Number.isNaN(when) && when <= Date.now()) expired = true;
    }
  }
  if (expired) jar.delete(name);
  else jar.set(name, value);
}

async function customFetchImpl(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("origin", ORIGIN);
  if (jar.size > 0) {
    headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  } else {
    headers.delete("cookie");
  }
  const response = await fetch(input, { ...init, headers });
  for (const line of response.headers.getSetCookie()) storeSetCookie(line);
  return response;
}

const client = createAuthClient({ baseURL, fetchOptions: { customFetchImpl } });

// ---- checks ----------------------------------------------------------------------

const email = `Client-${Date.now()}-${randomBytes(4).toString("hex")}@Example.com`;
const lower = email.toLowerCase();

/** Fails with the whole `{data, error}` result when there is an error. */
function noError(res, what) {
  assert.equal(res.error, null, `${what}: unexpected error ${JSON.stringify(res.error)}`);
  return res.data;
}

async function sessionOf() {
  const res = await client.getSession();
  return noError(res, "getSession");
}

const checks = [
  [
    "a. signUp.email creates the user and returns a 32-char token",
    async () => {
      const data = noError(await client.signUp.email({ email, password: PASSWORD, name: "Client" }), "signUp.email");
      assert.equal(data.user.email, lower);
      assert.equal(typeof data.token, "string");
      assert.equal(data.token.length, 32, `token ${data.token}`);
    },
  ],
  [
    "b. getSession returns the user and session",
    async () => {
      const data = await sessionOf();
      assert.ok(data, "session data is null (cookie not set or not accepted)");
      assert.equal(data.user.email, lower);
      assert.equal(typeof data.session.token, "string");
    },
  ],
  [
    "c. updateUser renames the user",
    async () => {
      noError(await client.updateUser({ name: "Renamed" }), "updateUser");
      const data = await sessionOf();
      assert.ok(data, "session data is null after updateUser");
      assert.equal(data.user.name, "Renamed");
    },
  ],
  [
    "d. changePassword with revokeOtherSessions keeps this client signed in",
    async () => {
      const before = jar.get("better-auth.session_token");
      noError(
        await client.changePassword({
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
          revokeOtherSessions: true,
        }),
        "changePassword",
      );
      assert.notEqual(jar.get("better-auth.session_token"), before, "a new session cookie replaced the old one");
      const data = await sessionOf();
      assert.ok(data, "session data is null after changePassword");
      assert.equal(data.user.email, lower);
    },
  ],
  [
    "e. signOut ends the session",
    async () => {
      noError(await client.signOut(), "signOut");
      const data = await sessionOf();
      assert.equal(data, null);
    },
  ],
  [
    "f. signIn.email refuses the old password (401) and accepts the new one",
    async () => {
      const bad = await client.signIn.email({ email, password: PASSWORD });
      assert.equal(bad.data, null);
      assert.ok(bad.error, "expected an error for the old password");
      assert.equal(bad.error.status, 401, JSON.stringify(bad.error));
      assert.equal(bad.error.code, "INVALID_EMAIL_OR_PASSWORD", JSON.stringify(bad.error));
      const good = noError(await client.signIn.email({ email, password: NEW_PASSWORD }), "signIn.email");
      assert.equal(good.user.email, lower);
      const data = await sessionOf();
      assert.ok(data, "session data is null after signIn.email");
      assert.equal(data.user.email, lower);
    },
  ],
  [
    "g. signUp.email with a taken email is refused with 422",
    async () => {
      const res = await client.signUp.email({ email, password: PASSWORD, name: "Again" });
      assert.equal(res.data, null);
      assert.ok(res.error, "expected an error for a taken email");
      assert.equal(res.error.status, 422, JSON.stringify(res.error));
    },
  ],
];

let passed = 0;
for (const [name, run] of checks) {
  try {
    await run();
  } catch (err) {
    console.log(`FAIL ${name}`);
    console.error(err);
    console.log(`${passed} passed, 1 failed`);
    process.exit(1);
  }
  passed += 1;
  console.log(`ok ${name}`);
}
console.log(`${passed} passed, 0 failed`);
