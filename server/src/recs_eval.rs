//! `server eval-recs` (offline evaluation of the recommender against a popularity baseline) and
//! `server recs-synth` (a synthetic purchase log with planted co-purchase structure). Neither
//! touches the database.
//!
//! Input: CSV `user,item,timestamp[,quantity[,basket]]`, header optional (with a header the
//! columns are found by name and may come in any order). Timestamps are unix seconds or ISO-8601
//! `YYYY-MM-DD[ HH:MM[:SS]]` (`T` or space, optional `Z`). Without a basket column a basket is
//! one user's lines at one timestamp. `--format online-retail` reads the cleaned Online Retail
//! data set (`/work/shared/datasets/online-retail`), whose baskets are invoices: decompress it
//! first, `zcat transactions.csv.gz | server eval-recs - --format online-retail`.
use app::domain::recommend::eval::{self, EvalParams, Line, Report, Split, Summary};
use app::domain::recommend::eval_repeat::{self, Grid, RepeatReport};
use app::domain::recommend::synthetic::{self, SynthParams};
use std::collections::{HashMap, HashSet};
use std::io::Read;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `user,item,timestamp[,quantity[,basket]]`, header optional.
    Plain,
    /// The cleaned Online Retail data set: header `user,item,timestamp,quantity,basket`, basket = invoice.
    OnlineRetail,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EvalOptions {
    /// A file, or `-` for standard input.
    pub path: String,
    pub split: Split,
    pub format: Format,
    /// Optional catalogue (first column = item id): items not in it are an error.
    pub items: Option<String>,
    pub params: EvalParams,
}

pub const EVAL_USAGE: &str = "server eval-recs <file.csv|-> [--split last-basket|time:0.8|time:YYYY-MM-DD] [--k 10] \
[--min-support 2] [--top-n 20] [--prior 1] [--half-life-days 30] [--format plain|online-retail] [--items items.csv]";

fn number<T: std::str::FromStr>(
    flag: &str,
    v: Option<&&str>,
    ok: impl Fn(&T) -> bool,
    what: &str,
) -> Result<T, String> {
    let v = v.ok_or_else(|| format!("{flag} needs a value ({what})"))?;
    v.parse::<T>().ok().filter(|x| ok(x)).ok_or_else(|| format!("{flag} takes {what}, got {v:?}"))
}

impl EvalOptions {
    pub fn parse(args: &[&str]) -> Result<EvalOptions, String> {
        let mut path = None;
        let mut o = EvalOptions {
            path: String::new(),
            split: Split::LastBasket,
            format: Format::Plain,
            items: None,
            params: EvalParams::default(),
        };
        let mut i = 0;
        while i < args.len() {
            let flag = args[i];
            let v = args.get(i + 1);
            match flag {
                "--split" => o.split = Split::parse(v.ok_or("--split needs a value")?)?,
                "--k" => o.params.k = number(flag, v, |k: &usize| (1..=1000).contains(k), "a number from 1 to 1000")?,
                "--min-support" => {
                    o.params.similarity.min_support =
                        number(flag, v, |m: &u32| (1..=1_000_000).contains(m), "a number of baskets, at least 1")?
                }
                "--top-n" => {
                    o.params.similarity.top_n =
                        number(flag, v, |n: &usize| (1..=10_000).contains(n), "a number from 1 to 10000")?
                }
                "--prior" => {
                    o.params.prior_weight = number(
                        flag,
                        v,
                        |l: &f64| *l >= 0.0 && l.is_finite(),
                        "a weight of 0 or more (0 is the plain average)",
                    )?
                }
                "--half-life-days" => {
                    o.params.weights.half_life_days =
                        number(flag, v, |h: &f64| *h >= 0.0 && h.is_finite(), "days (0 turns decay off)")?
                }
                "--format" => {
                    o.format = match v.copied() {
                        Some("plain") => Format::Plain,
                        Some("online-retail") => Format::OnlineRetail,
                        other => return Err(format!("--format is plain or online-retail, got {other:?}")),
                    }
                }
                "--items" => o.items = Some(v.ok_or("--items needs a file")?.to_string()),
                p if !p.starts_with("--") || p == "-" => {
                    if path.replace(p.to_string()).is_some() {
                        return Err(format!("one input file only\nusage: {EVAL_USAGE}"));
                    }
                    i += 1;
                    continue;
                }
                other => return Err(format!("unknown option {other:?}\nusage: {EVAL_USAGE}")),
            }
            i += 2;
        }
        o.path = path.ok_or_else(|| format!("eval-recs needs an input file\nusage: {EVAL_USAGE}"))?;
        Ok(o)
    }
}

