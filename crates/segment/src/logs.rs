//! Logarithms of counts, read from a table: the features take about ten per line, and a
//! table lookup gives the very value the libm call gives.

use std::sync::OnceLock;

/// Counts below this are looked up.
const N_TABLE: usize = 4096;

/// `ln_1p(n)` and `ln(n)` of every count below [`N_TABLE`], as `f32` computes them.
fn tables() -> &'static (Vec<f32>, Vec<f32>) {
    static TABLES: OnceLock<(Vec<f32>, Vec<f32>)> = OnceLock::new();
    TABLES.get_or_init(|| {
        (
            (0..N_TABLE).map(|n| (n as f32).ln_1p()).collect(),
            (0..N_TABLE).map(|n| (n as f32).ln()).collect(),
        )
    })
}

/// `(n as f32).ln_1p()`.
pub fn ln_1p_count(n: usize) -> f32 {
    tables()
        .0
        .get(n)
        .copied()
        .unwrap_or_else(|| (n as f32).ln_1p())
}

/// `(n as f32).ln()`.
pub fn ln_count(n: usize) -> f32 {
    tables()
        .1
        .get(n)
        .copied()
        .unwrap_or_else(|| (n as f32).ln())
}

/// `ln_1p(|d|)` with the sign of `d`: a distance in lines, positive below.
pub fn signed_log(d: isize) -> f32 {
    let m = ln_1p_count(d.unsigned_abs());
    if d < 0 { -m } else { m }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables hold exactly what the calls compute, and past them the calls are made.
    #[test]
    fn tables_equal_the_calls() {
        for n in (0..N_TABLE + 100).chain([1 << 20, usize::MAX]) {
            assert_eq!(
                ln_1p_count(n).to_bits(),
                (n as f32).ln_1p().to_bits(),
                "{n}"
            );
            assert_eq!(ln_count(n).to_bits(), (n as f32).ln().to_bits(), "{n}");
        }
        assert_eq!(signed_log(-3).to_bits(), (-(3f32.ln_1p())).to_bits());
    }
}
