//! The outbox against SQLite and PostgreSQL: a dedupe key queues once; a due message is leased
//! to exactly one of several concurrent senders; failed sends are retried on the back-off
//! schedule and given up after the last try; a paid checkout queues exactly one confirmation,
//! even when the request is retried with the same idempotency key; a guest's confirmation links
//! the order with its access key, a signed-in shopper's without one.
#[macro_use]
mod support;

use app::domain::gateway::TestGateway;
use app::domain::money::{Currency, Money};
use app::domain::notification::{Links, MAX_ATTEMPTS, Message, MessageLine, OutboxStatus, retry_delay};
use app::services::checkout::{CheckoutOutcome, CheckoutRequest, CheckoutSettings, place_order};
use app::services::notification_store::{NotificationStore, OutboxMessage};
use app::services::notifications::{Confirmations, confirmation_key, enqueue};
use server::notify::{Mailer, SenderSettings, deliver_due};
use server::store::Database;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::fixtures::{self, Marketplace, store};

conformance!(multi_thread;
    a_dedupe_key_queues_one_message,
    a_due_message_goes_to_exactly_one_of_concurrent_claimers,
    an_expired_lease_lets_another_sender_take_the_message,
    a_successful_send_marks_it_sent,
    a_failing_mailer_retries_on_the_schedule_then_gives_up,
    a_slow_mailer_times_out_and_is_retried,
    a_paid_checkout_queues_one_confirmation_even_when_retried,
    a_declined_checkout_queues_nothing,
    the_served_shop_confirms_orders_and_its_sender_delivers_them,
    a_guest_confirmation_links_the_order_with_its_key,
);

const NOW: i64 = 1_800_000_000;

fn usd(minor: i64) -> Money {
    Money::new(minor, Currency::USD)
}

fn refund(number: &str) -> Message {
    Message::RefundIssued { number: number.into(), amount: usd(1999), order_url: Links::default().order(number) }
}

fn settings() -> SenderSettings {
    SenderSettings { batch: 10, lease_secs: 120, send_timeout: Duration::from_secs(5), poll: Duration::from_secs(1) }
}

async fn all(store: &dyn NotificationStore) -> Vec<OutboxMessage> {
    store.list(1000).await.unwrap()
}

/// Records what it is asked to send; fails the first `fail` sends.
#[derive(Default)]
struct TestMailer {
    fail: usize,
    calls: AtomicUsize,
    sent: std::sync::Mutex<Vec<String>>,
    delay: Option<Duration>,
}

#[async_trait::async_trait]
impl Mailer for TestMailer {
    async fn send(&self, m: &OutboxMessage) -> Result<(), String> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(d) = self.delay {
            tokio::time::sleep(d).await;
        }
        if call < self.fail {
            return Err(format!("450 mailbox busy (try {})", call + 1));
        }
        self.sent.lock().unwrap().push(m.recipient.clone());
        Ok(())
    }

    fn describe(&self) -> String {
        "test".into()
    }
}

async fn a_dedupe_key_queues_one_message(db: Database) {
    let store = db.notifications();
    let m = refund("MM-DEDUPE");
    assert!(enqueue(store.as_ref(), &m, "ada@example.com", "refund-issued:7", NOW).await.unwrap());
    assert!(!enqueue(store.as_ref(), &m, "ada@example.com", "refund-issued:7", NOW + 5).await.unwrap());
    assert!(enqueue(store.as_ref(), &m, "ada@example.com", "refund-issued:8", NOW).await.unwrap());
    let rows = all(store.as_ref()).await;
    assert_eq!(rows.len(), 2);
    let first = rows.iter().find(|r| r.dedupe_key == "refund-issued:7").unwrap();
    assert_eq!(first.kind.as_str(), "refund_issued");
    assert_eq!(first.recipient, "ada@example.com");
    assert_eq!(first.subject, "Refund of $19.99 for order MM-DEDUPE");
    assert!(first.text_body.contains("$19.99") && first.html_body.contains("<strong>$19.99</strong>"));
    assert_eq!((first.status, first.attempts, first.next_attempt_at), (OutboxStatus::Queued, 0, NOW));
    assert_eq!((first.locked_until, first.last_error.clone(), first.sent_at), (None, None, None));

    // Still one after it was sent: the key names the event, not the row's state.
    let round = deliver_due(store.as_ref(), &TestMailer::default(), &settings(), NOW).await.unwrap();
    assert_eq!(round.sent, 2);
    assert!(!enqueue(store.as_ref(), &m, "ada@example.com", "refund-issued:7", NOW + 60).await.unwrap());
    assert_eq!(all(store.as_ref()).await.len(), 2);
}