/// The parsed log: lines with dense ids, and the names behind the ids.
#[derive(Debug, Default)]
pub struct Log {
    pub lines: Vec<Line>,
    /// Item names by id (ids are assigned in name order, so ties by id are ties by name).
    pub items: Vec<String>,
    pub users: usize,
    pub baskets: usize,
}

struct Columns {
    user: usize,
    item: usize,
    timestamp: usize,
    quantity: Option<usize>,
    basket: Option<usize>,
}

/// Reads a purchase log. Errors name the line: `line 12: timestamp 'yesterday' is not unix seconds or YYYY-MM-DD HH:MM`.
pub fn read_log<R: Read>(input: R, format: Format, known_items: Option<&HashSet<String>>) -> Result<Log, String> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(input);
    let mut cols = Columns { user: 0, item: 1, timestamp: 2, quantity: Some(3), basket: Some(4) };
    let mut raw: Vec<(String, String, i64, Option<String>)> = Vec::new();
    let mut first = true;
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| match e.position() {
            Some(p) => format!("line {}: {e}", p.line()),
            None => e.to_string(),
        })?;
        if !more {
            break;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if first {
            first = false;
            if record.iter().any(|f| ["user", "item", "timestamp"].iter().any(|n| f.eq_ignore_ascii_case(n))) {
                let find = |name: &str| record.iter().position(|f| f.eq_ignore_ascii_case(name));
                let need =
                    |name: &str| find(name).ok_or_else(|| format!("line {line}: the header has no '{name}' column"));
                cols = Columns {
                    user: need("user")?,
                    item: need("item")?,
                    timestamp: need("timestamp")?,
                    quantity: find("quantity"),
                    basket: find("basket"),
                };
                if format == Format::OnlineRetail && cols.basket.is_none() {
                    return Err(format!(
                        "line {line}: --format online-retail expects the header user,item,timestamp,quantity,basket"
                    ));
                }
                continue;
            }
            if format == Format::OnlineRetail {
                return Err(format!(
                    "line {line}: --format online-retail expects the header user,item,timestamp,quantity,basket"
                ));
            }
        }
        let field = |k: usize, name: &str| -> Result<&str, String> {
            match record.get(k) {
                None => Err(format!(
                    "line {line}: missing column '{name}' (expected user,item,timestamp[,quantity[,basket]], got {} field(s))",
                    record.len()
                )),
                Some("") => Err(format!("line {line}: empty {name} id")),
                Some(v) => Ok(v),
            }
        };
        let user = field(cols.user, "user")?;
        let item = field(cols.item, "item")?;
        let ts = record.get(cols.timestamp).ok_or_else(|| {
            format!("line {line}: missing column 'timestamp' (expected user,item,timestamp[,quantity[,basket]])")
        })?;
        let at = eval::parse_timestamp(ts).map_err(|e| format!("line {line}: {e}"))?;
        if let Some(q) = cols.quantity.and_then(|k| record.get(k)).filter(|q| !q.is_empty())
            && !q.parse::<u64>().is_ok_and(|q| q >= 1)
        {
            return Err(format!("line {line}: quantity '{q}' is not a whole number of at least 1"));
        }
        if let Some(known) = known_items
            && !known.contains(item)
        {
            return Err(format!("line {line}: unknown item '{item}' (not in the --items catalogue)"));
        }
        let basket = match cols.basket.and_then(|k| record.get(k)) {
            Some("") if format == Format::OnlineRetail => return Err(format!("line {line}: empty basket id")),
            Some("") | None => None,
            Some(b) => Some(b.to_string()),
        };
        raw.push((user.to_string(), item.to_string(), at, basket));
    }
    if raw.is_empty() {
        return Err("the input has no transactions".into());
    }
    let mut items: Vec<String> = raw.iter().map(|r| r.1.clone()).collect::<HashSet<_>>().into_iter().collect();
    items.sort();
    let item_id: HashMap<&str, i64> = items.iter().enumerate().map(|(k, s)| (s.as_str(), k as i64)).collect();
    let mut users: HashMap<&str, u32> = HashMap::new();
    let mut named_baskets: HashMap<&str, u32> = HashMap::new();
    let mut time_baskets: HashMap<(u32, i64), u32> = HashMap::new();
    let mut n_baskets = 0u32;
    let mut lines = Vec::with_capacity(raw.len());
    for (user, item, at, basket) in &raw {
        let next = users.len() as u32;
        let user = *users.entry(user.as_str()).or_insert(next);
        let basket = match basket {
            Some(b) => *named_baskets.entry(b.as_str()).or_insert_with(|| {
                n_baskets += 1;
                n_baskets - 1
            }),
            None => *time_baskets.entry((user, *at)).or_insert_with(|| {
                n_baskets += 1;
                n_baskets - 1
            }),
        };
        lines.push(Line { user, item: item_id[item.as_str()], at: *at, basket });
    }
    Ok(Log { users: users.len(), baskets: n_baskets as usize, lines, items })
}

