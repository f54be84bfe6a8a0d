-- The statements the server sends for one `user_list` request, as PostgreSQL
-- logged them (log_statement = 'all' on the bench database, 2026-12-03), with
-- their parameters written in: bench/db.sh replays this with
-- `pgbench -M prepared -c32` as the scenario's ceiling. `:viewer` is the bench
-- user (pgbench -D viewer=<id>), who signed up in the capture.
SELECT "User"."id", "User"."email", "User"."name", "User"."emailVerified", "User"."image", CAST("User"."role" AS "text"), "User"."points", "User"."levelId", "User"."avatarFileId", "User"."createdAt", "User"."updatedAt", (SELECT COUNT(*) FROM "User") AS "__total" FROM "User" ORDER BY "User"."createdAt" DESC, "User"."id" DESC LIMIT '20' OFFSET '0';
