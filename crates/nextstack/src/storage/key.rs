//! What may be stored under which name: client file names and MIME types are
//! checked, and object keys are made by the server, never taken from a client.

use nextstack_entity::new_id;

/// The longest file name accepted, in bytes (what most file systems allow).
pub const MAX_FILENAME_BYTES: usize = 255;

/// Longest sanitised name kept in a key (the key also holds the user id and a CUID).
const MAX_KEY_NAME_BYTES: usize = 100;

/// Why a client's file name is refused.
pub fn filename_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("must not be empty")
    } else if name.len() > MAX_FILENAME_BYTES {
        Some("must be at most 255 bytes long")
    } else if name.contains("..") {
        Some("must not contain \"..\"")
    } else if name.starts_with('/') || name.starts_with('\\') {
        Some("must not start with a slash")
    } else if name.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        None
    }
}

/// True for `type/subtype` with RFC 6838 token characters and no parameters.
pub fn is_mime_type(value: &str) -> bool {
    fn is_token(part: &str) -> bool {
        (1..=127).contains(&part.len())
            && part.as_bytes()[0].is_ascii_alphanumeric()
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    }
    value.split_once('/').is_some_and(|(kind, sub)| is_token(kind) && is_token(sub))
}

/// Raster image types: safe to show inline and to use as avatars (SVG is not:
/// it can carry script).
pub fn is_raster_image(mime: &str) -> bool {
    matches!(
        mime.to_ascii_lowercase().as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/avif" | "image/bmp" | "image/x-icon"
    )
}

/// Types a browser may render inline from the API's origin without running
/// anything: raster images, audio and video. Everything else is sent as an attachment.
pub fn is_inline_safe(mime: &str) -> bool {
    let lower = mime.to_ascii_lowercase();
    is_raster_image(&lower) || lower.starts_with("audio/") || lower.starts_with("video/")
}

/// The object key of a new upload: `<userId>/<cuid>-<sanitised name>`. The CUID
/// makes it unique; the name keeps it readable in a bucket listing.
pub fn new_key(user_id: &str, filename: &str) -> String {
    format!("{user_id}/{}-{}", new_id(), sanitize(filename))
}

/// A name that is safe in a URL path and on any file system: the last path
/// segment, with every byte outside `[A-Za-z0-9._-]` replaced by `_`, at most
/// 100 bytes (keeping the extension), never empty or hidden.
pub fn sanitize(filename: &str) -> String {
    let last = filename.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String =
        last.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let trimmed = name.trim_start_matches('.');
    if trimmed.len() != name.len() {
        name = trimmed.to_string();
    }
    if name.len() > MAX_KEY_NAME_BYTES {
        // ASCII only by now, so byte slicing is safe.
        let ext = name.rfind('.').map(|dot| name[dot..].to_string()).filter(|e| e.len() <= 16).unwrap_or_default();
        name.truncate(MAX_KEY_NAME_BYTES - ext.len());
        name.push_str(&ext);
    }
    if name.is_empty() { "file".into() } else { name }
}

/// True for keys this server could have made: relative, no empty, `.` or `..`
/// segments, only key characters. Checked before a key becomes a disk path.
pub fn is_safe_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 512
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && seg.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_names() {
        assert!(filename_problem("../etc/passwd").is_some());
        assert!(filename_problem("/abs.png").is_some());
        assert!(filename_problem("a\u{0}b").is_some());
        assert!(filename_problem("a\nb").is_some());
        assert!(filename_problem(&"a".repeat(256)).is_some());
        assert!(filename_problem("").is_some());
        assert_eq!(filename_problem("holiday photo (1).JPG"), None);
        assert_eq!(filename_problem(&"é".repeat(127)), None); // 254 bytes
    }

    #[test]
    fn mime_types_are_type_slash_subtype() {
        assert!(is_mime_type("image/png"));
        assert!(is_mime_type("application/vnd.api+json"));
        assert!(!is_mime_type("image"));
        assert!(!is_mime_type("image/"));
        assert!(!is_mime_type("image/png; charset=x"));
        assert!(!is_mime_type("a/b/c"));
    }

    #[test]
    fn only_raster_images_and_media_are_inline() {
        assert!(is_raster_image("image/PNG"));
        assert!(!is_raster_image("image/svg+xml"));
        assert!(is_inline_safe("video/mp4"));
        assert!(!is_inline_safe("text/html"));
        assert!(!is_inline_safe("image/svg+xml"));
        assert!(!is_inline_safe("application/pdf"));
    }

    #[test]
    fn sanitised_names_are_url_and_disk_safe() {
        assert_eq!(sanitize("holiday photo (1).JPG"), "holiday_photo__1_.JPG");
        assert_eq!(sanitize("dir\\sub/naïve.txt"), "na_ve.txt");
        assert_eq!(sanitize(".hidden"), "hidden");
        assert_eq!(sanitize("..."), "file");
        let long = format!("{}.png", "x".repeat(300));
        let s = sanitize(&long);
        assert_eq!(s.len(), 100);
        assert!(s.ends_with(".png"));
    }

    #[test]
    fn keys_are_safe_paths() {
        let key = new_key("cuser1234567", "../../evil name.png");
        assert!(is_safe_key(&key), "{key}");
        assert!(key.starts_with("cuser1234567/c"));
        assert!(!is_safe_key("a/../b"));
        assert!(!is_safe_key("/a"));
        assert!(!is_safe_key("a//b"));
        assert!(!is_safe_key(".tmp/x"));
    }
}
