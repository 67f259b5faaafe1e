//! Logging: `RUST_LOG` filters (default: info for the shop, warn for libraries); `LOG_FORMAT`
//! picks plain text (default) or one JSON object per line for a log collector. Either way a line
//! written while a request is handled carries that request's span: its `request_id`, method and
//! path (`startup::router_with`), in JSON under `spans`.
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl LogFormat {
    /// `LOG_FORMAT`: unset or empty is text.
    pub fn parse(value: Option<&str>) -> Result<LogFormat, String> {
        match value.map(str::trim) {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(v) => Err(format!("LOG_FORMAT must be text or json (got {v:?})")),
        }
    }
}

pub fn default_filter() -> EnvFilter {
    EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info,hyper=warn,leptos=warn"))
}

/// Logging to standard output. Runs before the configuration is read, so a bad `LOG_FORMAT`
/// logs as text here and then stops the server in `Config::from_env`, with one line naming it.
pub fn init() {
    let format = LogFormat::parse(std::env::var("LOG_FORMAT").ok().as_deref()).unwrap_or_default();
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    install(format, default_filter(), std::io::stdout, ansi);
}

/// Installs the process-wide subscriber writing to `writer` (tests capture it); false when one
/// was installed already.
pub fn install<W>(format: LogFormat, filter: EnvFilter, writer: W, ansi: bool) -> bool
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(writer);
    match format {
        LogFormat::Text => builder.with_ansi(ansi).try_init().is_ok(),
        // The event's fields at the top level; every enclosing span (the request's first).
        LogFormat::Json => {
            builder.json().flatten_event(true).with_current_span(false).with_span_list(true).try_init().is_ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_is_text_or_json() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some(" json ")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("xml")).unwrap_err().starts_with("LOG_FORMAT"));
    }
}
