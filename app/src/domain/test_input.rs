//! Input generators for the property tests of the parsers of outside input: anything a request,
//! a file or a webhook can carry, not only what a well-behaved client sends.
use proptest::prelude::*;

/// Cases per property: enough to find a panic on odd input, few enough that unit tests stay fast.
pub const CASES: u32 = 256;

pub fn config() -> ProptestConfig {
    ProptestConfig::with_cases(CASES)
}

/// Any text: arbitrary Unicode (multi-byte, control characters, NUL, lone combining marks),
/// text made of the characters parsers split on, and now and then a huge one.
pub fn wild() -> impl Strategy<Value = String> {
    prop_oneof![
        10 => short(),
        1 => prop::collection::vec(any::<char>(), 1000..8_000).prop_map(|v| v.into_iter().collect()),
    ]
}

/// Like `wild`, without the huge ones (for tests that take many fields at once).
pub fn short() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        3 => "[ \\t\\r\\n,.;:/='\"+@#%&*()\\[\\]{}<>|\\\\^$?!~`_-]{0,40}",
        3 => "[a-zA-Z0-9 éßÀ中文🙂\\u{0}\\u{7f}\\u{200b}\\u{301}-]{0,60}",
    ]
}
