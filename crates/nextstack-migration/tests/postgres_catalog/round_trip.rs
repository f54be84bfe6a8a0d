//! The entities read and write the migrated PostgreSQL schema: enums bound as
//! their quoted types, database defaults, JSONB, BIGINT, millisecond
//! timestamps, both directions of the User <-> File cycle, and cascades.

use chrono::Timelike;
use nextstack_entity::{FileStatus, Role, file, session, user};
use nextstack_migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, ModelTrait, QueryFilter, Set};
use serde_json::json;

use super::pg::TestSchema;

#[tokio::test]
async fn entities_round_trip_on_postgres() {
    let schema = TestSchema::create().await;
    let db = schema.connect().await;
    Migrator::up(&db, None).await.expect("migrate up");

    let alice = user::ActiveModel { email: Set("alice@example.com".into()), ..Default::default() }
        .insert(&db)
        .await
        .expect("insert user");
    assert_eq!(alice.id.len(), 25);
    assert_eq!((alice.role, alice.points, alice.email_verified), (Role::User, 0, false));
    assert_eq!(alice.created_at, alice.updated_at);
    assert_eq!(alice.created_at.nanosecond() % 1_000_000, 0);

    let metadata = json!({ "width": 640, "tags": ["a", "b"] });
    let avatar = file::ActiveModel {
        user_id: Set(alice.id.clone()),
        filename: Set("a.png".into()),
        original_name: Set("A.png".into()),
        mime_type: Set("image/png".into()),
        size: Set(5_000_000_000),
        storage_key: Set("u/a.png".into()),
        metadata: Set(Some(metadata.clone())),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("insert file");
    assert_eq!(avatar.status, FileStatus::Pending);
    assert_eq!(avatar.metadata, Some(metadata));
    assert_eq!(avatar.size, 5_000_000_000);

    let mut change: user::ActiveModel = alice.clone().into();
    change.role = Set(Role::Admin);
    change.avatar_file_id = Set(Some(avatar.id.clone()));
    let alice = change.update(&db).await.expect("update user");
    assert_eq!(alice.role, Role::Admin);

    let admins =
        user::Entity::find().filter(user::Column::Role.eq(Role::Admin)).all(&db).await.expect("filter by enum");
    assert_eq!(admins, std::slice::from_ref(&alice));
    let linked = alice.find_linked(user::AvatarFile).one(&db).await.expect("avatar");
    assert_eq!(linked, Some(avatar.clone()));
    let owned = alice.find_related(file::Entity).all(&db).await.expect("files");
    assert_eq!(owned, std::slice::from_ref(&avatar));

    // File -> avatar: SET NULL.
    avatar.delete(&db).await.expect("delete file");
    let alice = user::Entity::find_by_id(alice.id.clone()).one(&db).await.expect("reload").expect("user still there");
    assert_eq!(alice.avatar_file_id, None);

    // User -> sessions: CASCADE.
    session::ActiveModel {
        user_id: Set(alice.id.clone()),
        token: Set("t".into()),
        expires_at: Set(nextstack_entity::now()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("insert session");
    alice.delete(&db).await.expect("delete user");
    let sessions = session::Entity::find().all(&db).await.expect("sessions");
    assert!(sessions.is_empty());

    db.close().await.expect("close");
    schema.cleanup().await;
}
