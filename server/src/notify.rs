//! Delivering the outbox: a background task claims due messages, sends each through a [`Mailer`]
//! (SMTP via `lettre` when `SMTP_URL` is set, else the log), and marks it sent or schedules the
//! next try on the back-off in `domain::notification::retry_delay`. Requests only ever queue a
//! message (`app::services::notifications::enqueue`), so none waits for a mail server.
//!
//! Several instances may run the sender: a claim leases a message to one of them
//! (`NotificationStore::claim_due`); a sender that dies mid-send loses its lease and another
//! picks the message up later. Delivery is at least once: a crash after the mail server accepted
//! a message but before it is marked sent repeats it.
use crate::config::Config;
use app::domain::notification::{DEFAULT_PUBLIC_URL, Links, retry_delay, scrub_error};
use app::services::Shop;
use app::services::notification_store::{NotificationStore, OutboxMessage};
use app::services::notifications::Confirmations;
use app::services::{StoreError, checkout::CheckoutSettings};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub const DEFAULT_MAIL_FROM: &str = "Meridian Market <no-reply@meridian.test>";

/// Sends one rendered message. Errors are one line without secrets; they are stored and logged.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, message: &OutboxMessage) -> Result<(), String>;
    /// For the start-up log line: "SMTP smtp.example:587 (STARTTLS)" or "the log".
    fn describe(&self) -> String;
}

// ---------------------------------------------------------------------------------------------
// Settings: PUBLIC_URL, MAIL_FROM, SMTP_URL

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// `smtps://`: TLS from the first byte (usually port 465).
    Implicit,
    /// `smtp://`: plain connection upgraded with STARTTLS, which is required (usually port 587).
    StartTls,
    /// `smtp://…?tls=none`: no encryption, for a relay or mail catcher on this machine only;
    /// refused with a password.
    None,
}

#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    password: Option<String>,
}

/// The password is never printed, so a `{:?}` of the configuration may be logged.
impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl SmtpSettings {
    /// `smtp://[user[:password]@]host[:port][?tls=none]` or `smtps://…`; user and password are
    /// percent-decoded. Errors name SMTP_URL and never show the password.
    pub fn parse(url: &str) -> Result<SmtpSettings, String> {
        let shown = crate::store::redact(url);
        let bad = |why: &str| format!("SMTP_URL {why}, like smtp://user:password@smtp.example.com:587 (got {shown:?})");
        let url = url.trim();
        let (tls, rest) = if let Some(rest) = url.strip_prefix("smtps://") {
            (SmtpTls::Implicit, rest)
        } else if let Some(rest) = url.strip_prefix("smtp://") {
            (SmtpTls::StartTls, rest)
        } else {
            return Err(bad("must start with smtp:// (STARTTLS) or smtps:// (TLS)"));
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let tls = match query {
            "" => tls,
            "tls=none" if tls == SmtpTls::StartTls => SmtpTls::None,
            _ => return Err(bad("takes no options but ?tls=none (smtp:// only)")),
        };
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (u, p) = match info.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (info, None),
                };
                let u = percent_decode(u).ok_or_else(|| bad("has a badly escaped user name"))?;
                let p = p.map(|p| percent_decode(p).ok_or_else(|| bad("has a badly escaped password"))).transpose()?;
                (Some(u).filter(|u| !u.is_empty()), p.filter(|p| !p.is_empty()))
            }
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
                (h, p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| bad("has a bad port"))?)
            }
            _ => (
                hostport,
                match tls {
                    SmtpTls::Implicit => 465,
                    SmtpTls::StartTls => 587,
                    SmtpTls::None => 25,
                },
            ),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(['/', ' ', '@']) {
            return Err(bad("needs a host name"));
        }
        if password.is_some() && username.is_none() {
            return Err(bad("has a password without a user name"));
        }
        if tls == SmtpTls::None && password.is_some() {
            return Err(bad("must not send a password unencrypted (tls=none)"));
        }
        Ok(SmtpSettings { host: host.to_string(), port, tls, username, password })
    }
}

