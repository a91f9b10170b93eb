//! JSON request bodies whose every failure is a problem naming the field.
//!
//! axum's own `Json` extractor answers a bad body with plain text. [`JsonBody`] answers with an
//! RFC 9457 problem instead: 422 `invalid_input` naming the field (as serde's path, such as
//! `body.nationality`) and what is wrong with it, or 415 when the body is not JSON at all.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use corridor_app::AppError;

use crate::problem::ApiError;

/// A JSON body of type `T`, parsed with serde; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection_error(&rejection)),
        }
    }
}

/// The problem of a rejected JSON body.
fn rejection_error(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::Status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        }
        JsonRejection::JsonDataError(error) => {
            // serde_path_to_error's text is "<path>: <message>"; the path names the field.
            let text = error.body_text();
            let detail = text
                .strip_prefix("Failed to deserialize the JSON body into the target type: ")
                .unwrap_or(&text);
            match detail.split_once(": ") {
                Some((path, message)) if !path.contains(' ') => {
                    ApiError::App(AppError::InvalidInput {
                        field: format!("body.{path}"),
                        message: message.to_owned(),
                    })
                }
                _ => ApiError::App(AppError::InvalidInput {
                    field: "body".to_owned(),
                    message: detail.to_owned(),
                }),
            }
        }
        JsonRejection::JsonSyntaxError(error) => ApiError::App(AppError::InvalidInput {
            field: "body".to_owned(),
            message: format!("not valid JSON: {}", error.body_text()),
        }),
        JsonRejection::BytesRejection(_) => ApiError::Status(StatusCode::PAYLOAD_TOO_LARGE),
        other => ApiError::App(AppError::InvalidInput {
            field: "body".to_owned(),
            message: other.body_text(),
        }),
    }
}
