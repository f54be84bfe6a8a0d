#!/usr/bin/env node
// Proves the OIDC test harness end to end without the Rust server: the
// provider (provider.mjs), the browser (browser.mjs) and a tiny relying party
// here that does what a real one does (authorization code + PKCE S256 + state
// + nonce, code exchange, ID token verification against the published JWKS).
//
//   node oidc/selftest.mjs      -> one line per check, then "N passed, 0 failed"

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { createRemoteJWKSet, jwtVerify } from "jose";

import { check, summary } from "../checks.mjs";
import { Browser } from "./browser.mjs";
import { startProvider } from "./provider.mjs";

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");

/** The body of an incoming request as text. */
async function text(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
}

/**
 * A minimal relying party. GET /login/<client>[?pkce=0][&mode=form_post]
 * starts a sign-in (without PKCE, or asking for response_mode=form_post); the
 * provider returns to /cb/<client>, where the code is exchanged and the ID
 * token verified; the page answers JSON `{ claims, userinfo, refresh_token }`,
 * `{ error, state }` for an error response, or 500 `{ failure }`.
 */
async function startRelyingParty() {
  const pending = new Map(); // state -> { nonce, verifier, client }
  const rp = { clients: {}, lastState: null, discovery: null, jwks: null };

  async function callback(client, params) {
    if (params.get("error")) return { error: params.get("error"), state: params.get("state") };
    const flow = pending.get(params.get("state"));
    assert.ok(flow && flow.client === client.client_id, "state matches a pending sign-in of this client");
    pending.delete(params.get("state"));
    assert.equal(params.get("iss"), rp.discovery.issuer, "RFC 9207 iss in the authorization response");

    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code"),
      redirect_uri: client.redirect_uris[0],
      code_verifier: flow.verifier,
    });
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    if (client.token_endpoint_auth_method === "client_secret_post") {
      form.set("client_id", client.client_id);
      form.set("client_secret", client.client_secret);
    } else {
      const enc = (s) => encodeURIComponent(s);
      headers.authorization = `Basic ${btoa(`${enc(client.client_id)}:${enc(client.client_secret)}`)}`;
    }
    const res = await fetch(rp.discovery.token_endpoint, { method: "POST", headers, body: form });
    const tokens = await res.json();
    assert.equal(res.status, 200, JSON.stringify(tokens));

    const { payload } = await jwtVerify(tokens.id_token, rp.jwks, {
      issuer: rp.discovery.issuer,
      audience: client.client_id,
      algorithms: ["RS256"],
    });
    assert.equal(payload.nonce, flow.nonce, "nonce round-trips into the ID token");
    const userinfo = await fetch(rp.discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    }).then((r) => r.json());
    return { claims: payload, userinfo, refresh_token: tokens.refresh_token };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, rp.origin);
    const [, route, id] = url.pathname.split("/");
    const client = rp.clients[id];
    try {
      if (route === "login" && client) {
        const state = b64url(randomBytes(16));
        const nonce = b64url(randomBytes(16));
        const verifier = b64url(randomBytes(32));
        pending.set(state, { nonce, verifier, client: client.client_id });
        rp.lastState = state;
        const auth = new URL(rp.discovery.authorization_endpoint);
        auth.search = new URLSearchParams({
          response_type: "code",
          client_id: client.client_id,
          redirect_uri: client.redirect_uris[0],
          scope: "openid email profile",
          state,
          nonce,
          ...(url.searchParams.get("mode") ? { response_mode: url.searchParams.get("mode") } : {}),
          ...(url.searchParams.get("pkce") === "0"
            ? {}
            : { code_challenge: b64url(createHash("sha256").update(verifier).digest()), code_challenge_method: "S256" }),
        });
        res.writeHead(302, { location: auth.href }).end();
      } else if (route === "cb" && client) {
        // GET for the query response mode, POST for form_post.
        const params = req.method === "POST" ? new URLSearchParams(await text(req)) : url.searchParams;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(await callback(client, params)));
      } else {
        res.writeHead(404).end();
      }
    } catch (err) {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ failure: err.message }));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  rp.origin = `http://127.0.0.1:${server.address().port}`;
  rp.close = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return rp;
}

