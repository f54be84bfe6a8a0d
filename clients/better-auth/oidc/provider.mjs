#!/usr/bin/env node
// A real OpenID Connect provider for tests: panva's `oidc-provider` (OpenID
// Certified) on 127.0.0.1, with its built-in login/consent pages
// (devInteractions) that `browser.mjs` fills in.
//
// The HTTP server binds first (port 0), so the issuer URL is known before the
// relying parties are; `configure(clients)` then builds the Provider. Until
// then every request gets 503.
//
// Accounts are made up from the login typed on the login page (see `claimsFor`).
//
// Run directly, it speaks a line protocol for a parent process (a Rust test):
//   stdout: "ISSUER http://127.0.0.1:PORT"
//   stdin:  one line, the clients array as JSON
//   stdout: "READY"
// and serves until stdin closes or SIGTERM/SIGINT. Anything else goes to stderr.

import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

import { SignJWT, exportJWK, generateKeyPair } from "jose";

// oidc-provider announces development-only defaults (in-memory adapter,
// devInteractions, default TTL helpers) through console.info/console.warn;
// those are expected here and `console.info` would also land on stdout, which
// the line protocol owns. Drop exactly those notices; every other line,
// including other oidc-provider WARNINGs, passes through. Installed before
// oidc-provider is imported (dynamically, in startProvider) because it can
// warn while its module loads.
const NOISE = /^(\x1b\[[\d;]*m)?oidc-provider (NOTICE: |WARNING: .*(development-only|quick start))/;
const quiet = (sink) => (...args) => {
  if (!(typeof args[0] === "string" && NOISE.test(args[0]))) sink(...args);
};
console.info = quiet(console.info.bind(console));
console.warn = quiet(console.warn.bind(console));

/** The `sub` the provider gives the account whose login is `login`: stable and opaque. */
export function subFor(login) {
  return `sub-${createHash("sha256").update(login).digest("hex").slice(0, 24)}`;
}

/**
 * The claims of the account behind a typed login. `alice` is alice@example.com,
 * `Bob@Example.org` keeps its case, and any login starting with "unverified"
 * has an unverified email.
 */
export function claimsFor(login) {
  const sub = subFor(login);
  const email = login.includes("@") ? login : `${login}@example.com`;
  return {
    sub,
    email,
    email_verified: !login.startsWith("unverified"),
    name: email.slice(0, email.indexOf("@")),
    picture: `https://example.com/avatar/${sub}.png`,
  };
}

/** Generates an RS256 key pair with a `kid`; the private JWK is what oidc-provider takes. */
async function rsaKey(kid) {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, privateJwk, publicJwk };
}

/** Provider configuration; names as documented for oidc-provider 8.x (docs/README.md of v8.8.1). */
function providerConfig(clients, signingKey) {
  return {
    clients,
    clientDefaults: {
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "RS256",
    },
    jwks: { keys: [signingKey.privateJwk] },
    // `sub` comes from claims(); the accountId stays the typed login, which is
    // what devInteractions stores and what findAccount receives later.
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => claimsFor(id) };
    },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "picture"],
    },
    // Put the scope-requested claims into the ID token even though an access
    // token for userinfo is issued too (the spec default keeps them to userinfo).
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: true },
      userinfo: { enabled: true },
    },
    // PKCE (S256 only) for every client, confidential ones too: the server
    // under test always sends it, so a request without it must fail.
    pkce: { methods: ["S256"], required: () => true },
    // Refresh tokens whenever the client may use them, without requiring
    // `offline_access` + `prompt=consent` (which oidc-provider otherwise does).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    // Fixed keys sign the cookies. SameSite=Lax on both kinds: the long-lived
    // default is SameSite=None, which real browsers drop over plain http.
    cookies: {
      keys: ["oidc-test-cookie-key-not-secret"],
      long: { httpOnly: true, sameSite: "lax" },
      short: { httpOnly: true, sameSite: "lax" },
    },
    // Plain numbers instead of the default TTL helpers (which log notices).
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 600,
      IdToken: 3600,
      RefreshToken: 86400,
      Interaction: 3600,
      Session: 86400,
      Grant: 86400,
    },
  };
}

