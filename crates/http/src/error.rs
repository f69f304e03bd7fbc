//! Errors at the edge: every refusal is JSON of one stable shape,
//! `{"error": {"code": "...", "message": "..."}}`, with a snake_case code
//! clients can rely on and a message for the developer reading it.
//!
//! [`ERROR_CODES`] is the table of codes and statuses (the documentation
//! in docs/HTTP.md is checked against it by a test). [`AppJson`] replaces
//! axum's `Json` extractor so that a wrong content type, a body too large
//! or malformed JSON get our shape rather than axum's plain text. A 500
//! says little to the client; its cause is logged inside the request.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use accueil_service::conversation::Refusal;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Largest request head answered (request line and headers), in bytes,
/// and most headers: past either, `headers_too_large`.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
pub const MAX_HEADERS: usize = 100;

/// Every error code: status, code, when it is returned.
pub const ERROR_CODES: &[(u16, &str, &str)] = &[
    (400, "malformed_json", "the body is not valid JSON"),
    (
        400,
        "invalid_body",
        "valid JSON of the wrong shape: unknown field, wrong type",
    ),
    (400, "missing_channel", "`channel` is missing"),
    (
        400,
        "unknown_channel",
        "`channel` is neither \"web\" nor \"kiosk\"",
    ),
    (
        400,
        "message_and_choice",
        "both `message` and `choice` were sent",
    ),
    (
        400,
        "no_message_or_choice",
        "neither `message` nor `choice` was sent",
    ),
    (
        400,
        "empty_message",
        "the message is empty or only spaces and control characters",
    ),
    (
        400,
        "message_too_long",
        "the message is over 1000 characters after trimming",
    ),
    (
        400,
        "unknown_choice",
        "`choice` is not the payload of a quick reply (an intent id)",
    ),
    (400, "unknown_site", "`site` is not a site of the content"),
    (400, "unknown_lang", "`lang` is not `fr` or `en`"),
    (400, "invalid_query", "the query string cannot be read"),
    (400, "invalid_path", "the path cannot be read"),
    (
        400,
        "no_public_url",
        "a QR code needs the server's public address: ACCUEIL_PUBLIC_URL is not set",
    ),
    // Service notices (`/api/v1/admin/notices`).
    (
        400,
        "invalid_notice_id",
        "a notice id is not 1 to 64 lowercase letters, digits, - or _",
    ),
    (
        400,
        "invalid_notice_date",
        "`starts_at` or `ends_at` is not an RFC 3339 date-time with its offset",
    ),
    (
        400,
        "notice_ends_before_start",
        "a notice's `ends_at` is not after its `starts_at`",
    ),
    (
        400,
        "notice_already_ended",
        "a notice's `ends_at` is in the past",
    ),
    (400, "empty_notice_text", "a notice's text is empty"),
    (
        400,
        "notice_text_too_long",
        "a notice's text is over 280 characters",
    ),
    (
        400,
        "notice_not_falc",
        "a notice's text breaks FALC rules, listed in `details`",
    ),
    (
        400,
        "invalid_notice_link",
        "a notice's link is not an http(s) URL",
    ),
    (
        400,
        "notice_unknown_intent",
        "a notice concerns an intent the content does not have",
    ),
    (
        400,
        "notice_unknown_domain",
        "a notice concerns a domain other than sejour, ddtm, fs",
    ),
    (
        401,
        "unauthorized",
        "no token, a malformed Authorization header, or an unknown token",
    ),
    (403, "forbidden", "the token's role may not do this"),
    // The agents' review and the feedback (`/api/v1/review/...`, `/api/v1/feedback`).
    (
        400,
        "unknown_action",
        "review: `action` is not \"attach\", \"dismiss\" or \"to_write\"",
    ),
    (
        400,
        "missing_intent",
        "review: `attach` without an `intent`",
    ),
    (
        400,
        "reason_too_long",
        "feedback: the reason is over 500 characters",
    ),
    (
        404,
        "unknown_question",
        "review: no question in the inbox has this id",
    ),
    (
        404,
        "unknown_session",
        "feedback: the session is unknown or has expired",
    ),
    (
        409,
        "nothing_to_attach",
        "review: the question's text was removed by retention, or was only personal data",
    ),
    (
        409,
        "paraphrase_conflict",
        "review: the content files already give this question to another intent",
    ),
    (
        409,
        "feedback_already_given",
        "feedback: this session already gave feedback on this intent",
    ),
    (
        429,
        "too_many_requests",
        "feedback: too many from this session; see the Retry-After header",
    ),
    (
        429,
        "rate_limited",
        "too many chat turns or feedbacks from this client; see the Retry-After header",
    ),
    (
        431,
        "headers_too_large",
        "the request line and headers are over 16 KiB, or over 100 headers",
    ),
    (404, "unknown_intent", "no intent has this id"),
    (404, "unknown_notice", "no notice has this id"),
    (404, "not_found", "no such endpoint"),
    (
        405,
        "method_not_allowed",
        "the endpoint exists but not with this method",
    ),
    (
        408,
        "timeout",
        "the request took longer than the request timeout",
    ),
    (
        409,
        "notice_in_content",
        "the notice comes from a site file: change it there and reload",
    ),
    (413, "body_too_large", "the body is over 16 KiB"),
    (
        415,
        "unsupported_media_type",
        "the body is not sent as application/json",
    ),
    (
        422,
        "invalid_content",
        "reload: the content has errors; the previous content is still served",
    ),
    (
        500,
        "internal_error",
        "a failure of the server; the cause is in its log",
    ),
    (
        503,
        "busy",
        "every connection slot is taken (--max-connections); retry in a second",
    ),
    (
        503,
        "not_ready",
        "readiness: the store does not answer, or the server is stopping",
    ),
];

