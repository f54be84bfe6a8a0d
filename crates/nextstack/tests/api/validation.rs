//! Every input rule of the domain procedures, each refused with 400 and the
//! field it concerns in `zodError.fieldErrors` (as a zod schema would report it).

use nextstack::wire::user::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

/// (procedure, is a mutation, input, the field the error names)
fn cases() -> Vec<(&'static str, bool, Value, &'static str)> {
    let id = "cabcdefghijklmnopqrstuvwx";
    let long = |n: usize| "x".repeat(n);
    vec![
        ("core.level.create", true, json!({"name": "", "rank": 1, "minPoints": 0}), "name"),
        ("core.level.create", true, json!({"name": long(51), "rank": 1, "minPoints": 0}), "name"),
        ("core.level.create", true, json!({"name": "A", "rank": -1, "minPoints": 0}), "rank"),
        ("core.level.create", true, json!({"name": "A", "rank": 1, "minPoints": -5}), "minPoints"),
        (
            "core.level.create",
            true,
            json!({"name": "A", "rank": 1, "minPoints": 0, "description": long(501)}),
            "description",
        ),
        ("core.level.create", true, json!({"name": "A", "rank": 1.5, "minPoints": 0}), "rank"),
        ("core.level.update", true, json!({"id": "nope"}), "id"),
        ("core.level.list", false, json!({"limit": 101}), "limit"),
        ("core.profile.create", true, json!({"handle": "no", "displayName": "A"}), "handle"),
        ("core.profile.create", true, json!({"handle": "okay", "displayName": ""}), "displayName"),
        ("core.profile.create", true, json!({"handle": "okay", "displayName": "A", "bio": long(1001)}), "bio"),
        ("core.profile.create", true, json!({"handle": "okay", "displayName": "A", "website": "nope"}), "website"),
        ("core.profile.create", true, json!({"handle": "okay", "displayName": "A", "location": long(101)}), "location"),
        ("core.profile.create", true, json!({"handle": "okay", "displayName": "A", "isPublic": "yes"}), "isPublic"),
        ("core.profile.update", true, json!({"id": id, "handle": "Bad Handle"}), "handle"),
        ("core.profile.list", false, json!({"userId": "nope"}), "userId"),
        ("core.post.create", true, json!({"title": ""}), "title"),
        ("core.post.create", true, json!({"title": long(256)}), "title"),
        ("core.post.create", true, json!({"title": "A", "content": long(100_001)}), "content"),
        ("core.post.create", true, json!({"title": "A", "status": "ARCHIVED"}), "status"),
        ("core.post.update", true, json!({"id": id, "status": "GONE"}), "status"),
        ("core.post.list", false, json!({"authorId": "nope"}), "authorId"),
        ("main.post.feed", false, json!({"limit": 0}), "limit"),
        ("main.post.feed", false, json!({"cursor": "nope"}), "cursor"),
        ("core.offering.create", true, json!({"title": "", "priceCents": 1}), "title"),
        ("core.offering.create", true, json!({"title": "A", "priceCents": -1}), "priceCents"),
        ("core.offering.create", true, json!({"title": "A", "priceCents": 100_000_001}), "priceCents"),
        ("core.offering.create", true, json!({"title": "A", "priceCents": 1, "currency": "EURO"}), "currency"),
        ("core.offering.create", true, json!({"title": "A", "priceCents": 1, "minLevelRank": -1}), "minLevelRank"),
        (
            "core.offering.create",
            true,
            json!({"title": "A", "priceCents": 1, "description": long(5001)}),
            "description",
        ),
        ("core.offering.create", true, json!({"title": "A", "priceCents": 1, "status": "ARCHIVED"}), "status"),
        ("core.offering.update", true, json!({"id": id, "currency": "us"}), "currency"),
        ("core.offering.list", false, json!({"minPriceCents": -1}), "minPriceCents"),
        ("core.order.get", false, json!({"id": "nope"}), "id"),
        ("core.order.list", false, json!({"role": "owner"}), "role"),
        ("core.order.list", false, json!({"status": "LOST"}), "status"),
        ("main.order.place", true, json!({"offeringId": "nope"}), "offeringId"),
        ("main.order.place", true, json!({"offeringId": id, "quantity": 0}), "quantity"),
        ("main.order.place", true, json!({"offeringId": id, "quantity": 1001}), "quantity"),
        ("main.order.place", true, json!({"offeringId": id, "note": long(1001)}), "note"),
        ("main.order.transition", true, json!({"id": id, "to": "PENDING"}), "to"),
        ("main.order.transition", true, json!({"id": id}), "to"),
        ("core.file.update", true, json!({"fileId": id, "metadata": "text"}), "metadata"),
        ("main.storage.getDownloadUrl", false, json!({"fileId": id, "expiresIn": 86_401}), "expiresIn"),
        ("main.user.setAvatar", true, json!({"fileId": "nope"}), "fileId"),
    ]
}

#[tokio::test]
async fn every_rule_is_a_400_naming_its_field() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    for (path, is_mutation, input, field) in cases() {
        let (status, body) = if is_mutation {
            app.mutation(path, &input, Some(&admin)).await
        } else {
            app.query(path, Some(&input), Some(&admin)).await
        };
        assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{path} {input}: {body}");
        let errors = &body["error"]["data"]["zodError"]["fieldErrors"];
        assert!(
            errors[field].as_array().is_some_and(|e| !e.is_empty()),
            "{path} {input}: expected {field} in {errors}"
        );
    }
}
