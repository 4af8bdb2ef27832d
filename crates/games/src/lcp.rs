//! Sequence form and Lemke's algorithm (under construction).
