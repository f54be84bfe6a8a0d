-- The statements the server sends for one `user_get` request, as PostgreSQL
-- logged them (log_statement = 'all' on the bench database, 2026-12-03), with
-- their parameters written in: bench/db.sh replays this with
-- `pgbench -M prepared -c32` as the scenario's ceiling. `:viewer` is the bench
-- user (pgbench -D viewer=<id>), who signed up in the capture.
SELECT "User"."id", "User"."email", "User"."name", "User"."emailVerified", "User"."image", CAST("User"."role" AS "text"), "User"."points", "User"."levelId", "User"."avatarFileId", "User"."createdAt", "User"."updatedAt", (SELECT COUNT(*) FROM "Post" WHERE "Post"."authorId" = "User"."id") AS "_count_posts", (SELECT COUNT(*) FROM "Order" WHERE "Order"."buyerId" = "User"."id") AS "_count_orders", (SELECT COUNT(*) FROM "Profile" WHERE "Profile"."userId" = "User"."id") AS "_count_profiles" FROM "User" WHERE "User"."id" = 'cbench0000000000000005000' LIMIT '1';
