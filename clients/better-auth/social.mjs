// Social sign-in against the server with the real `better-auth/client`
// (`signIn.social`, `linkSocial`, `listAccounts`, `unlinkAccount`) and a
// cookie-keeping browser that follows redirects and fills in the login and
// consent pages of a real OpenID Connect provider (`oidc/provider.mjs`, run
// in this process so the tests can mint ID tokens with its keys).
//
// Started by a Rust test (tests/api/social.rs), with a line protocol:
//   stdout: "ISSUER <url>"  — the provider is listening; the server is configured with it
//   stdin:  one JSON line {server, web, appScheme, run, clients} — the server is up;
//           `clients` are the provider's client registrations for the server's
//           two generic providers, `local` and `partner`
// then one line per check and "N passed, 0 failed".

import assert from "node:assert/strict";
import { createInterface } from "node:readline";

import { createAuthClient } from "better-auth/client";

import { check, clientIn, summary } from "./checks.mjs";
import { Browser } from "./oidc/browser.mjs";
import { startProvider } from "./oidc/provider.mjs";

const op = await startProvider();
console.log(`ISSUER ${op.issuer}`);
const lines = createInterface({ input: process.stdin });
const setup = JSON.parse(await new Promise((resolve) => lines.once("line", resolve)));
lines.close();
op.configure(setup.clients);

const server = setup.server;
const issuer = op.issuer;
const web = setup.web;
const appScheme = setup.appScheme;
const localClient = setup.clients[0].client_id;
const run = setup.run;
const api = `${server}/api/auth`;
const errorPage = `${api}/error`;

/** A browser on the web app's origin: its requests to the server carry that Origin, as a page's would. */
function browserFor(login, options = {}) {
  const browser = new Browser({ login, ...options });
  return { browser, auth: clientIn(browser, { baseURL: server, origin: web }) };
}

/** Follows an authorization URL through the provider and the server's callback, stopping at the web app. */
async function complete(browser, url) {
  return browser.follow(url, { stopAt: [web, errorPage] });
}

async function session(browser) {
  const res = await browser.fetch(`${api}/get-session`);
  return res.json();
}

async function getMe(browser) {
  const res = await browser.fetch(`${server}/trpc/main.auth.getMe`);
  return { status: res.status, body: await res.json() };
}

function params(url) {
  return Object.fromEntries(new URL(url).searchParams);
}

const alice = `alice-${run}`;
let aliceId;

await check("signIn.social creates the user, signs them in and lands on newUserCallbackURL", async () => {
  const { browser, auth } = browserFor(alice);
  const res = await auth.signIn.social({
    provider: "local",
    callbackURL: `${web}/dashboard`,
    newUserCallbackURL: `${web}/welcome`,
    errorCallbackURL: `${web}/sign-in-error`,
  });
  assert.equal(res.error, null, JSON.stringify(res.error));
  assert.equal(res.data.redirect, true);
  const authorize = new URL(res.data.url);
  assert.equal(authorize.origin, issuer);
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256", "PKCE");
  assert.ok(authorize.searchParams.get("nonce"), "an OIDC nonce");
  assert.equal(authorize.searchParams.get("redirect_uri"), `${api}/oauth2/callback/local`);
  const end = await complete(browser, res.data.url);
  assert.equal(end.url, `${web}/welcome`, end.trail.join("\n"));
  const current = await session(browser);
  assert.equal(current.user.email, `${alice}@example.com`);
  assert.equal(current.user.emailVerified, true, "the provider vouched for the address");
  assert.equal(current.user.name, alice);
  aliceId = current.user.id;
  const me = await getMe(browser);
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.result.data.user.id, aliceId, "the session cookie is valid on /trpc");
});

await check("a second sign-in reuses the account and lands on callbackURL", async () => {
  const { browser, auth } = browserFor(alice);
  const res = await auth.signIn.social({ provider: "local", callbackURL: `${web}/dashboard`, newUserCallbackURL: `${web}/welcome` });
  const end = await complete(browser, res.data.url);
  assert.equal(end.url, `${web}/dashboard`, end.trail.join("\n"));
  assert.equal((await session(browser)).user.id, aliceId);
  const accounts = await auth.listAccounts();
  assert.deepEqual(accounts.data.map((a) => a.providerId), ["local"]);
  assert.deepEqual(accounts.data[0].scopes, ["openid", "email", "profile"]);
});

