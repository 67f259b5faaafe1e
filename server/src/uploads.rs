//! `POST /admin/products/{id}/images`: a merchant's image upload (`multipart/form-data`: one or
//! more `images` files and an optional `alt`). A plain HTML form posts here and is sent back (303)
//! to the product's edit page with a one-off notice in the query string (`?upload=done&count=2`
//! or `?upload=failed&reason=…`, see `domain::product_image::upload_notice`).
//!
//! - Who: the session cookie, checked like the server functions do (`guard`): staff of the
//!   product's store or the platform admin. Another store's product is 403, a missing one 404,
//!   no session goes to the sign-in page. Cross-site posts never get here (`security::reject_cross_site`
//!   refuses any POST whose Origin/Referer names another site).
//! - What: the format is judged by the first bytes only (JPEG, PNG, WebP, GIF); each file may be
//!   10 MB. Bytes past the limit are counted, not kept, so the message can say how big the file
//!   was; a request over the whole-body limit is refused from its Content-Length.
//! - Decoding runs on the blocking pool, one image at a time per core, under `image::Limits`
//!   (dimensions and allocation), so a decompression bomb fails instead of eating memory.
//! - Stored: the re-encoded original (no metadata; EXIF orientation applied) and thumbnails of
//!   400 and 1200 px on the long edge, named by the SHA-256 of the stored original, so the year
//!   long `immutable` cache header on `/media` is truthful. Rows are added in one transaction; if
//!   anything fails, the files this request created (and no row uses) are removed again.
use crate::startup::AppState;
use app::domain::errors::AppError;
use app::domain::product_image::{
    self as rules, MAX_BYTES, MAX_DECODE_ALLOC, MAX_DIMENSION, MAX_FILES, MAX_IMAGES, Sniffed, Stored, UploadProblem,
};
use app::services::Shop;
use app::services::product_image_store::{AddOutcome, NewProductImage, content_hash};
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::path::{Path as FsPath, PathBuf};

/// The whole request: every file at its limit plus the form's own overhead.
pub const BODY_LIMIT: usize = MAX_FILES * MAX_BYTES as usize + 1024 * 1024;

