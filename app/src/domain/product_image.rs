//! Rules for product images a merchant uploads: which files are accepted (decided by their first
//! bytes, never by the name or the browser's content type), the size and dimension limits and the
//! messages that explain them, the thumbnail sizes, where the files live under `/media`, and the
//! one-off notice shown on the edit page after the upload form redirects back.
use serde::{Deserialize, Serialize};

/// The largest file accepted, per image.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Files in one upload.
pub const MAX_FILES: usize = 10;
/// Images one product may have.
pub const MAX_IMAGES: usize = 24;
/// Neither side may be longer (a decompression bomb declares a huge canvas in a tiny file).
pub const MAX_DIMENSION: u32 = 8000;
/// Memory the decoder may allocate for one image.
pub const MAX_DECODE_ALLOC: u64 = 8000 * 8000 * 4 + 16 * 1024 * 1024;
/// Thumbnails, by their long edge: cards use the first, the product page the second.
pub const THUMB_EDGES: [u32; 2] = [CARD_EDGE, PAGE_EDGE];
pub const CARD_EDGE: u32 = 400;
pub const PAGE_EDGE: u32 = 1200;
pub const MAX_ALT: usize = 200;
/// Uploaded files live here (under the media directory, served at `/media/uploads/`).
pub const UPLOAD_DIR: &str = "uploads";

/// A format the shop accepts, as told by the file's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl Sniffed {
    pub fn name(self) -> &'static str {
        match self {
            Sniffed::Jpeg => "JPEG",
            Sniffed::Png => "PNG",
            Sniffed::WebP => "WebP",
            Sniffed::Gif => "GIF",
        }
    }

    /// How the shop stores it: photos stay JPEG; the rest become PNG (lossless, keeps
    /// transparency; an animated GIF keeps its first frame).
    pub fn stored_as(self) -> Stored {
        match self {
            Sniffed::Jpeg => Stored::Jpeg,
            _ => Stored::Png,
        }
    }
}

/// The format files are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    Jpeg,
    Png,
}

impl Stored {
    pub fn extension(self) -> &'static str {
        match self {
            Stored::Jpeg => "jpg",
            Stored::Png => "png",
        }
    }
}

/// The accepted format the bytes start with, if any.
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Sniffed::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Sniffed::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Sniffed::WebP)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(Sniffed::Gif)
    } else {
        None
    }
}

/// `52428800` → `"50.0 MB"` (binary megabytes, as file managers show them).
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// A short human size: `"820 KB"`, `"2.4 MB"`.
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 * 1024 { format!("{} KB", bytes.div_ceil(1024)) } else { megabytes(bytes) }
}

/// Why an upload was refused, as much as the edit page needs to explain it. Travels in the
/// redirect's query string as a code plus small values, so a link cannot put arbitrary text on
/// the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadProblem {
    /// A file over `MAX_BYTES`: its name and size.
    TooLarge {
        file: String,
        bytes: u64,
    },
    /// Not JPEG, PNG, WebP or GIF by its content.
    NotAnImage {
        file: String,
    },
    /// Looks like an accepted format but could not be decoded, or is over the dimension limit.
    Unreadable {
        file: String,
    },
    TooManyFiles {
        count: usize,
    },
    TooManyImages {
        has: usize,
        adding: usize,
    },
    NoFile,
    AltTooLong,
    /// The request itself was cut off or malformed.
    Malformed,
    /// Our fault; the cause is in the log.
    Server,
}

impl UploadProblem {
    pub fn message(&self) -> String {
        match self {
            UploadProblem::TooLarge { file, bytes } => {
                format!(
                    "Images can be at most 10 MB; {} is {}. Make it smaller and try again.",
                    quoted(file),
                    megabytes(*bytes)
                )
            }
            UploadProblem::NotAnImage { file } => format!(
                "{} is not a JPEG, PNG, WebP or GIF image (judged by its content, not its name). Choose a photo or picture file.",
                quoted(file)
            ),
            UploadProblem::Unreadable { file } => format!(
                "{} could not be read as an image, or is larger than {MAX_DIMENSION} × {MAX_DIMENSION} pixels. Save it again (or smaller) and retry.",
                quoted(file)
            ),
            UploadProblem::TooManyFiles { count } => {
                format!("Upload at most {MAX_FILES} images at a time (you chose {count}).")
            }
            UploadProblem::TooManyImages { has, adding } => format!(
                "A product can have at most {MAX_IMAGES} images; it has {has} and you added {adding}. Remove some first."
            ),
            UploadProblem::NoFile => "Choose at least one image to upload.".into(),
            UploadProblem::AltTooLong => format!("Keep the description of the image under {MAX_ALT} characters."),
            UploadProblem::Malformed => "The upload was cut off or incomplete. Please try again.".into(),
            UploadProblem::Server => "The images could not be saved. Please try again in a moment.".into(),
        }
    }

