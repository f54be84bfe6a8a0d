#!/usr/bin/env node
// A realistic client flow against the running server, with the real packages a
// web app uses: users sign up with `better-auth/client`; the tRPC client
// (`createTRPCClient` with `splitLink`: subscriptions over `httpSubscriptionLink`,
// everything else over `httpBatchStreamLink` or `httpBatchLink`) creates posts,
// reads the feed, and places and completes an order while the buyer is
// subscribed to `main.order.onChange`, receiving each change in order.
//
//   SERVER_URL=http://127.0.0.1:PORT [TRANSFORMER=superjson] [BATCH_LINK=stream|batch] node flow.mjs
//
// Prints one line per passed check and finally "N passed, 0 failed".

import assert from "node:assert/strict";

import { createTRPCClient, httpBatchLink, httpBatchStreamLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";

import { check, run, signUp, summary } from "./checks.mjs";

const baseURL = process.env.SERVER_URL;
if (!baseURL) {
  process.stderr.write("usage: SERVER_URL=http://127.0.0.1:PORT node flow.mjs\n");
  process.exit(2);
}
const transformer = process.env.TRANSFORMER === "superjson" ? superjson : undefined;
const batchLink = process.env.BATCH_LINK === "batch" ? httpBatchLink : httpBatchStreamLink;

/** The tRPC client of a signed-in user (or anonymous without a token). */
function trpcFor(token) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const withAuth = (input, init = {}) => fetch(input, { ...init, headers: { ...init.headers, ...headers } });
  return createTRPCClient({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: `${baseURL}/trpc`,
          transformer,
          EventSource,
          eventSourceOptions: () => ({ fetch: withAuth }),
        }),
        false: batchLink({ url: `${baseURL}/trpc`, transformer, headers }),
      }),
    ],
  });
}

const isDate = (value) => (transformer ? value instanceof Date : typeof value === "string");

let seller, buyer, sellerApi, buyerApi, offering;
await check("sign-up of a seller and a buyer with better-auth/client", async () => {
  seller = await signUp(baseURL, "seller");
  buyer = await signUp(baseURL, "buyer");
  sellerApi = trpcFor(seller.token);
  buyerApi = trpcFor(buyer.token);
  const me = await buyerApi.main.auth.getMe.query();
  assert.equal(me.user.id, buyer.id);
});

await check("posts, batched, then the public feed", async () => {
  const [first, second] = await Promise.all([
    sellerApi.core.post.create.mutate({ title: `First ${run}`, status: "PUBLISHED" }),
    sellerApi.core.post.create.mutate({ title: `Second ${run}`, status: "PUBLISHED" }),
  ]);
  assert.ok(isDate(first.publishedAt), `publishedAt: ${first.publishedAt}`);
  const feed = await trpcFor(null).main.post.feed.query({ limit: 50 });
  const titles = feed.items.map((p) => p.title);
  assert.ok(titles.includes(first.title) && titles.includes(second.title), titles.join(", "));
  assert.ok(isDate(feed.items[0].createdAt));
});

await check("an offering to buy", async () => {
  offering = await sellerApi.core.offering.create.mutate({ title: "Lesson", priceCents: 12_345, status: "ACTIVE" });
  assert.equal(offering.status, "ACTIVE");
});

await check("the buyer follows the order from placement to completion", async () => {
  const events = [];
  let started;
  const ready = new Promise((resolve) => (started = resolve));
  let reached;
  const done = new Promise((resolve, reject) => {
    reached = { resolve, reject };
  });
  const subscription = buyerApi.main.order.onChange.subscribe(
    {},
    {
      onStarted: () => started(),
      onData: (event) => {
        events.push(event);
        if (event.data.status === "COMPLETED") reached.resolve();
      },
      onError: (err) => reached.reject(err),
    },
  );
  await ready;
  const order = await buyerApi.main.order.place.mutate({ offeringId: offering.id, quantity: 2 });
  await sellerApi.main.order.transition.mutate({ id: order.id, to: "CONFIRMED" });
  await sellerApi.main.order.transition.mutate({ id: order.id, to: "COMPLETED" });
  const timeout = setTimeout(() => reached.reject(new Error(`only got ${JSON.stringify(events)}`)), 10_000);
  await done;
  clearTimeout(timeout);
  subscription.unsubscribe();
  assert.deepEqual(
    events.map((e) => e.data.status),
    ["PENDING", "CONFIRMED", "COMPLETED"],
  );
  assert.ok(events.every((e) => typeof e.id === "string" && e.data.id === order.id));
  assert.ok(events[0].id < events[2].id, "event ids increase");
  assert.ok(isDate(events[2].data.updatedAt));
  const stats = await buyerApi.main.user.stats.query({ userId: buyer.id });
  assert.equal(stats.points, 246, "24 690 cents / 100");
});

summary();
