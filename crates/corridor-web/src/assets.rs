//! The static files, compiled into the binary: the one hand-written stylesheet and the vendored
//! htmx (`assets/htmx.min.js`, 2.x from the npm registry, with its licence beside it). No CDN, no
//! build step, no Node at run time.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The stylesheet.
pub const STYLE_CSS: &[u8] = include_bytes!("../assets/style.css");
/// htmx, minified, as published.
pub const HTMX_JS: &[u8] = include_bytes!("../assets/htmx.min.js");

/// How long a browser may keep an asset: an hour, so a new release's files arrive soon.
const ASSET_CACHE: &str = "public, max-age=3600";

/// `GET /assets/{file}`: `style.css` or `htmx.min.js`; any other name is 404.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (bytes, media_type) = match file.as_str() {
        "style.css" => (STYLE_CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX_JS, "text/javascript; charset=utf-8"),
        _ => return corridor_api::ApiError::Status(StatusCode::NOT_FOUND).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(ASSET_CACHE)),
        ],
        bytes,
    )
        .into_response()
}
