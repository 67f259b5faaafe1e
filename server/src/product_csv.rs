//! The product CSV routes: `POST /admin/products/import` (a multipart upload from the import
//! page's plain form) and `GET /admin/products/export.csv` (cells that a spreadsheet would run as
//! a formula are escaped with a leading `'`, which the import removes again). Both are authorized like the server
//! functions, from the session cookie: staff of the store, or the platform admin acting for
//! `?store=ID`. The upload is covered by `security::reject_cross_site` (it is a POST).
//!
//! The upload checks the file before anything is written — at most 25 MB, UTF-8, the header —
//! and answers every outcome with a 303 to `/admin/products/import?job=ID`: a refused file is a
//! job with status "rejected" and its message, so the page shows it the same way as progress. A
//! good file starts the import job (`product_import`). A retried upload with the same
//! idempotency key finds the first job instead of starting another.
use crate::product_import::{self, ParsedFile};
use app::domain::errors::AppError;
use app::domain::idempotency::IdempotencyKey;
use app::domain::product_csv::{
    COLUMNS, EXPORT_COLUMNS, ImportStatus, MAX_UPLOAD_BYTES, check_header, decode, export_record, group_rows, is_blank,
};
use app::services::Shop;
use app::services::product_import_store::NewImportJob;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use serde::Deserialize;

/// Products per query while writing the export.
const EXPORT_PAGE: i64 = 200;

/// `?store=ID`: the store the platform admin acts for (the CSV routes share it).
#[derive(Deserialize)]
pub struct StoreQuery {
    pub(crate) store: Option<i64>,
}

pub fn upload_route<S>() -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Shop: axum::extract::FromRef<S>,
{
    // A little room above the file's limit for the form's other fields and the multipart framing.
    post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024))
}

pub fn export_route<S>() -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Shop: axum::extract::FromRef<S>,
{
    get(export)
}

/// The store the caller acts for, decided by the one guard (`app::api::guard`, `ActingStore`).
async fn acting_store(shop: &Shop, headers: &HeaderMap, store: Option<i64>) -> Result<i64, Response> {
    use app::api::guard::{Access, Pass, check};
    match check(shop, headers, Access::ActingStore(store)).await {
        Ok(Pass { store: Some(id), .. }) => Ok(id),
        Err(AppError::Unauthenticated) => Err(Redirect::to("/login?next=/admin/products/import").into_response()),
        Err(AppError::Validation(_)) => {
            Err((StatusCode::UNPROCESSABLE_ENTITY, "Choose a store: add ?store=ID to the address.").into_response())
        }
        Err(AppError::Forbidden) | Ok(_) => {
            Err((StatusCode::FORBIDDEN, "You don't have access to this store's products.").into_response())
        }
        Err(_) => Err((StatusCode::SERVICE_UNAVAILABLE, "Please try again in a moment.").into_response()),
    }
}

fn job_page(store: Option<i64>, job: i64) -> Response {
    let store = store.map(|s| format!("store={s}&")).unwrap_or_default();
    Redirect::to(&format!("/admin/products/import?{store}job={job}")).into_response()
}

/// The uploaded form: the file and the idempotency key (other fields are ignored).
struct Upload {
    key: Option<String>,
    file_name: String,
    bytes: Vec<u8>,
    too_large: bool,
    unreadable: bool,
}

async fn read_form(mut form: Multipart) -> Upload {
    let mut up = Upload { key: None, file_name: String::new(), bytes: Vec::new(), too_large: false, unreadable: false };
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                up.too_large |= e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                up.unreadable = true;
                break;
            }
        };
        match field.name() {
            Some("idempotency_key") => up.key = field.text().await.ok(),
            Some("file") => {
                up.file_name = field.file_name().unwrap_or_default().chars().take(200).collect();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            up.bytes.extend_from_slice(&chunk);
                            if up.bytes.len() > MAX_UPLOAD_BYTES {
                                up.too_large = true;
                                return up;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            up.too_large |= e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                            up.unreadable = true;
                            return up;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    up
}

/// Reads the whole file: encoding, header, then every record into rows grouped by product.
/// `Err` is the message of a file refused as a whole.
pub fn parse_file(bytes: &[u8]) -> Result<ParsedFile, String> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(format!("The file is empty. Its first line must name the columns {}.", COLUMNS.join(","))),
        Some(Err(e)) => return Err(format!("We couldn't read the first line: {e}.")),
        Some(Ok(h)) => h.iter().map(str::to_string).collect::<Vec<_>>(),
    };
    let columns = check_header(&header)?;
    let mut rows = Vec::new();
    let mut refused = Vec::new();
    for record in records {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or_default();
            format!("We couldn't read line {line} of the file ({e}); nothing was imported. Check its quotes.")
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or_default();
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if is_blank(&fields) {
            continue;
        }
        match columns.row(line, &fields) {
            Ok(row) => rows.push(row),
            Err(e) => refused.push(e),
        }
    }
    if rows.is_empty() && refused.is_empty() {
        return Err("The file has a header but no product rows.".into());
    }
    let (groups, more) = group_rows(rows);
    refused.extend(more);
    refused.sort_by_key(|e| e.line);
    Ok(ParsedFile { groups, refused })
}