/**
 * Starts the provider's HTTP server on 127.0.0.1 (random port).
 * Returns `{ issuer, configure(clients), mintIdToken(opts), close(), provider, jwks, subFor, claimsFor }`.
 */
export async function startProvider() {
  const { Provider } = await import("oidc-provider");
  const signingKey = await rsaKey("test-key-1");
  // Never published: tokens signed with it must fail verification.
  const otherKey = await rsaKey("test-key-1");

  let handler = null;
  let provider = null;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { "content-type": "text/plain" }).end("provider not configured yet\n");
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;

  /** Builds the Provider for these clients (oidc-provider client metadata) and starts serving it. */
  function configure(clients) {
    provider = new Provider(issuer, providerConfig(clients, signingKey));
    // Unexpected failures inside oidc-provider are worth seeing; the protocol
    // errors tests provoke on purpose (invalid_client, access_denied, ...) are
    // answered to the client and only logged with OIDC_PROVIDER_DEBUG=1.
    provider.on("server_error", (_ctx, err) => console.error("oidc-provider server_error:", err));
    if (process.env.OIDC_PROVIDER_DEBUG) {
      for (const event of ["authorization.error", "grant.error", "userinfo.error", "backchannel.error"]) {
        provider.on(event, (_ctx, err) => console.error(`oidc-provider ${event}:`, err.message, err.error_description ?? ""));
      }
    }
    handler = provider.callback();
  }

  /**
   * A compact RS256 JWS with ID-token claims, for tests the real flow can't
   * produce. `signWith: 'other'` uses the unpublished key (same kid, so the
   * verifier finds a key and the signature check itself fails); a negative
   * `expiresIn` gives an expired token; `extra` adds or overrides claims.
   */
  async function mintIdToken({
    aud,
    iss = issuer,
    sub,
    email,
    email_verified = true,
    name,
    picture,
    nonce,
    expiresIn = 600,
    iat = Math.floor(Date.now() / 1000),
    signWith = "provider",
    kid,
    extra = {},
  } = {}) {
    const key = signWith === "other" ? otherKey : signingKey;
    if (!["provider", "other"].includes(signWith)) throw new Error(`signWith must be 'provider' or 'other', not ${signWith}`);
    const payload = { email, email_verified, name, picture, nonce, ...extra };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: kid ?? key.kid })
      .setIssuer(iss)
      .setAudience(aud)
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + expiresIn)
      .sign(key.privateKey);
  }

  /** Stops listening and drops open (keep-alive) connections so the process can exit. */
  function close() {
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  return {
    issuer,
    configure,
    mintIdToken,
    close,
    /** The oidc-provider instance once configured (for events or advanced tests). */
    get provider() {
      return provider;
    },
    /** The published JWKS (public part of the signing key). */
    jwks: { keys: [signingKey.publicJwk] },
    subFor,
    claimsFor,
  };
}

/** The line protocol described at the top. */
async function main() {
  // Keep stdout for the protocol: stray console.log/info output goes to stderr.
  console.log = console.info = quiet(console.error.bind(console));
  const op = await startProvider();
  process.stdout.write(`ISSUER ${op.issuer}\n`);

  let shuttingDown = false;
  const shutdown = async (code) => {
    if (shuttingDown) return;
    shuttingDown = true;
    await op.close();
    process.exit(code);
  };
  process.on("SIGTERM", () => shutdown(0));
  process.on("SIGINT", () => shutdown(0));

  const lines = createInterface({ input: process.stdin });
  let configured = false;
  lines.on("line", (line) => {
    if (configured || !line.trim()) return;
    try {
      const clients = JSON.parse(line);
      if (!Array.isArray(clients)) throw new Error("expected a JSON array of clients");
      op.configure(clients);
    } catch (err) {
      console.error(`oidc provider: bad clients line: ${err.message}`);
      shutdown(1);
      return;
    }
    configured = true;
    process.stdout.write("READY\n");
  });
  // The parent closing stdin (or dying) ends the provider.
  lines.on("close", () => shutdown(configured ? 0 : 1));
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
