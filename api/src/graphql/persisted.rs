//! Persisted documents: Apollo's automatic persisted queries (APQ), and
//! trusted documents, an allow-list of operations per organisation.
//!
//! A client sends `extensions.persistedQuery = { version: 1, sha256Hash }`,
//! with or without the query text:
//! - hash only, known: the stored document runs, already parsed;
//! - hash only, unknown: `PERSISTED_QUERY_NOT_FOUND` (message
//!   `PersistedQueryNotFound`, as Apollo's link expects), and the client
//!   sends the query with its hash, which registers it;
//! - query and hash: the hash must be the query's SHA-256, hex.
//!
//! Trusted documents come from a manifest loaded at start
//! (`TRUSTED_DOCUMENTS_MANIFEST`, Apollo's persisted-query manifest format,
//! each operation optionally limited to some organisations by slug). With
//! `TRUSTED_DOCUMENTS=enforce` nothing else runs: no query text, no APQ
//! registration, and an organisation runs only the operations listed for it
//! (or for everyone); anything else answers `PERSISTED_QUERY_NOT_ALLOWED`.
//!
//! Registered and trusted documents are kept parsed, so a persisted
//! operation skips parsing on the hot path. (Validation is async-graphql's
//! and runs on every execution.)

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use sha2::{Digest, Sha256};

/// The most APQ registrations kept; past it, the memory starts over (a
/// client then simply registers again).
const MAX_REGISTERED: usize = 10_000;
/// The longest query text registered by APQ.
const MAX_REGISTERED_BYTES: usize = 64 * 1024;

/// Whether only trusted documents run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TrustedDocumentsMode {
    /// Any document runs; persisted queries register on first use.
    #[default]
    Allow,
    /// Only documents in the manifest run, for the organisations listed.
    Enforce,
}

/// A document kept by hash.
#[derive(Debug)]
pub struct Persisted {
    /// The query text.
    pub query: Arc<str>,
    /// It, parsed.
    pub document: ExecutableDocument,
    /// The organisations (slugs) that may run it; `None` for everyone.
    organisations: Option<HashSet<String>>,
}