async fn a_due_message_goes_to_exactly_one_of_concurrent_claimers(db: Database) {
    let store = db.notifications();
    for i in 0..25 {
        enqueue(store.as_ref(), &refund(&format!("MM-{i}")), "ada@example.com", &format!("k:{i}"), NOW).await.unwrap();
    }
    // Not yet due: never claimed.
    enqueue(store.as_ref(), &refund("MM-LATER"), "ada@example.com", "k:later", NOW + 1000).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for _ in 0..5 {
                mine.extend(store.claim_due(NOW + 10, 60, 3).await.unwrap().into_iter().map(|m| m.id));
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for t in tasks {
        claimed.extend(t.await.unwrap());
    }
    let count = claimed.len();
    claimed.sort();
    claimed.dedup();
    assert_eq!(claimed.len(), count, "a message was claimed twice");
    assert_eq!(count, 25, "every due message was claimed once, the one due later not at all");
    let rows = all(store.as_ref()).await;
    for r in &rows {
        if r.dedupe_key == "k:later" {
            assert_eq!((r.status, r.attempts), (OutboxStatus::Queued, 0));
        } else {
            assert_eq!((r.status, r.attempts, r.locked_until), (OutboxStatus::Sending, 1, Some(NOW + 70)));
        }
    }
    // Leased: nobody gets them again before the lease runs out.
    assert!(store.claim_due(NOW + 69, 60, 100).await.unwrap().is_empty());
}

async fn an_expired_lease_lets_another_sender_take_the_message(db: Database) {
    let store = db.notifications();
    enqueue(store.as_ref(), &refund("MM-L"), "ada@example.com", "lease", NOW).await.unwrap();
    let first = store.claim_due(NOW, 60, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    // The first sender died without a word; its lease ends at NOW + 60.
    assert!(store.claim_due(NOW + 59, 60, 10).await.unwrap().is_empty());
    let second = store.claim_due(NOW + 60, 60, 10).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!((second[0].id, second[0].attempts), (first[0].id, 2), "the crashed try counts");
    store.mark_sent(second[0].id, NOW + 61).await.unwrap();
    let row = &all(store.as_ref()).await[0];
    assert_eq!((row.status, row.sent_at, row.locked_until), (OutboxStatus::Sent, Some(NOW + 61), None));
    assert!(store.claim_due(NOW + 10_000, 60, 10).await.unwrap().is_empty(), "a sent message is never claimed");
}

async fn a_successful_send_marks_it_sent(db: Database) {
    let store = db.notifications();
    enqueue(store.as_ref(), &refund("MM-OK"), "ada@example.com", "ok", NOW).await.unwrap();
    let mailer = TestMailer::default();
    let round = deliver_due(store.as_ref(), &mailer, &settings(), NOW + 1).await.unwrap();
    assert_eq!((round.claimed, round.sent, round.retried, round.failed), (1, 1, 0, 0));
    assert_eq!(*mailer.sent.lock().unwrap(), vec!["ada@example.com".to_string()]);
    let row = &all(store.as_ref()).await[0];
    assert_eq!(
        (row.status, row.attempts, row.sent_at, row.last_error.clone()),
        (OutboxStatus::Sent, 1, Some(NOW + 1), None)
    );
    // Nothing left to do.
    let again = deliver_due(store.as_ref(), &mailer, &settings(), NOW + 100_000).await.unwrap();
    assert_eq!(again.claimed, 0);
    assert_eq!(mailer.calls.load(Ordering::SeqCst), 1);
}

async fn a_failing_mailer_retries_on_the_schedule_then_gives_up(db: Database) {
    let store = db.notifications();
    let always = TestMailer { fail: usize::MAX, ..Default::default() };

    // A failed try is queued again a minute later, not a second earlier, and then goes out.
    enqueue(store.as_ref(), &refund("MM-BUSY"), "ada@example.com", "busy", NOW).await.unwrap();
    let round = deliver_due(store.as_ref(), &always, &settings(), NOW).await.unwrap();
    assert_eq!((round.claimed, round.retried), (1, 1));
    let row = &all(store.as_ref()).await[0];
    assert_eq!(
        (row.status, row.attempts, row.next_attempt_at, row.locked_until),
        (OutboxStatus::Queued, 1, NOW + 60, None)
    );
    assert_eq!(row.last_error.as_deref(), Some("450 mailbox busy (try 1)"));
    assert_eq!(deliver_due(store.as_ref(), &always, &settings(), NOW + 59).await.unwrap().claimed, 0);
    let ok = TestMailer::default();
    assert_eq!(deliver_due(store.as_ref(), &ok, &settings(), NOW + 60).await.unwrap().sent, 1);
    let row = &all(store.as_ref()).await[0];
    assert_eq!(
        (row.status, row.attempts, row.sent_at, row.last_error.clone()),
        (OutboxStatus::Sent, 2, Some(NOW + 60), None)
    );

    // One message through the whole schedule: 1 min, 5 min, 30 min, 2 h, 12 h, then failed.
    enqueue(store.as_ref(), &refund("MM-DOOMED"), "cy@example.com", "doomed", NOW).await.unwrap();
    let mut now = NOW;
    let mut waits = Vec::new();
    loop {
        let round = deliver_due(store.as_ref(), &always, &settings(), now).await.unwrap();
        assert_eq!(round.claimed, 1, "due at {now}");
        let row = all(store.as_ref()).await.into_iter().find(|r| r.dedupe_key == "doomed").unwrap();
        if row.status == OutboxStatus::Failed {
            assert_eq!(row.attempts, MAX_ATTEMPTS);
            assert!(row.last_error.is_some());
            break;
        }
        assert_eq!(row.status, OutboxStatus::Queued);
        assert!(deliver_due(store.as_ref(), &always, &settings(), row.next_attempt_at - 1).await.unwrap().claimed == 0);
        waits.push(row.next_attempt_at - now);
        now = row.next_attempt_at;
    }
    assert_eq!(waits, vec![60, 300, 1800, 7200, 43200]);
    assert_eq!(waits, (1..MAX_ATTEMPTS).map(|a| retry_delay(a).unwrap()).collect::<Vec<_>>());
    assert_eq!(
        deliver_due(store.as_ref(), &always, &settings(), now + 10 * 86400).await.unwrap().claimed,
        0,
        "a failed message stays failed"
    );
}

async fn a_slow_mailer_times_out_and_is_retried(db: Database) {
    let store = db.notifications();
    enqueue(store.as_ref(), &refund("MM-SLOW"), "ada@example.com", "slow", NOW).await.unwrap();
    let slow = TestMailer { delay: Some(Duration::from_secs(5)), ..Default::default() };
    let quick = SenderSettings { send_timeout: Duration::from_millis(100), ..settings() };
    let round = deliver_due(store.as_ref(), &slow, &quick, NOW).await.unwrap();
    assert_eq!(round.retried, 1);
    let row = &all(store.as_ref()).await[0];
    assert_eq!(row.status, OutboxStatus::Queued);
    assert!(row.last_error.as_deref().unwrap().contains("no answer"), "{row:?}");
}

// --- checkout ---------------------------------------------------------------------------

async fn one_product(db: &Database) -> i64 {
    let lamp = fixtures::item("lamp").title("Desk <Lamp> & \"Shade\"").price(2500).stock(10);
    Marketplace::new().store(store("north").name("Northwind").sells([lamp])).build(db).await.variant("lamp")
}

fn request(variant: i64, card: &str, key: &str, random: u8) -> CheckoutRequest {
    // Mixed case on purpose: the confirmation goes to the address as checkout normalised it.
    CheckoutRequest {
        email: "Ada@Example.com".into(),
        ..support::guest_checkout(vec![(variant, 2)], card, key, NOW, [random; 8])
    }
}

fn checkout_settings(db: &Database) -> CheckoutSettings {
    CheckoutSettings {
        confirmations: Some(Confirmations { store: db.notifications(), links: Links::new("https://shop.example") }),
        ..Default::default()
    }
}

async fn a_paid_checkout_queues_one_confirmation_even_when_retried(db: Database) {
    let variant = one_product(&db).await;
    let settings = checkout_settings(&db);
    let first = place_order(
        db.orders().as_ref(),
        &TestGateway,
        &settings,
        request(variant, "4242 4242 4242 4242", "notify-key-0001", 1),
    )
    .await
    .unwrap();
    let CheckoutOutcome::Paid { number } = first else { panic!("{first:?}") };
    // The shopper's browser retries the same request (say, after a timeout): the same order.
    for random in 2..4 {
        let again = place_order(
            db.orders().as_ref(),
            &TestGateway,
            &settings,
            request(variant, "4242 4242 4242 4242", "notify-key-0001", random),
        )
        .await
        .unwrap();
        assert_eq!(again, CheckoutOutcome::Paid { number: number.clone() });
    }
    let rows = all(db.notifications().as_ref()).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let m = &rows[0];
    assert_eq!(m.kind.as_str(), "order_confirmation");
    assert_eq!(m.dedupe_key, confirmation_key(&number));
    assert_eq!(m.recipient, "ada@example.com");
    assert_eq!(m.subject, format!("Your order {number} is confirmed"));
    assert_eq!(m.status, OutboxStatus::Queued);
    assert!(m.text_body.contains("2 × Desk <Lamp> & \"Shade\"  $50.00"), "{}", m.text_body);
    assert!(m.text_body.contains(&format!("https://shop.example/orders/{number}")), "{}", m.text_body);
    assert!(m.html_body.contains("Desk &lt;Lamp&gt; &amp; &quot;Shade&quot;"), "{}", m.html_body);
    assert!(!m.html_body.contains("<Lamp>"));
    // Total is what was charged: two lamps, shipping and tax as priced by checkout.
    let total = app::services::order_views::order_view(db.orders().as_ref(), &number).await.unwrap().unwrap().1.total;
    assert!(m.text_body.contains(&format!("Total paid: {total}")), "{} / {total}", m.text_body);

    // Enqueueing it again by hand (say, a repair script) is still one message.
    let msg = Message::OrderConfirmation {
        number: number.clone(),
        email: "ada@example.com".into(),
        lines: vec![MessageLine { title: "x".into(), quantity: 1, line_total: usd(1) }],
        total: usd(1),
        order_url: String::new(),
    };
    assert!(
        !enqueue(db.notifications().as_ref(), &msg, "ada@example.com", &confirmation_key(&number), NOW).await.unwrap()
    );
    assert_eq!(all(db.notifications().as_ref()).await.len(), 1);
}

async fn a_declined_checkout_queues_nothing(db: Database) {
    let variant = one_product(&db).await;
    let out = place_order(
        db.orders().as_ref(),
        &TestGateway,
        &checkout_settings(&db),
        request(variant, "4000 0000 0000 0002", "notify-key-0002", 9),
    )
    .await
    .unwrap();
    assert!(matches!(out, CheckoutOutcome::Declined { .. }), "{out:?}");
    assert!(all(db.notifications().as_ref()).await.is_empty());
}

async fn a_guest_confirmation_links_the_order_with_its_key(db: Database) {
    use app::services::checkout::place_order_with_key;
    let variant = one_product(&db).await;
    let settings = checkout_settings(&db);
    let guest = request(variant, "4242 4242 4242 4242", "notify-key-0004", 11);
    let placed = place_order_with_key(db.orders().as_ref(), &TestGateway, &settings, guest).await.unwrap();
    let CheckoutOutcome::Paid { number } = &placed.outcome else { panic!("{placed:?}") };
    let key = placed.guest_key.clone().expect("a guest's key");
    let mut signed_in = request(variant, "4242 4242 4242 4242", "notify-key-0005", 12);
    signed_in.user_id = Some(fixtures::shopper(&db, "grace@example.com", "Grace").await);
    let theirs = place_order_with_key(db.orders().as_ref(), &TestGateway, &settings, signed_in).await.unwrap();
    let CheckoutOutcome::Paid { number: their_number } = &theirs.outcome else { panic!("{theirs:?}") };
    let rows = all(db.notifications().as_ref()).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let of = |n: &str| rows.iter().find(|m| m.dedupe_key == confirmation_key(n)).unwrap().clone();
    let link = format!("https://shop.example/orders/{number}?key={key}");
    let m = of(number);
    assert!(m.text_body.contains(&link), "{}", m.text_body);
    assert!(m.html_body.contains(&format!("href=\"{link}\"")), "{}", m.html_body);
    assert!(!m.subject.contains(&key), "the key is in the link only");
    // The signed-in shopper's account opens theirs: no key in the link.
    let m = of(their_number);
    assert!(m.text_body.contains(&format!("https://shop.example/orders/{their_number}\n")), "{}", m.text_body);
    assert!(!m.text_body.contains("?key="), "{}", m.text_body);
}

/// As `server serve` runs it: `startup::shop` queues confirmations, `notify::start` points links
/// at PUBLIC_URL and starts the sender, which (without SMTP_URL) logs the message and marks it sent.
async fn the_served_shop_confirms_orders_and_its_sender_delivers_them(db: Database) {
    let variant = one_product(&db).await;
    let config =
        server::config::Config::from_lookup(|k| (k == "PUBLIC_URL").then(|| "https://shop.example/".to_string()))
            .unwrap();
    assert!(config.mail.smtp.is_none());
    let shop = server::notify::start(server::startup::shop(&db, Default::default()), &config).unwrap();
    assert_eq!(shop.links.base(), "https://shop.example");
    let mut req = request(variant, "4242 4242 4242 4242", "notify-key-0003", 5);
    req.now = app::services::clock::now();
    let out = place_order(shop.orders.as_ref(), shop.gateway.as_ref(), &shop.checkout, req).await.unwrap();
    let CheckoutOutcome::Paid { number } = out else { panic!("{out:?}") };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let row = loop {
        let rows = all(shop.notifications.as_ref()).await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        if rows[0].status == OutboxStatus::Sent {
            break rows[0].clone();
        }
        assert!(std::time::Instant::now() < deadline, "not sent in time: {:?}", rows[0]);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!((row.attempts, row.last_error), (1, None));
    assert!(row.text_body.contains(&format!("https://shop.example/orders/{number}")), "{}", row.text_body);
}

/// A minimal SMTP server on 127.0.0.1 that accepts one message (or refuses the recipient) and
/// hands back what it received.
async fn fake_smtp(refuse: bool) -> (u16, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
        let mut data = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250-fake\r\n250 8BITMIME\r\n",
                "RCPT" if refuse => b"550 5.1.1 no such mailbox\r\n",
                "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    let _ = write.write_all(b"221 bye\r\n").await;
                    break;
                }
                _ => b"502 not implemented\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
        data
    });
    (port, task)
}

