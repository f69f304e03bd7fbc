//! Tokens: who may call the agents' and admins' endpoints.
//!
//! `ACCUEIL_TOKENS` lists `name:role:secret` entries; a request presents a
//! secret as `Authorization: Bearer <secret>`. Secrets are compared in
//! constant time against every token, so the response time says nothing
//! about how much of a guess was right. The name is for logs only: a secret
//! is never logged or shown, not even in `Debug` output.

use std::fmt;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::error::ApiError;
use super::AppState;

/// Shortest secret accepted: a guessable admin token is worse than none.
pub const MIN_SECRET_CHARS: usize = 16;

/// What a token may do. An admin may do everything an agent may, and an
/// agent everything a `metrics` token may (read `/metrics`: what a
/// Prometheus scraper holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Metrics,
    Agent,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Metrics => "metrics",
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }
}

/// One configured token.
#[derive(Clone)]
pub struct Token {
    pub name: String,
    pub role: Role,
    secret: Vec<u8>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// All configured tokens.
#[derive(Debug, Clone, Default)]
pub struct Tokens(Vec<Token>);

impl Tokens {
    /// Parse `name:role:secret,...` (the secret may contain `:`).
    pub fn parse(spec: &str) -> Result<Tokens, String> {
        let mut tokens: Vec<Token> = Vec::new();
        for (k, entry) in spec.split(',').map(str::trim).enumerate() {
            if entry.is_empty() {
                continue;
            }
            let n = k + 1;
            let mut parts = entry.splitn(3, ':');
            let (Some(name), Some(role), Some(secret)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(format!("entry {n} is not `name:role:secret`"));
            };
            let name = name.trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
            {
                return Err(format!(
                    "entry {n}: the name must be letters, digits, - _ . or @"
                ));
            }
            let role = match role.trim() {
                "metrics" => Role::Metrics,
                "agent" => Role::Agent,
                "admin" => Role::Admin,
                other => {
                    return Err(format!(
                        "token `{name}`: unknown role `{other}` (agent, admin or metrics)"
                    ))
                }
            };
            if secret.chars().count() < MIN_SECRET_CHARS {
                return Err(format!(
                    "token `{name}`: the secret is shorter than {MIN_SECRET_CHARS} characters"
                ));
            }
            if tokens.iter().any(|t| t.name == name) {
                return Err(format!("token `{name}` is listed twice"));
            }
            if tokens.iter().any(|t| t.secret == secret.as_bytes()) {
                return Err(format!(
                    "token `{name}` has the same secret as another token"
                ));
            }
            tokens.push(Token {
                name: name.to_owned(),
                role,
                secret: secret.as_bytes().to_vec(),
            });
        }
        Ok(Tokens(tokens))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The token whose secret is `presented`. Every token is compared in
    /// full, whatever matches, so timing reveals nothing.
    pub fn find(&self, presented: &[u8]) -> Option<&Token> {
        let mut found = None;
        for token in &self.0 {
            let equal = constant_time_eq(&token.secret, presented);
            if equal && found.is_none() {
                found = Some(token);
            }
        }
        found
    }
}

/// Byte equality in time that depends only on the lengths (`subtle`).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}

/// Check the bearer token of a request for `needed`.
fn authorize<'a>(state: &'a AppState, parts: &Parts, needed: Role) -> Result<&'a Token, ApiError> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or(ApiError::Unauthorized("missing bearer token"))?;
    let value = header.as_bytes();
    let secret = value
        .strip_prefix(b"Bearer ")
        .or_else(|| value.strip_prefix(b"bearer "))
        .ok_or(ApiError::Unauthorized(
            "the Authorization header must be `Bearer <token>`",
        ))?;
    let token = state
        .settings()
        .tokens
        .find(secret)
        .ok_or(ApiError::Unauthorized("unknown token"))?;
    if token.role < needed {
        return Err(ApiError::Forbidden(needed.as_str()));
    }
    Ok(token)
}

/// Extractor: the request carries an `admin` token. Holds the token's name.
#[derive(Debug, Clone)]
pub struct AdminToken(pub String);

impl FromRequestParts<AppState> for AdminToken {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authorize(state, parts, Role::Admin).map(|t| AdminToken(t.name.clone()))
    }
}

/// Extractor: the request carries an `agent` (or `admin`) token. Holds the
/// token's name, which the review records with each action.
#[derive(Debug, Clone)]
pub struct AgentToken(pub String);

impl FromRequestParts<AppState> for AgentToken {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authorize(state, parts, Role::Agent).map(|t| AgentToken(t.name.clone()))
    }
}

/// Extractor: `/metrics` may be read, with a token of any role or
/// without one when `--metrics-open` says so.
#[derive(Debug, Clone)]
pub struct MetricsReader;

impl FromRequestParts<AppState> for MetricsReader {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.settings().metrics_open {
            return Ok(MetricsReader);
        }
        authorize(state, parts, Role::Metrics).map(|_| MetricsReader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S1: &str = "0123456789abcdef";
    const S2: &str = "fedcba9876543210:with:colons";

    #[test]
    fn parses_tokens() {
        let t = Tokens::parse(&format!(" alice:agent:{S1} , root:admin:{S2},")).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            t.find(S1.as_bytes()).map(|t| (t.name.as_str(), t.role)),
            Some(("alice", Role::Agent))
        );
        assert_eq!(t.find(S2.as_bytes()).map(|t| t.role), Some(Role::Admin));
        assert!(t.find(b"0123456789abcdeX").is_none());
        assert!(t.find(b"0123456789abcdef0").is_none());
        assert!(t.find(b"").is_none());
        assert!(Tokens::parse("").unwrap().is_empty());
    }

    #[test]
    fn refuses_bad_tokens() {
        let table: Vec<(String, &str)> = vec![
            ("alice".into(), "not `name:role:secret`"),
            ("alice:agent".into(), "not `name:role:secret`"),
            (format!("alice:boss:{S1}"), "unknown role"),
            ("alice:agent:short".into(), "shorter than 16"),
            (format!(":agent:{S1}"), "name"),
            (format!("a b:agent:{S1}"), "name"),
            (format!("a:agent:{S1},a:admin:{S2}"), "twice"),
            (format!("a:agent:{S1},b:admin:{S1}"), "same secret"),
        ];
        for (spec, needle) in table {
            let err = Tokens::parse(&spec).unwrap_err();
            assert!(err.contains(needle), "{spec}: {err}");
        }
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let t = Tokens::parse(&format!("root:admin:{S1}")).unwrap();
        let shown = format!("{t:?}");
        assert!(shown.contains("root") && !shown.contains(S1), "{shown}");
    }

    #[test]
    fn constant_time_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
        // Lengths that differ by a multiple of 256 still differ.
        assert!(!constant_time_eq(&[0u8; 256], b""));
    }
}