await check("linkSocial links a second provider account; unlinkAccount removes it but never the last", async () => {
  const { browser, auth } = browserFor(alice);
  const signIn = await auth.signIn.social({ provider: "local", callbackURL: `${web}/dashboard` });
  await complete(browser, signIn.data.url);
  const link = await auth.linkSocial({ provider: "partner", callbackURL: `${web}/settings` });
  assert.equal(link.error, null, JSON.stringify(link.error));
  const end = await complete(browser, link.data.url);
  assert.equal(end.url, `${web}/settings`, end.trail.join("\n"));
  const accounts = await auth.listAccounts();
  assert.deepEqual(accounts.data.map((a) => a.providerId).sort(), ["local", "partner"]);
  const unlinked = await auth.unlinkAccount({ providerId: "partner" });
  assert.equal(unlinked.error, null, JSON.stringify(unlinked.error));
  assert.equal(unlinked.data.status, true);
  const last = await auth.unlinkAccount({ providerId: "local" });
  assert.equal(last.error.status, 400);
  assert.equal(last.error.code, "YOU_CANT_UNLINK_YOUR_LAST_ACCOUNT", "better-call derives the code from the message");
  assert.deepEqual((await auth.listAccounts()).data.map((a) => a.providerId), ["local"]);
  // Signed in again: the linked-then-unlinked partner account may come back.
  const again = await auth.linkSocial({ provider: "partner", callbackURL: `${web}/settings` });
  assert.equal((await complete(browser, again.data.url)).url, `${web}/settings`);
});

await check("a callback without state goes to the error page with state_not_found", async () => {
  const { browser } = browserFor(alice);
  const res = await browser.fetch(`${api}/oauth2/callback/local?code=abc`);
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), `${errorPage}?state=state_not_found`);
});

await check("a state used twice, or presented by another browser, signs nobody in", async () => {
  const { browser, auth } = browserFor(`bob-${run}`);
  const res = await auth.signIn.social({ provider: "local", callbackURL: `${web}/dashboard` });
  // Stop where the provider sends the browser back, holding the code and state.
  const atCallback = await browser.follow(res.data.url, { stopAt: `${api}/oauth2/callback/` });
  const callbackUrl = atCallback.url;
  assert.ok(params(callbackUrl).code && params(callbackUrl).state, callbackUrl);

  const other = new Browser({ login: "mallory" });
  const stolen = await other.fetch(callbackUrl);
  assert.equal(stolen.status, 302);
  assert.equal(stolen.headers.get("location"), `${errorPage}?error=state_mismatch`);
  assert.equal(other.cookie(server, "better-auth.session_token"), undefined, "no session for the other browser");

  // The owner's flow was not burned by the attempt.
  const done = await browser.fetch(callbackUrl);
  assert.equal(done.status, 302);
  assert.equal(done.headers.get("location"), `${web}/dashboard`);
  assert.ok(browser.cookie(server, "better-auth.session_token"), "the owner is signed in");

  const replay = await browser.fetch(callbackUrl);
  assert.equal(replay.status, 302);
  assert.equal(replay.headers.get("location"), `${errorPage}?error=please_restart_the_process`);
});

await check("access_denied at the provider goes to errorCallbackURL and opens no session", async () => {
  const { browser, auth } = browserFor(`carol-${run}`, { deny: true });
  const res = await auth.signIn.social({ provider: "local", callbackURL: `${web}/dashboard`, errorCallbackURL: `${web}/oops` });
  const end = await complete(browser, res.data.url);
  const target = new URL(end.url);
  assert.equal(`${target.origin}${target.pathname}`, `${web}/oops`, end.trail.join("\n"));
  assert.equal(target.searchParams.get("error"), "access_denied");
  assert.ok(target.searchParams.get("error_description"));
  assert.equal(browser.cookie(server, "better-auth.session_token"), undefined);
  assert.equal(await session(browser), null);
});

