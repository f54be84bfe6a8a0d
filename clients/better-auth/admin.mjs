// The admin plugin with the REAL `better-auth/client` and `adminClient()`
// (better-auth 1.3.34): an admin lists users, bans one (whose own session
// stops working at once), unbans, impersonates and stops impersonating.
//
//   SERVER_URL=http://127.0.0.1:PORT ADMIN_EMAIL=… node admin.mjs
//
// The server lists ADMIN_EMAIL in ADMIN_EMAILS (a test setup: listed
// addresses are admins at sign-up outside production). Each party keeps its
// cookies like a browser (`oidc/browser.mjs`) and sends a trusted Origin.

import assert from "node:assert/strict";

import { adminClient } from "better-auth/client/plugins";

import { check, clientIn, run, summary } from "./checks.mjs";
import { Browser } from "./oidc/browser.mjs";

const server = process.env.SERVER_URL;
const adminEmail = process.env.ADMIN_EMAIL;
const ORIGIN = "http://localhost:3000";
const PASSWORD = "correct horse battery";

/** A browser-like party: its own cookie jar, a trusted Origin on every request. */
function party() {
  const browser = new Browser({ login: "unused" });
  return { browser, auth: clientIn(browser, { baseURL: server, origin: ORIGIN, plugins: [adminClient()] }) };
}

const admin = party();
const member = party();
const memberEmail = `member-${run}@example.com`;
let memberId;

await check("an admin and a member sign up; the admin lists users with a search", async () => {
  const a = await admin.auth.signUp.email({ email: adminEmail, password: PASSWORD, name: "Root" });
  assert.equal(a.error, null, JSON.stringify(a.error));
  const m = await member.auth.signUp.email({ email: memberEmail, password: PASSWORD, name: "Member" });
  assert.equal(m.error, null, JSON.stringify(m.error));
  memberId = m.data.user.id;
  const listed = await admin.auth.admin.listUsers({
    query: { searchValue: `member-${run}`, searchField: "email", searchOperator: "contains", limit: 10 },
  });
  assert.equal(listed.error, null, JSON.stringify(listed.error));
  assert.equal(listed.data.total, 1);
  assert.equal(listed.data.users[0].id, memberId);
  assert.equal(listed.data.users[0].role, "user");
});

await check("a member calling an admin endpoint gets the plugin's 403", async () => {
  const res = await member.auth.admin.listUsers({ query: {} });
  assert.equal(res.error.status, 403);
  assert.equal(res.error.code, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS");
});

await check("banUser ends the member's session at once and refuses their sign-in", async () => {
  assert.equal((await member.auth.getSession()).data.user.id, memberId);
  const banned = await admin.auth.admin.banUser({ userId: memberId, banReason: "spam" });
  assert.equal(banned.error, null, JSON.stringify(banned.error));
  assert.equal(banned.data.user.banned, true);
  assert.equal((await member.auth.getSession()).data, null, "signed out by the ban");
  const again = await member.auth.signIn.email({ email: memberEmail, password: PASSWORD });
  assert.equal(again.error.status, 403);
  assert.equal(again.error.code, "BANNED_USER");
});

await check("unbanUser lets the member sign in again", async () => {
  const lifted = await admin.auth.admin.unbanUser({ userId: memberId });
  assert.equal(lifted.error, null, JSON.stringify(lifted.error));
  assert.equal(lifted.data.user.banned, false);
  const again = await member.auth.signIn.email({ email: memberEmail, password: PASSWORD });
  assert.equal(again.error, null, JSON.stringify(again.error));
});

await check("impersonateUser acts as the member; stopImpersonating returns to the admin", async () => {
  const started = await admin.auth.admin.impersonateUser({ userId: memberId });
  assert.equal(started.error, null, JSON.stringify(started.error));
  const as = await admin.auth.getSession();
  assert.equal(as.data.user.id, memberId);
  assert.equal(as.data.user.role, "user");
  assert.equal(typeof as.data.session.impersonatedBy, "string", "the session says who is impersonating");
  const refused = await admin.auth.admin.listUsers({ query: {} });
  assert.equal(refused.error.status, 403, "no admin rights while impersonating");
  const stopped = await admin.auth.admin.stopImpersonating();
  assert.equal(stopped.error, null, JSON.stringify(stopped.error));
  const back = await admin.auth.getSession();
  assert.equal(back.data.user.email, adminEmail);
  assert.equal(back.data.user.role, "admin");
  assert.equal(back.data.session.impersonatedBy, null);
});

summary();
