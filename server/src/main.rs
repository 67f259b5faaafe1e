//! `server` serves the shop; `server migrate` and `server seed …` prepare its database;
//! `server backup` and `server restore` copy the SQLite database out and back; `server bench-search`
//! measures search.
use server::config::Config;
use server::store::{Database, redact};
use server::{seed, startup, telemetry};
use std::process::ExitCode;

// glibc's malloc and free were about 45 % of the CPU while serving pages (perf on the release
// server under wrk, issue 15): rendering allocates many short-lived strings and boxes, and
// mimalloc's per-thread free lists serve them for a fraction of the cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:
  server                      serve the shop (applies migrations first)
  server migrate              apply database migrations and exit
  server backup PATH          copy the SQLite database to the new file PATH while the shop serves
                              (PostgreSQL: prints the pg_dump commands to use instead)
  server restore PATH [--force]
                              replace the SQLite database with the backup PATH; the shop must be
                              stopped, and --force is needed if the database already holds a shop
  server seed --demo          seed the demo shop if the database has no products
  server create-admin EMAIL   create the platform admin account (the password is read from
                              standard input: typed twice, unechoed, at a terminal; one line
                              when piped), e.g. on an empty production database
  server seed --products N    add N synthetic products (benchmarks)
  server seed --store-orders N STORE
                              add N orders to the store with slug STORE (benchmarks, tests)
  server bench-search [N]     search latency percentiles over a fixed query mix, N rounds each
  server bench-orders [N]     order placement throughput and p99, N orders per load (default 2000)
  server eval-recs <file.csv|-> [--split last-basket|time:0.8] [--k 10] [--min-support 2] [--format online-retail]
                              offline evaluation of the recommender vs popularity (no database)
  server recs-synth [--users 2000] [--items 1000] [--seed 7] > synth.csv
                              a synthetic purchase log with planted co-purchase structure
  server bench-recs [--products 100000] [--lines 1000000] [--seed N]
                              similarity recompute time on synthetic orders (no database)
  server recs-refresh         recompute the recommendations (similar items, popularity) once
  server bench-recs-read [N]  recommendation read latency over N synthetic products (default 20000)
  server simulate-carriers [--url http://127.0.0.1:3000] [--delay-ms N] [--exceptions] [--out-of-order]
                           [--until picked_up|in_transit|out_for_delivery|delivered] [--limit N]
                              post signed tracking events for shipments on their way to a running shop

DATABASE_URL picks the database (default sqlite://data/shop.db); see the README for every setting.";

#[derive(Debug)]
enum Command {
    Serve,
    Migrate,
    Backup(std::path::PathBuf),
    Restore { path: std::path::PathBuf, force: bool },
    SeedDemo,
    CreateAdmin(String),
    SeedProducts(usize),
    SeedStoreOrders(usize, String),
    BenchSearch(usize),
    BenchOrders(usize),
    EvalRecs(server::recs_eval::EvalOptions),
    RecsSynth(server::recs_eval::SynthOptions),
    BenchRecs(server::bench_recs::BenchOptions),
    RecsRefresh,
    BenchRecsRead(usize),
    SimulateCarriers(server::simulator::SimulatorOptions),
    Help,
}

fn parse(args: &[String]) -> Result<Command, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["serve"] => Ok(Command::Serve),
        ["migrate"] => Ok(Command::Migrate),
        ["backup", path] if !path.starts_with('-') => Ok(Command::Backup(path.into())),
        ["backup", ..] => {
            Err(format!("backup takes the path of a new file to write, e.g. server backup shop-2026-12-06.db\n{USAGE}"))
        }
        ["restore", path] if !path.starts_with('-') => Ok(Command::Restore { path: path.into(), force: false }),
        ["restore", path, "--force"] | ["restore", "--force", path] if !path.starts_with('-') => {
            Ok(Command::Restore { path: path.into(), force: true })
        }
        ["restore", ..] => Err(format!("restore takes the path of a backup file and optionally --force\n{USAGE}")),
        ["seed", "--demo"] => Ok(Command::SeedDemo),
        ["create-admin", email] => Ok(Command::CreateAdmin(email.to_string())),
        ["seed", "--products", n] => n
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0 && *n <= 10_000_000)
            .map(Command::SeedProducts)
            .ok_or_else(|| format!("--products needs a number from 1 to 10000000, got {n:?}")),
        ["seed", "--store-orders", n, store] => n
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0 && *n <= 10_000_000)
            .map(|n| Command::SeedStoreOrders(n, store.to_string()))
            .ok_or_else(|| format!("--store-orders needs a number from 1 to 10000000, got {n:?}")),
        ["bench-search"] => Ok(Command::BenchSearch(200)),
        ["bench-search", n] => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .map(Command::BenchSearch)
            .ok_or_else(|| format!("bench-search takes a number of rounds from 1 to 100000, got {n:?}")),
        ["bench-orders"] => Ok(Command::BenchOrders(2000)),
        ["bench-orders", n] => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .map(Command::BenchOrders)
            .ok_or_else(|| format!("bench-orders takes a number of orders from 1 to 1000000, got {n:?}")),
        ["recs-refresh"] => Ok(Command::RecsRefresh),
        ["bench-recs-read"] => Ok(Command::BenchRecsRead(20_000)),
        ["bench-recs-read", n] => n
            .parse::<usize>()
            .ok()
            .filter(|n| (100..=1_000_000).contains(n))
            .map(Command::BenchRecsRead)
            .ok_or_else(|| format!("bench-recs-read takes a number of products from 100 to 1000000, got {n:?}")),
        ["simulate-carriers", rest @ ..] => {
            server::simulator::SimulatorOptions::parse(rest).map(Command::SimulateCarriers)
        }
        ["eval-recs", rest @ ..] => server::recs_eval::EvalOptions::parse(rest).map(Command::EvalRecs),
        ["recs-synth", rest @ ..] => server::recs_eval::SynthOptions::parse(rest).map(Command::RecsSynth),
        ["bench-recs", rest @ ..] => server::bench_recs::BenchOptions::parse(rest).map(Command::BenchRecs),
        ["-h"] | ["--help"] | ["help"] => Ok(Command::Help),
        _ => Err(format!("unknown arguments {:?}\n{USAGE}", args.join(" "))),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Vec<String>) -> Result<(), String> {
    let command = parse(&args)?;
    if let Command::Help = command {
        println!("{USAGE}");
        return Ok(());
    }
    // The recommendation tools work on files and memory only: no configuration, no database.
    match &command {
        Command::EvalRecs(o) => {
            print!("{}", server::recs_eval::run(o)?);
            return Ok(());
        }
        Command::RecsSynth(o) => return server::recs_eval::synth(o),
        Command::BenchRecs(o) => {
            print!("{}", server::bench_recs::run(o));
            return Ok(());
        }
        _ => {}
    }
    let config = Config::from_env()?;
    // Neither migrates: a backup copies the database as it is (a newer binary must not migrate a
    // database an older shop is serving), and a restored one is migrated when the shop starts.
    match &command {
        Command::Backup(path) => {
            let r = server::backup::backup(&config.database_url, path).await?;
            println!(
                "backed up {} to {}: {} bytes, {} orders, schema version {}, in {} ms",
                redact(&config.database_url),
                r.path.display(),
                r.bytes,
                r.orders,
                r.version,
                r.millis
            );
            return Ok(());
        }
        Command::Restore { path, force } => {
            let r = server::backup::restore(&config.database_url, path, *force).await?;
            println!(
                "restored {} into {}: {} orders, {} products, schema version {}, in {} ms{}",
                path.display(),
                r.database.display(),
                r.orders,
                r.products,
                r.version,
                r.millis,
                if r.pending > 0 {
                    format!("; {} migration(s) will run when the shop starts", r.pending)
                } else {
                    String::new()
                }
            );
            return Ok(());
        }
        _ => {}
    }
    if let (Command::SeedDemo, Some(why)) = (&command, config.production) {
        return Err(format!(
            "seed --demo is refused in production mode ({why}): the demo accounts' passwords are published"
        ));
    }
    let db = Database::connect(&config.database_url, config.max_connections).await?;
    let applied = db.migrate().await?;
    if applied > 0 {
        tracing::info!(applied, database = %redact(&config.database_url), "database migrated");
    }
    match command {
        Command::Migrate => println!("database is up to date ({applied} migration(s) applied)"),
        Command::SeedDemo => {
            let shop = startup::shop(&db, config.auth.clone());
            let report = seed::demo(&shop, &config.media_dir).await?;
            db.analyze().await?;
            if report.skipped {
                println!("the database already has products; demo seed skipped");
            } else {
                println!(
                    "seeded the demo shop: {} stores, {} categories, {} products (images in {})",
                    report.merchants,
                    report.categories,
                    report.products,
                    config.media_dir.display()
                );
            }
            // Only a database seeded in demo mode has these accounts; say so whenever they exist.
            let (_, admin_email, _) = seed::DEMO_ACCOUNTS[0];
            if shop.accounts.user_by_email(admin_email).await.map_err(|e| e.to_string())?.is_some() {
                println!("demo accounts (demo data only; never reuse these passwords):");
                for (role, email, password) in seed::DEMO_ACCOUNTS {
                    println!("  {role:<28} {email:<32} {password}");
                }
            }
        }
        Command::SeedProducts(n) => {
            let started = std::time::Instant::now();
            let report = seed::synthetic(db.catalog().as_ref(), &config.media_dir, n).await?;
            db.analyze().await?;
            println!("added {} synthetic products in {:.1}s", report.products, started.elapsed().as_secs_f64());
        }
        Command::SeedStoreOrders(n, store) => {
            let started = std::time::Instant::now();
            let now = app::services::clock::now();
            let count = seed::store_orders::store_orders(&db, &store, n, now).await?;
            println!("added {n} orders to {store} in {:.1}s; it has {count} now", started.elapsed().as_secs_f64());
        }
        Command::BenchSearch(rounds) => server::bench::run(db.catalog().as_ref(), rounds).await?,
        Command::BenchOrders(n) => server::bench_orders::run(&db, n, 16).await?,
        Command::RecsRefresh => {
            let holder = server::recs_job::holder_id();
            match server::recs_job::refresh(db.recommendations().as_ref(), &holder, app::services::clock::now()).await?
            {
                server::recs_job::Refresh::Done { order_baskets, view_baskets, products, rows, popular, millis } => {
                    println!(
                        "recommendations refreshed in {millis} ms: {order_baskets} orders and {view_baskets} viewers read, \
                         {rows} neighbours for {products} products, {popular} popular products"
                    )
                }
                server::recs_job::Refresh::Skipped => {
                    println!("another instance is refreshing the recommendations right now; nothing done")
                }
            }
        }
        Command::BenchRecsRead(n) => server::bench_recs_read::run(&db, &config.media_dir, n).await?,
        Command::SimulateCarriers(o) => {
            let posted = server::simulator::run(db.fulfilment().as_ref(), &config.carrier_secrets, &o).await?;
            println!("{posted} tracking event(s) accepted");
        }
        Command::CreateAdmin(email) => {
            let password = server::admin_cli::read_password(&email)?;
            let shop = startup::shop(&db, config.auth.clone());
            let id = app::services::accounts::create_admin(&shop, &email, &password).await.map_err(|e| {
                // A field error says what to fix ("Use at least 12 characters…").
                ["email", "password", "display_name"].iter().find_map(|f| e.field(f)).unwrap_or_else(|| e.to_string())
            })?;
            println!("created the platform admin {email} (user {id}); sign in at /login");
        }
        Command::Serve => serve(config, db.clone()).await?,
        Command::EvalRecs(_) | Command::RecsSynth(_) | Command::BenchRecs(_) => {}
        Command::Backup(_) | Command::Restore { .. } => {}
        Command::Help => {}
    }
    db.close().await;
    Ok(())
}

