//! Per-draw random streams, so that draw *i* of an ensemble sees the same random numbers whatever
//! the number of threads or the order in which draws run.
//!
//! Draw *i* of a run with seed *s* uses ChaCha8 (D. J. Bernstein (2008), "ChaCha, a variant of
//! Salsa20") keyed by the 256-bit key that `rand_core`'s `seed_from_u64(s)` expands from *s* (a
//! PCG32 expansion, fixed by the `rand_core` 0.10 documentation), with the 64-bit **stream
//! number** (the ChaCha nonce) set to *i*. Different nonces under one key give independent
//! keystreams — they are different inputs to the ChaCha block function, not offsets into one
//! sequence — so two draws' streams never overlap, however many numbers each consumes (each
//! stream has 2⁶⁴ blocks of 64 bytes). Stream numbers ≥ 2⁶³ are reserved for auxiliary uses
//! of the same seed (see [`aux_rng`]), so ensembles have at most 2⁶³ draws.
//!
//! Uniforms for inverse-CDF sampling come from [`open_uniform`]: the top 53 bits of a `u64`,
//! centred in their cell, so they lie strictly inside (0, 1) and a normal quantile is finite.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The first stream number reserved for auxiliary streams (bootstrap resampling etc.).
pub const AUX_STREAM_BASE: u64 = 1 << 63;

/// The random stream of draw `draw` of a run with seed `seed`.
pub fn draw_rng(seed: u64, draw: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(draw);
    rng
}

/// An auxiliary stream of the same seed (stream number 2⁶³ + `k`), disjoint from every draw
/// stream; used e.g. for bootstrap resampling.
pub fn aux_rng(seed: u64, k: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(AUX_STREAM_BASE | (k & (AUX_STREAM_BASE - 1)));
    rng
}

/// A uniform number strictly inside (0, 1): `(k + 0.5) / 2⁵³` with `k` the top 53 bits of a
/// `u64`. The smallest value is 2⁻⁵⁴, the largest 1 − 2⁻⁵⁴.
#[inline]
pub fn open_uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    ((rng.next_u64() >> 11) as f64 + 0.5) * SCALE
}

/// Fills `out` with [`open_uniform`] numbers.
#[inline]
pub fn fill_uniforms<R: Rng + ?Sized>(rng: &mut R, out: &mut [f64]) {
    for u in out {
        *u = open_uniform(rng);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = {
            let mut r = draw_rng(42, 7);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = draw_rng(42, 7);
            (0..8).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        let mut c = draw_rng(42, 8);
        let mut d = draw_rng(43, 7);
        let mut e = aux_rng(42, 7);
        assert_ne!(a[0], c.next_u64());
        assert_ne!(a[0], d.next_u64());
        assert_ne!(a[0], e.next_u64());
        // Stream 8 is not stream 7 shifted: no output of stream 8's first 1000 words appears in
        // the first 1000 words of stream 7.
        let s7: std::collections::HashSet<u64> = {
            let mut r = draw_rng(1, 7);
            (0..1000).map(|_| r.next_u64()).collect()
        };
        let mut r8 = draw_rng(1, 8);
        assert!((0..1000).all(|_| !s7.contains(&r8.next_u64())));
    }

    #[test]
    fn open_uniforms_are_inside_the_interval() {
        let mut r = draw_rng(0, 0);
        let mut buf = [0.0; 1000];
        fill_uniforms(&mut r, &mut buf);
        assert!(buf.iter().all(|&u| u > 0.0 && u < 1.0));
        let mean = buf.iter().sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05);
    }
}
