// tRPC 11 client options real apps use, with the real packages:
// - `methodOverride: 'POST'` on httpLink, httpBatchLink and httpBatchStreamLink
//   (queries sent as POST, for inputs that would overflow a URL);
// - `httpSubscriptionLink({ connectionParams })`: an EventSource that cannot
//   set headers authenticates with `connectionParams: { token }`;
// - a cross-origin preflight carrying create-t3-app's `x-trpc-source` header;
// - a `FormData` upload (`main.storage.upload`) over `httpLink`, routed there
//   by `splitLink` + `isNonJsonSerializable` as tRPC's docs show.
//
//   SERVER_URL=http://127.0.0.1:PORT ORIGIN=http://localhost:5173 MAX_UPLOAD_BYTES=65536 node trpc11-options.mjs
//
// Prints one line per passed check and finally "N passed, 0 failed".

import assert from "node:assert/strict";

import {
  TRPCClientError,
  createTRPCClient,
  httpBatchLink,
  httpBatchStreamLink,
  httpLink,
  httpSubscriptionLink,
  isNonJsonSerializable,
  splitLink,
} from "@trpc/client";
import { EventSource } from "eventsource";

import { check as runCheck, run, signUp, summary } from "./checks.mjs";

const baseURL = process.env.SERVER_URL;
const origin = process.env.ORIGIN;
if (!baseURL || !origin) {
  process.stderr.write("usage: SERVER_URL=http://127.0.0.1:PORT ORIGIN=<a CORS origin> node trpc11-options.mjs\n");
  process.exit(2);
}

/** A check that also prints a failed tRPC call's data. */
const check = (name, fn) =>
  runCheck(name, fn, (err) => (err instanceof TRPCClientError ? `\ndata: ${JSON.stringify(err.data)}` : ""));

/** Records the method of every request the client makes. */
function recordingFetch(methods) {
  return (input, init = {}) => {
    methods.push(init.method ?? "GET");
    return fetch(input, init);
  };
}

const seller = await signUp(baseURL, "seller");
const buyer = await signUp(baseURL, "buyer");
const auth = (token) => ({ authorization: `Bearer ${token}` });

for (const [name, link] of [
  ["httpLink", httpLink],
  ["httpBatchLink", httpBatchLink],
  ["httpBatchStreamLink", httpBatchStreamLink],
]) {
  await check(`[${name}] methodOverride: 'POST' sends queries as POST and gets their answers`, async () => {
    const methods = [];
    const api = createTRPCClient({
      links: [
        link({ url: `${baseURL}/trpc`, methodOverride: "POST", headers: auth(buyer.token), fetch: recordingFetch(methods) }),
      ],
    });
    const [me, feed, users] = await Promise.all([
      api.main.auth.getMe.query(),
      api.main.post.feed.query({ limit: 5 }),
      api.core.user.list.query({ limit: 5, search: `no such user ${"x".repeat(80)}` }),
    ]);
    assert.equal(me.user.id, buyer.id);
    assert.ok(Array.isArray(feed.items));
    assert.equal(users.data.length, 0);
    assert.ok(methods.length > 0 && methods.every((m) => m === "POST"), `methods: ${methods}`);
  });
}

await check("methodOverride keeps mutations POST-only and refuses subscriptions", async () => {
  const res = await fetch(`${baseURL}/trpc/main.order.onChange`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth(buyer.token) },
    body: "{}",
  });
  assert.equal(res.status, 405);
  const body = await res.json();
  assert.equal(body.error.data.code, "METHOD_NOT_SUPPORTED");
});

await check("connectionParams: { token } signs an EventSource subscription in", async () => {
  const sellerApi = createTRPCClient({ links: [httpBatchLink({ url: `${baseURL}/trpc`, headers: auth(seller.token) })] });
  const buyerApi = createTRPCClient({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        // No headers on this link at all: the token travels as a connection parameter.
        true: httpSubscriptionLink({ url: `${baseURL}/trpc`, EventSource, connectionParams: async () => ({ token: buyer.token }) }),
        false: httpBatchLink({ url: `${baseURL}/trpc`, headers: auth(buyer.token) }),
      }),
    ],
  });
  const offering = await sellerApi.core.offering.create.mutate({ title: `Lesson ${run}`, priceCents: 500, status: "ACTIVE" });
  let started;
  const ready = new Promise((resolve) => (started = resolve));
  let reached;
  const done = new Promise((resolve, reject) => (reached = { resolve, reject }));
  const subscription = buyerApi.main.order.onChange.subscribe(
    {},
    { onStarted: () => started(), onData: (event) => reached.resolve(event), onError: (err) => reached.reject(err) },
  );
  await ready;
  const order = await buyerApi.main.order.place.mutate({ offeringId: offering.id, quantity: 1 });
  const timeout = setTimeout(() => reached.reject(new Error("no event within 10 s")), 10_000);
  const event = await done;
  clearTimeout(timeout);
  subscription.unsubscribe();
  assert.equal(event.data.id, order.id);
  assert.equal(event.data.status, "PENDING");
});