/// `%XX` decoding; `None` for a malformed escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Outgoing mail settings (part of `Config`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailConfig {
    /// The shop's address as shoppers reach it, for links in messages (`PUBLIC_URL`).
    pub public_url: String,
    /// The From of every message (`MAIL_FROM`).
    pub from: String,
    /// `None`: messages are not sent (`SMTP_URL` unset); see `dir`.
    pub smtp: Option<SmtpSettings>,
    /// Without SMTP, each message is written as a file here (`MAIL_DIR`; `make run` sets
    /// `data/mail`) so a developer can open its links; the log only says that it was.
    pub dir: Option<std::path::PathBuf>,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig { public_url: DEFAULT_PUBLIC_URL.into(), from: DEFAULT_MAIL_FROM.into(), smtp: None, dir: None }
    }
}

impl MailConfig {
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<MailConfig, String> {
        let set = |key: &str| get(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let public_url = match set("PUBLIC_URL") {
            None => DEFAULT_PUBLIC_URL.to_string(),
            Some(v) => {
                let host = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://")).unwrap_or("");
                if host.is_empty() || host.starts_with('/') || v.contains(char::is_whitespace) || v.contains(['?', '#'])
                {
                    return Err(format!(
                        "PUBLIC_URL must be the shop's address as shoppers reach it, like https://shop.example.com (got {v:?})"
                    ));
                }
                v.trim_end_matches('/').to_string()
            }
        };
        let from = set("MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_string());
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!("MAIL_FROM must be an address like Shop <shop@example.com> (got {from:?})"));
        }
        let smtp = set("SMTP_URL").map(|u| SmtpSettings::parse(&u)).transpose()?;
        let dir = set("MAIL_DIR").map(std::path::PathBuf::from);
        Ok(MailConfig { public_url, from, smtp, dir })
    }
}

// ---------------------------------------------------------------------------------------------
// Mailers

/// SMTP through `lettre` (rustls, Mozilla's root certificates).
pub struct SmtpMailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
    password: Option<String>,
    described: String,
}

impl SmtpMailer {
    pub fn new(settings: &SmtpSettings, from: &str) -> Result<SmtpMailer, String> {
        use lettre::AsyncSmtpTransport as T;
        let bad = |e: lettre::transport::smtp::Error| {
            format!("SMTP_URL: {}", scrub_error(&e.to_string(), settings.password.as_deref()))
        };
        let builder = match settings.tls {
            SmtpTls::Implicit => T::<lettre::Tokio1Executor>::relay(&settings.host).map_err(bad)?,
            SmtpTls::StartTls => T::<lettre::Tokio1Executor>::starttls_relay(&settings.host).map_err(bad)?,
            SmtpTls::None => T::<lettre::Tokio1Executor>::builder_dangerous(&settings.host),
        };
        let mut builder = builder.port(settings.port).timeout(Some(SEND_TIMEOUT));
        if let Some(user) = &settings.username {
            builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                user.clone(),
                settings.password.clone().unwrap_or_default(),
            ));
        }
        let from = from.parse().map_err(|_| format!("MAIL_FROM is not a valid address (got {from:?})"))?;
        let described = format!(
            "SMTP {}:{} ({})",
            settings.host,
            settings.port,
            match settings.tls {
                SmtpTls::Implicit => "TLS",
                SmtpTls::StartTls => "STARTTLS",
                SmtpTls::None => "unencrypted",
            }
        );
        Ok(SmtpMailer { transport: builder.build(), from, password: settings.password.clone(), described })
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, m: &OutboxMessage) -> Result<(), String> {
        use lettre::AsyncTransport;
        use lettre::message::MultiPart;
        let to: lettre::message::Mailbox =
            m.recipient.parse().map_err(|_| format!("the recipient {:?} is not a valid address", m.recipient))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .multipart(MultiPart::alternative_plain_html(m.text_body.clone(), m.html_body.clone()))
            .map_err(|e| format!("the message could not be built: {e}"))?;
        self.transport.send(email).await.map(drop).map_err(|e| scrub_error(&e.to_string(), self.password.as_deref()))
    }

    fn describe(&self) -> String {
        self.described.clone()
    }
}

