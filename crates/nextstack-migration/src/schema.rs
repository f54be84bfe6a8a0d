//! The schema DSL every migration shares: column and constraint builders for
//! the types DATA.md uses (the one place where PostgreSQL, with Prisma's exact
//! DDL, and SQLite differ), and [`TableDef`] with [`create_table`] /
//! [`drop_table`] for a table shaped like every other (`id` first,
//! `createdAt`/`updatedAt` last, Prisma's constraint names).
//!
//! A new table is one migration file:
//!
//! ```ignore
//! async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
//!     let t = "Comment";
//!     let c = Columns::new(manager.get_database_backend(), t);
//!     create_table(manager, TableDef {
//!         name: t,
//!         columns: vec![c.text("postId"), c.text("authorId"), c.text("body")],
//!         uniques: vec![],
//!         indexes: vec![index(t, &["postId", "createdAt"])],
//!         foreign_keys: vec![foreign_key(t, "postId", "Post", Cascade), foreign_key(t, "authorId", "User", Cascade)],
//!     })
//!     .await
//! }
//! ```

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// A Prisma enum: a native type on PostgreSQL, a CHECKed text column on SQLite.
pub struct PrismaEnum {
    /// Type name, exactly the Prisma enum's (case matters, so it is quoted).
    pub name: &'static str,
    /// Labels in declaration order (PostgreSQL keeps that order for sorting).
    pub values: &'static [&'static str],
}

pub const ROLE: PrismaEnum = PrismaEnum { name: "Role", values: &["USER", "ADMIN"] };
pub const POST_STATUS: PrismaEnum = PrismaEnum { name: "PostStatus", values: &["DRAFT", "PUBLISHED", "ARCHIVED"] };
pub const OFFERING_STATUS: PrismaEnum = PrismaEnum { name: "OfferingStatus", values: &["DRAFT", "ACTIVE", "ARCHIVED"] };
pub const ORDER_STATUS: PrismaEnum =
    PrismaEnum { name: "OrderStatus", values: &["PENDING", "CONFIRMED", "COMPLETED", "CANCELLED"] };
pub const FILE_STATUS: PrismaEnum =
    PrismaEnum { name: "FileStatus", values: &["PENDING", "UPLOADED", "PROCESSING", "READY", "FAILED", "DELETED"] };

/// Every enum, in the order Prisma creates them.
pub const ENUMS: [&PrismaEnum; 5] = [&ROLE, &POST_STATUS, &OFFERING_STATUS, &ORDER_STATUS, &FILE_STATUS];

/// Builds the columns of one table for one backend.
pub struct Columns {
    backend: DbBackend,
    table: &'static str,
}

impl Columns {
    /// Columns of `table` for `backend`.
    pub fn new(backend: DbBackend, table: &'static str) -> Self {
        Self { backend, table }
    }

    fn is_pg(&self) -> bool {
        self.backend == DbBackend::Postgres
    }

    /// `TEXT NOT NULL` (Prisma `String`).
    pub fn text(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).text().not_null().take()
    }

    /// `TEXT NOT NULL` with a default (Prisma `String @default(..)`).
    pub fn text_default(&self, name: &'static str, default: &'static str) -> ColumnDef {
        ColumnDef::new(name).text().not_null().default(default).take()
    }

    /// Nullable `TEXT` (Prisma `String?`).
    pub fn text_null(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).text().null().take()
    }

    /// `INTEGER NOT NULL` (Prisma `Int`).
    pub fn int(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).integer().not_null().take()
    }

    /// `INTEGER NOT NULL` with a default (Prisma `Int @default(..)`).
    pub fn int_default(&self, name: &'static str, default: i32) -> ColumnDef {
        ColumnDef::new(name).integer().not_null().default(default).take()
    }

    /// Nullable `INTEGER` (Prisma `Int?`).
    pub fn int_null(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).integer().null().take()
    }

    /// `BIGINT NOT NULL` (Prisma `BigInt`); SQLite integers are 64-bit anyway.
    pub fn bigint(&self, name: &'static str) -> ColumnDef {
        ColumnDef::new(name).big_integer().not_null().take()
    }

    /// `BOOLEAN NOT NULL` with a default (Prisma `Boolean @default(..)`).
    pub fn boolean(&self, name: &'static str, default: bool) -> ColumnDef {
        ColumnDef::new(name).boolean().not_null().default(default).take()
    }

    /// Nullable JSON: `JSONB` on PostgreSQL (Prisma `Json?`), text on SQLite.
    pub fn json_null(&self, name: &'static str) -> ColumnDef {
        let mut col = ColumnDef::new(name);
        if self.is_pg() {
            col.json_binary();
        } else {
            col.text();
        }
        col.null().take()
    }

    /// `TIMESTAMP(3) NOT NULL` without time zone, holding UTC (Prisma
    /// `DateTime`); text on SQLite. No database default: the server sets
    /// every timestamp (DATA.md).
    pub fn timestamp(&self, name: &'static str) -> ColumnDef {
        self.timestamp_type(name).not_null().take()
    }

    /// `createdAt` as Prisma's `@default(now())` creates it: with
    /// `DEFAULT CURRENT_TIMESTAMP` on PostgreSQL (the server still sets it).
    pub fn created_at(&self) -> ColumnDef {
        let mut col = self.timestamp("createdAt");
        if self.is_pg() {
            col.default(Expr::current_timestamp());
        }
        col
    }

    /// Nullable timestamp (Prisma `DateTime?`).
    pub fn timestamp_null(&self, name: &'static str) -> ColumnDef {
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
    pub fn enumeration(&self, name: &'static str, e: &PrismaEnum, default: &'static str) -> ColumnDef {
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
pub fn primary_key(table: &'static str) -> IndexCreateStatement {
    Index::create().name(format!("{table}_pkey")).col("id").take()
}

/// A unique index named like Prisma's (`Account_providerId_accountId_key`).
///
/// Prisma creates uniques as unique indexes, not table constraints; so do we.
pub fn unique(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("{table}_{}_key", cols.join("_"))).table(table).unique();
    for col in cols {
        index.col(*col);
    }
    index
}

/// A plain index named like Prisma's (`Post_status_createdAt_idx`).
pub fn index(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("{table}_{}_idx", cols.join("_"))).table(table);
    for col in cols {
        index.col(*col);
    }
    index
}