/** Signs in through the RP with a browser; returns the RP callback's JSON. */
async function signIn(rp, clientId, browser) {
  const result = await browser.follow(`${rp.origin}/login/${clientId}`);
  assert.equal(result.status, 200, `${result.body}\n${result.trail.join("\n")}`);
  return JSON.parse(result.body);
}

/** Runs provider.mjs as a child process with its line protocol, as a Rust test would. */
async function lineProtocol() {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./provider.mjs", import.meta.url))], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = (await lines.next()).value;
  assert.match(first, /^ISSUER http:\/\/127\.0\.0\.1:\d+$/);
  const issuer = first.split(" ")[1];
  assert.equal((await fetch(`${issuer}/.well-known/openid-configuration`)).status, 503);
  child.stdin.write(`${JSON.stringify([{ client_id: "x", client_secret: "y", redirect_uris: ["http://127.0.0.1/cb"] }])}\n`);
  assert.equal((await lines.next()).value, "READY");
  const discovery = await fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.json());
  assert.equal(discovery.issuer, issuer);
  child.stdin.end();
  assert.equal(await exited, 0, "exits 0 when stdin closes");
}

const op = await startProvider();
const rp = await startRelyingParty();

await check("provider answers 503 until configured", async () => {
  assert.equal((await fetch(`${op.issuer}/.well-known/openid-configuration`)).status, 503);
});

const secret = (id) => `${id}-secret-${b64url(randomBytes(8))}`;
rp.clients = {
  basic: { client_id: "rp-basic", client_secret: secret("basic"), redirect_uris: [`${rp.origin}/cb/basic`], token_endpoint_auth_method: "client_secret_basic" },
  post: { client_id: "rp-post", client_secret: secret("post"), redirect_uris: [`${rp.origin}/cb/post`], token_endpoint_auth_method: "client_secret_post" },
};
op.configure([
  ...Object.values(rp.clients).map((c) => ({ ...c, grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] })),
  // A native app with a custom-scheme redirect, to see the browser stop there.
  { client_id: "app", client_secret: secret("app"), application_type: "native", redirect_uris: ["com.example.app:/cb"] },
]);

await check("discovery: issuer, S256 only, email/profile claims", async () => {
  rp.discovery = await fetch(`${op.issuer}/.well-known/openid-configuration`).then((r) => r.json());
  assert.equal(rp.discovery.issuer, op.issuer);
  assert.deepEqual(rp.discovery.code_challenge_methods_supported, ["S256"]);
  for (const claim of ["email", "email_verified", "name", "picture"]) assert.ok(rp.discovery.claims_supported.includes(claim), claim);
  rp.jwks = createRemoteJWKSet(new URL(rp.discovery.jwks_uri));
});

let aliceSub;
await check("alice signs in (client_secret_basic): verified ID token with email claims", async () => {
  const { claims, userinfo, refresh_token, failure } = await signIn(rp, "basic", new Browser({ login: "alice" }));
  assert.equal(failure, undefined, failure);
  assert.equal(claims.sub, op.subFor("alice"));
  assert.equal(claims.email, "alice@example.com");
  assert.equal(claims.email_verified, true);
  assert.equal(claims.name, "alice");
  assert.equal(claims.picture, `https://example.com/avatar/${claims.sub}.png`);
  assert.equal(userinfo.email, "alice@example.com");
  assert.ok(refresh_token, "refresh token issued");
  aliceSub = claims.sub;
});

await check("same login in a fresh browser: same sub", async () => {
  const { claims } = await signIn(rp, "basic", new Browser({ login: "alice" }));
  assert.equal(claims.sub, aliceSub);
});

await check("unverified-bob@example.com signs in (client_secret_post): email_verified false", async () => {
  const { claims, failure } = await signIn(rp, "post", new Browser({ login: "unverified-bob@example.com" }));
  assert.equal(failure, undefined, failure);
  assert.equal(claims.email, "unverified-bob@example.com");
  assert.equal(claims.email_verified, false);
  assert.equal(claims.name, "unverified-bob");
});

await check("second sign-in in the same browser skips the provider's pages (session)", async () => {
  const browser = new Browser({ login: "carol" });
  await signIn(rp, "basic", browser);
  const again = await browser.follow(`${rp.origin}/login/basic`);
  assert.ok(!again.trail.some((t) => t.startsWith("POST")), again.trail.join("\n"));
  assert.equal(JSON.parse(again.body).claims.email, "carol@example.com");
});