async fn serve(config: Config, db: Database) -> Result<(), String> {
    let options = startup::leptos_options(config.site_addr);
    let addr = options.site_addr;
    let shop = startup::with_payments(startup::shop(&db, config.auth.clone()), &config.payments)?;
    match &config.payments {
        server::config::Payments::Stripe(stripe) => tracing::info!(mode = stripe.mode(), "payments: Stripe Checkout"),
        server::config::Payments::Test => tracing::info!("payments: the built-in test gateway (no money moves)"),
    }
    if let Some(why) = config.production {
        let demo = seed::accounts_with_published_passwords(shop.accounts.as_ref()).await?;
        if !demo.is_empty() {
            return Err(format!(
                "production mode ({why}) refuses to serve while demo accounts keep their published passwords ({}); \
                 change them (start once without production mode) or use a database not seeded with --demo",
                demo.join(", ")
            ));
        }
    }
    // Before the jobs start, so their first runs are counted.
    server::observability::start(config.metrics_addr, db.clone()).await?;
    let shop = server::notify::start(shop, &config)?;
    startup::spawn_session_sweeper(shop.clone());
    startup::spawn_statistics_refresh(db.clone());
    startup::spawn_reservation_sweeper(shop.clone());
    server::recs_job::spawn(shop.recommendations.clone(), std::time::Duration::from_secs(config.recs_refresh_secs));
    let views = shop.views.clone();
    if config.carrier_secrets.is_empty() {
        tracing::info!("CARRIER_WEBHOOK_SECRETS is not set: carrier webhooks are refused");
    }
    let router = startup::router_with(shop, &db, options, &config.media_dir, config.carrier_secrets.clone());
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}; set LEPTOS_SITE_ADDR to a free address"))?;
    tracing::info!(engine = db.catalog().engine(), "serving the shop on http://{addr}");
    println!("Serving the shop at http://{addr}");
    let served = startup::serve(listener, router).await.map_err(|e| format!("server error: {e}"));
    // Views still in the buffer are written before the process ends.
    match views.flush().await {
        Ok(n) if n > 0 => tracing::info!(views = n, "buffered product views written"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "buffered product views were lost"),
    }
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_the_command_line() {
        assert!(matches!(parse(&args("")), Ok(Command::Serve)));
        assert!(matches!(parse(&args("migrate")), Ok(Command::Migrate)));
        assert!(matches!(parse(&args("seed --demo")), Ok(Command::SeedDemo)));
        assert!(matches!(parse(&args("seed --products 100000")), Ok(Command::SeedProducts(100_000))));
        assert!(parse(&args("seed --products lots")).unwrap_err().contains("--products"));
        assert!(parse(&args("seed --products 0")).is_err());
        assert!(matches!(
            parse(&args("seed --store-orders 10000 fieldcraft-outdoor")),
            Ok(Command::SeedStoreOrders(10_000, _))
        ));
        assert!(parse(&args("seed --store-orders many fieldcraft-outdoor")).unwrap_err().contains("--store-orders"));
        assert!(parse(&args("frobnicate")).unwrap_err().contains("usage"));
        assert!(matches!(parse(&args("recs-refresh")), Ok(Command::RecsRefresh)));
        assert!(matches!(parse(&args("bench-recs-read")), Ok(Command::BenchRecsRead(20_000))));
        assert!(parse(&args("bench-recs-read 5")).unwrap_err().contains("bench-recs-read"));
        assert!(matches!(parse(&args("eval-recs synth.csv --k 5")), Ok(Command::EvalRecs(_))));
        assert!(matches!(parse(&args("recs-synth --users 10")), Ok(Command::RecsSynth(_))));
        assert!(matches!(parse(&args("bench-recs --products 1000")), Ok(Command::BenchRecs(_))));
        assert!(parse(&args("eval-recs")).is_err());
    }

    #[test]
    fn parses_backup_and_restore() {
        assert!(
            matches!(parse(&args("backup /srv/backups/shop.db")), Ok(Command::Backup(p)) if p.ends_with("shop.db"))
        );
        assert!(parse(&args("backup")).unwrap_err().contains("backup takes"));
        assert!(parse(&args("backup a.db b.db")).unwrap_err().contains("backup takes"));
        assert!(parse(&args("backup --force")).unwrap_err().contains("backup takes"));
        assert!(matches!(
            parse(&args("restore shop.db")),
            Ok(Command::Restore { path, force: false }) if path.to_str() == Some("shop.db")
        ));
        assert!(matches!(parse(&args("restore shop.db --force")), Ok(Command::Restore { force: true, .. })));
        assert!(matches!(parse(&args("restore --force shop.db")), Ok(Command::Restore { force: true, .. })));
        assert!(parse(&args("restore")).unwrap_err().contains("restore takes"));
        assert!(parse(&args("restore --force")).unwrap_err().contains("restore takes"));
        assert!(parse(&args("restore shop.db --yes")).unwrap_err().contains("restore takes"));
        assert!(USAGE.contains("server backup PATH") && USAGE.contains("server restore PATH"));
    }
}
