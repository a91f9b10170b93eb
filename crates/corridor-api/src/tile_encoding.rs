//! How a tile or an entry bundle is sent: gzip when the client accepts it, a strong ETag per
//! representation, and `304 Not Modified` when the client already holds it.
//!
//! C2SP tlog-tiles ("Log entries"): entry bundles SHOULD be compressed at the HTTP layer, with
//! `Content-Encoding: gzip` or an encoding the client asks for with `Accept-Encoding`. Entry
//! bundles are compressed here only when the client's `Accept-Encoding` allows gzip (a client
//! that does not ask gets the bytes as they are), and every bundle answer says
//! `Vary: Accept-Encoding` so caches keep the two representations apart. Hash tiles are SHA-256
//! outputs, which do not compress (gzip makes them larger): they are always sent as they are,
//! and vary with nothing.
//!
//! The ETag is the SHA-256 of the bytes sent (shortened to 128 bits), so it is strong in RFC
//! 9110's sense by construction: the gzip representation has its own tag, and a tag changes
//! exactly when the bytes do (a partial tile `.p/W` is a different path, with a different tag,
//! from the wider one that replaces it). `If-None-Match` is compared weakly, as RFC 9110
//! § 13.1.2 requires.
//!
//! [`gzip`] is also what `corridor log export` writes as the `.gz` beside each bundle, so a
//! static web server that serves precompressed files sends the same bytes as `corridor serve`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use sha2::{Digest as _, Sha256};

use crate::problem::ApiError;

/// The bytes of the tile or bundle, and whether gzip may help them.
#[derive(Debug)]
pub struct Body {
    /// The identity representation.
    pub bytes: Vec<u8>,
    /// An entry bundle (which compresses), not a hash tile (which does not).
    pub compressible: bool,
}

pub use corridor_app::publish::gzip;

/// Whether an `Accept-Encoding` header allows gzip: `gzip` (or `x-gzip`) with a non-zero
/// quality, or `*` with a non-zero quality when gzip is not itself refused (RFC 9110 § 12.5.3).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut named = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else {
            continue;
        };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality_positive = parts
                .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                .next_back()
                .is_none_or(|q| q.trim().parse::<f32>().is_ok_and(|q| q > 0.0));
            match coding.as_str() {
                "gzip" | "x-gzip" => named = Some(quality_positive),
                "*" => any = Some(quality_positive),
                _ => {}
            }
        }
    }
    named.or(any).unwrap_or(false)
}

/// The strong entity tag of `bytes` as sent.
fn entity_tag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(digest.get(..16).unwrap_or(&digest)))
}

/// Whether `If-None-Match` names `tag` (or is `*`), compared weakly (RFC 9110 § 13.1.2).
fn none_match(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|candidate| {
            candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
        })
}

/// The answer to a GET of `body` with `cache_control`, as the request's `headers` ask for it.
pub fn respond(
    headers: &HeaderMap,
    body: Body,
    cache_control: HeaderValue,
) -> Result<Response, ApiError> {
    let gzipped = body.compressible && accepts_gzip(headers);
    let bytes = if gzipped {
        gzip(&body.bytes).map_err(|error| ApiError::Internal(format!("gzip: {error}")))?
    } else {
        body.bytes
    };
    let tag = entity_tag(&bytes);
    let mut answer_headers = HeaderMap::new();
    answer_headers.insert(header::CACHE_CONTROL, cache_control);
    answer_headers.insert(
        header::ETAG,
        HeaderValue::from_str(&tag).map_err(|error| ApiError::Internal(error.to_string()))?,
    );
    if body.compressible {
        answer_headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if none_match(headers, &tag) {
        // RFC 9110 § 15.4.5: a 304 carries the headers a 200 would have had for caching.
        return Ok((StatusCode::NOT_MODIFIED, answer_headers).into_response());
    }
    answer_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if gzipped {
        answer_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok((StatusCode::OK, answer_headers, bytes).into_response())
}
