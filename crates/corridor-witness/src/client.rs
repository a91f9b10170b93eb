//! The log side: asking a witness to cosign a checkpoint, and checking its cosignature.
//!
//! [`add_checkpoint`] sends one C2SP tlog-witness `add-checkpoint` request and reads the
//! answer as an [`AddOutcome`]:
//!
//! - [`AddOutcome::Cosigned`]: 200, the cosignature lines, parsed (not yet verified: use
//!   [`verify_cosignature`] with the witness's public key);
//! - [`AddOutcome::Conflict`]: 409 with a `text/x.tlog.size` body, the size the witness holds;
//!   the log sends again from that size, with the proof from it;
//! - [`AddOutcome::Refused`]: any other answer, with its status and (lossy UTF-8) body.
//!
//! Failures to talk to the witness at all are [`ClientError`]s. The client speaks plain
//! HTTP/1.1, one connection per request, and refuses `https://` URLs: corridor's witnesses sit
//! on a private network or behind a TLS-terminating proxy. Every request is bounded in time
//! ([`REQUEST_TIMEOUT`]) and every answer in size ([`MAX_RESPONSE_BODY_BYTES`]).

use std::time::Duration;

use corridor_log::Hash;
use corridor_log::cosignature::CosignatureError;
use corridor_log::keys::CosignerVerifier;
use corridor_log::note::{self, Note, NoteError, NoteSignature, Verifier as _};
use corridor_log::witness::{AddCheckpointRequest, MAX_PROOF_LINES, TREE_SIZE_CONTENT_TYPE};
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, Uri, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::server::ADD_CHECKPOINT_PATH;

/// The largest answer read from a witness. A few cosignature lines are a few hundred bytes.
pub const MAX_RESPONSE_BODY_BYTES: usize = 64 * 1024;

/// The longest one request may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The most cosignature lines accepted in one answer: as many as a note may carry.
pub const MAX_COSIGNATURES_PER_ANSWER: usize = note::MAX_SIGNATURES;

/// The port of an `http://` URL that names none.
const DEFAULT_HTTP_PORT: u16 = 80;

/// A witness's answer to an add-checkpoint request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    /// 200: the witness cosigned; its cosignature lines, parsed but not verified.
    Cosigned(Vec<NoteSignature>),
    /// 409 with a tree size: the witness holds a checkpoint of this size, not the old size sent.
    Conflict {
        /// The size of the latest checkpoint the witness cosigned for the log.
        witness_size: u64,
    },
    /// Any other answer.
    Refused {
        /// The HTTP status code.
        status: u16,
        /// The body, as lossy UTF-8.
        body: String,
    },
}