fn read_catalogue(path: &str) -> Result<HashSet<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut out = HashSet::new();
    for (k, l) in text.lines().enumerate() {
        let id = l.split(',').next().unwrap_or("").trim();
        if id.is_empty() || (k == 0 && id.eq_ignore_ascii_case("item")) {
            continue;
        }
        out.insert(id.to_string());
    }
    Ok(out)
}

fn open(path: &str) -> Result<Box<dyn Read>, String> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    if path.ends_with(".gz") {
        return Err(format!("{path} is compressed: decompress it first, e.g. `zcat {path} | server eval-recs - …`"));
    }
    let f = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    Ok(Box::new(std::io::BufReader::new(f)))
}

/// Runs the evaluation and returns the printed report.
pub fn run(o: &EvalOptions) -> Result<String, String> {
    let started = std::time::Instant::now();
    let known = o.items.as_deref().map(read_catalogue).transpose()?;
    let log = read_log(open(&o.path)?, o.format, known.as_ref())?;
    let data = eval::split(&log.lines, &o.split);
    if data.test.is_empty() {
        return Err(match o.split {
            Split::LastBasket => "no user has two baskets: nothing to hold out (try --split time:0.8)".into(),
            _ => "no transactions after the time cut: nothing to test".into(),
        });
    }
    let report = eval::evaluate(&data, log.items.len(), &o.params);
    let repeat = eval_repeat::evaluate_repeat(&data, &o.split, log.items.len(), &o.params, &Grid::default());
    let mut out = repeat_tables(o.params.k, &repeat);
    out.insert_str(0, &format_report(o, &log, &report, started.elapsed()));
    Ok(out)
}

/// The repeat-aware blend against the baselines: whole basket, repeat items only, new items only.
fn repeat_tables(k: usize, r: &RepeatReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let (t, v) = (&r.tuned, &r.validation);
    let _ = writeln!(
        s,
        "\nrepeat-aware blend (R·w_r + E·w_e + P·w_p) / Σw, tuned on a {} split of the training lines \
         ({} lines, {} validation users, {} grid points): half-life {} days, w_r {}, w_e {}, w_p {} (validation NDCG@{k} {:.4})",
        split_name(&v.split),
        v.train_lines,
        v.users,
        v.grid_points,
        t.half_life_days,
        t.repeat,
        t.explore,
        t.popularity,
        v.ndcg
    );
    let (f, fv) = (&r.for_you, &r.for_you_validation);
    let _ = writeln!(
        s,
        "repeat-aware for you (the shop's: explore (w_k·K + w_t·T)/(w_k + w_t), then repeats), tuned on a {} split \
         ({} validation users, {} grid points): w_k {}, w_t {}, trend half-life {} days, repeats with f ≥ {} take at most \
         {:.0} % of the list; validation NDCG@{k} whole {:.4}, new items {:.4} (item-kNN alone {:.4}: {})",
        split_name(&fv.split),
        fv.users,
        fv.grid_points,
        f.knn,
        f.trend,
        f.trend_half_life_days,
        f.repeat_min,
        f.repeat_share * 100.0,
        fv.whole_ndcg,
        fv.new_ndcg,
        fv.knn_new_ndcg,
        if fv.constraint_met {
            "no worse on new items"
        } else {
            "NO setting matched it on new items; the best on new items was taken"
        }
    );
    let _ = writeln!(s, "held-out (user, item) pairs the user had bought before: {:.1} %", r.repeat_fraction * 100.0);
    let parts: [(&str, fn(&eval_repeat::Breakdown) -> &Summary); 4] = [
        ("whole basket", |b| &b.whole),
        ("repeat items only", |b| &b.repeat),
        ("new items only", |b| &b.new),
        ("whole basket, users seen in training only", |b| &b.seen),
    ];
    for (title, part) in parts {
        let users = r.methods.first().map(|b| part(b).users).unwrap_or(0);
        let _ = writeln!(s, "\n{title} ({users} users):");
        let _ = writeln!(
            s,
            "{:<36}{:>13}{:>11}{:>13}{:>10}{:>10}{:>14}",
            "",
            format!("precision@{k}"),
            format!("recall@{k}"),
            format!("hit rate@{k}"),
            format!("NDCG@{k}"),
            "coverage",
            "repeat share"
        );
        for b in &r.methods {
            let m = part(b);
            let _ = writeln!(
                s,
                "{:<36}{:>13.4}{:>11.4}{:>13.4}{:>10.4}{:>10.4}{:>14.3}",
                b.name, m.precision, m.recall, m.hit_rate, m.ndcg, m.coverage, b.repeat_share
            );
        }
    }
    s
}