/// Without SMTP, for development and demos: a message counts as sent and is written to a file
/// in `MAIL_DIR` when that is set. The log gets the message's id and kind only: bodies hold order
/// links, tracking tokens and addresses, which do not belong in logs.
pub struct LogMailer {
    pub dir: Option<std::path::PathBuf>,
}

#[async_trait::async_trait]
impl Mailer for LogMailer {
    async fn send(&self, m: &OutboxMessage) -> Result<(), String> {
        let Some(dir) = &self.dir else {
            tracing::info!(id = m.id, kind = %m.kind, "mail not sent: SMTP_URL is not set (MAIL_DIR keeps a copy)");
            return Ok(());
        };
        let kind = m.kind.as_str();
        let path = dir.join(format!("{:08}-{kind}.txt", m.id));
        let text = format!("To: {}\nSubject: {}\n\n{}", m.recipient, m.subject, m.text_body);
        let written = async {
            tokio::fs::create_dir_all(dir).await?;
            tokio::fs::write(&path, text).await
        };
        written.await.map_err(|e| format!("could not write the message into MAIL_DIR ({}): {e}", dir.display()))?;
        tracing::info!(id = m.id, kind = %m.kind, file = %path.display(), "mail written to MAIL_DIR (SMTP_URL is not set)");
        Ok(())
    }

    fn describe(&self) -> String {
        match &self.dir {
            Some(dir) => format!("files in {} (SMTP_URL is not set)", dir.display()),
            None => "nowhere (SMTP_URL and MAIL_DIR are not set)".into(),
        }
    }
}

/// The SMTP mailer when SMTP is configured, else the log.
pub fn mailer(config: &MailConfig) -> Result<Arc<dyn Mailer>, String> {
    Ok(match &config.smtp {
        Some(smtp) => Arc::new(SmtpMailer::new(smtp, &config.from)?),
        None => Arc::new(LogMailer { dir: config.dir.clone() }),
    })
}

// ---------------------------------------------------------------------------------------------
// The sender

/// One send may take this long before it counts as failed (and is retried).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct SenderSettings {
    /// Messages claimed at once.
    pub batch: i64,
    /// How long a claim is the claimer's: longer than a whole batch of sends at their timeout.
    pub lease_secs: i64,
    pub send_timeout: Duration,
    /// How often to look for due messages when nothing wakes the sender.
    pub poll: Duration,
}

impl Default for SenderSettings {
    fn default() -> Self {
        let batch = 10;
        SenderSettings {
            batch,
            lease_secs: batch * SEND_TIMEOUT.as_secs() as i64 + 60,
            send_timeout: SEND_TIMEOUT,
            poll: Duration::from_secs(5),
        }
    }
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Claims the messages due at `now` and sends each, marking it sent, queued again for the next
/// try on the back-off schedule, or failed after the last try.
pub async fn deliver_due(
    store: &dyn NotificationStore,
    mailer: &dyn Mailer,
    settings: &SenderSettings,
    now: i64,
) -> Result<Round, StoreError> {
    let claimed = store.claim_due(now, settings.lease_secs, settings.batch).await?;
    let mut round = Round { claimed: claimed.len(), ..Round::default() };
    for m in claimed {
        let result = match tokio::time::timeout(settings.send_timeout, mailer.send(&m)).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {} s", settings.send_timeout.as_secs())),
        };
        match result {
            Ok(()) => {
                store.mark_sent(m.id, now).await?;
                round.sent += 1;
            }
            Err(error) => {
                let error = scrub_error(&error, None);
                match retry_delay(m.attempts) {
                    Some(delay) => {
                        tracing::warn!(id = m.id, kind = %m.kind, attempt = m.attempts, retry_in_secs = delay,
                            error = %error, "sending a message failed; will retry");
                        store.mark_retry(m.id, now + delay, &error).await?;
                        round.retried += 1;
                    }
                    None => {
                        tracing::error!(id = m.id, kind = %m.kind, attempts = m.attempts, error = %error,
                            "sending a message failed for the last time; giving up");
                        store.mark_failed(m.id, &error).await?;
                        round.failed += 1;
                    }
                }
            }
        }
    }
    Ok(round)
}