    /// Query-string pairs for the redirect back to the edit page.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("upload", "failed".to_string())];
        match self {
            UploadProblem::TooLarge { file, bytes } => {
                q.extend([("reason", "too_large".into()), ("file", short_name(file)), ("bytes", bytes.to_string())])
            }
            UploadProblem::NotAnImage { file } => {
                q.extend([("reason", "not_image".into()), ("file", short_name(file))])
            }
            UploadProblem::Unreadable { file } => {
                q.extend([("reason", "unreadable".into()), ("file", short_name(file))])
            }
            UploadProblem::TooManyFiles { count } => {
                q.extend([("reason", "too_many".into()), ("count", count.to_string())])
            }
            UploadProblem::TooManyImages { has, adding } => {
                q.extend([("reason", "product_full".into()), ("has", has.to_string()), ("count", adding.to_string())])
            }
            UploadProblem::NoFile => q.push(("reason", "no_file".into())),
            UploadProblem::AltTooLong => q.push(("reason", "alt_too_long".into())),
            UploadProblem::Malformed => q.push(("reason", "malformed".into())),
            UploadProblem::Server => q.push(("reason", "server".into())),
        }
        q
    }
}

fn quoted(file: &str) -> String {
    if file.is_empty() { "This file".into() } else { format!("“{file}”") }
}

/// A file name as the page shows it: the last path part, at most 80 characters.
pub fn short_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    base.chars().filter(|c| !c.is_control()).take(80).collect()
}

/// The notice after the upload form redirected back: `(ok, message)`. `get` reads the page's
/// query string. Unknown codes show nothing.
pub fn upload_notice(get: impl Fn(&str) -> Option<String>) -> Option<(bool, String)> {
    let number = |k: &str| get(k).and_then(|v| v.parse::<u64>().ok());
    let file = || get("file").map(|f| short_name(&f)).unwrap_or_default();
    match get("upload")?.as_str() {
        "done" => {
            let n = number("count").unwrap_or(1);
            Some((true, if n == 1 { "Image added.".into() } else { format!("{n} images added.") }))
        }
        "failed" => {
            let problem = match get("reason")?.as_str() {
                "too_large" => UploadProblem::TooLarge { file: file(), bytes: number("bytes")? },
                "not_image" => UploadProblem::NotAnImage { file: file() },
                "unreadable" => UploadProblem::Unreadable { file: file() },
                "too_many" => UploadProblem::TooManyFiles { count: number("count")? as usize },
                "product_full" => {
                    UploadProblem::TooManyImages { has: number("has")? as usize, adding: number("count")? as usize }
                }
                "no_file" => UploadProblem::NoFile,
                "alt_too_long" => UploadProblem::AltTooLong,
                "malformed" => UploadProblem::Malformed,
                "server" => UploadProblem::Server,
                _ => return None,
            };
            Some((false, problem.message()))
        }
        _ => None,
    }
}

/// The alt text as stored: trimmed, at most `MAX_ALT` characters; blank means "use the title".
pub fn valid_alt(alt: &str) -> Result<String, UploadProblem> {
    let alt = alt.trim();
    if alt.chars().count() > MAX_ALT { Err(UploadProblem::AltTooLong) } else { Ok(alt.to_string()) }
}

/// The size that fits `(width, height)` inside a square of `edge`, keeping the aspect ratio and
/// never enlarging; each side at least 1 pixel.
pub fn fit_within(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= edge || long == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u32| ((side as u64 * edge as u64 + long as u64 / 2) / long as u64).max(1) as u32;
    (scale(width), scale(height))
}

/// Whether a decoded canvas is within the dimension limit.
pub fn dimensions_allowed(width: u32, height: u32) -> bool {
    width > 0 && height > 0 && width <= MAX_DIMENSION && height <= MAX_DIMENSION
}

/// The file name of an upload whose stored bytes hash to `hash` (hex): `{hash}.jpg`, or
/// `{hash}-400.jpg` for a thumbnail. The name changes whenever the content does, so the files
/// may be cached forever.
pub fn file_name(hash: &str, stored: Stored, edge: Option<u32>) -> String {
    match edge {
        None => format!("{hash}.{}", stored.extension()),
        Some(e) => format!("{hash}-{e}.{}", stored.extension()),
    }
}

pub fn media_url(file_name: &str) -> String {
    format!("/media/{UPLOAD_DIR}/{file_name}")
}

