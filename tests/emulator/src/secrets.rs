//! Random identifiers, tokens and credentials.
//!
//! Everything the emulator hands out is random so that tests can tell two
//! issues apart (a client that reuses stale credentials is caught), and shaped
//! like the real thing so that clients which validate formats are exercised.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// User codes avoid letters that are easy to misread (I, O) when typed by hand.
const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXZ";

/// `len` random bytes from the operating system.
///
/// Panics when the OS has no randomness to give: an emulator that silently
/// issued predictable tokens would hide exactly the bugs it exists to catch.
pub(crate) fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

/// A string of `len` characters drawn uniformly from `alphabet`
/// (rejection sampling, so no character is favoured).
fn random_string(alphabet: &[u8], len: usize) -> String {
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in random_bytes(len * 2) {
            if (byte as usize) < limit && out.len() < len {
                out.push(alphabet[byte as usize % alphabet.len()] as char);
            }
        }
    }
    out
}

/// `ASIA` + 16 upper-case alphanumerics: the shape of a temporary access key id.
pub(crate) fn access_key_id() -> String {
    format!("ASIA{}", random_string(UPPER_ALNUM, 16))
}

/// 40 characters, the length of a real secret access key.
pub(crate) fn secret_access_key() -> String {
    random_string(SECRET_ALPHABET, 40)
}

/// A long base64 blob, as real session tokens are (several hundred characters),
/// so that clients which truncate or mangle long values are caught.
pub(crate) fn session_token() -> String {
    STANDARD.encode(random_bytes(360))
}

/// An opaque URL-safe token with a recognisable prefix (`aoa` for access
/// tokens, `aor` for refresh tokens, as AWS's tokens begin).
pub(crate) fn opaque(prefix: &str, random_len: usize) -> String {
    format!(
        "{prefix}{}",
        URL_SAFE_NO_PAD.encode(random_bytes(random_len))
    )
}

/// A device-flow user code such as `BCDF-GHJK`.
pub(crate) fn user_code() -> String {
    let raw = random_string(USER_CODE_ALPHABET, 8);
    format!("{}-{}", &raw[..4], &raw[4..])
}