pub fn route() -> axum::routing::MethodRouter<AppState> {
    axum::routing::post(upload).layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// Decodes at once: at most two (each may hold a 256 MB canvas), whatever the number of uploads.
static DECODERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn upload(
    State(shop): State<Shop>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "We couldn't find that product.").into_response();
    let Ok(product_id) = id.parse::<i64>() else { return not_found() };
    let store = query.get("store").and_then(|s| s.parse::<i64>().ok());
    let edit_page = match store {
        Some(s) => format!("/admin/products/{product_id}?store={s}"),
        None => format!("/admin/products/{product_id}?"),
    };
    // Who is asking, decided by the one guard (`app::api::guard`).
    use app::api::guard::{Access, caller, decide};
    let server_error = || (StatusCode::INTERNAL_SERVER_ERROR, UploadProblem::Server.message()).into_response();
    let principal = match caller(&shop, &headers).await {
        Ok(p) => p.map(|(p, _)| p),
        Err(_) => return server_error(),
    };
    let Some(principal) = principal else {
        let next = app::domain::search::url_encode(&format!("/admin/products/{product_id}"));
        return crate::drain::drained(multipart, Redirect::to(&format!("/login?next={next}")).into_response()).await;
    };
    let product = match app::services::product_images::images(&shop, product_id).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "could not load the product for an upload");
            return server_error();
        }
    };
    let product = match decide(Some(principal), Access::ProductOf(product.as_ref().map(|p| p.merchant_id))) {
        Ok(_) => match product {
            Some(product) => product,
            None => return crate::drain::drained(multipart, not_found()).await,
        },
        Err(AppError::NotFound(_)) => return crate::drain::drained(multipart, not_found()).await,
        Err(_) => {
            let forbidden = (StatusCode::FORBIDDEN, "You don't have access to this.").into_response();
            return crate::drain::drained(multipart, forbidden).await;
        }
    };
    let back = |query: Vec<(&'static str, String)>| {
        let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", app::domain::search::url_encode(v))).collect();
        let sep = if edit_page.ends_with('?') { "" } else { "&" };
        Redirect::to(&format!("{edit_page}{sep}{}#images", q.join("&"))).into_response()
    };
    let content_length =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = content_length.filter(|l| *l > BODY_LIMIT as u64) {
        // Refused from the header alone: nothing of the body is read.
        return back(UploadProblem::TooLarge { file: String::new(), bytes: len }.to_query());
    }
    let Ok(multipart) = multipart else { return back(UploadProblem::Malformed.to_query()) };
    let received = match receive(multipart, content_length).await {
        Ok(r) => r,
        Err(problem) => return back(problem.to_query()),
    };
    let alt = match rules::valid_alt(&received.alt) {
        Ok(a) if a.is_empty() => product.title.clone(),
        Ok(a) => a,
        Err(p) => return back(p.to_query()),
    };
    if received.files.is_empty() {
        return back(UploadProblem::NoFile.to_query());
    }
    if received.files.len() > MAX_FILES {
        return back(UploadProblem::TooManyFiles { count: received.files.len() }.to_query());
    }
    if product.images.len() + received.files.len() > MAX_IMAGES {
        let problem = UploadProblem::TooManyImages { has: product.images.len(), adding: received.files.len() };
        return back(problem.to_query());
    }
    // Decode and encode everything first; only then touch the disk and the database.
    let mut prepared = Vec::with_capacity(received.files.len());
    for (name, bytes) in received.files {
        let Ok(_permit) = DECODERS.acquire().await else {
            return back(UploadProblem::Server.to_query());
        };
        let job = tokio::task::spawn_blocking(move || prepare(&name, &bytes));
        match job.await {
            Ok(Ok(p)) => prepared.push(p),
            Ok(Err(problem)) => return back(problem.to_query()),
            Err(e) => {
                tracing::error!(error = %e, "image processing panicked");
                return back(UploadProblem::Server.to_query());
            }
        }
    }
    let dir = shop.media_dir.join(rules::UPLOAD_DIR);
    let mut created: Vec<PathBuf> = Vec::new();
    let fail = |created: Vec<PathBuf>, shop: Shop, problem: UploadProblem| async move {
        remove_unused(&shop, created).await;
        back(problem.to_query())
    };
    for p in &prepared {
        match write_files(&dir, p).await {
            Ok(mut new) => created.append(&mut new),
            Err(e) => {
                tracing::error!(error = %e, dir = %dir.display(), "could not write an uploaded image");
                return fail(created, shop.clone(), UploadProblem::Server).await;
            }
        }
    }
    let rows: Vec<NewProductImage> = prepared
        .iter()
        .map(|p| NewProductImage {
            url: rules::media_url(&rules::file_name(&p.hash, p.stored, None)),
            alt: alt.clone(),
            width: p.width as i64,
            height: p.height as i64,
            bytes: p.files[0].1.len() as i64,
            content_hash: p.hash.clone(),
        })
        .collect();
    match app::services::product_images::add(&shop, &product, &rows).await {
        Ok(AddOutcome::Added(ids)) => {
            // A removal that raced us may have deleted a shared file after we wrote it: put it back.
            for p in &prepared {
                if let Err(e) = write_files(&dir, p).await {
                    tracing::warn!(error = %e, "could not re-check an uploaded image's files");
                }
            }
            tracing::info!(product_id, images = ids.len(), "product images uploaded");
            back(vec![("upload", "done".into()), ("count", ids.len().to_string())])
        }
        Ok(AddOutcome::Full { has }) => {
            fail(created, shop.clone(), UploadProblem::TooManyImages { has, adding: rows.len() }).await
        }
        Ok(AddOutcome::NotFound) => {
            remove_unused(&shop, created).await;
            not_found()
        }
        Err(e) => {
            tracing::error!(error = %e, "could not record uploaded images");
            fail(created, shop.clone(), UploadProblem::Server).await
        }
    }
}

struct Received {
    /// (file name as sent, content) of each file, each at most `MAX_BYTES`.
    files: Vec<(String, Vec<u8>)>,
    alt: String,
}

/// Reads the form. A file over the limit is counted to its end without being kept, then the rest
/// of the body is read and dropped, so the browser (still sending) gets the answer.
async fn receive(mut multipart: Multipart, content_length: Option<u64>) -> Result<Received, UploadProblem> {
    let mut received = Received { files: Vec::new(), alt: String::new() };
    let mut problem: Option<UploadProblem> = None;
    let over_limit = |e: &axum::extract::multipart::MultipartError, file: &str| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadProblem::TooLarge { file: file.to_string(), bytes: content_length.unwrap_or(BODY_LIMIT as u64) }
        } else {
            UploadProblem::Malformed
        }
    };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(problem.unwrap_or_else(|| over_limit(&e, ""))),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(rules::short_name);
        let mut kept: Vec<u8> = Vec::new();
        let mut size: u64 = 0;
        let keep_limit = if file_name.is_some() { MAX_BYTES } else { 4096 };
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    size += chunk.len() as u64;
                    if problem.is_none() && size <= keep_limit {
                        kept.extend_from_slice(&chunk);
                    } else {
                        kept = Vec::new();
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(problem.unwrap_or_else(|| over_limit(&e, file_name.as_deref().unwrap_or("")))),
            }
        }
        if problem.is_some() {
            continue;
        }
        match (name.as_str(), file_name) {
            // A form sent with no file chosen carries one empty, nameless part.
            (_, Some(f)) if f.is_empty() && size == 0 => {}
            (_, Some(f)) if size > MAX_BYTES => problem = Some(UploadProblem::TooLarge { file: f, bytes: size }),
            (_, Some(f)) => received.files.push((f, kept)),
            ("alt", None) if size > 4096 => problem = Some(UploadProblem::AltTooLong),
            ("alt", None) => received.alt = String::from_utf8_lossy(&kept).into_owned(),
            _ => {}
        }
    }
    match problem {
        Some(p) => Err(p),
        None => Ok(received),
    }
}

