//! Checks shared by the unit tests of the state machines (order parts, payments, shipments,
//! returns). Each machine is tested against the table of its legal moves: every pair of a state and
//! an event that is not in the table must be refused, so a move added by mistake fails a test.
use std::fmt::Debug;

/// Walks every (state, event) pair: a pair in `legal` must lead to its target; any other pair must
/// be refused with exactly `refused(from, event)`.
pub fn check_every_pair<S, E, T, Err>(
    states: &[S],
    events: &[E],
    legal: &[(S, E, T)],
    apply: impl Fn(S, E) -> Result<T, Err>,
    refused: impl Fn(S, E) -> Err,
) where
    S: Copy + PartialEq + Debug,
    E: Copy + PartialEq + Debug,
    T: PartialEq + Debug,
    Err: PartialEq + Debug,
{
    let mut allowed = 0;
    for &from in states {
        for &event in events {
            let got = apply(from, event);
            match legal.iter().find(|(f, e, _)| *f == from && *e == event) {
                Some((_, _, to)) => {
                    assert_eq!(got.as_ref().ok(), Some(to), "{from:?} --{event:?}-->");
                    allowed += 1;
                }
                None => assert_eq!(got.err(), Some(refused(from, event)), "{from:?} --{event:?}--> must be refused"),
            }
        }
    }
    assert_eq!(allowed, legal.len(), "the table names a pair twice, or a state or event missing from ALL");
}

/// Every value's stored name parses back to it (the names live in the database).
pub fn names_round_trip<T: Copy + PartialEq + Debug>(
    all: &[T],
    name: impl Fn(T) -> &'static str,
    parse: impl Fn(&str) -> Option<T>,
) {
    for &v in all {
        assert_eq!(parse(name(v)), Some(v), "{v:?} is stored as {:?}", name(v));
    }
}
