//! The signed session cookie (better-call's signed cookies, PROTOCOL.md 3.3):
//! value = `encodeURIComponent(token + "." + base64(HMAC-SHA256(secret, token)))`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Characters `encodeURIComponent` leaves alone.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

fn mac(secret: &[u8], token: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(token.as_bytes());
    mac
}

/// `token.signature`, not yet URL-encoded (the `set-auth-token` / bearer form before encoding).
pub fn sign(token: &str, secret: &[u8]) -> String {
    let signature = STANDARD.encode(mac(secret, token).finalize().into_bytes());
    format!("{token}.{signature}")
}

/// The cookie value as sent in `Set-Cookie` (URL-encoded).
pub fn cookie_value(token: &str, secret: &[u8]) -> String {
    utf8_percent_encode(&sign(token, secret), URI_COMPONENT).to_string()
}

/// The token inside a signed value (URL-encoded or not), if the signature holds.
/// Like better-call, the signature must be 44 base64 characters ending in `=`.
pub fn verify(value: &str, secret: &[u8]) -> Option<String> {
    let decoded = percent_decode_str(value).decode_utf8().ok()?;
    let (token, signature) = decoded.rsplit_once('.')?;
    if token.is_empty() || signature.len() != 44 || !signature.ends_with('=') {
        return None;
    }
    let signature = STANDARD.decode(signature).ok()?;
    mac(secret, token).verify_slice(&signature).ok()?;
    Some(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret-0123456789abcdef0123456789";
    const TOKEN: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";

    #[test]
    fn matches_a_cookie_computed_with_node_crypto() {
        // Node: encodeURIComponent(token + "." + createHmac("sha256", secret).update(token).digest("base64")).
        let expected = "AbCdEfGhIjKlMnOpQrStUvWxYz012345.OVpRClpfvN0ee%2Bhx1C4lgPff4CWs%2BvGdrzGaB8xCjPA%3D";
        assert_eq!(cookie_value(TOKEN, SECRET), expected);
        assert_eq!(verify(expected, SECRET).as_deref(), Some(TOKEN));
    }

    #[test]
    fn forged_truncated_or_resigned_values_fail() {
        let good = sign(TOKEN, SECRET);
        assert_eq!(verify(&good, SECRET).as_deref(), Some(TOKEN), "decoded form verifies too");
        assert!(verify(&good, b"another-secret-0123456789abcdef012345").is_none());
        assert!(verify(&good[..good.len() - 2], SECRET).is_none());
        let other = sign("ZZZZEfGhIjKlMnOpQrStUvWxYz012345", SECRET);
        let (_, other_sig) = other.rsplit_once('.').unwrap();
        assert!(verify(&format!("{TOKEN}.{other_sig}"), SECRET).is_none());
        assert!(verify(TOKEN, SECRET).is_none());
    }
}
