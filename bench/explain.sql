-- EXPLAIN (ANALYZE) of the list queries as the server sends them (same
-- filters, order and limits), on the bench database after bench/run.sh:
--   psql -h 127.0.0.1 -U postgres -d nextstack_bench -f bench/explain.sql
\pset pager off
\echo '== core.post.list, anonymous (PUBLISHED, newest first, page 1 of 20)'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT p.*, u.* FROM "Post" p LEFT JOIN "User" u ON p."authorId" = u."id"
WHERE p."status" = 'PUBLISHED' ORDER BY p."createdAt" DESC, p."id" DESC LIMIT 20 OFFSET 0;
\echo '== core.post.list, its total'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT COUNT(*) FROM "Post" WHERE "status" = 'PUBLISHED';
\echo '== core.post.list, signed in: PUBLISHED (as above) merged with the caller''s other posts'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT p.*, u.* FROM "Post" p LEFT JOIN "User" u ON p."authorId" = u."id"
WHERE p."authorId" = 'cbench0000000000000000042' AND p."status" <> 'PUBLISHED'
ORDER BY p."createdAt" DESC, p."id" DESC LIMIT 20;
\echo '== main.post.feed, a page after a cursor'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT p.*, u.* FROM "Post" p LEFT JOIN "User" u ON p."authorId" = u."id"
WHERE p."status" = 'PUBLISHED'
  AND (p."createdAt" < (SELECT "createdAt" FROM "Post" WHERE "id" = 'cbenchpost000000000005000')
       OR (p."createdAt" = (SELECT "createdAt" FROM "Post" WHERE "id" = 'cbenchpost000000000005000')
           AND p."id" < 'cbenchpost000000000005000'))
ORDER BY p."createdAt" DESC, p."id" DESC LIMIT 21;
\echo '== core.offering.list, anonymous (ACTIVE)'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT o.*, u.* FROM "Offering" o LEFT JOIN "User" u ON o."sellerId" = u."id"
WHERE o."status" = 'ACTIVE' ORDER BY o."createdAt" DESC, o."id" DESC LIMIT 20 OFFSET 0;
\echo '== core.order.list as buyer'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT r.*, o.* FROM "Order" r LEFT JOIN "Offering" o ON r."offeringId" = o."id"
WHERE r."buyerId" = 'cbench0000000000000000042' ORDER BY r."createdAt" DESC, r."id" DESC LIMIT 20 OFFSET 0;
\echo '== core.order.list as seller'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT r.*, o.* FROM "Order" r LEFT JOIN "Offering" o ON r."offeringId" = o."id"
WHERE r."offeringId" IN (SELECT "id" FROM "Offering" WHERE "sellerId" = 'cbench0000000000000000001')
ORDER BY r."createdAt" DESC, r."id" DESC LIMIT 20 OFFSET 0;
\echo '== core.file.list (the caller''s live files)'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT * FROM "File" WHERE "userId" = 'cbench0000000000000000042' AND "status" <> 'DELETED'
ORDER BY "createdAt" DESC, "id" DESC LIMIT 20 OFFSET 0;
\echo '== core.level.list (by rank)'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT * FROM "Level" ORDER BY "rank" ASC LIMIT 20 OFFSET 0;
\echo '== core.profile.list, anonymous (public)'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT * FROM "Profile" WHERE "isPublic" = true ORDER BY "createdAt" DESC, "id" DESC LIMIT 20 OFFSET 0;
\echo '== core.user.list'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT * FROM "User" ORDER BY "createdAt" DESC, "id" DESC LIMIT 20 OFFSET 0;
