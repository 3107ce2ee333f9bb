//! The audit chain (architecture.md, "Audit and evidence"): every write appends an entry that
//! stores the hash of the previous one, so any edit, deletion or reordering of stored entries
//! breaks the chain at the first changed entry.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a write tells the audit log; the store adds sequence, time and hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// Username of the person, or `system` / `cli:<os user>` for non-interactive work.
    pub actor: String,
    /// Dotted verb, e.g. `unit.create`, `auth.login_failed`.
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: String,
    /// Short JSON summary of the change (what changed, from and to).
    pub summary: serde_json::Value,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// Microseconds since the Unix epoch, UTC.
    #[serde(skip)]
    pub at_micros: i64,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// Canonical JSON text exactly as hashed.
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The fields an entry's hash covers.
#[derive(Debug, Clone, Copy)]
pub struct HashInput<'a> {
    pub seq: i64,
    pub at_micros: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub summary: &'a str,
    pub prev_hash: &'a str,
}

impl HashInput<'_> {
    /// SHA-256 over all fields and the previous hash. Fields are length-prefixed so that
    /// moving text from one field to the next changes the hash.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        let seq_text = self.seq.to_string();
        let at_text = self.at_micros.to_string();
        for field in [
            "motcua-audit-v1",
            &seq_text,
            &at_text,
            self.actor,
            self.action,
            self.object_type,
            self.object_id,
            self.summary,
            self.prev_hash,
        ] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

impl AuditEntry {
    pub fn computed_hash(&self) -> String {
        HashInput {
            seq: self.seq,
            at_micros: self.at_micros,
            actor: &self.actor,
            action: &self.action,
            object_type: &self.object_type,
            object_id: &self.object_id,
            summary: &self.summary,
            prev_hash: &self.prev_hash,
        }
        .hash()
    }
}

/// Why the chain breaks at an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// A sequence number is missing or repeated (a row was deleted or inserted).
    Gap { expected_seq: i64, found_seq: i64 },
    /// The entry does not point at the previous entry's hash.
    Link { seq: i64 },
    /// The entry's content no longer matches its hash (it was edited).
    Content { seq: i64 },
    /// The chain's recorded head is past the last entry (trailing entries were deleted).
    Truncated { last_seq: i64, head_seq: i64 },
}

impl ChainBreak {
    pub fn describe(&self) -> String {
        match self {
            ChainBreak::Gap {
                expected_seq,
                found_seq,
            } => format!(
                "bản ghi nhật ký số {expected_seq} bị thiếu hoặc bị chèn (gặp số {found_seq})"
            ),
            ChainBreak::Link { seq } => {
                format!("bản ghi nhật ký số {seq} không nối với bản ghi trước (prev_hash sai)")
            }
            ChainBreak::Content { seq } => {
                format!("bản ghi nhật ký số {seq} đã bị sửa (băm không khớp nội dung)")
            }
            ChainBreak::Truncated { last_seq, head_seq } => format!(
                "nhật ký dừng ở bản ghi số {last_seq} nhưng đầu chuỗi ghi {head_seq}: các bản ghi cuối đã bị xóa"
            ),
        }
    }
}

/// Walks the chain in order; feed entries one by one (the store streams them in batches).
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        if entry.seq != self.expected_seq {
            return Err(ChainBreak::Gap {
                expected_seq: self.expected_seq,
                found_seq: entry.seq,
            });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(ChainBreak::Link { seq: entry.seq });
        }
        if entry.computed_hash() != entry.hash {
            return Err(ChainBreak::Content { seq: entry.seq });
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&entry.hash);
        Ok(())
    }

    /// Entries checked so far.
    pub fn count(&self) -> i64 {
        self.expected_seq - 1
    }

    /// Final check against the head the store keeps (its last sequence number).
    pub fn finish(&self, head_seq: i64) -> Result<i64, ChainBreak> {
        if head_seq != self.count() {
            return Err(ChainBreak::Truncated {
                last_seq: self.count(),
                head_seq,
            });
        }
        Ok(self.count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at_micros: seq * 1000,
                    actor: "admin".into(),
                    action: "unit.create".into(),
                    object_type: "unit".into(),
                    object_id: format!("U{seq}"),
                    summary: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.computed_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: i64) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.push(e)?;
        }
        v.finish(head)
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5), 5), Ok(5));
        assert_eq!(verify(&[], 0), Ok(0));
    }

    #[test]
    fn edits_deletions_and_truncation_are_caught() {
        let mut edited = chain(5);
        edited[2].actor = "mallory".into();
        assert_eq!(verify(&edited, 5), Err(ChainBreak::Content { seq: 3 }));

        let mut deleted = chain(5);
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, 5),
            Err(ChainBreak::Gap {
                expected_seq: 2,
                found_seq: 3
            })
        );

        let truncated = chain(4);
        assert_eq!(
            verify(&truncated, 5),
            Err(ChainBreak::Truncated {
                last_seq: 4,
                head_seq: 5
            })
        );

        // Rehashing an edited entry moves the break to the link of the next one.
        let mut rehashed = chain(5);
        rehashed[2].actor = "mallory".into();
        rehashed[2].hash = rehashed[2].computed_hash();
        assert_eq!(verify(&rehashed, 5), Err(ChainBreak::Link { seq: 4 }));
    }

    #[test]
    fn field_boundaries_matter() {
        let input = HashInput {
            seq: 1,
            at_micros: 0,
            actor: "ab",
            action: "c",
            object_type: "t",
            object_id: "o",
            summary: "{}",
            prev_hash: GENESIS_HASH,
        };
        let a = input.hash();
        let b = HashInput {
            actor: "a",
            action: "bc",
            ..input
        }
        .hash();
        assert_ne!(a, b);
    }
}
