// Generates Prisma Client from the shipped schema (prisma/schema/), then runs
// check.ts with it against the database the server created:
//
//   DATABASE_URL=postgres://… DB_SCHEMA=… SERVER_POST_ID=… SERVER_ORDER_ID=… SERVER_ORDER_TOTAL=… node run.mjs
//
// Prints one line per passed check and finally "N passed, 0 failed".

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const standIn = fileURLToPath(new URL("./engine-stand-in", import.meta.url));
const generate = spawnSync("node_modules/.bin/prisma", ["generate", "--schema", "../../prisma/schema"], {
  encoding: "utf8",
  env: {
    ...process.env,
    // `prisma generate` wants engine files; with engineType = "client" none is ever run.
    PRISMA_SCHEMA_ENGINE_BINARY: standIn,
    PRISMA_QUERY_ENGINE_LIBRARY: standIn,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
if (generate.status !== 0) {
  console.log(`FAIL prisma generate:\n${generate.stdout}\n${generate.stderr}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
console.log("ok prisma generate from prisma/schema/");

const { register } = await import("tsx/esm/api");
register();
await import("./check.ts");