await check("an untrusted callbackURL or errorCallbackURL is refused before any redirect", async () => {
  const { auth } = browserFor(alice);
  const bad = await auth.signIn.social({ provider: "local", callbackURL: "https://evil.example/x" });
  assert.equal(bad.error.status, 403);
  assert.equal(bad.error.code, "INVALID_CALLBACKURL");
  const badError = await auth.signIn.social({ provider: "local", errorCallbackURL: "https://evil.example/x" });
  assert.equal(badError.error.status, 403);
  assert.equal(badError.error.code, "INVALID_ERRORCALLBACKURL");
  const unknown = await auth.signIn.social({ provider: "nope" });
  assert.equal(unknown.error.status, 404);
  assert.equal(unknown.error.code, "PROVIDER_NOT_FOUND");
});

await check("an unverified provider email matching an existing user is not linked: account_not_linked", async () => {
  const email = `unverified-${run}@example.com`;
  const owner = createAuthClient({ baseURL: server });
  const signUp = await owner.signUp.email({ email, password: "a long enough password", name: "Owner" });
  assert.equal(signUp.error, null, JSON.stringify(signUp.error));
  const { browser, auth } = browserFor(email);
  const res = await auth.signIn.social({ provider: "local", callbackURL: `${web}/dashboard`, errorCallbackURL: `${web}/oops` });
  const end = await complete(browser, res.data.url);
  assert.equal(end.url, `${web}/oops?error=account_not_linked`, end.trail.join("\n"));
  assert.equal(await session(browser), null, "no session");
});

await check("a verified provider email joins a verified user; an unverified user is never joined (pre-account takeover)", async () => {
  // grace signs up through one provider (verified by it), then signs in through the other.
  const grace = `grace-${run}`;
  const first = browserFor(grace);
  const signUp = await first.auth.signIn.social({ provider: "local", callbackURL: `${web}/dashboard`, newUserCallbackURL: `${web}/welcome` });
  assert.equal((await complete(first.browser, signUp.data.url)).url, `${web}/welcome`);
  const graceId = (await session(first.browser)).user.id;
  const second = browserFor(grace);
  const other = await second.auth.signIn.social({ provider: "partner", callbackURL: `${web}/dashboard`, newUserCallbackURL: `${web}/welcome` });
  assert.equal((await complete(second.browser, other.data.url)).url, `${web}/dashboard`, "joined, not created");
  assert.equal((await session(second.browser)).user.id, graceId);

  // Someone signs up with frank's address and a password, never proving it;
  // frank's verified provider account must not join that user.
  const email = `frank-${run}@example.com`;
  const squatter = createAuthClient({ baseURL: server });
  assert.equal((await squatter.signUp.email({ email, password: "a long enough password", name: "Not Frank" })).error, null);
  const frank = browserFor(`frank-${run}`);
  const res = await frank.auth.signIn.social({ provider: "local", callbackURL: `${web}/dashboard`, errorCallbackURL: `${web}/oops` });
  const end = await complete(frank.browser, res.data.url);
  assert.equal(end.url, `${web}/oops?error=account_not_linked`, end.trail.join("\n"));
  assert.equal(await session(frank.browser), null);
});

