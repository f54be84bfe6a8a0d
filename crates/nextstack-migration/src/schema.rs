//! Column and constraint builders for the types DATA.md uses, one place where
//! PostgreSQL (Prisma's exact DDL) and SQLite differ.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// A Prisma enum: a native type on PostgreSQL, a CHECKed text column on SQLite.
pub(super) struct PrismaEnum {
    /// Type name, exactly the Prisma enum's (case matters, so it is quoted).
    pub name: &'static str,
    /// Labels in declaration order (PostgreSQL keeps that order for sorting).
    pub values: &'static [&'static str],
}

pub(super) const ROLE: PrismaEnum = PrismaEnum { name: "Role", values: &["USER", "ADMIN"] };
pub(super) const POST_STATUS: PrismaEnum =
    PrismaEnum { name: "PostStatus", values: &["DRAFT", "PUBLISHED", "ARCHIVED"] };
pub(super) const OFFERING_STATUS: PrismaEnum =
    PrismaEnum { name: "OfferingStatus", values: &["DRAFT", "ACTIVE", "ARCHIVED"] };
pub(super) const ORDER_STATUS: PrismaEnum =
    PrismaEnum { name: "OrderStatus", values: &["PENDING", "CONFIRMED", "COMPLETED", "CANCELLED"] };
pub(super) const FILE_STATUS: PrismaEnum =
    PrismaEnum { name: "FileStatus", values: &["PENDING", "UPLOADED", "PROCESSING", "READY", "FAILED", "DELETED"] };

/// Every enum, in the order Prisma creates them.
pub(super) const ENUMS: [&PrismaEnum; 5] = [&ROLE, &POST_STATUS, &OFFERING_STATUS, &ORDER_STATUS, &FILE_STATUS];

/// Builds the columns of one table for one backend.
pub(super) struct Columns {
    backend: DbBackend,
    table: &'static str,
}

impl Columns {
    pub(super) fn new(backend: DbBackend, table: &'static str) -> Self {
        Self { backend, table }
    }

    fn is_pg(&self) -> bool {
        self.backend == DbBackend::Postgres
    }

    /// `TEXT NOT NULL` (Prisma `String`).
    pub(super) fn text(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).text().not_null().take()
    }

    /// `TEXT NOT NULL` with a default (Prisma `String @default(..)`).
    pub(super) fn text_default(&self, name: &'static str, default: &'static str) -> ColumnDef {
        ColumnDef::new(name).text().not_null().default(default).take()
    }

    /// Nullable `TEXT` (Prisma `String?`).
    pub(super) fn text_null(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).text().null().take()
    }

    /// `INTEGER NOT NULL` (Prisma `Int`).
    pub(super) fn int(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).integer().not_null().take()
    }

    /// `INTEGER NOT NULL` with a default (Prisma `Int @default(..)`).
    pub(super) fn int_default(&self, name: &'static str, default: i32) -> ColumnDef {
        ColumnDef::new(name).integer().not_null().default(default).take()
    }

    /// Nullable `INTEGER` (Prisma `Int?`).
    pub(super) fn int_null(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).integer().null().take()
    }

    /// `BIGINT NOT NULL` (Prisma `BigInt`); SQLite integers are 64-bit anyway.
    pub(super) fn bigint(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).big_integer().not_null().take()
    }

    /// `BOOLEAN NOT NULL` with a default (Prisma `Boolean @default(..)`).
    pub(super) fn boolean(&self, name: &'static str, default: bool) -> ColumnDef {
        ColumnDef::new(name).boolean().not_null().default(default).take()
    }

    /// Nullable JSON: `JSONB` on PostgreSQL (Prisma `Json?`), text on SQLite.
    pub(super) fn json_null(&self, name: &'static str) -> ColumnDef {
        let mut col = ColumnDef::new(name);
        if self.is_pg() {
            col.json_binary();
        } else {
            col.text();
        }
        col.null().take()
    }

    /// `TIMESTAMP(3) NOT NULL` without time zone, holding UTC (Prisma
    /// `DateTime`); text on SQLite. Never a database default: the server sets
    /// every timestamp (DATA.md).
    pub(super) fn timestamp(&self, name: &'static str) -> ColumnDef {
        self.timestamp_type(name).not_null().take()
    }

    /// Nullable timestamp (Prisma `DateTime?`).
    pub(super) fn timestamp_null(&self, name: &'static str) -> ColumnDef {
        self.timestamp_type(name).null().take()
    }

    fn timestamp_type(&self, name: &'static str) -> ColumnDef {
        let mut col = ColumnDef::new(name);
        if self.is_pg() {
            // sea-query's `date_time()` has no precision; Prisma uses (3).
            col.custom("TIMESTAMP(3)");
        } else {
            col.text();
        }
        col
    }

    /// `NOT NULL` enum column with a default label.
    ///
    /// PostgreSQL: typed with the quoted enum type, since unquoted `Role`
    /// would be folded to `role`. SQLite: text with a named CHECK.
    pub(super) fn enumeration(&self, name: &'static str, e: &PrismaEnum, default: &'static str) -> ColumnDef {
        debug_assert!(e.values.contains(&default));
        let mut col = ColumnDef::new(name);
        if self.is_pg() {
            col.custom(format!("\"{}\"", e.name));
        } else {
            col.text().check((format!("{}_{name}_check", self.table), Expr::col(name).is_in(e.values.iter().copied())));
        }
        col.not_null().default(default).take()
    }
}

/// The primary key constraint, named like Prisma's (`User_pkey`).
pub(super) fn primary_key(table: &'static str) -> IndexCreateStatement {
    Index::create().name(format!("{table}_pkey")).col("id").take()
}

/// A unique index named like Prisma's (`Account_providerId_accountId_key`).
///
/// Prisma creates uniques as unique indexes, not table constraints; so do we.
pub(super) fn unique(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("{table}_{}_key", cols.join("_"))).table(table).unique();
    for col in cols {
        index.col(*col);
    }
    index
}

/// A plain index named like Prisma's (`Post_status_createdAt_idx`).
pub(super) fn index(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("{table}_{}_idx", cols.join("_"))).table(table);
    for col in cols {
        index.col(*col);
    }
    index
}

/// A foreign key from `table.col` to `target.id`, named like Prisma's
/// (`Session_userId_fkey`), with Prisma's default `ON UPDATE CASCADE`.
pub(super) fn foreign_key(
    table: &'static str,
    col: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("{table}_{col}_fkey"))
        .from(table, col)
        .to(target, "id")
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .take()
}
