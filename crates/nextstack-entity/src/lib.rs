//! SeaORM entities for the NextStack schema (`/work/shared/spec/DATA.md`).
//!
//! Table, column, enum and constraint names are exactly Prisma's, so a
//! PostgreSQL database created by the TypeScript stack is readable here and
//! the other way round. The schema itself is created by `nextstack-migration`;
//! these types only describe it.
//!
//! Entities deliberately do not derive `Serialize`: wire types live next to
//! the procedures and are built from a `Model` (STYLE.md rule 10). The enums
//! do, because their upper-case strings are the wire form too.
//!
//! Every `ActiveModel` fills Prisma's `@default(cuid())`, `@default(now())`
//! and `@updatedAt` in `before_save` when the caller left them `NotSet`, so
//! `user::ActiveModel { email: Set(..), ..Default::default() }.insert(db)`
//! yields a complete row. Bulk `update_many` bypasses the hook and must set
//! `updatedAt` itself.

pub mod account;
pub mod enums;
pub mod file;
pub mod level;
pub mod offering;
pub mod order;
pub mod post;
pub mod profile;
pub mod session;
pub mod storage_removal;
pub mod user;
pub mod verification;

pub use enums::{FileStatus, OfferingStatus, OrderStatus, PostStatus, Role};

/// A new primary key: a Prisma `cuid()` (`c` + 24 lowercase base-36 chars).
///
/// Same generator as Prisma's, so ids from both stacks look alike and sort
/// roughly by creation time.
pub fn new_id() -> String {
    cuid::cuid1()
}

/// The current UTC time truncated to whole milliseconds.
///
/// DATA.md: every timestamp is set by the server at millisecond precision so
/// PostgreSQL `TIMESTAMP(3)`, SQLite, JavaScript `Date` and Prisma agree and a
/// value read back compares equal to the value written.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let now = chrono::Utc::now().naive_utc();
    let millis_in_nanos = now.nanosecond() / 1_000_000 * 1_000_000;
    // Always `Some`: the value is no larger than the one we already hold.
    now.with_nanosecond(millis_in_nanos).unwrap_or(now)
}

/// Implements `ActiveModelBehavior` for an entity whose table has `id`,
/// `createdAt` and `updatedAt`, filling them the way Prisma's schema
/// attributes would: id and createdAt on insert, updatedAt on every save,
/// each only when the caller has not set it explicitly.
macro_rules! prisma_defaults {
    () => {
        #[sea_orm::prelude::async_trait::async_trait]
        impl sea_orm::ActiveModelBehavior for ActiveModel {
            async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, sea_orm::DbErr>
            where
                C: sea_orm::ConnectionTrait,
            {
                let now = $crate::now();
                if insert && self.id.is_not_set() {
                    self.id = sea_orm::Set($crate::new_id());
                }
                if insert && self.created_at.is_not_set() {
                    self.created_at = sea_orm::Set(now);
                }
                if !self.updated_at.is_set() {
                    self.updated_at = sea_orm::Set(now);
                }
                Ok(self)
            }
        }
    };
}
pub(crate) use prisma_defaults;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_id_is_a_prisma_cuid() {
        for _ in 0..1000 {
            let id = new_id();
            assert_eq!(id.len(), 25, "{id}");
            assert!(id.starts_with('c'), "{id}");
            assert!(id.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()), "{id}");
        }
        assert_ne!(new_id(), new_id());
    }

    #[test]
    fn now_is_whole_milliseconds_utc() {
        let before = chrono::Utc::now().naive_utc();
        let t = now();
        assert_eq!(t.and_utc().timestamp_subsec_nanos() % 1_000_000, 0);
        assert!(t <= chrono::Utc::now().naive_utc());
        assert!(before - t < chrono::Duration::milliseconds(1));
    }
}
