// What the client scripts share: a check runner that prints one line per
// check (and "N passed, 0 failed" at the end), and sign-up with the real
// better-auth client.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { createAuthClient } from "better-auth/client";

/** One id per run, so re-running against the same database never collides. */
export const run = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;

let passed = 0;

/** Runs one check; on failure prints it (with `describe(err)` if given) and exits 1. */
export async function check(name, fn, describe = () => "") {
  try {
    await fn();
  } catch (err) {
    console.log(`FAIL ${name}: ${err?.stack ?? err}${describe(err)}`);
    console.log(`${passed} passed, 1 failed`);
    process.exit(1);
  }
  passed += 1;
  console.log(`ok ${name}`);
}

/**
 * A `better-auth/client` that talks through `browser` (its cookie jar) and
 * sends `origin` on every request, as a page on that origin would.
 */
export function clientIn(browser, { baseURL, origin, plugins = [] }) {
  return createAuthClient({
    baseURL,
    plugins,
    fetchOptions: {
      customFetchImpl: (url, init = {}) => {
        const headers = new Headers(init.headers);
        headers.set("origin", origin);
        return browser.fetch(url, { ...init, headers });
      },
    },
  });
}

/** The closing line the Rust test looks for. */
export function summary() {
  console.log(`${passed} passed, 0 failed`);
}

/** Signs up on `baseURL` with the better-auth client; returns the user id and bearer token. */
export async function signUp(baseURL, name) {
  let token = null;
  const auth = createAuthClient({
    baseURL,
    fetchOptions: {
      onSuccess(ctx) {
        token = ctx.response.headers.get("set-auth-token") ?? token;
      },
    },
  });
  const res = await auth.signUp.email({ email: `${name}-${run}@example.com`, password: "a long enough password", name });
  assert.equal(res.error, null, JSON.stringify(res.error));
  assert.ok(token, "sign-up returned set-auth-token");
  return { id: res.data.user.id, token };
}
