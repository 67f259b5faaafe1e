//! Offline evaluation of recommendations: top-k metrics and train/test splits.
