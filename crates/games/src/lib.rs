//! # leverage-games (under construction)
#![deny(missing_docs)]
