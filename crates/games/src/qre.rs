//! Logit quantal response equilibrium (under construction).
