// Type test for superjson clients (checked by tsc, never run): with the
// superjson router types, timestamps are `Date`s and the link needs the transformer.
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../src/router.superjson.js";

const client = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: "http://localhost:3001/trpc", transformer: superjson })],
});

export async function datesAreDates(): Promise<void> {
  const user = await client.core.user.get.query({ id: "cabcdefghijklmnopqrstuvwx" });
  const year: number = user.createdAt.getFullYear();
  // @ts-expect-error a Date is not a string
  const text: string = user.createdAt;
  void [year, text];
}

// @ts-expect-error a superjson router needs a transformer on the link
createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "http://localhost:3001/trpc" })] });