/// A refusal or failure, as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    MalformedJson(String),
    InvalidBody(String),
    Refused(Refusal),
    InvalidQuery(String),
    InvalidPath(String),
    Unauthorized(&'static str),
    /// The role that was needed.
    Forbidden(&'static str),
    UnknownIntent(String),
    NotFound,
    MethodNotAllowed,
    Timeout,
    BodyTooLarge,
    UnsupportedMediaType,
    /// The content's error diagnostics, one line each.
    InvalidContent {
        message: String,
        diagnostics: Vec<String>,
    },
    /// Logged, never shown: the client gets a generic message.
    Internal(String),
    NotReady(String),
    /// A refused service notice (admin API).
    Notice(accueil_engine::notices::NoticeError),
    /// A QR code was asked for and the public address is unknown.
    NoPublicUrl,
    /// A refused review action or feedback.
    Review(accueil_service::review::Refusal),
    /// The client's bucket is empty: wait this long.
    RateLimited {
        retry_after_secs: u64,
    },
    HeadersTooLarge,
    /// No connection slot left.
    Busy,
}

impl From<accueil_service::review::Refusal> for ApiError {
    fn from(r: accueil_service::review::Refusal) -> Self {
        ApiError::Review(r)
    }
}

impl From<accueil_engine::notices::NoticeError> for ApiError {
    fn from(e: accueil_engine::notices::NoticeError) -> Self {
        match e {
            // The same mistake as in a chat turn: the same code.
            accueil_engine::notices::NoticeError::UnknownSite { id, known } => {
                ApiError::Refused(Refusal::UnknownSite { id, known })
            }
            e => ApiError::Notice(e),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        ApiError::Refused(r)
    }
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::Refused(r) => match r {
                Refusal::MissingChannel => "missing_channel",
                Refusal::UnknownChannel(_) => "unknown_channel",
                Refusal::BothMessageAndChoice => "message_and_choice",
                Refusal::NoMessageOrChoice => "no_message_or_choice",
                Refusal::EmptyMessage => "empty_message",
                Refusal::MessageTooLong { .. } => "message_too_long",
                Refusal::UnknownChoice(_) => "unknown_choice",
                Refusal::UnknownSite { .. } => "unknown_site",
                Refusal::UnknownLang(_) => "unknown_lang",
            },
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::InvalidPath(_) => "invalid_path",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::UnknownIntent(_) => "unknown_intent",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Timeout => "timeout",
            ApiError::BodyTooLarge => "body_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::InvalidContent { .. } => "invalid_content",
            ApiError::Internal(_) => "internal_error",
            ApiError::NotReady(_) => "not_ready",
            ApiError::Notice(e) => e.code(),
            ApiError::NoPublicUrl => "no_public_url",
            ApiError::Review(r) => r.code(),
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::HeadersTooLarge => "headers_too_large",
            ApiError::Busy => "busy",
        }
    }

    pub fn status(&self) -> StatusCode {
        let code = self.code();
        ERROR_CODES
            .iter()
            .find(|(_, c, _)| *c == code)
            .and_then(|(s, _, _)| StatusCode::from_u16(*s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn message(&self) -> String {
        match self {
            ApiError::MalformedJson(e) => format!("the body is not valid JSON: {e}"),
            ApiError::InvalidBody(e) => format!("the body does not have the expected fields: {e}"),
            ApiError::Refused(r) => r.to_string(),
            ApiError::InvalidQuery(e) => format!("cannot read the query string: {e}"),
            ApiError::InvalidPath(e) => format!("cannot read the path: {e}"),
            ApiError::Unauthorized(why) => format!("authentication required: {why}"),
            ApiError::Forbidden(role) => format!("this needs a token with the `{role}` role"),
            ApiError::UnknownIntent(id) => format!("no intent `{id}`"),
            ApiError::NotFound => "no such endpoint; the API is under /api/v1".into(),
            ApiError::MethodNotAllowed => "this endpoint does not accept this method".into(),
            ApiError::Timeout => "the request took too long".into(),
            ApiError::BodyTooLarge => format!("the body is over {MAX_BODY_BYTES} bytes"),
            ApiError::UnsupportedMediaType => {
                "send the body as JSON with `Content-Type: application/json`".into()
            }
            ApiError::InvalidContent { message, .. } => message.clone(),
            ApiError::Internal(_) => "internal error; the cause is in the server log".into(),
            ApiError::NotReady(why) => format!("not ready: {why}"),
            ApiError::Notice(e) => e.to_string(),
            ApiError::NoPublicUrl => {
                "no QR code without this server's public address: set ACCUEIL_PUBLIC_URL".into()
            }
            ApiError::Review(r) => r.to_string(),
            ApiError::RateLimited { retry_after_secs } => format!(
                "too many requests from this client: retry in {retry_after_secs} s"
            ),
            ApiError::HeadersTooLarge => format!(
                "the request line and headers are over {MAX_HEADER_BYTES} bytes or {MAX_HEADERS} headers"
            ),
            ApiError::Busy => "the server has no connection slot left: retry in a second".into(),
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a [String]>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            // Inside the request span of the caller: the log line carries
            // the route; the client only learns that something failed.
            tracing::error!(cause = %cause, "internal error");
        }
        let details = match &self {
            ApiError::InvalidContent { diagnostics, .. } => Some(diagnostics.as_slice()),
            ApiError::Notice(accueil_engine::notices::NoticeError::NotFalc(problems)) => {
                Some(problems.as_slice())
            }
            _ => None,
        };
        let body = Body {
            error: Inner {
                code: self.code(),
                message: self.message(),
                details,
            },
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if matches!(self, ApiError::Unauthorized(_)) {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        let retry_after = match self {
            ApiError::Review(accueil_service::review::Refusal::TooManyFeedbacks {
                retry_after_secs,
            })
            | ApiError::RateLimited { retry_after_secs } => Some(retry_after_secs),
            ApiError::Busy => Some(1),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// A JSON response from a value that borrows what the handler holds.
pub fn json_response<T: Serialize>(value: &T) -> Result<Response, ApiError> {
    sized_json_response(value, 128)
}

/// [`json_response`] written into a buffer of `capacity` bytes first: a
/// chat reply (2 to 3 KB) grown from a small one was copied five times.
pub fn sized_json_response<T: Serialize>(value: &T, capacity: usize) -> Result<Response, ApiError> {
    let mut bytes = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut bytes, value)
        .map_err(|e| ApiError::Internal(format!("encoding a response: {e}")))?;
    Ok((
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        bytes,
    )
        .into_response())
}

/// `application/json`, with parameters (`; charset=utf-8`) or as a
/// `+json` suffix type.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A JSON body, or one of our errors: `unsupported_media_type`,
/// `body_too_large`, `malformed_json`, `invalid_body`.
#[derive(Debug, Clone)]
pub struct AppJson<T>(pub T);

impl<T, S> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::BodyTooLarge
            } else {
                ApiError::InvalidBody(e.body_text())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(AppJson)
            .map_err(|e| match e.classify() {
                serde_json::error::Category::Data => ApiError::InvalidBody(e.to_string()),
                _ => ApiError::MalformedJson(e.to_string()),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accueil_engine::notices::NoticeError;

    #[test]
    fn codes_are_unique_snake_case_and_client_or_server_errors() {
        let mut seen = std::collections::BTreeSet::new();
        for (status, code, _) in ERROR_CODES {
            assert!(seen.insert(*code), "duplicate code {code}");
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            assert!((400..600).contains(status), "{code}");
        }
    }

    #[test]
    fn every_error_has_a_code_in_the_table() {
        let all = [
            ApiError::MalformedJson(String::new()),
            ApiError::InvalidBody(String::new()),
            ApiError::Refused(Refusal::MissingChannel),
            ApiError::Refused(Refusal::UnknownChannel(String::new())),
            ApiError::Refused(Refusal::BothMessageAndChoice),
            ApiError::Refused(Refusal::NoMessageOrChoice),
            ApiError::Refused(Refusal::EmptyMessage),
            ApiError::Refused(Refusal::MessageTooLong { chars: 0 }),
            ApiError::Refused(Refusal::UnknownChoice(String::new())),
            ApiError::Refused(Refusal::UnknownLang(String::new())),
            ApiError::Refused(Refusal::UnknownSite {
                id: String::new(),
                known: String::new(),
            }),
            ApiError::InvalidQuery(String::new()),
            ApiError::InvalidPath(String::new()),
            ApiError::Unauthorized(""),
            ApiError::Forbidden(""),
            ApiError::UnknownIntent(String::new()),
            ApiError::NotFound,
            ApiError::MethodNotAllowed,
            ApiError::Timeout,
            ApiError::BodyTooLarge,
            ApiError::UnsupportedMediaType,
            ApiError::InvalidContent {
                message: String::new(),
                diagnostics: vec![],
            },
            ApiError::Internal(String::new()),
            ApiError::NotReady(String::new()),
            ApiError::Notice(NoticeError::InvalidId(String::new())),
            ApiError::Notice(NoticeError::InvalidDate {
                field: "ends_at",
                why: String::new(),
            }),
            ApiError::Notice(NoticeError::EndsBeforeStart {
                starts: String::new(),
                ends: String::new(),
            }),
            ApiError::Notice(NoticeError::AlreadyEnded(String::new())),
            ApiError::Notice(NoticeError::EmptyText),
            ApiError::Notice(NoticeError::TextTooLong(0)),
            ApiError::Notice(NoticeError::NotFalc(vec![])),
            ApiError::Notice(NoticeError::InvalidLink(String::new())),
            ApiError::Notice(NoticeError::UnknownIntent(String::new())),
            ApiError::Notice(NoticeError::UnknownDomain(String::new())),
            ApiError::Notice(NoticeError::NotFound(String::new())),
            ApiError::Notice(NoticeError::InContent {
                id: String::new(),
                path: String::new(),
            }),
            ApiError::NoPublicUrl,
            ApiError::RateLimited {
                retry_after_secs: 1,
            },
            ApiError::HeadersTooLarge,
            ApiError::Busy,
        ];
        let all: Vec<ApiError> = all
            .into_iter()
            .chain(
                accueil_service::review::Refusal::examples()
                    .into_iter()
                    .map(ApiError::Review),
            )
            .collect();
        assert_eq!(all.len(), ERROR_CODES.len(), "one variant per code");
        for e in &all {
            let row = ERROR_CODES.iter().find(|(_, c, _)| *c == e.code());
            assert!(row.is_some(), "{} missing from ERROR_CODES", e.code());
            assert_eq!(e.status().as_u16(), row.map(|r| r.0).unwrap_or(0));
        }
    }

    #[test]
    fn json_content_types() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        for (value, ok) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("Application/JSON", true),
            ("application/vnd.accueil+json", true),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("text/json+html", false),
        ] {
            h.insert(CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_json(&h), ok, "{value}");
        }
    }
}
