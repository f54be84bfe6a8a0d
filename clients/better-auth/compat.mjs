#!/usr/bin/env node
// Cross-checks the Rust BetterAuth re-implementation against the real npm packages.
//
//   node compat.mjs produce --secret S --password P --token T
//     -> {"hash": "<salthex>:<keyhex>", "cookie": "<URL-encoded signed session_token value>"}
//   node compat.mjs verify --secret S --password P --hash H --token T --cookie C
//     -> {"password": true, "cookie": true}
//
// Exit codes: 0 = success, 1 = a check failed (details on stderr), 2 = usage error.
// Tip: pass values as --key=value so values starting with "-" are accepted.
// No network access: everything runs locally on the installed packages.

import { createRequire } from "node:module";
import { parseArgs } from "node:util";

// better-auth's own password hashing (scrypt N=16384 r=16 p=1 dkLen=64).
import { hashPassword, verifyPassword } from "better-auth/crypto";
// better-call's signed-cookie helpers: better-auth sets session cookies via
// ctx.setSignedCookie -> serializeSignedCookie, and reads them via
// ctx.getSignedCookie, which lives on the context built by createInternalContext.
import { createInternalContext, serializeSignedCookie } from "better-call";

const COOKIE_NAME = "better-auth.session_token";

function usage(msg) {
  process.stderr.write(
    `${msg}\nusage:\n` +
      "  node compat.mjs produce --secret S --password P --token T\n" +
      "  node compat.mjs verify --secret S --password P --hash H --token T --cookie C\n",
  );
  process.exit(2);
}

// Make sure we exercise the very better-call copy better-auth itself uses.
function assertSameBetterCall() {
  const ours = createRequire(import.meta.url).resolve("better-call");
  const authEntry = createRequire(import.meta.url).resolve("better-auth");
  const theirs = createRequire(authEntry).resolve("better-call");
  if (ours !== theirs) {
    throw new Error(`better-call mismatch: compat uses ${ours}, better-auth uses ${theirs}`);
  }
}

async function signCookie(token, secret) {
  // Returns "better-auth.session_token=<value>" (no attributes since no options).
  const setCookie = await serializeSignedCookie(COOKIE_NAME, token, secret);
  const prefix = `${COOKIE_NAME}=`;
  if (!setCookie.startsWith(prefix) || setCookie.includes(";")) {
    throw new Error(`unexpected serializeSignedCookie output: ${setCookie}`);
  }
  return setCookie.slice(prefix.length);
}

// Reads cookie value C (URL-encoded, as in Set-Cookie/Cookie headers) exactly the way
// a better-auth endpoint does. Returns the token, null (malformed) or false (bad signature).
async function readSignedCookie(cookieValue, secret) {
  const ctx = await createInternalContext(
    { headers: new Headers({ cookie: `${COOKIE_NAME}=${cookieValue}` }) },
    { options: {}, path: "/compat" },
  );
  return ctx.getSignedCookie(COOKIE_NAME, secret);
}

async function produce(v) {
  const hash = await hashPassword(v.password);
  const cookie = await signCookie(v.token, v.secret);
  return { ok: true, out: { hash, cookie } };
}

async function verify(v) {
  const errors = [];

  let password = false;
  try {
    const good = await verifyPassword({ hash: v.hash, password: v.password });
    const bad = await verifyPassword({ hash: v.hash, password: v.password + "x" });
    if (good !== true) errors.push("verifyPassword(hash, password) was not true");
    if (bad !== false) errors.push("verifyPassword(hash, password + 'x') was not false");
    password = good === true && bad === false;
  } catch (e) {
    errors.push(`verifyPassword threw: ${e?.message ?? e}`);
  }

  let cookie = false;
  try {
    const got = await readSignedCookie(v.cookie, v.secret);
    const wrongSecret = `${v.secret}-wrong`;
    const gotWrong = await readSignedCookie(v.cookie, wrongSecret);
    if (got !== v.token) {
      errors.push(`getSignedCookie under secret returned ${JSON.stringify(got)}, expected token ${JSON.stringify(v.token)}`);
    }
    if (gotWrong !== false && gotWrong !== null) {
      errors.push(`getSignedCookie under a different secret returned ${JSON.stringify(gotWrong)}, expected failure`);
    }
    cookie = got === v.token && (gotWrong === false || gotWrong === null);
  } catch (e) {
    errors.push(`signed-cookie verification threw: ${e?.message ?? e}`);
  }

  return { ok: errors.length === 0, out: { password, cookie }, errors };
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  const required = {
    produce: ["secret", "password", "token"],
    verify: ["secret", "password", "hash", "token", "cookie"],
  }[mode];
  if (!required) usage(`unknown or missing mode: ${mode ?? "(none)"}`);

  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      options: Object.fromEntries(required.map((k) => [k, { type: "string" }])),
    }));
  } catch (e) {
    usage(e.message);
  }
  const missing = required.filter((k) => typeof values[k] !== "string");
  if (missing.length) usage(`missing --${missing.join(", --")}`);

  assertSameBetterCall();
  const { ok, out, errors = [] } = await (mode === "produce" ? produce(values) : verify(values));
  process.stdout.write(JSON.stringify(out) + "\n");
  for (const err of errors) process.stderr.write(`check failed: ${err}\n`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`error: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