fn wake_signal() -> &'static Notify {
    static WAKE: std::sync::OnceLock<Notify> = std::sync::OnceLock::new();
    WAKE.get_or_init(Notify::new)
}

/// Tells this process's sender to look at the outbox now (called when a message is queued).
pub fn wake() {
    wake_signal().notify_one();
}

/// Runs the sender until the process ends: a round on every wake-up or poll interval, at once
/// again while full batches keep coming.
pub fn spawn_sender(
    store: Arc<dyn NotificationStore>,
    mailer: Arc<dyn Mailer>,
    settings: SenderSettings,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let now = app::services::clock::now();
            let full = match deliver_due(store.as_ref(), mailer.as_ref(), &settings, now).await {
                Ok(round) => {
                    crate::observability::job_ran("outbox_sender", true);
                    crate::observability::outbox_round(round.sent, round.retried, round.failed);
                    if round.claimed > 0 {
                        tracing::info!(
                            sent = round.sent,
                            retried = round.retried,
                            failed = round.failed,
                            "outbox round"
                        );
                    }
                    round.claimed as i64 >= settings.batch
                }
                Err(e) => {
                    crate::observability::job_ran("outbox_sender", false);
                    tracing::warn!(error = %e, "could not read the outbox");
                    false
                }
            };
            if !full {
                tokio::select! {
                    _ = tokio::time::sleep(settings.poll) => {}
                    _ = wake_signal().notified() => {}
                }
            }
        }
    })
}