async fn upload(
    State(shop): State<Shop>,
    headers: HeaderMap,
    Query(q): Query<StoreQuery>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let merchant_id = match acting_store(&shop, &headers, q.store).await {
        Ok(id) => id,
        Err(res) => return crate::drain::drained(form, res).await,
    };
    let upload = match form {
        Ok(form) => read_form(form).await,
        Err(_) => {
            return (StatusCode::BAD_REQUEST, "Upload the file with the form on /admin/products/import.")
                .into_response();
        }
    };
    let key = upload
        .key
        .as_deref()
        .and_then(|k| IdempotencyKey::parse(k).ok())
        .unwrap_or_else(|| IdempotencyKey::from_random(app::services::random::bytes::<16>()));
    let parsed = if upload.too_large {
        Err(format!(
            "The file is larger than {} MB. Split it into smaller files (rows of one product together) and upload each.",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ))
    } else if upload.unreadable {
        Err("The upload was cut off before the whole file arrived. Please try again.".into())
    } else if upload.bytes.is_empty() {
        Err("Choose a CSV file to upload.".into())
    } else {
        // Decoding and splitting 25 MB is CPU work: keep it off the request threads.
        let bytes = upload.bytes;
        tokio::task::spawn_blocking(move || parse_file(&bytes))
            .await
            .unwrap_or_else(|_| Err("We couldn't read the file. Please try again.".into()))
    };
    let (status, message, total) = match &parsed {
        Ok(file) => (ImportStatus::Running, String::new(), file.rows() as i64),
        Err(message) => (ImportStatus::Rejected, message.clone(), 0),
    };
    let job = NewImportJob {
        merchant_id,
        idempotency_key: key.as_str().to_string(),
        file_name: upload.file_name,
        total_rows: total,
        status,
        message,
    };
    let (job_id, created) = match app::services::product_import::record_upload(&shop, &job).await {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(error = %e, "could not record a product import");
            return (StatusCode::SERVICE_UNAVAILABLE, "Please try again in a moment.").into_response();
        }
    };
    if let (true, Ok(file)) = (created, parsed) {
        tracing::info!(job_id, merchant_id, rows = total, "product import started");
        product_import::spawn(shop.product_import.clone(), merchant_id, job_id, file);
    }
    job_page(q.store, job_id)
}

async fn export(State(shop): State<Shop>, headers: HeaderMap, Query(q): Query<StoreQuery>) -> Response {
    let merchant_id = match acting_store(&shop, &headers, q.store).await {
        Ok(id) => id,
        Err(res) => return res,
    };
    // Page by page, each its own short query: no lock or transaction is held while writing.
    let mut out = csv::Writer::from_writer(Vec::new());
    // Every cell is escaped against formula injection (`product_csv::escape_cell`); the import
    // reverses it, and `exported_stock` lets it keep sales made after the export.
    let mut failed = out.write_record(EXPORT_COLUMNS).is_err();
    let mut after = 0;
    while !failed {
        let page = match app::services::product_import::export_page(&shop, merchant_id, after, EXPORT_PAGE).await {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(error = %e, "product export failed");
                failed = true;
                break;
            }
        };
        let Some(last) = page.last() else { break };
        after = last.product_id;
        for v in &page {
            failed |= out.write_record(export_record(v)).is_err();
        }
        tokio::task::yield_now().await;
    }
    let body = match (failed, out.into_inner()) {
        (false, Ok(body)) => body,
        _ => return (StatusCode::SERVICE_UNAVAILABLE, "The export failed; please try again.").into_response(),
    };
    crate::csv_download::attachment(body.into_response(), &format!("products-{merchant_id}.csv"))
}
