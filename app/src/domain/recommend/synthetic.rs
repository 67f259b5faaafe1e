//! A seeded generator of transactions with a planted co-purchase structure.
