//! `server eval-recs` and `server recs-synth` end to end on files: the synthetic log's planted
//! structure is found (the recommender beats popularity), bad input is refused with its line
//! number, and shoppers with no training history are evaluated with popularity. No database.
use app::domain::recommend::eval::{self, EvalParams, Split};
use app::domain::recommend::synthetic::{self, SynthParams};
use server::recs_eval::{EvalOptions, Format, read_log, run};
use std::path::{Path, PathBuf};

/// A file in a folder of its own, removed with the folder when the test is done.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl std::ops::Deref for TempFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp_file(name: &str, text: &str) -> TempFile {
    let dir = std::env::temp_dir().join(format!("recs-eval-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    TempFile { dir, path }
}

fn synth_csv(users: u32, items: u32, seed: u64) -> String {
    let log = synthetic::generate(&SynthParams { users, items, seed, ..SynthParams::default() });
    let mut out = Vec::new();
    synthetic::write_csv(&log, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn eval_file(path: &Path, extra: &[&str]) -> Result<String, String> {
    let path = path.to_str().unwrap();
    let mut args = vec![path];
    args.extend_from_slice(extra);
    run(&EvalOptions::parse(&args)?)
}

#[test]
fn recommender_beats_popularity_on_the_synthetic_log() {
    let csv = synth_csv(2000, 1000, 7);
    // Deterministic: the same seed writes the same file.
    assert_eq!(csv, synth_csv(2000, 1000, 7));
    let log = read_log(csv.as_bytes(), Format::Plain, None).unwrap();
    assert_eq!(log.users, 2000);
    for split in [Split::LastBasket, Split::TimeFraction(0.8)] {
        let data = eval::split(&log.lines, &split);
        let r = eval::evaluate(&data, log.items.len(), &EvalParams::default());
        let (rec, pop) = (&r.all.recommender, &r.all.popularity);
        assert!(rec.users > 500, "{split:?}: {} users", rec.users);
        assert!(rec.hit_rate > pop.hit_rate, "{split:?}: hit rate {} vs {}", rec.hit_rate, pop.hit_rate);
        assert!(rec.ndcg > pop.ndcg, "{split:?}: NDCG {} vs {}", rec.ndcg, pop.ndcg);
        assert!(rec.precision > pop.precision && rec.recall > pop.recall, "{split:?}");
    }

    let path = temp_file("synth.csv", &csv);
    let out = eval_file(&path, &["--k", "10", "--min-support", "2"]).unwrap();
    for needle in ["precision@10", "recall@10", "hit rate@10", "NDCG@10", "coverage", "2000 users evaluated"] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    let hit_row = out.lines().find(|l| l.starts_with("hit rate@10")).unwrap();
    let v: Vec<f64> = hit_row.split_whitespace().skip(2).map(|x| x.parse().unwrap()).collect();
    assert_eq!(v.len(), 4, "{hit_row}");
    assert!(v[0] > v[2], "recommender vs popularity: {hit_row}");
}

#[test]
fn bad_input_is_refused_with_the_line_number() {
    let cases = [
        (
            "user,item,timestamp\na,x,1700000000\na,y,yesterday\n",
            "line 3: timestamp 'yesterday' is not unix seconds or YYYY-MM-DD HH:MM",
        ),
        ("a,x,1700000000\nb,y\n", "line 2: missing column 'timestamp'"),
        ("a,x,1700000000\nb,,1700000000\n", "line 2: empty item id"),
        ("user,item\na,x\n", "line 1: the header has no 'timestamp' column"),
        ("a,x,1700000000,many\n", "line 1: quantity 'many'"),
        ("", "the input has no transactions"),
    ];
    for (k, (text, want)) in cases.iter().enumerate() {
        let path = temp_file(&format!("bad{k}.csv"), text);
        let e = eval_file(&path, &[]).unwrap_err();
        assert!(e.starts_with(want), "{text:?}: {e}");
    }
    // Unknown ids against a catalogue.
    let items = temp_file("items.csv", "item,description\nx,Mug\ny,Plate\n");
    let path = temp_file("unknown.csv", "a,x,1700000000\na,y,1700000000\na,z,1700086400\n");
    let e = eval_file(&path, &["--items", items.to_str().unwrap()]).unwrap_err();
    assert_eq!(e, "line 3: unknown item 'z' (not in the --items catalogue)");
    // Options and files.
    assert!(eval_file(&path, &["--split", "sideways"]).unwrap_err().contains("--split"));
    assert!(run(&EvalOptions::parse(&["/nonexistent/recs.csv"]).unwrap()).unwrap_err().contains("cannot open"));
    let gz = temp_file("t.csv.gz", "");
    assert!(eval_file(&gz, &[]).unwrap_err().contains("zcat"));
    // Nothing to hold out.
    let single = temp_file("single.csv", "a,x,1700000000\nb,y,1700000000\n");
    assert!(eval_file(&single, &[]).unwrap_err().contains("no user has two baskets"));
}

#[test]
fn shoppers_with_no_training_history_get_popularity_and_are_counted() {
    // Time split at 2024-01-10: u3 only buys afterwards.
    let text = "user,item,timestamp\n\
                u1,A,2024-01-01 10:00\nu1,B,2024-01-01 10:00\n\
                u2,A,2024-01-02 11:00\nu2,B,2024-01-02 11:00\nu2,C,2024-01-03\n\
                u1,C,2024-01-12\nu3,A,2024-01-15T09:30:00Z\n";
    let path = temp_file("cold.csv", text);
    let out = eval_file(&path, &["--split", "time:2024-01-10", "--min-support", "1"]).unwrap();
    assert!(out.contains("2 users evaluated (1 with no training history, given popularity)"), "{out}");
    assert!(out.contains("the 1 users with training history"), "{out}");
}

#[test]
fn online_retail_format_uses_invoices_as_baskets() {
    let text = "user,item,timestamp,quantity,basket\n\
                17850,85123A,2010-12-01T08:26:00Z,6,536365\n17850,71053,2010-12-01T08:26:00Z,6,536365\n\
                17850,85123A,2010-12-01T08:27:00Z,6,536366\n\
                13047,71053,2010-12-02T09:00:00Z,2,536367\n13047,85123A,2010-12-02T09:00:00Z,2,536367\n\
                13047,22423,2010-12-05T09:00:00Z,1,536370\n";
    let log = read_log(text.as_bytes(), Format::OnlineRetail, None).unwrap();
    assert_eq!((log.users, log.baskets, log.items.len()), (2, 4, 3));
    assert_eq!(log.items, vec!["22423", "71053", "85123A"]);
    let e =
        read_log("17850,85123A,2010-12-01T08:26:00Z,6,536365\n".as_bytes(), Format::OnlineRetail, None).unwrap_err();
    assert!(e.contains("expects the header"), "{e}");
    let path = temp_file("or.csv", text);
    let out = eval_file(&path, &["--format", "online-retail", "--min-support", "1"]).unwrap();
    assert!(out.contains("2 users evaluated"), "{out}");
}
