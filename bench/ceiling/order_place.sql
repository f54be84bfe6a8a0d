-- The statements the server sends for one `order_place` request, as PostgreSQL
-- logged them (log_statement = 'all' on the bench database, 2026-12-03), with
-- their parameters written in: bench/db.sh replays this with
-- `pgbench -M prepared -c32` as the scenario's ceiling. `:viewer` is the bench
-- user (pgbench -D viewer=<id>), who signed up in the capture.
-- The order id varies per run (the primary key), as the server's does.
\set n random(1, 1000000000000)
BEGIN;
INSERT INTO "Order" ("id", "buyerId", "offeringId", "quantity", "unitPriceCents", "totalCents", "currency", "status", "note", "createdAt", "updatedAt") SELECT 'cb' || :n, :viewer, "id", '1', "priceCents", CAST("priceCents" AS BIGINT) * '1', "currency", 'PENDING'::"OrderStatus", NULL, '2026-12-03 13:16:16.525', '2026-12-03 13:16:16.525' FROM "Offering" WHERE "Offering"."id" = 'cbenchoffer00000000000001' AND "Offering"."status" = 'ACTIVE'::"OfferingStatus" AND "Offering"."sellerId" <> :viewer AND ("Offering"."minLevelRank" IS NULL OR "minLevelRank" <= COALESCE((SELECT "Level"."rank" FROM "User" INNER JOIN "Level" ON "Level"."id" = "User"."levelId" WHERE "User"."id" = :viewer), '-1')) RETURNING "unitPriceCents", "totalCents", "currency", (SELECT "sellerId" FROM "Offering" WHERE "Offering"."id" = 'cbenchoffer00000000000001');
SELECT pg_notify('nextstack_order_events', '{"event_id":"1796303776527-000000002-23171359","change":{"id":"cmx7kw0lp00057dyezpnawnji","status":"PENDING","buyerId":"cmx7kvxhs00007dye512mdo2a","sellerId":"cbench0000000000000000001","updatedAt":"2026-12-03T13:16:16.525Z"}}');
COMMIT;
