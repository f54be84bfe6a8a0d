// Prisma Client (generated from prisma/schema/, driver adapter, no engine
// binary) on a database `nextstack migrate` created and the server wrote to:
// reads the server's rows with their relations and BigInt totals, writes rows
// of its own for the server to read (the Rust test checks those).

import assert from "node:assert/strict";

import { PrismaPg } from "@prisma/adapter-pg";

import { PrismaClient } from "./generated/client.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const prisma = new PrismaClient({
  adapter: new PrismaPg({ connectionString: env("DATABASE_URL") }, { schema: env("DB_SCHEMA") }),
});

let passed = 1; // prisma generate, counted by run.mjs
async function check(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    console.log(`FAIL ${name}: ${(err as Error)?.stack ?? err}`);
    console.log(`${passed} passed, 1 failed`);
    await prisma.$disconnect();
    process.exit(1);
  }
  passed += 1;
  console.log(`ok ${name}`);
}

await check("reads the server's post with its author", async () => {
  const post = await prisma.post.findUniqueOrThrow({ where: { id: env("SERVER_POST_ID") }, include: { author: true } });
  assert.equal(post.status, "PUBLISHED");
  assert.ok(post.createdAt instanceof Date && post.updatedAt instanceof Date);
  assert.equal(post.author.email, "server-author@example.com");
  const listed = await prisma.post.findMany({
    where: { status: "PUBLISHED" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: { author: { select: { id: true, name: true } } },
  });
  assert.ok(listed.some((p) => p.id === post.id && p.author.id === post.authorId));
});

await check("reads an order's BigInt total and its offering", async () => {
  const order = await prisma.order.findUniqueOrThrow({ where: { id: env("SERVER_ORDER_ID") }, include: { offering: true } });
  assert.equal(typeof order.totalCents, "bigint");
  assert.equal(order.totalCents, BigInt(env("SERVER_ORDER_TOTAL")));
  assert.equal(order.totalCents, BigInt(order.unitPriceCents) * BigInt(order.quantity));
  assert.equal(order.offering.id, order.offeringId);
});

await check("writes a user with a published post and a file", async () => {
  const user = await prisma.user.create({
    data: {
      email: "prisma-user@example.com",
      name: "Written by Prisma",
      posts: { create: { title: "A post Prisma wrote", status: "PUBLISHED", publishedAt: new Date() } },
      files: {
        create: {
          filename: "a.txt",
          originalName: "a.txt",
          mimeType: "text/plain",
          size: 5_000_000_000n,
          storageKey: "prisma/a.txt",
          metadata: { source: "prisma" },
        },
      },
    },
    include: { posts: true, files: true },
  });
  assert.equal(user.role, "USER");
  assert.equal(user.points, 0);
  assert.equal(user.files[0]!.size, 5_000_000_000n);
  console.log(`prisma-user ${user.id}`);
});

await prisma.$disconnect();
console.log(`${passed} passed, 0 failed`);
