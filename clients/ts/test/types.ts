// Type test, checked by `tsc -p clients/ts` (never run): the generated
// AppRouter gives createTRPCClient the procedures, inputs and outputs of the
// Rust server, and each `@ts-expect-error` below must be a real type error
// (tsc fails on an unused one), so mistakes are proven to be caught.
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { AppRouter, RouterInputs, RouterOutputs } from "../src/router.js";

const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "http://localhost:3001/trpc" })] });

export async function usesTheRouterCorrectly(): Promise<void> {
  const user = await client.core.user.get.query({ id: "cabcdefghijklmnopqrstuvwx" });
  const email: string = user.email;
  const posts: number = user._count.posts;
  const created = await client.core.user.create.mutate({ email: "a@example.com", name: null, role: "ADMIN" });
  const role: "USER" | "ADMIN" = created.role;
  const page = await client.core.post.list.query({ limit: 20, status: "PUBLISHED" });
  const total: number = page.pagination.total;
  const author: string | null | undefined = page.data[0]?.author.name;
  await client.core.post.list.query(); // optional input
  await client._meta.health.query();
  const feed = await client.main.post.feed.query({ cursor: null, limit: 10 });
  const next: string | null = feed.nextCursor;
  const order = await client.main.order.place.mutate({ offeringId: "cabcdefghijklmnopqrstuvwx", quantity: 2 });
  const cents: number = order.totalCents;
  const moved = await client.main.order.transition.mutate({ id: order.id, to: "CONFIRMED" });
  const status: RouterOutputs["main"]["order"]["transition"]["status"] = moved.status;
  const ticket = await client.main.storage.requestUpload.mutate({ filename: "a.png", mimeType: "image/png", size: 10 });
  const url: string = ticket.uploadUrl;
  const form = new FormData();
  form.append("file", new Blob(["hello"], { type: "text/plain" }), "hello.txt");
  const stored = await client.main.storage.upload.mutate(form);
  const storedStatus: RouterOutputs["main"]["storage"]["upload"]["status"] = stored.status;
  const input: RouterInputs["core"]["user"]["create"] = { email: "x@example.com" };
  const stats = await client.main.user.stats.query({ userId: user.id });
  const level: string | undefined = stats.level?.name;
  const subscription = client.main.order.onChange.subscribe(
    { lastEventId: null },
    {
      onData(event) {
        const id: string = event.id;
        const changed: "PENDING" | "CONFIRMED" | "COMPLETED" | "CANCELLED" = event.data.status;
        void [id, changed];
      },
    },
  );
  subscription.unsubscribe();
  void [email, posts, role, total, author, next, cents, status, url, input, level, storedStatus];
}

export async function catchesMistakes(): Promise<void> {
  // @ts-expect-error an input field the procedure does not have
  await client.core.user.get.query({ id: "c1", nope: true });
  // @ts-expect-error an input field of the wrong type
  await client.core.user.get.query({ id: 42 });
  // @ts-expect-error an upload takes a FormData, not JSON
  await client.main.storage.upload.mutate({ file: "hello" });
  // @ts-expect-error a misspelled procedure
  await client.core.user.gett.query({ id: "c1" });
  // @ts-expect-error a query called as a mutation
  await client.core.user.get.mutate({ id: "c1" });
  // @ts-expect-error a required input left out
  await client.core.user.get.query();
  // @ts-expect-error a value outside the enum
  await client.main.order.transition.mutate({ id: "c1", to: "PENDING" });
  const user = await client.core.user.get.query({ id: "c1" });
  // @ts-expect-error an output field that does not exist
  void user.password;
}