/// An image decoded and re-encoded: the stored original first, then the thumbnails.
struct Prepared {
    hash: String,
    stored: Stored,
    width: u32,
    height: u32,
    /// (long edge or None for the original, encoded bytes).
    files: Vec<(Option<u32>, Vec<u8>)>,
}

fn image_format(s: Sniffed) -> image::ImageFormat {
    match s {
        Sniffed::Jpeg => image::ImageFormat::Jpeg,
        Sniffed::Png => image::ImageFormat::Png,
        Sniffed::WebP => image::ImageFormat::WebP,
        Sniffed::Gif => image::ImageFormat::Gif,
    }
}

/// Checks, decodes (within limits) and encodes the original and its thumbnails. Blocking.
fn prepare(name: &str, bytes: &[u8]) -> Result<Prepared, UploadProblem> {
    use image::{DynamicImage, ImageDecoder};
    let sniffed = rules::sniff(bytes).ok_or_else(|| UploadProblem::NotAnImage { file: name.to_string() })?;
    let unreadable = || UploadProblem::Unreadable { file: name.to_string() };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), image_format(sniffed));
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| {
        tracing::info!(error = %e, file = name, "refused an image");
        unreadable()
    })?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| {
        tracing::info!(error = %e, file = name, "refused an image");
        unreadable()
    })?;
    img.apply_orientation(orientation);
    if !rules::dimensions_allowed(img.width(), img.height()) {
        return Err(unreadable());
    }
    let stored = sniffed.stored_as();
    // One pixel layout for every file: RGB for JPEG, RGB or RGBA (with transparency) for PNG.
    let img = match stored {
        Stored::Jpeg => DynamicImage::ImageRgb8(img.to_rgb8()),
        Stored::Png if img.color().has_alpha() => DynamicImage::ImageRgba8(img.to_rgba8()),
        Stored::Png => DynamicImage::ImageRgb8(img.to_rgb8()),
    };
    let encode = |img: &DynamicImage| -> Result<Vec<u8>, UploadProblem> {
        let mut out = std::io::Cursor::new(Vec::new());
        let result = match stored {
            Stored::Jpeg => img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 86)),
            Stored::Png => img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)),
        };
        result.map_err(|e| {
            tracing::error!(error = %e, "could not encode an image");
            UploadProblem::Server
        })?;
        Ok(out.into_inner())
    };
    let original = encode(&img)?;
    let mut files = vec![(None, original)];
    // Largest first, each from the previous one: cheaper than resizing the original twice.
    let mut source = img.clone();
    let mut edges = rules::THUMB_EDGES.to_vec();
    edges.sort_unstable_by(|a, b| b.cmp(a));
    let mut thumbs = Vec::new();
    for edge in edges {
        let (w, h) = rules::fit_within(source.width(), source.height(), edge);
        if (w, h) != (source.width(), source.height()) {
            source = source.resize_exact(w, h, image::imageops::FilterType::Triangle);
        }
        thumbs.push((Some(edge), encode(&source)?));
    }
    thumbs.reverse();
    files.extend(thumbs);
    Ok(Prepared { hash: content_hash(&files[0].1), stored, width: img.width(), height: img.height(), files })
}

/// Writes the image's files that are not there yet (same name, same content); returns the paths
/// it created. Each file appears whole or not at all (written aside, then renamed).
async fn write_files(dir: &FsPath, p: &Prepared) -> std::io::Result<Vec<PathBuf>> {
    tokio::fs::create_dir_all(dir).await?;
    let mut created = Vec::new();
    for (edge, bytes) in &p.files {
        let path = dir.join(rules::file_name(&p.hash, p.stored, *edge));
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            continue;
        }
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            rules::file_name(&p.hash, p.stored, *edge),
            app::services::passwords::new_token().get(..12).unwrap_or("x")
        ));
        tokio::fs::write(&tmp, bytes).await?;
        if let Err(e) = tokio::fs::rename(&tmp, &path).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
        created.push(path);
    }
    Ok(created)
}

/// Removes files this request created, unless a row (another upload of the same picture) now
/// uses them.
async fn remove_unused(shop: &Shop, created: Vec<PathBuf>) {
    for path in created {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        // A thumbnail belongs to the original `{hash}.{ext}`.
        let original = match name.split_once('-') {
            Some((hash, rest)) => format!("{hash}.{}", rest.rsplit('.').next().unwrap_or_default()),
            None => name.to_string(),
        };
        if app::services::product_images::url_in_use(shop, &rules::media_url(&original)).await {
            continue;
        }
        if let Err(e) = tokio::fs::remove_file(&path).await {
            tracing::warn!(error = %e, path = %path.display(), "could not remove an unused upload");
        }
    }
}