fn split_name(s: &Split) -> String {
    match s {
        Split::LastBasket => "last basket per user".into(),
        Split::TimeFraction(f) => format!("time split at {:.0} % of the lines", f * 100.0),
        Split::TimeAt(t) => format!("time split at {}", app::domain::dates::ymd_hm(*t)),
    }
}

pub fn format_report(o: &EvalOptions, log: &Log, r: &Report, took: std::time::Duration) -> String {
    use std::fmt::Write;
    let p = &o.params;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "input: {} lines, {} users, {} items, {} baskets",
        log.lines.len(),
        log.users,
        log.items.len(),
        log.baskets
    );
    let _ = writeln!(
        s,
        "split: {}; training {} lines in {} baskets; {} users evaluated ({} with no training history, given popularity)",
        split_name(&o.split),
        r.train_lines,
        r.train_baskets,
        r.all.recommender.users,
        r.cold_users
    );
    let _ = writeln!(
        s,
        "similarity: cosine, min support {}, top {} per item: {} of {} co-occurring pairs kept, {} items with neighbours{}",
        p.similarity.min_support,
        p.similarity.top_n,
        r.similarity.pairs_kept,
        r.similarity.pairs_seen,
        r.similarity.items,
        if r.similarity.skipped_baskets > 0 {
            format!(
                ", {} baskets over {} items skipped",
                r.similarity.skipped_baskets,
                app::domain::recommend::MAX_BASKET_ITEMS
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "interest: purchases, half-life {} days; {} of {} users' lists topped up with popularity",
        p.weights.half_life_days, r.topped_up, r.all.recommender.users
    );
    table(&mut s, &format!("all {} test users", r.all.recommender.users), p.k, &r.all);
    if r.cold_users > 0 {
        table(&mut s, &format!("the {} users with training history", r.warm.recommender.users), p.k, &r.warm);
    }
    let _ = writeln!(
        s,
        "\nrecommender = the shop's ranking, (Σ sim·r + λ·0) / (Σ sim + λ) with λ = {} (predict_with_prior); \
         plain avg = Σ sim·r / Σ sim (predict, λ = 0); both topped up with popularity",
        p.prior_weight
    );
    let _ = writeln!(
        s,
        "popularity = most-purchased in training (distinct baskets) without the user's own purchases; \
         popularity (all) = the same top {} for everyone, bought items included (the Online Retail README baseline)",
        p.k
    );
    let _ = writeln!(s, "took {:.1}s", took.as_secs_f64());
    s
}

fn table(s: &mut String, title: &str, k: usize, t: &eval::Table) {
    use std::fmt::Write;
    let _ = writeln!(s, "\n{title}:");
    let _ =
        writeln!(s, "{:<16}{:>14}{:>14}{:>14}{:>18}", "", "recommender", "plain avg", "popularity", "popularity (all)");
    let row = |s: &mut String, name: String, f: fn(&Summary) -> f64| {
        let _ = writeln!(
            s,
            "{name:<16}{:>14.4}{:>14.4}{:>14.4}{:>18.4}",
            f(&t.recommender),
            f(&t.plain_average),
            f(&t.popularity),
            f(&t.popularity_all)
        );
    };
    row(s, format!("precision@{k}"), |m| m.precision);
    row(s, format!("recall@{k}"), |m| m.recall);
    row(s, format!("hit rate@{k}"), |m| m.hit_rate);
    row(s, format!("NDCG@{k}"), |m| m.ndcg);
    row(s, "coverage".into(), |m| m.coverage);
}

#[derive(Clone, Debug, PartialEq)]
pub struct SynthOptions(pub SynthParams);

pub const SYNTH_USAGE: &str = "server recs-synth [--users 2000] [--items 1000] [--seed 7] > synth.csv";

impl SynthOptions {
    pub fn parse(args: &[&str]) -> Result<SynthOptions, String> {
        let mut p = SynthParams::default();
        let mut i = 0;
        while i < args.len() {
            let flag = args[i];
            let v = args.get(i + 1);
            match flag {
                "--users" => {
                    p.users = number(flag, v, |n: &u32| (1..=10_000_000).contains(n), "a number from 1 to 10000000")?
                }
                "--items" => {
                    p.items = number(flag, v, |n: &u32| (2..=10_000_000).contains(n), "a number from 2 to 10000000")?
                }
                "--seed" => p.seed = number(flag, v, |_: &u64| true, "a whole number")?,
                other => return Err(format!("unknown option {other:?}\nusage: {SYNTH_USAGE}")),
            }
            i += 2;
        }
        Ok(SynthOptions(p))
    }
}

/// Writes the synthetic log as CSV to standard output.
pub fn synth(o: &SynthOptions) -> Result<(), String> {
    let log = synthetic::generate(&o.0);
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::new(stdout);
    synthetic::write_csv(&log, &mut out).map_err(|e| e.to_string())?;
    std::io::Write::flush(&mut out).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Log, String> {
        read_log(text.as_bytes(), Format::Plain, None)
    }

    #[test]
    fn reads_with_or_without_header_and_makes_baskets() {
        let log = read("user,item,timestamp\na,x,2024-01-01 10:00\na,y,2024-01-01 10:00\nb,x,1700000000\n").unwrap();
        assert_eq!(log.lines.len(), 3);
        assert_eq!((log.users, log.items.len(), log.baskets), (2, 2, 2));
        let log = read("a,x,1700000000,2\na,y,1700000000,1\n").unwrap();
        assert_eq!(log.baskets, 1);
        let log = read("timestamp,item,user,basket\n1,x,a,b1\n2,y,a,b1\n").unwrap();
        assert_eq!(log.baskets, 1);
        assert_eq!(log.lines[1].at, 2);
    }

    #[test]
    fn bad_input_names_the_line() {
        let e = read("user,item,timestamp\na,x,1\na,y,yesterday\n").unwrap_err();
        assert_eq!(e, "line 3: timestamp 'yesterday' is not unix seconds or YYYY-MM-DD HH:MM");
        let e = read("a,x,1\nb,y\n").unwrap_err();
        assert!(e.starts_with("line 2: missing column 'timestamp'"), "{e}");
        let e = read("a,x,1\n,y,1\n").unwrap_err();
        assert_eq!(e, "line 2: empty user id");
        let e = read("a,x,1,0\n").unwrap_err();
        assert!(e.starts_with("line 1: quantity '0'"), "{e}");
        let e = read("user,item\na,x\n").unwrap_err();
        assert_eq!(e, "line 1: the header has no 'timestamp' column");
        let known: HashSet<String> = ["x".to_string()].into_iter().collect();
        let e = read_log("a,x,1\na,zz,1\n".as_bytes(), Format::Plain, Some(&known)).unwrap_err();
        assert_eq!(e, "line 2: unknown item 'zz' (not in the --items catalogue)");
        assert!(read("").is_err());
        let e = read_log("a,x,1,1,b\n".as_bytes(), Format::OnlineRetail, None).unwrap_err();
        assert!(e.contains("online-retail expects the header"), "{e}");
    }

    #[test]
    fn options_parse() {
        let o = EvalOptions::parse(&["f.csv", "--split", "time:0.8", "--k", "5", "--min-support", "3"]).unwrap();
        assert_eq!(o.path, "f.csv");
        assert_eq!(o.split, Split::TimeFraction(0.8));
        assert_eq!((o.params.k, o.params.similarity.min_support), (5, 3));
        assert!(EvalOptions::parse(&["--k", "5"]).is_err());
        assert!(EvalOptions::parse(&["f.csv", "--k", "zero"]).is_err());
        assert!(EvalOptions::parse(&["f.csv", "--bogus", "1"]).is_err());
        assert_eq!(EvalOptions::parse(&["-"]).unwrap().path, "-");
        let s = SynthOptions::parse(&["--users", "10", "--items", "50", "--seed", "3"]).unwrap();
        assert_eq!((s.0.users, s.0.items, s.0.seed), (10, 50, 3));
    }
}
