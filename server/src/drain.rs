//! An upload refused before its body was read (no session, another store's product, no such
//! product): the body is read to its end and dropped before the answer. Answering early and then
//! closing the connection makes a proxy that is still sending the body (nginx buffers the whole
//! request, then streams it) see a reset and show its own 502 instead of our redirect or 403 —
//! a merchant whose session ran out mid-upload got "Bad Gateway" (deploy/smoke.sh found it). The
//! route's body limit bounds what this reads.
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::response::Response;

/// `res`, after reading and dropping what is left of `form`.
pub async fn drained(form: Result<Multipart, MultipartRejection>, res: Response) -> Response {
    if let Ok(mut form) = form {
        while let Ok(Some(mut field)) = form.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
    }
    res
}