/// The hash and format of an uploaded image's URL (`/media/uploads/{64 hex}.{jpg|png}`); `None`
/// for anything else (the demo catalogue's pictures have no thumbnails).
pub fn parse_upload_url(url: &str) -> Option<(&str, Stored)> {
    let name = url.strip_prefix("/media/")?.strip_prefix(UPLOAD_DIR)?.strip_prefix('/')?;
    let (hash, ext) = name.split_once('.')?;
    let stored = match ext {
        "jpg" => Stored::Jpeg,
        "png" => Stored::Png,
        _ => return None,
    };
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
        .then_some((hash, stored))
}

/// The thumbnail of an uploaded image with the given long edge, or `None` for other URLs.
pub fn thumbnail_url(url: &str, edge: u32) -> Option<String> {
    let (hash, stored) = parse_upload_url(url)?;
    Some(media_url(&file_name(hash, stored, Some(edge))))
}

/// `src` and `srcset` for showing `url` about `edge` pixels wide: the thumbnail of that size with
/// the larger ones as alternatives for dense screens; other URLs as they are.
pub fn sized_src(url: &str, edge: u32) -> (String, Option<String>) {
    match parse_upload_url(url) {
        None => (url.to_string(), None),
        Some(_) => {
            let set = THUMB_EDGES
                .iter()
                .filter_map(|e| thumbnail_url(url, *e).map(|u| format!("{u} {e}w")))
                .collect::<Vec<_>>()
                .join(", ");
            (thumbnail_url(url, edge).unwrap_or_else(|| url.to_string()), Some(set))
        }
    }
}

/// One of a product's images as the merchant's edit page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminImage {
    pub id: i64,
    /// 0 is the first image, the one cards show.
    pub position: i64,
    pub url: String,
    pub alt: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

impl AdminImage {
    pub fn thumbnail(&self) -> String {
        thumbnail_url(&self.url, CARD_EDGE).unwrap_or_else(|| self.url.clone())
    }

    /// `"1600 × 1200 · 820 KB"`, or nothing for images that were not uploaded here.
    pub fn details(&self) -> Option<String> {
        (self.width > 0 && self.height > 0)
            .then(|| format!("{} × {} · {}", self.width, self.height, human_size(self.bytes.max(0) as u64)))
    }
}

/// A product's images for the edit page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductImages {
    pub product_id: i64,
    pub merchant_id: i64,
    pub title: String,
    pub images: Vec<AdminImage>,
}

/// Which way an image moves in the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Earlier,
    Later,
}

impl Move {
    pub fn parse(s: &str) -> Option<Move> {
        match s {
            "earlier" | "up" | "left" => Some(Move::Earlier),
            "later" | "down" | "right" => Some(Move::Later),
            _ => None,
        }
    }
}