/// `<table>_createdAt_id_idx` on (`"createdAt"` DESC, `"id"` DESC), the order
/// every newest-first list pages in (Prisma: `@@index([createdAt(sort: Desc), id(sort: Desc)])`).
pub fn newest_first_index(table: &'static str) -> IndexCreateStatement {
    Index::create()
        .name(format!("{table}_createdAt_id_idx"))
        .table(table)
        .col(("createdAt", IndexOrder::Desc))
        .col(("id", IndexOrder::Desc))
        .take()
}

/// A foreign key from `table.col` to `target.id`, named like Prisma's
/// (`Session_userId_fkey`), with Prisma's default `ON UPDATE CASCADE`.
pub fn foreign_key(
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

/// One table: its own columns, unique indexes, plain indexes and foreign keys;
/// `id`, `createdAt`, `updatedAt` and the primary key are the same for every
/// table and added by whoever creates it.
pub struct TableDef {
    /// The table, exactly as Prisma names it (`"Comment"`).
    pub name: &'static str,
    /// Its own columns, in Prisma's order.
    pub columns: Vec<ColumnDef>,
    /// Unique indexes ([`unique`]).
    pub uniques: Vec<IndexCreateStatement>,
    /// Plain indexes ([`index`]).
    pub indexes: Vec<IndexCreateStatement>,
    /// Foreign keys ([`foreign_key`]).
    pub foreign_keys: Vec<ForeignKeyCreateStatement>,
}

impl TableDef {
    /// `CREATE TABLE` with `id` first, `createdAt` and `updatedAt` last and
    /// `<name>_pkey`; the foreign keys inline when `inline_foreign_keys`.
    pub fn create_statement(
        &self,
        backend: DbBackend,
        created_at: ColumnDef,
        inline_foreign_keys: bool,
    ) -> TableCreateStatement {
        let c = Columns::new(backend, self.name);
        let mut create = Table::create();
        create.table(self.name).col(c.text("id"));
        for column in &self.columns {
            create.col(column.clone());
        }
        create.col(created_at).col(c.timestamp("updatedAt")).primary_key(&mut primary_key(self.name));
        if inline_foreign_keys {
            for fk in &self.foreign_keys {
                create.foreign_key(&mut fk.clone());
            }
        }
        create
    }
}

/// Creates a table added after the initial schema: the table (its foreign
/// keys inline, which gives PostgreSQL the same catalog as Prisma's separate
/// `ALTER TABLE`), then its indexes. `createdAt` defaults as Prisma's
/// `@default(now())` does.
pub async fn create_table(manager: &SchemaManager<'_>, table: TableDef) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let created_at = Columns::new(backend, table.name).created_at();
    manager.create_table(table.create_statement(backend, created_at, true)).await?;
    for index in table.uniques.into_iter().chain(table.indexes) {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Drops a table made by [`create_table`] (its indexes and foreign keys go with it).
pub async fn drop_table(manager: &SchemaManager<'_>, name: &'static str) -> Result<(), DbErr> {
    manager.drop_table(Table::drop().table(name).take()).await
}