/// Why a witness could not be asked, or its answer not used.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The witness URL is not a usable `http://` URL.
    #[error("witness URL `{url}` is not usable: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The proof has more lines than a witness accepts.
    #[error(
        "a consistency proof of {lines} hashes is longer than the {MAX_PROOF_LINES} a witness accepts"
    )]
    ProofTooLong {
        /// The number of hashes.
        lines: usize,
    },
    /// The witness could not be reached.
    #[error("cannot connect to witness `{url}`")]
    Connect {
        /// The witness URL.
        url: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP exchange failed.
    #[error("HTTP exchange with witness `{url}` failed")]
    Http {
        /// The witness URL.
        url: String,
        /// Why.
        #[source]
        source: hyper::Error,
    },
    /// The witness did not answer within [`REQUEST_TIMEOUT`].
    #[error("witness `{url}` did not answer within {} seconds", REQUEST_TIMEOUT.as_secs())]
    TimedOut {
        /// The witness URL.
        url: String,
    },
    /// The answer is larger than [`MAX_RESPONSE_BODY_BYTES`].
    #[error("witness `{url}` answered with more than {MAX_RESPONSE_BODY_BYTES} bytes")]
    ResponseTooLarge {
        /// The witness URL.
        url: String,
    },
    /// The answer's body could not be read.
    #[error("cannot read the answer of witness `{url}`")]
    ResponseBody {
        /// The witness URL.
        url: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A 200 answer that is not a list of cosignature lines.
    #[error("witness `{url}` answered 200 without valid cosignature lines: {reason}")]
    MalformedCosignatures {
        /// The witness URL.
        url: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The signed checkpoint given to [`verify_cosignature`] is not a signed note.
    #[error("the signed checkpoint is not a signed note")]
    MalformedCheckpoint(#[source] NoteError),
    /// None of the cosignatures is by the witness's key.
    #[error("no cosignature is by witness key `{key}`")]
    NoCosignatureByKey {
        /// The witness's verifier key string.
        key: String,
    },
    /// The witness's cosignature does not verify.
    #[error("the witness's cosignature does not verify")]
    InvalidCosignature(#[source] CosignatureError),
}

/// Asks the witness at `witness_url` (its URL prefix, e.g. `http://127.0.0.1:7380`) to cosign
/// `signed_checkpoint`, given the size the log believes the witness holds and the consistency
/// proof from that size.
///
/// # Errors
/// [`ClientError::InvalidUrl`] and [`ClientError::ProofTooLong`] before anything is sent;
/// [`ClientError::Connect`], [`ClientError::Http`], [`ClientError::TimedOut`],
/// [`ClientError::ResponseTooLarge`], [`ClientError::ResponseBody`] or
/// [`ClientError::MalformedCosignatures`] after.
pub async fn add_checkpoint(
    witness_url: &str,
    old_size: u64,
    proof: &[Hash],
    signed_checkpoint: &str,
) -> Result<AddOutcome, ClientError> {
    let endpoint = Endpoint::parse(witness_url)?;
    if proof.len() > MAX_PROOF_LINES {
        return Err(ClientError::ProofTooLong { lines: proof.len() });
    }
    let body = AddCheckpointRequest::encode(old_size, proof, signed_checkpoint);
    let answer = tokio::time::timeout(REQUEST_TIMEOUT, endpoint.post(body))
        .await
        .map_err(|_| ClientError::TimedOut {
            url: witness_url.to_owned(),
        })??;
    answer.outcome(witness_url)
}

/// Verifies the witness's cosignature among `cosignatures` on `signed_checkpoint` (the text
/// sent to the witness) with the witness's public key, and returns the time it states, in Unix
/// seconds.
///
/// # Errors
/// [`ClientError::MalformedCheckpoint`], [`ClientError::NoCosignatureByKey`] or
/// [`ClientError::InvalidCosignature`].
pub fn verify_cosignature(
    witness: &CosignerVerifier,
    signed_checkpoint: &str,
    cosignatures: &[NoteSignature],
) -> Result<u64, ClientError> {
    let note =
        Note::parse(signed_checkpoint.as_bytes()).map_err(ClientError::MalformedCheckpoint)?;
    let cosignature = cosignatures
        .iter()
        .find(|signature| {
            signature.name() == witness.name() && signature.key_id() == witness.key_id()
        })
        .ok_or_else(|| ClientError::NoCosignatureByKey {
            key: witness.to_key_string(),
        })?;
    witness
        .verify_cosignature(note.text(), cosignature)
        .map_err(ClientError::InvalidCosignature)
}

/// Where an add-checkpoint request goes.
struct Endpoint {
    url: String,
    host: String,
    port: u16,
    host_header: String,
    path: String,
}

/// A witness's raw answer.
struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    body: Bytes,
}

impl Endpoint {
    fn parse(witness_url: &str) -> Result<Self, ClientError> {
        let invalid = |reason| ClientError::InvalidUrl {
            url: witness_url.to_owned(),
            reason,
        };
        let uri: Uri = witness_url
            .parse()
            .map_err(|_| invalid("it is not a URL"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err(invalid(
                    "this client speaks plain HTTP; reach the witness through `http://`",
                ));
            }
            _ => return Err(invalid("it must start with `http://`")),
        }
        let authority = uri.authority().ok_or(invalid("it names no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("credentials in the URL are not supported"));
        }
        if uri.query().is_some() {
            return Err(invalid("a witness URL has no query"));
        }
        // The authority keeps IPv6 literals in brackets; the socket address does not.
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let prefix = uri.path().trim_end_matches('/');
        Ok(Self {
            url: witness_url.to_owned(),
            host,
            port: authority.port_u16().unwrap_or(DEFAULT_HTTP_PORT),
            host_header: authority.as_str().to_owned(),
            path: format!("{prefix}{ADD_CHECKPOINT_PATH}"),
        })
    }

    /// One HTTP/1.1 exchange on a fresh connection.
    async fn post(&self, body: String) -> Result<Answer, ClientError> {
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|source| ClientError::Connect {
                url: self.url.clone(),
                source,
            })?;
        let http_error = |source| ClientError::Http {
            url: self.url.clone(),
            source,
        };
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(http_error)?;
        let request = Request::post(self.path.as_str())
            .header(header::HOST, self.host_header.as_str())
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Full::new(Bytes::from(body)))
            .map_err(|_| ClientError::InvalidUrl {
                url: self.url.clone(),
                reason: "it does not make a valid request target",
            })?;
        let exchange = async move {
            let response = sender.send_request(request).await.map_err(http_error)?;
            // No second request on this connection: let it close once the body is read.
            drop(sender);
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_RESPONSE_BODY_BYTES)
                .collect()
                .await
                .map_err(|source| {
                    if source.is::<LengthLimitError>() {
                        ClientError::ResponseTooLarge {
                            url: self.url.clone(),
                        }
                    } else {
                        ClientError::ResponseBody {
                            url: self.url.clone(),
                            source,
                        }
                    }
                })?
                .to_bytes();
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            Ok(Answer {
                status: parts.status,
                content_type,
                body,
            })
        };
        // The connection is driven beside the exchange and ends when the exchange is done; its
        // own result matters only when the exchange failed, which already says why.
        let (answer, _connection) = tokio::join!(exchange, connection);
        answer
    }
}

impl Answer {
    fn outcome(self, url: &str) -> Result<AddOutcome, ClientError> {
        if self.status == StatusCode::OK {
            return parse_cosignatures(&self.body)
                .map(AddOutcome::Cosigned)
                .map_err(|reason| ClientError::MalformedCosignatures {
                    url: url.to_owned(),
                    reason,
                });
        }
        if self.status == StatusCode::CONFLICT
            && self.content_type.as_deref() == Some(TREE_SIZE_CONTENT_TYPE)
            && let Some(witness_size) = parse_size_body(&self.body)
        {
            return Ok(AddOutcome::Conflict { witness_size });
        }
        Ok(AddOutcome::Refused {
            status: self.status.as_u16(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        })
    }
}

/// Parses a 200 body: one or more note signature lines, each ending in a newline.
fn parse_cosignatures(body: &[u8]) -> Result<Vec<NoteSignature>, &'static str> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8")?;
    if text.is_empty() || !text.ends_with('\n') {
        return Err("the body must be signature lines, each ending in a newline");
    }
    let mut signatures = Vec::new();
    for line in text.split_terminator('\n') {
        if signatures.len() == MAX_COSIGNATURES_PER_ANSWER {
            return Err("too many cosignature lines");
        }
        signatures.push(NoteSignature::parse_line(line).map_err(|_| "a line is not a signature")?);
    }
    Ok(signatures)
}

/// Parses a `text/x.tlog.size` body: a decimal with no sign or leading zero, then a newline.
fn parse_size_body(body: &[u8]) -> Option<u64> {
    let digits = std::str::from_utf8(body).ok()?.strip_suffix('\n')?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|byte| byte.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if canonical { digits.parse().ok() } else { None }
}
