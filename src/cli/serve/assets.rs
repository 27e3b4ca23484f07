//! The page's files, compiled into the binary (`include_bytes!`): the explorer's HTML,
//! script and style (`assets/explorer/`), the country positions made by
//! `assets/explorer/centroids.py`, and the vendored Natural Earth 110m map
//! (`assets/vendor/world-atlas/`, with its licence). Nothing is read from disk at run
//! time, so no request path can reach a file: an asset is found by exact name or not at all.

/// One embedded file: its URL path, media type and bytes.
pub struct Asset {
    pub path: &'static str,
    pub media_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $media:literal, $file:literal) => {
        Asset {
            path: $path,
            media_type: $media,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $file)),
        }
    };
}

/// Every file the page loads, by URL path.
pub const ASSETS: &[Asset] = &[
    asset!("/", "text/html; charset=utf-8", "explorer/index.html"),
    asset!(
        "/assets/app.js",
        "text/javascript; charset=utf-8",
        "explorer/app.js"
    ),
    asset!(
        "/assets/map.js",
        "text/javascript; charset=utf-8",
        "explorer/map.js"
    ),
    asset!(
        "/assets/app.css",
        "text/css; charset=utf-8",
        "explorer/app.css"
    ),
    asset!(
        "/assets/centroids.json",
        "application/json",
        "explorer/centroids.json"
    ),
    asset!(
        "/assets/countries-110m.json",
        "application/json",
        "vendor/world-atlas/countries-110m.json"
    ),
    asset!(
        "/assets/LICENSE-world-atlas.txt",
        "text/plain; charset=utf-8",
        "vendor/world-atlas/LICENSE"
    ),
];

/// The asset at exactly `path`, if any.
pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}