fn outbox_message(recipient: &str) -> OutboxMessage {
    let r = refund("MM-SMTP").render();
    OutboxMessage {
        id: 1,
        kind: app::domain::notification::MessageKind::RefundIssued,
        recipient: recipient.into(),
        subject: r.subject,
        text_body: r.text,
        html_body: r.html,
        dedupe_key: "smtp".into(),
        status: OutboxStatus::Sending,
        attempts: 1,
        next_attempt_at: NOW,
        locked_until: Some(NOW + 60),
        last_error: None,
        created_at: NOW,
        sent_at: None,
    }
}

#[tokio::test]
async fn the_smtp_mailer_sends_text_and_html_alternatives() {
    let (port, server) = fake_smtp(false).await;
    let settings = server::notify::SmtpSettings::parse(&format!("smtp://127.0.0.1:{port}?tls=none")).unwrap();
    let mailer = server::notify::SmtpMailer::new(&settings, "Meridian Market <shop@meridian.test>").unwrap();
    mailer.send(&outbox_message("ada@example.com")).await.unwrap();
    let data = server.await.unwrap();
    assert!(data.contains("From: \"Meridian Market\" <shop@meridian.test>"), "{data}");
    assert!(data.contains("To: ada@example.com"), "{data}");
    assert!(data.contains("Subject: Refund of $19.99 for order MM-SMTP"), "{data}");
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(data.contains("text/plain") && data.contains("text/html"), "{data}");
}

#[tokio::test]
async fn the_smtp_mailer_reports_a_refusal_as_an_error() {
    let (port, _server) = fake_smtp(true).await;
    let settings = server::notify::SmtpSettings::parse(&format!("smtp://127.0.0.1:{port}?tls=none")).unwrap();
    let mailer = server::notify::SmtpMailer::new(&settings, "shop@meridian.test").unwrap();
    let err = mailer.send(&outbox_message("nobody@example.com")).await.unwrap_err();
    assert!(err.contains("550") || err.contains("no such mailbox"), "{err}");
    let bad = mailer.send(&outbox_message("not an address")).await.unwrap_err();
    assert!(bad.contains("not a valid address"), "{bad}");
}
