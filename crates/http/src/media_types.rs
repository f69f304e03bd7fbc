// The media type of a file extension (lowercase, "" for none), shared by
// `build.rs` (which embeds the pages) and `pages.rs` (which serves files
// from `--web-dir`): included with `include!` by both, so the table exists
// once.
fn media_type_of_ext(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "md" => "text/markdown; charset=utf-8",
        // A file without an extension (`VERSION`) is plain text.
        "txt" | "" => "text/plain; charset=utf-8",
        _ => return None,
    })
}