await check("response_mode=form_post: the browser submits the callback form", async () => {
  const stopped = await new Browser({ login: "grace" }).follow(`${rp.origin}/login/post?mode=form_post`, { stopAt: `${rp.origin}/cb/` });
  assert.equal(stopped.url, `${rp.origin}/cb/post`);
  assert.equal(stopped.form.get("state"), rp.lastState);
  assert.ok(stopped.form.get("code"));
  const { claims, failure } = await signIn(rp, "post?mode=form_post", new Browser({ login: "grace" }));
  assert.equal(failure, undefined, failure);
  assert.equal(claims.email, "grace@example.com");
});

await check("deny: access_denied with the state at the redirect URI", async () => {
  const result = await new Browser({ login: "dave", deny: true }).follow(`${rp.origin}/login/basic`, {
    stopAt: `${rp.origin}/cb/`,
  });
  const back = new URL(result.url);
  assert.equal(`${back.origin}${back.pathname}`, `${rp.origin}/cb/basic`);
  assert.equal(back.searchParams.get("error"), "access_denied");
  assert.equal(back.searchParams.get("state"), rp.lastState);
  assert.equal(back.searchParams.get("iss"), op.issuer);
});

await check("PKCE required: no code_challenge gives invalid_request at the redirect URI", async () => {
  const result = await new Browser({ login: "erin" }).follow(`${rp.origin}/login/basic?pkce=0`, { stopAt: `${rp.origin}/cb/` });
  const back = new URL(result.url);
  assert.equal(back.searchParams.get("error"), "invalid_request");
  assert.match(back.searchParams.get("error_description"), /PKCE/);
  assert.equal(back.searchParams.get("state"), rp.lastState);
});

await check("browser stops at a custom-scheme redirect", async () => {
  const auth = new URL(rp.discovery.authorization_endpoint);
  const verifier = b64url(randomBytes(32));
  auth.search = new URLSearchParams({
    response_type: "code",
    client_id: "app",
    redirect_uri: "com.example.app:/cb",
    scope: "openid",
    state: "s1",
    code_challenge: b64url(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
  });
  const result = await new Browser({ login: "frank" }).follow(auth.href);
  assert.match(result.url, /^com\.example\.app:\/cb\?code=[^&]+&state=s1/);
  assert.equal(result.status, 303);
});

await check("token endpoint: basic/post interchangeable, wrong secret is 401 invalid_client", async () => {
  // oidc-provider treats the two secret methods as one: a client registered
  // for client_secret_post may authenticate with Basic and vice versa.
  const { client_id, client_secret, redirect_uris } = rp.clients.post;
  const tokenRequest = (secret) =>
    fetch(rp.discovery.token_endpoint, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`${client_id}:${secret}`)}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code: "not-a-code", redirect_uri: redirect_uris[0], code_verifier: "v".repeat(43) }),
    }).then(async (r) => [r.status, (await r.json()).error]);
  assert.deepEqual(await tokenRequest(client_secret), [400, "invalid_grant"]);
  assert.deepEqual(await tokenRequest("wrong"), [401, "invalid_client"]);
});

await check("mintIdToken: provider key verifies; other key, expired, wrong aud fail", async () => {
  const opts = { aud: "rp-basic", sub: "minted", email: "Minted@Example.com", name: "Minted", nonce: "n1" };
  const verify = (jwt) => jwtVerify(jwt, rp.jwks, { issuer: op.issuer, audience: "rp-basic", algorithms: ["RS256"] });
  const { payload } = await verify(await op.mintIdToken(opts));
  assert.deepEqual(
    [payload.sub, payload.email, payload.email_verified, payload.nonce],
    ["minted", "Minted@Example.com", true, "n1"],
  );
  await assert.rejects(verify(await op.mintIdToken({ ...opts, signWith: "other" })), { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
  await assert.rejects(verify(await op.mintIdToken({ ...opts, expiresIn: -120 })), { code: "ERR_JWT_EXPIRED" });
  await assert.rejects(verify(await op.mintIdToken({ ...opts, aud: "someone-else" })), { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "aud" });
  await assert.rejects(verify(await op.mintIdToken({ ...opts, iss: "http://evil.example" })), { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "iss" });
});

await check("line protocol: ISSUER, 503, clients line, READY, exit 0 on stdin close", lineProtocol);

await Promise.all([rp.close(), op.close()]);
summary();
