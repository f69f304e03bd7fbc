//! Reads the arrays of an `.npz` (a zip of `.npy` files), little-endian only.

use std::io::Read;
use std::path::Path;

use rustc_hash::FxHashMap;

use crate::EncoderError;

/// One array: its shape and raw little-endian bytes.
pub(crate) struct Array {
    pub descr: String,
    pub shape: Vec<usize>,
    pub data: Vec<u8>,
}

impl Array {
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The array as f32, checking dtype and shape.
    pub fn f32(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EncoderError> {
        if self.descr != "<f4" || self.shape != shape {
            return Err(bad(format!(
                "{name}: expected <f4 {shape:?}, found {} {:?}",
                self.descr, self.shape
            )));
        }
        Ok(self
            .data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

fn bad(msg: String) -> EncoderError {
    EncoderError::Format(msg)
}

pub(crate) fn read_npz(path: &Path) -> Result<FxHashMap<String, Array>, EncoderError> {
    let file = std::fs::File::open(path).map_err(|e| EncoderError::Io(path.to_path_buf(), e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))?;
    let mut out = FxHashMap::default();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name().trim_end_matches(".npy").to_string();
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| EncoderError::Io(path.to_path_buf(), e))?;
        let array = parse_npy(&name, bytes)?;
        out.insert(name, array);
    }
    Ok(out)
}

/// Parses the `.npy` header (format versions 1 to 3) and keeps the payload.
fn parse_npy(name: &str, mut bytes: Vec<u8>) -> Result<Array, EncoderError> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad(format!("{name}: not a .npy file")));
    }
    let (header_len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(bad(format!("{name}: unsupported .npy version {v}"))),
    };
    let end = start + header_len;
    let header = bytes
        .get(start..end)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| bad(format!("{name}: truncated header")))?
        .to_string();
    let field = |key: &str, close: char| -> Option<String> {
        let at = header.find(key)? + key.len();
        let rest = &header[at..];
        let open = rest.find(['\'', '('])? + 1;
        let rest = &rest[open..];
        Some(rest[..rest.find(close)?].to_string())
    };
    let descr = field("'descr':", '\'').ok_or_else(|| bad(format!("{name}: no descr")))?;
    if header.contains("'fortran_order': True") {
        return Err(bad(format!("{name}: fortran order not supported")));
    }
    let shape_text = field("'shape':", ')').ok_or_else(|| bad(format!("{name}: no shape")))?;
    let shape = shape_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad(format!("{name}: bad shape {shape_text}")))?;
    let item = match descr.as_str() {
        "|u1" | "|i1" => 1,
        "<f4" => 4,
        "<f8" => 8,
        d => return Err(bad(format!("{name}: unsupported dtype {d}"))),
    };
    let n: usize = shape.iter().product();
    if bytes.len() - end != n * item {
        return Err(bad(format!("{name}: payload size does not match shape")));
    }
    bytes.drain(..end);
    Ok(Array {
        descr,
        shape,
        data: bytes,
    })
}