await check("a subscription without a token, or with a forged one, is UNAUTHORIZED", async () => {
  for (const connectionParams of [undefined, { token: "forged" }]) {
    const api = createTRPCClient({ links: [httpSubscriptionLink({ url: `${baseURL}/trpc`, EventSource, connectionParams })] });
    const failure = await new Promise((resolve) => {
      const sub = api.main.order.onChange.subscribe(
        {},
        {
          onData: () => resolve(new Error("got data")),
          onError: (err) => {
            sub.unsubscribe();
            resolve(err);
          },
        },
      );
    });
    assert.ok(failure instanceof TRPCClientError, String(failure));
    assert.equal(failure.data?.code, "UNAUTHORIZED", JSON.stringify(failure.data));
  }
});

await check("a preflight with x-trpc-source (create-t3-app's links) passes CORS", async () => {
  const res = await fetch(`${baseURL}/trpc/main.post.feed`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "GET",
      "access-control-request-headers": "x-trpc-source,content-type",
    },
  });
  assert.ok(res.status === 200 || res.status === 204, `status ${res.status}`);
  assert.equal(res.headers.get("access-control-allow-origin"), origin);
  const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
  assert.ok(allowed.split(",").map((h) => h.trim()).includes("x-trpc-source"), `allowed: ${allowed}`);
  const api = createTRPCClient({
    links: [httpBatchLink({ url: `${baseURL}/trpc`, headers: { "x-trpc-source": "nextjs-react", origin } })],
  });
  const feed = await api.main.post.feed.query({ limit: 1 });
  assert.ok(Array.isArray(feed.items));
});

await check("FormData uploads through httpLink, and the bytes come back", async () => {
  const api = createTRPCClient({
    links: [
      splitLink({
        condition: (op) => isNonJsonSerializable(op.input),
        true: httpLink({ url: `${baseURL}/trpc`, headers: auth(buyer.token) }),
        false: httpBatchLink({ url: `${baseURL}/trpc`, headers: auth(buyer.token) }),
      }),
    ],
  });
  const bytes = new Uint8Array(40_000).map((_, i) => (i * 31) % 251);
  const form = new FormData();
  form.append("file", new Blob([bytes], { type: "image/png" }), "picture.png");
  const file = await api.main.storage.upload.mutate(form);
  assert.equal(file.status, "READY");
  assert.equal(file.size, bytes.length);
  assert.equal(file.mimeType, "image/png");
  assert.equal(file.originalName, "picture.png");
  const ticket = await api.main.storage.getDownloadUrl.query({ fileId: file.id });
  const res = await fetch(ticket.downloadUrl);
  assert.equal(res.status, 200);
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);

  const max = Number(process.env.MAX_UPLOAD_BYTES);
  for (const [blob, name, expected] of [
    [new Blob([new Uint8Array(max + 1)], { type: "image/png" }), "big.png", /too large/],
    [new Blob(["x"], { type: "nonsense" }), "x.bin", /type\/subtype/],
    [new Blob(["x"], { type: "text/plain" }), "../escape.txt", /Filename/],
  ]) {
    const bad = new FormData();
    bad.append("file", blob, name);
    const err = await api.main.storage.upload.mutate(bad).then(
      () => assert.fail(`${name} was accepted`),
      (e) => e,
    );
    assert.ok(err instanceof TRPCClientError, String(err));
    assert.equal(err.data?.code, "BAD_REQUEST", JSON.stringify(err.data));
    const problems = err.data?.zodError?.fieldErrors?.file ?? [];
    assert.ok(problems.some((p) => expected.test(p)), `${name}: ${JSON.stringify(err.data)}`);
  }
  const files = await api.core.file.list.query({ limit: 100 });
  assert.deepEqual(files.data.map((f) => f.id), [file.id], "refused uploads leave no file behind");
});

summary();
