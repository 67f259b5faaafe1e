//! `server simulate-carriers`: plays carriers for the shipments of a running shop. For every
//! shipment not yet delivered it posts a realistic, signed sequence of tracking events (picked
//! up, two hubs, out for delivery, delivered; optionally a failed delivery attempt first) to
//! `/webhooks/carriers/{carrier}`, with optional delays and out-of-order delivery. Event ids
//! are stable, so running it twice records nothing twice.
use crate::webhooks::CarrierSecrets;
use app::domain::carriers::Carrier;
use app::domain::webhook::{CarrierEventPayload, SIGNATURE_HEADER, sign};
use app::services::fulfilment_store::{FulfilmentStore, ShipmentRef};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulatorOptions {
    /// Where the shop listens, e.g. `http://127.0.0.1:3000`.
    pub url: String,
    /// Pause between two posts.
    pub delay_ms: u64,
    /// Every third parcel has a failed delivery attempt before it arrives.
    pub exceptions: bool,
    /// Post each parcel's events in a scrambled order (the shop must still end up right).
    pub out_of_order: bool,
    /// At most this many shipments.
    pub limit: i64,
    /// Stop after this step of the journey (1 = picked up … 5 = delivered).
    pub until_step: usize,
}

impl Default for SimulatorOptions {
    fn default() -> Self {
        SimulatorOptions {
            url: "http://127.0.0.1:3000".into(),
            delay_ms: 0,
            exceptions: false,
            out_of_order: false,
            limit: 50,
            until_step: 5,
        }
    }
}

impl SimulatorOptions {
    pub fn parse(args: &[&str]) -> Result<SimulatorOptions, String> {
        let mut o = SimulatorOptions::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().copied().ok_or_else(|| format!("{name} needs a value"));
            match *arg {
                "--url" => o.url = value("--url")?.trim_end_matches('/').to_string(),
                "--delay-ms" => {
                    o.delay_ms = value("--delay-ms")?
                        .parse()
                        .ok()
                        .filter(|n| *n <= 60_000)
                        .ok_or("--delay-ms takes milliseconds from 0 to 60000")?
                }
                "--limit" => {
                    o.limit = value("--limit")?
                        .parse()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or("--limit takes a number from 1 to 10000")?
                }
                "--until" => {
                    o.until_step = match value("--until")? {
                        "picked_up" => 1,
                        "in_transit" => 3,
                        "out_for_delivery" => 4,
                        "delivered" => 5,
                        other => {
                            return Err(format!(
                                "--until takes picked_up, in_transit, out_for_delivery or delivered (got {other:?})"
                            ));
                        }
                    }
                }
                "--exceptions" => o.exceptions = true,
                "--out-of-order" => o.out_of_order = true,
                other => return Err(format!("simulate-carriers: unknown option {other:?}")),
            }
        }
        if !o.url.starts_with("http://") {
            return Err("--url must be an http:// address of the running shop".into());
        }
        Ok(o)
    }
}

/// (city, region) stops for a carrier's network: origin hub, destination hub, delivery city.
fn route(carrier: Carrier) -> [&'static str; 3] {
    match carrier.code() {
        "sf-express" | "jd-logistics" | "zto" | "china-post" => ["Shenzhen, GD", "Shanghai, SH", "Hangzhou, ZJ"],
        "royal-mail" => ["Warrington, GB", "London, GB", "Islington, GB"],
        "dhl-express" => ["Leipzig, DE", "East Midlands, GB", "London, GB"],
        _ => ["Louisville, KY", "Chicago, IL", "Evanston, IL"],
    }
}

/// The events a parcel still has ahead of it, oldest first, ending at `until_step`.
pub fn journey(
    s: &ShipmentRef,
    carrier: Carrier,
    with_exception: bool,
    until_step: usize,
    now: i64,
) -> Vec<CarrierEventPayload> {
    let [origin, hub, city] = route(carrier);
    let mut steps: Vec<(&str, &str, String)> = vec![
        ("picked_up", origin, "Picked up by the carrier".into()),
        ("in_transit", origin, "Departed the origin facility".into()),
        ("in_transit", hub, "Arrived at the destination hub".into()),
        ("out_for_delivery", city, "Out for delivery".into()),
    ];
    if with_exception {
        steps.push(("exception", city, "Delivery attempted: nobody was home. We will try again.".into()));
        steps.push(("out_for_delivery", city, "Out for delivery (second attempt)".into()));
    }
    steps.push(("delivered", city, "Delivered, left with the recipient".into()));
    // Steps already behind the parcel are skipped (their ids would be duplicates anyway).
    let done = match s.status.as_str() {
        "picked_up" => 1,
        "in_transit" => 3,
        "out_for_delivery" | "delivery_exception" => 4,
        _ => 0,
    };
    let last = if until_step >= 5 { steps.len() } else { until_step.min(4) };
    steps
        .into_iter()
        .enumerate()
        .take(last)
        .skip(done)
        .map(|(i, (kind, location, description))| CarrierEventPayload {
            event_id: format!("sim-{}-{i}", s.id),
            tracking_number: s.tracking_number.clone(),
            kind: kind.into(),
            // Ten minutes apart, the last one now: later than anything an earlier run sent.
            occurred_at: now - (last as i64 - 1 - i as i64) * 600,
            location: Some(location.into()),
            description: Some(description),
        })
        .collect()
}

