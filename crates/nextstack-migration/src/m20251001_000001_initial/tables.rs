//! The ten tables of DATA.md, column by column in Prisma's order.
//!
//! `id` (first), `createdAt` and `updatedAt` (last) and the primary key are
//! added by the caller, identical for every table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::schema::{
    Columns, FILE_STATUS, OFFERING_STATUS, ORDER_STATUS, POST_STATUS, ROLE, TableDef, foreign_key, index, unique,
};

use ForeignKeyAction::{Cascade, Restrict, SetNull};

/// All tables in creation order. Dropped in reverse, which removes every
/// referencing table before the one it references, except `"User"` → `"File"`
/// (the avatar), whose foreign key the caller drops first.
pub(super) fn all(backend: DbBackend) -> Vec<TableDef> {
    vec![
        level(backend),
        user(backend),
        session(backend),
        account(backend),
        verification(backend),
        profile(backend),
        post(backend),
        offering(backend),
        order(backend),
        file(backend),
    ]
}

fn user(backend: DbBackend) -> TableDef {
    let t = "User";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![
            c.text("email"),
            c.text_null("name"),
            c.boolean("emailVerified", false),
            c.text_null("image"),
            c.enumeration("role", &ROLE, "USER"),
            c.int_default("points", 0),
            c.text_null("levelId"),
            c.text_null("avatarFileId"),
        ],
        uniques: vec![unique(t, &["email"]), unique(t, &["avatarFileId"])],
        indexes: vec![],
        foreign_keys: vec![
            foreign_key(t, "levelId", "Level", SetNull),
            // Points at "File", whose "userId" points back here: on PostgreSQL
            // every foreign key is added after all tables exist; SQLite
            // accepts the forward reference inline.
            foreign_key(t, "avatarFileId", "File", SetNull),
        ],
    }
}

fn session(backend: DbBackend) -> TableDef {
    let t = "Session";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![
            c.timestamp("expiresAt"),
            c.text("token"),
            c.text_null("ipAddress"),
            c.text_null("userAgent"),
            c.text("userId"),
        ],
        uniques: vec![unique(t, &["token"])],
        indexes: vec![],
        foreign_keys: vec![foreign_key(t, "userId", "User", Cascade)],
    }
}

fn account(backend: DbBackend) -> TableDef {
    let t = "Account";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![
            c.text("accountId"),
            c.text("providerId"),
            c.text("userId"),
            c.text_null("accessToken"),
            c.text_null("refreshToken"),
            c.text_null("idToken"),
            c.timestamp_null("accessTokenExpiresAt"),
            c.timestamp_null("refreshTokenExpiresAt"),
            c.text_null("scope"),
            c.text_null("password"),
        ],
        uniques: vec![unique(t, &["providerId", "accountId"])],
        indexes: vec![],
        foreign_keys: vec![foreign_key(t, "userId", "User", Cascade)],
    }
}

fn verification(backend: DbBackend) -> TableDef {
    let t = "Verification";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![c.text("identifier"), c.text("value"), c.timestamp("expiresAt")],
        uniques: vec![unique(t, &["identifier", "value"])],
        indexes: vec![],
        foreign_keys: vec![],
    }
}

fn profile(backend: DbBackend) -> TableDef {
    let t = "Profile";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![
            c.text("userId"),
            c.text("handle"),
            c.text("displayName"),
            c.text_null("bio"),
            c.text_null("website"),
            c.text_null("location"),
            c.boolean("isPublic", true),
        ],
        uniques: vec![unique(t, &["handle"])],
        indexes: vec![index(t, &["userId"])],
        foreign_keys: vec![foreign_key(t, "userId", "User", Cascade)],
    }
}

fn post(backend: DbBackend) -> TableDef {
    let t = "Post";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![
            c.text("authorId"),
            c.text("title"),
            c.text_null("content"),
            c.enumeration("status", &POST_STATUS, "DRAFT"),
            c.timestamp_null("publishedAt"),
        ],
        uniques: vec![],
        indexes: vec![index(t, &["status", "createdAt"]), index(t, &["authorId"])],
        foreign_keys: vec![foreign_key(t, "authorId", "User", Cascade)],
    }
}

fn offering(backend: DbBackend) -> TableDef {
    let t = "Offering";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![
            c.text("sellerId"),
            c.text("title"),
            c.text_null("description"),
            c.int("priceCents"),
            c.text_default("currency", "USD"),
            c.enumeration("status", &OFFERING_STATUS, "DRAFT"),
            c.int_null("minLevelRank"),
        ],
        uniques: vec![],
        indexes: vec![index(t, &["status", "createdAt"]), index(t, &["sellerId"])],
        foreign_keys: vec![foreign_key(t, "sellerId", "User", Cascade)],
    }
}

fn order(backend: DbBackend) -> TableDef {
    let t = "Order";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![
            c.text("buyerId"),
            c.text("offeringId"),
            c.int("quantity"),
            c.int("unitPriceCents"),
            c.bigint("totalCents"),
            c.text("currency"),
            c.enumeration("status", &ORDER_STATUS, "PENDING"),
            c.text_null("note"),
        ],
        uniques: vec![],
        indexes: vec![index(t, &["buyerId"]), index(t, &["offeringId"])],
        foreign_keys: vec![
            foreign_key(t, "buyerId", "User", Cascade),
            // Orders are history: an offering that was ever ordered is
            // archived, never deleted.
            foreign_key(t, "offeringId", "Offering", Restrict),
        ],
    }
}

fn level(backend: DbBackend) -> TableDef {
    let t = "Level";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![c.text("name"), c.int("rank"), c.int("minPoints"), c.text_null("description")],
        uniques: vec![unique(t, &["name"]), unique(t, &["rank"])],
        indexes: vec![],
        foreign_keys: vec![],
    }
}

fn file(backend: DbBackend) -> TableDef {
    let t = "File";
    let c = Columns::new(backend, t);
    TableDef {
        name: t,
        columns: vec![
            c.text("userId"),
            c.text("filename"),
            c.text("originalName"),
            c.text("mimeType"),
            c.bigint("size"),
            c.text("storageKey"),
            c.text_null("url"),
            c.enumeration("status", &FILE_STATUS, "PENDING"),
            c.json_null("metadata"),
            c.timestamp_null("deletedAt"),
        ],
        uniques: vec![unique(t, &["storageKey"])],
        indexes: vec![index(t, &["userId"]), index(t, &["status"]), index(t, &["createdAt"]), index(t, &["deletedAt"])],
        foreign_keys: vec![foreign_key(t, "userId", "User", Cascade)],
    }
}
