//! The KTAB-style spatial model of politics (under construction).