await check("idToken sign-in with an ID token the provider minted; bearer works for the session", async () => {
  const { mintIdToken } = op;
  const login = `dave-${run}`;
  const token = await mintIdToken({ aud: localClient, sub: `sub-dave-${run}`, email: `${login}@example.com`, name: "Dave", nonce: `n-${run}` });
  const auth = createAuthClient({ baseURL: server });
  let bearer = null;
  const res = await auth.signIn.social(
    { provider: "local", idToken: { token, nonce: `n-${run}` } },
    { onSuccess: (ctx) => { bearer = ctx.response.headers.get("set-auth-token"); } },
  );
  assert.equal(res.error, null, JSON.stringify(res.error));
  assert.equal(res.data.redirect, false);
  assert.equal(res.data.user.email, `${login}@example.com`);
  assert.ok(bearer, "set-auth-token");
  const me = await fetch(`${server}/trpc/main.auth.getMe`, { headers: { authorization: `Bearer ${bearer}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).result.data.user.id, res.data.user.id);
  // A native app's own client id (the second of OIDC_LOCAL_CLIENT_ID) is an accepted audience.
  const ios = await mintIdToken({ aud: "nextstack-ios", sub: `sub-dave-${run}`, email: `${login}@example.com`, nonce: `ios-${run}` });
  const again = await auth.signIn.social({ provider: "local", idToken: { token: ios, nonce: `ios-${run}` } });
  assert.equal(again.error, null, JSON.stringify(again.error));
  assert.equal(again.data.user.id, res.data.user.id, "the same provider account: the same user");
});

await check("idToken: wrong audience, wrong issuer, bad signature, expired, nonce mismatch and replay are refused", async () => {
  const { mintIdToken } = op;
  const base = { aud: localClient, sub: `sub-eve-${run}`, email: `eve-${run}@example.com`, name: "Eve" };
  const cases = {
    "wrong audience": [await mintIdToken({ ...base, aud: "someone-else", nonce: "a1" }), "a1"],
    "wrong issuer": [await mintIdToken({ ...base, iss: "https://evil.example", nonce: "a2" }), "a2"],
    "bad signature": [await mintIdToken({ ...base, signWith: "other", nonce: "a3" }), "a3"],
    expired: [await mintIdToken({ ...base, expiresIn: -120, nonce: "a4" }), "a4"],
    "nonce mismatch": [await mintIdToken({ ...base, nonce: "a5" }), "not-a5"],
    "nonce withheld": [await mintIdToken({ ...base, nonce: "a6" }), undefined],
  };
  for (const [name, [token, nonce]] of Object.entries(cases)) {
    const res = await fetch(`${api}/sign-in/social`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "local", idToken: { token, nonce } }),
    });
    assert.equal(res.status, 401, name);
    assert.equal((await res.json()).code, "INVALID_TOKEN", name);
    assert.equal(res.headers.get("set-cookie"), null, `${name}: no session`);
  }
  const good = await mintIdToken({ ...base, nonce: `once-${run}` });
  const send = () =>
    fetch(`${api}/sign-in/social`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "local", idToken: { token: good, nonce: `once-${run}` } }),
    });
  assert.equal((await send()).status, 200, "first use");
  const replay = await send();
  assert.equal(replay.status, 401, "replayed");
  assert.equal((await replay.json()).code, "INVALID_TOKEN");
});

await check("a banned user's provider sign-in is refused: idToken 403 BANNED_USER, the redirect flow error=banned, no session", async () => {
  const { mintIdToken } = op;
  const login = `gina-${run}`;
  const claims = { aud: localClient, sub: `sub-gina-${run}`, email: `${login}@example.com`, name: "Gina" };
  const post = (path, body, headers = {}) =>
    fetch(`${api}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const first = await post("/sign-in/social", { provider: "local", idToken: { token: await mintIdToken({ ...claims, nonce: `g1-${run}` }), nonce: `g1-${run}` } });
  assert.equal(first.status, 200);
  const gina = (await first.json()).user.id;
  // An admin (ADMIN_EMAILS, set by the Rust test) bans her.
  const admin = await post("/sign-up/email", { email: "social-admin@example.com", password: "admin-password-0123", name: "Admin" });
  assert.equal(admin.status, 200);
  const bearer = { authorization: `Bearer ${(await admin.json()).token}` };
  const ban = await post("/admin/ban-user", { userId: gina, banReason: "spam" }, bearer);
  assert.equal(ban.status, 200, await ban.text());

  const again = await post("/sign-in/social", { provider: "local", idToken: { token: await mintIdToken({ ...claims, nonce: `g2-${run}` }), nonce: `g2-${run}` } });
  assert.equal(again.status, 403);
  assert.equal((await again.json()).code, "BANNED_USER");
  assert.equal(again.headers.get("set-cookie"), null, "no session");

  const { browser, auth } = browserFor(login);
  const res = await auth.signIn.social({ provider: "local", callbackURL: `${web}/dashboard`, errorCallbackURL: `${web}/oops` });
  const end = await complete(browser, res.data.url);
  const target = new URL(end.url);
  assert.equal(`${target.origin}${target.pathname}`, `${web}/oops`, end.trail.join("\n"));
  assert.equal(target.searchParams.get("error"), "banned");
  assert.equal(await session(browser), null);
});

await check("Expo: a native sign-in goes through the authorization proxy and hands the cookie to the app", async () => {
  const login = `erin-${run}`;
  // What expoClient sends: no Origin, its scheme in expo-origin, a deep-link callbackURL.
  const start = await fetch(`${api}/sign-in/social`, {
    method: "POST",
    headers: { "content-type": "application/json", "expo-origin": appScheme },
    body: JSON.stringify({ provider: "local", callbackURL: `${appScheme}home` }),
  });
  assert.equal(start.status, 200);
  const { url } = await start.json();
  // The app opens the proxy in the system browser, which has none of the app's cookies.
  const browser = new Browser({ login });
  const proxy = `${api}/expo-authorization-proxy?authorizationURL=${encodeURIComponent(url)}`;
  const end = await browser.follow(proxy);
  const deepLink = new URL(end.url);
  assert.equal(`${deepLink.protocol}//${deepLink.host}`, `${appScheme}home`, end.trail.join("\n"));
  const cookie = deepLink.searchParams.get("cookie");
  assert.match(cookie, /better-auth\.session_token=/);
  assert.equal(browser.cookie(server, "better-auth.session_token"), undefined, "the system browser is not signed in");
  // The proxy binds a flow to one browser only.
  const again = await new Browser({ login }).fetch(proxy);
  assert.equal(again.status, 400);
  // expoClient stores the cookie and sends it on its own requests.
  const pair = cookie.split(/,\s*/).map((c) => c.split(";")[0]).find((c) => c.startsWith("better-auth.session_token="));
  const res = await fetch(`${api}/get-session`, { headers: { cookie: pair, "expo-origin": appScheme } });
  assert.equal((await res.json()).user.email, `${login}@example.com`);
});

await check("Expo: expo-origin passes the origin check only for a trusted scheme", async () => {
  const send = (origin, callbackURL = `${appScheme}done`) =>
    fetch(`${api}/sign-in/social`, {
      method: "POST",
      headers: { "content-type": "application/json", "expo-origin": origin },
      body: JSON.stringify({ provider: "local", callbackURL }),
    });
  assert.equal((await send(appScheme)).status, 200);
  const refused = await send("otherapp://");
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).code, "INVALID_ORIGIN");
  // A native flow ends in the app: a web page as its callback is refused.
  const webCallback = await send(appScheme, `${web}/dashboard`);
  assert.equal(webCallback.status, 403);
  assert.equal((await webCallback.json()).code, "INVALID_CALLBACKURL");
});

await check("Expo: the proxy only binds a native flow's state, and only for the provider's own endpoint", async () => {
  const web = await fetch(`${api}/sign-in/social`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ provider: "local", callbackURL: "/done" }),
  });
  const webUrl = (await web.json()).url;
  const refusedWeb = await fetch(`${api}/expo-authorization-proxy?authorizationURL=${encodeURIComponent(webUrl)}`, { redirect: "manual" });
  assert.equal(refusedWeb.status, 400, "a web flow's state cannot be bound through the proxy");
  const native = await fetch(`${api}/sign-in/social`, {
    method: "POST",
    headers: { "content-type": "application/json", "expo-origin": appScheme },
    body: JSON.stringify({ provider: "local", callbackURL: `${appScheme}home` }),
  });
  const nativeUrl = new URL((await native.json()).url);
  const elsewhere = new URL(`https://evil.example/authorize${nativeUrl.search}`);
  const refusedElsewhere = await fetch(`${api}/expo-authorization-proxy?authorizationURL=${encodeURIComponent(elsewhere)}`, { redirect: "manual" });
  assert.equal(refusedElsewhere.status, 400, "no open redirect");
  assert.equal(refusedElsewhere.headers.get("set-cookie"), null);
});

await check("a form_post callback is moved to the GET callback, where the state cookie is sent", async () => {
  const res = await fetch(`${api}/oauth2/callback/local`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: issuer },
    body: "code=c1&state=s1&unrelated=x",
    redirect: "manual",
  });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), `${api}/oauth2/callback/local?code=c1&state=s1`);
});

await check("the default error page shows the code, escaped", async () => {
  const res = await fetch(`${errorPage}?error=%3Cscript%3Ex`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.ok(html.includes("&lt;script&gt;x"), html);
  assert.ok(!html.includes("<script>"));
});

await op.close();
summary();
process.exit(0);