/// Swaps each pair of neighbours, so every second event arrives before the one it follows
/// (deterministic; the last one, delivered, comes before "out for delivery").
fn scramble<T>(mut v: Vec<T>) -> Vec<T> {
    let mut i = v.len() % 2;
    while i + 1 < v.len() {
        v.swap(i, i + 1);
        i += 2;
    }
    v
}

/// A minimal HTTP/1.1 POST over a fresh connection: (status, body).
async fn post(url: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Result<(u16, String), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let authority = url.trim_start_matches("http://").split('/').next().unwrap_or_default().to_string();
    let mut stream =
        tokio::net::TcpStream::connect(&authority).await.map_err(|e| format!("cannot reach the shop at {url}: {e}"))?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.map_err(|e| e.to_string())?;
    stream.write_all(body).await.map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("not an HTTP response")?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

/// Runs the simulation; returns how many events were posted and accepted.
pub async fn run(store: &dyn FulfilmentStore, secrets: &CarrierSecrets, o: &SimulatorOptions) -> Result<usize, String> {
    let shipments = store.open_shipments(o.limit).await.map_err(|e| e.to_string())?;
    if shipments.is_empty() {
        println!("no shipments on their way: ship an order from the dashboard first");
        return Ok(0);
    }
    let now = app::services::clock::now();
    let mut accepted = 0;
    for (n, s) in shipments.iter().enumerate() {
        let Some(carrier) = Carrier::parse(&s.carrier) else { continue };
        let Some(secret) = secrets.get(carrier) else {
            println!(
                "{} {}: skipped, CARRIER_WEBHOOK_SECRETS has no secret for {}",
                carrier.name(),
                s.tracking_number,
                carrier.code()
            );
            continue;
        };
        let mut events = journey(s, carrier, o.exceptions && n % 3 == 0, o.until_step, now);
        if o.out_of_order {
            events = scramble(events);
        }
        for event in events {
            let body = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
            let signature = sign(secret, app::services::clock::now(), &body);
            let path = format!("/webhooks/carriers/{}", carrier.code());
            let (status, answer) = post(&o.url, &path, &[(SIGNATURE_HEADER, signature)], &body).await?;
            println!(
                "{:<12} {:<22} {:<17} {:<18} → {status} {}",
                carrier.name(),
                s.tracking_number,
                event.kind,
                event.location.as_deref().unwrap_or(""),
                answer.trim()
            );
            if status == 200 {
                accepted += 1;
            }
            if o.delay_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(o.delay_ms)).await;
            }
        }
    }
    Ok(accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment(status: &str) -> ShipmentRef {
        ShipmentRef {
            id: 7,
            carrier: "ups".into(),
            tracking_number: "1Z999AA10123456784".into(),
            status: app::domain::shipment::ShipmentStatus::parse(status).unwrap(),
            token: "t".into(),
        }
    }

    #[test]
    fn a_journey_continues_from_where_the_parcel_is_and_validates() {
        let ups = Carrier::parse("ups").unwrap();
        let now = 1_800_000_000;
        let all = journey(&shipment("label_created"), ups, false, 5, now);
        let kinds: Vec<&str> = all.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["picked_up", "in_transit", "in_transit", "out_for_delivery", "delivered"]);
        assert!(all.windows(2).all(|w| w[0].occurred_at < w[1].occurred_at));
        for e in &all {
            e.validate(ups, now).expect("the simulator sends what the webhook accepts");
        }
        let rest = journey(&shipment("in_transit"), ups, true, 5, now);
        let kinds: Vec<&str> = rest.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["out_for_delivery", "exception", "out_for_delivery", "delivered"]);
        assert_eq!(rest[0].event_id, all[3].event_id, "the same step has the same id on every run");
        let first_hops = journey(&shipment("label_created"), ups, false, 3, now);
        assert_eq!(first_hops.last().unwrap().kind, "in_transit");
    }

    #[test]
    fn scrambling_puts_no_two_neighbours_in_order() {
        for n in [5, 6, 7] {
            let v = scramble((0..n).collect::<Vec<_>>());
            assert!(v.windows(2).all(|w| w[0] + 1 != w[1]), "{v:?}");
            assert_eq!(*v.last().unwrap(), n - 2, "delivered arrives before the step before it: {v:?}");
        }
    }

    #[test]
    fn options_parse_with_clear_errors() {
        let o = SimulatorOptions::parse(&["--url", "http://127.0.0.1:3000/", "--out-of-order", "--delay-ms", "200"])
            .unwrap();
        assert_eq!((o.url.as_str(), o.out_of_order, o.delay_ms), ("http://127.0.0.1:3000", true, 200));
        assert!(SimulatorOptions::parse(&["--url", "https://x"]).unwrap_err().contains("http://"));
        assert!(SimulatorOptions::parse(&["--until", "lost"]).unwrap_err().contains("--until"));
        assert!(SimulatorOptions::parse(&["--fast"]).unwrap_err().contains("--fast"));
    }
}