/// The position `from` swaps with when moved, or `None` at either end of `count` images.
pub fn swap_target(from: i64, count: i64, direction: Move) -> Option<i64> {
    let to = match direction {
        Move::Earlier => from - 1,
        Move::Later => from + 1,
    };
    (from >= 0 && from < count && to >= 0 && to < count).then_some(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_is_decided_by_content() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(Sniffed::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Sniffed::Png));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(Sniffed::WebP));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Some(Sniffed::Gif));
        assert_eq!(sniff(b"just some notes, saved as notes.png"), None);
        assert_eq!(sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), None, "SVG can carry scripts");
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVE"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(Sniffed::Jpeg.stored_as(), Stored::Jpeg);
        assert_eq!(Sniffed::WebP.stored_as(), Stored::Png);
        assert_eq!(Sniffed::Gif.stored_as().extension(), "png");
    }

    #[test]
    fn size_message_names_the_limit_and_the_size() {
        let p = UploadProblem::TooLarge { file: "holiday.jpg".into(), bytes: 50 * 1024 * 1024 };
        assert_eq!(
            p.message(),
            "Images can be at most 10 MB; “holiday.jpg” is 50.0 MB. Make it smaller and try again."
        );
        assert_eq!(megabytes(MAX_BYTES + 1), "10.0 MB");
        assert_eq!(human_size(1000), "1 KB");
        assert_eq!(human_size(3 * 1024 * 1024 / 2), "1.5 MB");
    }

    #[test]
    fn problems_survive_the_redirect() {
        let problems = [
            UploadProblem::TooLarge { file: "big.png".into(), bytes: 52_428_800 },
            UploadProblem::NotAnImage { file: "notes.png".into() },
            UploadProblem::Unreadable { file: "broken.jpg".into() },
            UploadProblem::TooManyFiles { count: 12 },
            UploadProblem::TooManyImages { has: 23, adding: 2 },
            UploadProblem::NoFile,
            UploadProblem::AltTooLong,
            UploadProblem::Malformed,
            UploadProblem::Server,
        ];
        for p in problems {
            let q = p.to_query();
            let get = |k: &str| q.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
            assert_eq!(upload_notice(get), Some((false, p.message())), "{p:?}");
        }
        let done = |n: &'static str| {
            move |k: &str| match k {
                "upload" => Some("done".to_string()),
                "count" => Some(n.to_string()),
                _ => None,
            }
        };
        assert_eq!(upload_notice(done("1")), Some((true, "Image added.".into())));
        assert_eq!(upload_notice(done("3")), Some((true, "3 images added.".into())));
        assert_eq!(upload_notice(|k| (k == "upload").then(|| "failed".into())), None, "no reason");
        assert_eq!(upload_notice(|_| None), None);
    }

    #[test]
    fn file_names_from_the_query_are_tamed() {
        assert_eq!(short_name("C:\\Users\\ada\\photo.jpg"), "photo.jpg");
        assert_eq!(short_name("a/b/c.png"), "c.png");
        assert_eq!(short_name(&"x".repeat(300)).len(), 80);
        assert_eq!(short_name("bad\u{0}\nname"), "badname");
    }

    #[test]
    fn alt_text_is_trimmed_and_bounded() {
        assert_eq!(valid_alt("  Blue lamp, lit  "), Ok("Blue lamp, lit".into()));
        assert_eq!(valid_alt(""), Ok(String::new()));
        assert_eq!(valid_alt(&"é".repeat(MAX_ALT)).map(|a| a.chars().count()), Ok(MAX_ALT));
        assert_eq!(valid_alt(&"a".repeat(MAX_ALT + 1)), Err(UploadProblem::AltTooLong));
    }

    #[test]
    fn thumbnails_fit_the_long_edge_and_never_enlarge() {
        assert_eq!(fit_within(4000, 3000, 400), (400, 300));
        assert_eq!(fit_within(3000, 4000, 1200), (900, 1200));
        assert_eq!(fit_within(1000, 1000, 400), (400, 400));
        assert_eq!(fit_within(300, 200, 400), (300, 200), "small images keep their size");
        assert_eq!(fit_within(8000, 3, 400), (400, 1), "a side never rounds to zero");
        assert_eq!(fit_within(1201, 601, 1200), (1200, 600));
        assert!(dimensions_allowed(MAX_DIMENSION, 1));
        assert!(!dimensions_allowed(MAX_DIMENSION + 1, 1));
        assert!(!dimensions_allowed(0, 10));
        assert!(MAX_DECODE_ALLOC >= MAX_DIMENSION as u64 * MAX_DIMENSION as u64 * 4);
    }

    #[test]
    fn urls_of_uploads_have_thumbnails() {
        let hash = "ab".repeat(32);
        let url = media_url(&file_name(&hash, Stored::Jpeg, None));
        assert_eq!(url, format!("/media/uploads/{hash}.jpg"));
        assert_eq!(thumbnail_url(&url, 400), Some(format!("/media/uploads/{hash}-400.jpg")));
        let (src, set) = sized_src(&url, CARD_EDGE);
        assert_eq!(src, format!("/media/uploads/{hash}-400.jpg"));
        assert_eq!(set.unwrap(), format!("/media/uploads/{hash}-400.jpg 400w, /media/uploads/{hash}-1200.jpg 1200w"));
        // The demo catalogue's pictures and anything odd are used as they are.
        assert_eq!(sized_src("/media/products/lamp-1.svg", 400), ("/media/products/lamp-1.svg".into(), None));
        assert_eq!(thumbnail_url(&format!("/media/uploads/{hash}.svg"), 400), None);
        assert_eq!(thumbnail_url("/media/uploads/short.jpg", 400), None);
        assert_eq!(thumbnail_url(&format!("/media/uploads/{}.jpg", "AB".repeat(32)), 400), None);
    }

    #[test]
    fn moving_stops_at_the_ends() {
        assert_eq!(swap_target(0, 3, Move::Earlier), None);
        assert_eq!(swap_target(0, 3, Move::Later), Some(1));
        assert_eq!(swap_target(2, 3, Move::Later), None);
        assert_eq!(swap_target(2, 3, Move::Earlier), Some(1));
        assert_eq!(swap_target(5, 3, Move::Earlier), None);
        assert_eq!(Move::parse("left"), Some(Move::Earlier));
        assert_eq!(Move::parse("down"), Some(Move::Later));
        assert_eq!(Move::parse("sideways"), None);
    }

    #[test]
    fn details_show_for_uploaded_images() {
        let mut img = AdminImage {
            id: 1,
            position: 0,
            url: "/x.svg".into(),
            alt: String::new(),
            width: 1600,
            height: 1200,
            bytes: 820 * 1024,
        };
        assert_eq!(img.details().as_deref(), Some("1600 × 1200 · 820 KB"));
        assert_eq!(img.thumbnail(), "/x.svg");
        img.width = 0;
        assert_eq!(img.details(), None);
    }
}