/// What a request's persisted-query extension comes to.
#[derive(Debug)]
pub enum Lookup {
    /// No `persistedQuery` extension, and nothing enforced: run the text.
    Text,
    /// Run this stored document.
    Stored(Arc<Persisted>),
    /// Register the text under its hash and run it.
    Register { hash: String },
    /// A refusal: the code and message to answer with.
    Refused { code: &'static str, message: String },
}

/// The APQ registrations and trusted documents of one server.
#[derive(Debug, Default)]
pub struct PersistedDocuments {
    mode: TrustedDocumentsMode,
    trusted: HashMap<String, Arc<Persisted>>,
    registered: Mutex<HashMap<String, Arc<Persisted>>>,
}

/// SHA-256 of a query text, lower-case hex.
pub fn hash(query: &str) -> String {
    Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl PersistedDocuments {
    /// No trusted documents; APQ registration on.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a manifest: `{"format": "apollo-persisted-query-manifest",
    /// "version": 1, "operations": [{"id": "<sha256>", "name": "...",
    /// "type": "query", "body": "...", "organisations": ["slug", ...]}]}`.
    /// Every id must be its body's SHA-256 and every body must parse.
    pub fn from_manifest(manifest: &str, mode: TrustedDocumentsMode) -> Result<Self, String> {
        let manifest: serde_json::Value =
            serde_json::from_str(manifest).map_err(|e| format!("the manifest is not JSON: {e}"))?;
        let operations = manifest["operations"]
            .as_array()
            .ok_or("the manifest has no `operations` list")?;
        let mut trusted = HashMap::new();
        for (i, operation) in operations.iter().enumerate() {
            let body = operation["body"]
                .as_str()
                .ok_or_else(|| format!("operation {i} has no `body`"))?;
            let id = operation["id"]
                .as_str()
                .ok_or_else(|| format!("operation {i} has no `id`"))?;
            if hash(body) != id {
                return Err(format!(
                    "operation {i} ({id}): the id is not the SHA-256 of its body"
                ));
            }
            let document = async_graphql::parser::parse_query(body)
                .map_err(|e| format!("operation {i} ({id}) does not parse: {e}"))?;
            let organisations = operation["organisations"].as_array().map(|slugs| {
                slugs
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            });
            trusted.insert(
                id.to_owned(),
                Arc::new(Persisted {
                    query: Arc::from(body),
                    document,
                    organisations,
                }),
            );
        }
        Ok(Self {
            mode,
            trusted,
            registered: Mutex::default(),
        })
    }

    /// How many trusted documents there are.
    pub fn trusted_len(&self) -> usize {
        self.trusted.len()
    }

    /// Decides what a request runs, from its query text, its
    /// `persistedQuery` extension and the caller's organisation.
    pub fn lookup(
        &self,
        query: &str,
        extension: Option<&async_graphql::Value>,
        organisation: Option<&str>,
    ) -> Lookup {
        let enforce = self.mode == TrustedDocumentsMode::Enforce;
        let Some(extension) = extension else {
            if enforce {
                // Query text alone runs only if it is a trusted document.
                return match self.trusted.get(&hash(query)) {
                    Some(doc) if allowed(doc, organisation) => Lookup::Stored(doc.clone()),
                    _ => not_allowed(),
                };
            }
            return Lookup::Text;
        };
        let async_graphql::Value::Object(extension) = extension else {
            return bad("`extensions.persistedQuery` must be an object");
        };
        match extension.get("version") {
            Some(async_graphql::Value::Number(n)) if n.as_i64() == Some(1) => {}
            _ => {
                return Lookup::Refused {
                    code: "PERSISTED_QUERY_NOT_SUPPORTED",
                    message: "only persisted-query version 1 is supported".to_owned(),
                };
            }
        }
        let Some(async_graphql::Value::String(wanted)) = extension.get("sha256Hash") else {
            return bad("`extensions.persistedQuery.sha256Hash` is missing");
        };
        let wanted = wanted.to_ascii_lowercase();
        if wanted.len() != 64 || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
            return bad("`sha256Hash` must be 64 hexadecimal digits");
        }
        if let Some(doc) = self.trusted.get(&wanted) {
            return if allowed(doc, organisation) {
                Lookup::Stored(doc.clone())
            } else {
                not_allowed()
            };
        }
        if enforce {
            return not_allowed();
        }
        if query.is_empty() {
            let stored = self
                .registered
                .lock()
                .ok()
                .and_then(|r| r.get(&wanted).cloned());
            return match stored {
                Some(doc) => Lookup::Stored(doc),
                None => Lookup::Refused {
                    code: "PERSISTED_QUERY_NOT_FOUND",
                    message: "PersistedQueryNotFound".to_owned(),
                },
            };
        }
        if hash(query) != wanted {
            return bad("provided sha256Hash does not match the query");
        }
        Lookup::Register { hash: wanted }
    }

    /// Keeps a query that parsed, by its hash, for later hash-only requests.
    pub fn register(&self, hash: String, query: &str, document: &ExecutableDocument) {
        if query.len() > MAX_REGISTERED_BYTES {
            return;
        }
        if let Ok(mut registered) = self.registered.lock() {
            if registered.len() >= MAX_REGISTERED {
                registered.clear();
            }
            registered.insert(
                hash,
                Arc::new(Persisted {
                    query: Arc::from(query),
                    document: document.clone(),
                    organisations: None,
                }),
            );
        }
    }
}

fn allowed(doc: &Persisted, organisation: Option<&str>) -> bool {
    match (&doc.organisations, organisation) {
        (None, _) => true,
        (Some(slugs), Some(org)) => slugs.contains(org),
        (Some(_), None) => false,
    }
}

fn not_allowed() -> Lookup {
    Lookup::Refused {
        code: "PERSISTED_QUERY_NOT_ALLOWED",
        message: "only trusted documents run here, and this is not one for your organisation"
            .to_owned(),
    }
}

fn bad(message: &str) -> Lookup {
    Lookup::Refused {
        code: "BAD_REQUEST",
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_id_must_be_the_hash_of_its_body() {
        let body = "{ viewer { role } }";
        let good = format!(
            r#"{{"format":"apollo-persisted-query-manifest","version":1,"operations":[{{"id":"{}","name":"V","type":"query","body":"{body}"}}]}}"#,
            hash(body)
        );
        assert!(PersistedDocuments::from_manifest(&good, TrustedDocumentsMode::Enforce).is_ok());
        let bad = good.replace(&hash(body), &"0".repeat(64));
        assert!(PersistedDocuments::from_manifest(&bad, TrustedDocumentsMode::Enforce).is_err());
    }
}