/// At start-up: points the shop's links (and checkout's order confirmations) at `PUBLIC_URL`,
/// picks the mailer and starts the sender. Returns the shop to serve.
pub fn start(mut shop: Shop, config: &Config) -> Result<Shop, String> {
    let links = Links::new(&config.mail.public_url);
    shop.links = Arc::new(links.clone());
    let c = &shop.checkout;
    shop.checkout = Arc::new(CheckoutSettings {
        rates: c.rates,
        reservation_secs: c.reservation_secs,
        confirmations: Some(Confirmations { store: shop.notifications.clone(), links }),
    });
    let mailer = mailer(&config.mail)?;
    tracing::info!(via = %mailer.describe(), from = %config.mail.from, links = %config.mail.public_url, "notifications on");
    spawn_sender(shop.notifications.clone(), mailer, SenderSettings::default());
    Ok(shop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn mail(vars: &[(&str, &str)]) -> Result<MailConfig, String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        MailConfig::from_lookup(&|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_log_mail_and_link_to_localhost() {
        let c = mail(&[]).unwrap();
        assert_eq!(c, MailConfig::default());
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(c.smtp.is_none());
    }

    #[test]
    fn smtp_urls_parse_with_tls_by_default() {
        let s = SmtpSettings::parse("smtp://shop%40example.com:p%3Ass@mail.example.com").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.tls), ("mail.example.com", 587, SmtpTls::StartTls));
        assert_eq!(s.username.as_deref(), Some("shop@example.com"));
        assert_eq!(s.password.as_deref(), Some("p:ss"));
        let s = SmtpSettings::parse("smtps://u:pw@mail.example.com:2465/").unwrap();
        assert_eq!((s.port, s.tls), (2465, SmtpTls::Implicit));
        let s = SmtpSettings::parse("smtp://127.0.0.1:1025?tls=none").unwrap();
        assert_eq!((s.port, s.tls, s.username.clone()), (1025, SmtpTls::None, None));
        assert_eq!(SmtpSettings::parse("smtps://mail.example.com").unwrap().port, 465);
    }

    #[test]
    fn bad_settings_name_the_variable_and_hide_the_password() {
        for url in [
            "http://u:hunter2@mail.example.com",
            "smtp://u:hunter2@mail.example.com:99999",
            "smtp://u:hunter2@",
            "smtp://u:hunter2@mail.example.com?tls=none",
            "smtps://u:hunter2@mail.example.com?tls=none",
            "smtp://u:hunter2%zz@mail.example.com",
        ] {
            let e = mail(&[("SMTP_URL", url)]).unwrap_err();
            assert!(e.contains("SMTP_URL"), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{url}: {e}");
        }
        assert!(mail(&[("PUBLIC_URL", "shop.example")]).unwrap_err().contains("PUBLIC_URL"));
        assert!(mail(&[("PUBLIC_URL", "https://")]).unwrap_err().contains("PUBLIC_URL"));
        assert_eq!(mail(&[("PUBLIC_URL", "https://shop.example/")]).unwrap().public_url, "https://shop.example");
        assert!(mail(&[("MAIL_FROM", "not an address")]).unwrap_err().contains("MAIL_FROM"));
        assert_eq!(mail(&[("MAIL_FROM", "Shop <a@b.example>")]).unwrap().from, "Shop <a@b.example>");
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let c = mail(&[("SMTP_URL", "smtps://user:hunter2@mail.example.com")]).unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("***") && printed.contains("mail.example.com"), "{printed}");
    }

    #[tokio::test]
    async fn an_smtp_mailer_builds_from_settings() {
        let s = SmtpSettings::parse("smtps://user:hunter2@mail.example.com").unwrap();
        let m = SmtpMailer::new(&s, DEFAULT_MAIL_FROM).unwrap();
        assert_eq!(m.describe(), "SMTP mail.example.com:465 (TLS)");
    }

    /// Collects what the log subscriber writes, to check what reaches the log.
    #[derive(Clone, Default)]
    struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    #[tokio::test]
    async fn without_smtp_the_body_goes_to_a_file_and_never_to_the_log() {
        let dir = std::env::temp_dir().join(format!("mm-mail-test-{}", std::process::id()));
        let log = Captured::default();
        let subscriber = tracing_subscriber::fmt().with_writer(log.clone()).with_ansi(false).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let message = OutboxMessage {
            id: 7,
            kind: app::domain::notification::MessageKind::OrderConfirmation,
            recipient: "ann@example.com".into(),
            subject: "Your order MM-1234".into(),
            text_body: "Follow it: http://localhost:3000/track/SECRET-TRACKING-TOKEN".into(),
            html_body: "<a href=\"/orders/MM-1234?key=SECRET-ORDER-KEY\">order</a>".into(),
            dedupe_key: "order:1".into(),
            status: app::domain::notification::OutboxStatus::Sending,
            attempts: 1,
            next_attempt_at: 0,
            locked_until: None,
            last_error: None,
            created_at: 0,
            sent_at: None,
        };
        LogMailer { dir: None }.send(&message).await.unwrap();
        LogMailer { dir: Some(dir.clone()) }.send(&message).await.unwrap();
        let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        assert_eq!(logged.matches("id=7").count(), 2, "{logged}");
        for secret in ["SECRET-TRACKING-TOKEN", "SECRET-ORDER-KEY", "ann@example.com", "MM-1234"] {
            assert!(!logged.contains(secret), "{secret} reached the log: {logged}");
        }
        let file = std::fs::read_to_string(dir.join("00000007-order_confirmation.txt")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(file.starts_with("To: ann@example.com\nSubject: Your order MM-1234"), "{file}");
        assert!(file.contains("SECRET-TRACKING-TOKEN"), "{file}");
    }
}
