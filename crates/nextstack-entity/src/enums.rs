//! The five Prisma enums.
//!
//! On PostgreSQL each is a native enum type named exactly like the Prisma enum
//! (`"Role"`), and SeaORM binds values as `$1::"Role"`; on SQLite the column
//! is text with a CHECK, and the same strings are bound as text. The upper-case
//! strings are also the JSON wire form and the TypeScript union, hence the
//! serde and ts-rs derives: one type from the database to the client.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A user's role (`User.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, TS)]
#[sea_orm(db_type = "Enum", enum_name = "Role")]
#[serde(rename_all = "UPPERCASE")]
pub enum Role {
    /// Default for every new account.
    #[sea_orm(string_value = "USER")]
    User,
    /// Granted through `ADMIN_EMAILS` or by another admin.
    #[sea_orm(string_value = "ADMIN")]
    Admin,
}

/// Lifecycle of a post (`Post.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, TS)]
#[sea_orm(db_type = "Enum", enum_name = "PostStatus")]
#[serde(rename_all = "UPPERCASE")]
pub enum PostStatus {
    /// Visible to its author only.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Public.
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    /// Withdrawn but kept.
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

/// Lifecycle of an offering (`Offering.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, TS)]
#[sea_orm(db_type = "Enum", enum_name = "OfferingStatus")]
#[serde(rename_all = "UPPERCASE")]
pub enum OfferingStatus {
    /// Not yet for sale.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// For sale.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// No longer for sale; kept because orders reference it.
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

/// Lifecycle of an order (`Order.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, TS)]
#[sea_orm(db_type = "Enum", enum_name = "OrderStatus")]
#[serde(rename_all = "UPPERCASE")]
pub enum OrderStatus {
    /// Placed, awaiting confirmation.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Accepted by the seller.
    #[sea_orm(string_value = "CONFIRMED")]
    Confirmed,
    /// Fulfilled.
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// Cancelled by either side.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Lifecycle of an uploaded file (`File.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, TS)]
#[sea_orm(db_type = "Enum", enum_name = "FileStatus")]
#[serde(rename_all = "UPPERCASE")]
pub enum FileStatus {
    /// Upload URL issued, bytes not yet confirmed.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Bytes are in storage.
    #[sea_orm(string_value = "UPLOADED")]
    Uploaded,
    /// Being post-processed.
    #[sea_orm(string_value = "PROCESSING")]
    Processing,
    /// Ready to serve.
    #[sea_orm(string_value = "READY")]
    Ready,
    /// Upload or processing failed.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Soft-deleted (`deletedAt` set).
    #[sea_orm(string_value = "DELETED")]
    Deleted,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    /// The database string and the JSON string of every variant must agree.
    fn assert_wire_matches_db<E>()
    where
        E: ActiveEnum<Value = sea_orm::sea_query::Enum>
            + Iterable
            + Serialize
            + for<'de> Deserialize<'de>
            + PartialEq
            + std::fmt::Debug,
    {
        for v in E::iter() {
            let db = v.to_value().value.to_string();
            assert_eq!(db, db.to_uppercase());
            let json = serde_json::to_value(&v).unwrap();
            assert_eq!(json, serde_json::Value::String(db.clone()));
            assert_eq!(serde_json::from_value::<E>(json).unwrap(), v);
        }
    }

    #[test]
    fn wire_strings_are_the_database_strings() {
        assert_wire_matches_db::<Role>();
        assert_wire_matches_db::<PostStatus>();
        assert_wire_matches_db::<OfferingStatus>();
        assert_wire_matches_db::<OrderStatus>();
        assert_wire_matches_db::<FileStatus>();
    }

    #[test]
    fn enum_type_names_are_prisma_names() {
        assert_eq!(<Role as ActiveEnum>::name().to_string(), "Role");
        assert_eq!(<PostStatus as ActiveEnum>::name().to_string(), "PostStatus");
        assert_eq!(<OfferingStatus as ActiveEnum>::name().to_string(), "OfferingStatus");
        assert_eq!(<OrderStatus as ActiveEnum>::name().to_string(), "OrderStatus");
        assert_eq!(<FileStatus as ActiveEnum>::name().to_string(), "FileStatus");
    }
}
