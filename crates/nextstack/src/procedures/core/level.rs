//! `core.level.*`: the level ladder (admins manage it, anyone reads it).

use garde::Validate;
use nextstack_trpc::validation::cuid;
use serde::Deserialize;
use ts_rs::TS;

use crate::error::AppError;
use crate::procedures::input::{IdInput, PageInput};
use crate::rpc::auth::{Admin, Public};
use crate::services::level::{self as levels, LevelChanges, NewLevel};
use crate::services::pagination::Page;
use crate::wire::level::Level;
use crate::wire::patch::double_option;

/// `core.level.create` input.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateInput {
    /// Unique name, 1..50.
    #[garde(length(utf16, min = 1, max = 50))]
    pub name: String,
    /// Unique rank, >= 0 (higher is better).
    #[garde(range(min = 0))]
    pub rank: i32,
    /// Points needed, >= 0.
    #[garde(range(min = 0))]
    pub min_points: i32,
    /// Up to 500 characters.
    #[garde(inner(length(utf16, max = 500)))]
    #[ts(optional = nullable)]
    pub description: Option<String>,
}

/// `core.level.update` input: only the fields sent change.
#[derive(Debug, Deserialize, Validate, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInput {
    /// The level.
    #[garde(custom(cuid))]
    pub id: String,
    /// New name.
    #[garde(inner(length(utf16, min = 1, max = 50)))]
    #[ts(optional)]
    pub name: Option<String>,
    /// New rank.
    #[garde(inner(range(min = 0)))]
    #[ts(optional)]
    pub rank: Option<i32>,
    /// New threshold.
    #[garde(inner(range(min = 0)))]
    #[ts(optional)]
    pub min_points: Option<i32>,
    /// New description, or `null` to clear it.
    #[serde(default, deserialize_with = "double_option")]
    #[garde(inner(inner(length(utf16, max = 500))))]
    #[ts(optional, type = "string | null")]
    pub description: Option<Option<String>>,
}

/// `core.level.create` (admin); a taken name or rank is `CONFLICT`.
pub async fn create(ctx: Admin, input: CreateInput) -> Result<Level, AppError> {
    let new =
        NewLevel { name: input.name, rank: input.rank, min_points: input.min_points, description: input.description };
    Ok(levels::create(&ctx.state.db, new).await?.into())
}

/// `core.level.update` (admin).
pub async fn update(ctx: Admin, input: UpdateInput) -> Result<Level, AppError> {
    let changes = LevelChanges {
        name: input.name,
        rank: input.rank,
        min_points: input.min_points,
        description: input.description,
    };
    Ok(levels::update(&ctx.state.db, &input.id, changes).await?.into())
}

/// `core.level.delete` (admin): users on it fall back to the next lower level.
pub async fn delete(ctx: Admin, input: IdInput) -> Result<Level, AppError> {
    Ok(levels::delete(&ctx.state.db, &input.id).await?.into())
}

/// `core.level.list` (public): by rank, lowest first.
pub async fn list(ctx: Public, input: Option<PageInput>) -> Result<Page<Level>, AppError> {
    let input = input.unwrap_or_default();
    levels::list(&ctx.state.db, input.page_request()).await
}
