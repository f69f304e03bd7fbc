//! Nearest intents by embedding: every (intent, text) pair embedded once,
//! queries scored against all of them, best score kept per intent.

use std::io::Write;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use crate::{Encoder, EncoderError, DIM};

const MAGIC: &[u8; 8] = b"USEIDX01";

#[derive(Debug, Clone)]
pub struct SemanticIndex {
    /// Distinct intent ids; `owner[i]` indexes this for text `i`.
    intents: Vec<String>,
    owner: Vec<usize>,
    /// Row-major, `DIM` floats per text, normalised.
    vectors: Vec<f32>,
}

impl SemanticIndex {
    /// Embeds every text (about 1 ms each on one core).
    pub fn build(encoder: &Encoder, entries: &[(String, String)]) -> SemanticIndex {
        let mut vectors = Vec::with_capacity(entries.len() * DIM);
        for (_, text) in entries {
            vectors.extend(encoder.embed(text));
        }
        Self::assemble(entries, vectors)
    }

    /// Like [`build`](Self::build), but reuses the embeddings stored in
    /// `cache_dir` when the texts and the model files are the same. The cache
    /// file is written atomically (temporary file, then rename); a cache that
    /// cannot be read or written only costs a rebuild.
    pub fn build_cached(
        encoder: &Encoder,
        entries: &[(String, String)],
        cache_dir: &Path,
    ) -> Result<SemanticIndex, EncoderError> {
        let path = cache_path(encoder, entries, cache_dir);
        if let Some(vectors) = read_cache(&path, entries.len()) {
            return Ok(Self::assemble(entries, vectors));
        }
        let index = Self::build(encoder, entries);
        write_cache(&path, &index.vectors)?;
        Ok(index)
    }

    fn assemble(entries: &[(String, String)], vectors: Vec<f32>) -> SemanticIndex {
        let mut ids: FxHashMap<&str, usize> = FxHashMap::default();
        let mut intents = Vec::new();
        let owner = entries
            .iter()
            .map(|(intent, _)| {
                *ids.entry(intent.as_str()).or_insert_with(|| {
                    intents.push(intent.clone());
                    intents.len() - 1
                })
            })
            .collect();
        SemanticIndex {
            intents,
            owner,
            vectors,
        }
    }

    /// Number of texts.
    pub fn len(&self) -> usize {
        self.owner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.owner.is_empty()
    }

    /// The `k` best intents for a normalised query embedding, best first,
    /// each with its best cosine over its texts.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(&str, f32)> {
        let mut best = vec![f32::NEG_INFINITY; self.intents.len()];
        if query.len() == DIM {
            for (row, &o) in self.vectors.chunks_exact(DIM).zip(&self.owner) {
                let s: f32 = row.iter().zip(query).map(|(a, b)| a * b).sum();
                if s > best[o] {
                    best[o] = s;
                }
            }
        }
        let mut ranked: Vec<(usize, f32)> = best
            .into_iter()
            .enumerate()
            .filter(|(_, s)| s.is_finite())
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(k);
        ranked
            .into_iter()
            .map(|(i, s)| (self.intents[i].as_str(), s))
            .collect()
    }
}

fn cache_path(encoder: &Encoder, entries: &[(String, String)], dir: &Path) -> PathBuf {
    let mut h = Sha256::new();
    let (npz, sp) = encoder.files_len();
    h.update(npz.to_le_bytes());
    h.update(sp.to_le_bytes());
    for (intent, text) in entries {
        // Lengths first so that no two lists hash alike by shifting bytes.
        h.update((intent.len() as u64).to_le_bytes());
        h.update(intent.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    let hex: String = h
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    dir.join(format!("usem3-index-{hex}.bin"))
}

fn read_cache(path: &Path, n: usize) -> Option<Vec<f32>> {
    let bytes = std::fs::read(path).ok()?;
    let body = bytes.strip_prefix(MAGIC)?;
    if body.len() != n * DIM * 4 {
        return None;
    }
    Some(
        body.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

fn write_cache(path: &Path, vectors: &[f32]) -> Result<(), EncoderError> {
    let io = |e| EncoderError::Io(path.to_path_buf(), e);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut bytes = Vec::with_capacity(MAGIC.len() + vectors.len() * 4);
    bytes.extend_from_slice(MAGIC);
    for v in vectors {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(&bytes)
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
