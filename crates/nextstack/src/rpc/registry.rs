//! Every procedure of the API, each wire path written exactly once.

use nextstack_trpc::Router;

use crate::procedures::{core, main, meta};
use crate::rpc::ctx::Ctx;

/// The whole API (`AppRouter`).
pub fn procedures() -> Router<Ctx> {
    Router::new()
        .query("_meta.health", meta::health)
        .query("_meta.version", meta::version)
        .mutation("core.user.create", core::user::create)
        .mutation("core.user.update", core::user::update)
        .mutation("core.user.delete", core::user::delete)
        .query("core.user.get", core::user::get)
        .query("core.user.list", core::user::list)
        .query("main.auth.getMe", main::auth::get_me)
        .query("main.auth.getSession", main::auth::get_session)
        .query("main.user.getByEmail", main::user::get_by_email)
        .query("main.user.stats", main::user::stats)
        .mutation("main.user.setAvatar", main::user::set_avatar)
        .mutation("core.level.create", core::level::create)
        .mutation("core.level.update", core::level::update)
        .mutation("core.level.delete", core::level::delete)
        .query("core.level.list", core::level::list)
        .mutation("core.profile.create", core::profile::create)
        .mutation("core.profile.update", core::profile::update)
        .mutation("core.profile.delete", core::profile::delete)
        .query("core.profile.get", core::profile::get)
        .query("core.profile.list", core::profile::list)
        .mutation("core.post.create", core::post::create)
        .mutation("core.post.update", core::post::update)
        .mutation("core.post.delete", core::post::delete)
        .query("core.post.get", core::post::get)
        .query("core.post.list", core::post::list)
        .query("main.post.feed", main::post::feed)
        .query("core.file.get", core::file::get)
        .query("core.file.list", core::file::list)
        .mutation("core.file.update", core::file::update)
        .mutation("core.file.delete", core::file::delete)
        .mutation("main.storage.requestUpload", main::storage::request_upload)
        .mutation("main.storage.confirmUpload", main::storage::confirm_upload)
        .query("main.storage.getDownloadUrl", main::storage::get_download_url)
        .mutation("main.storage.deleteMany", main::storage::delete_many)
}
