//! Go's integer and float-conversion semantics, for arithmetic on sample
//! values.
//!
//! pprof adds, subtracts, multiplies and divides sample values as Go
//! `int64`s: overflow wraps, `MinInt64 / -1` is `MinInt64`, and `abs` of
//! `MinInt64` is `MinInt64` (pprof's `abs64` negates). Converting a float
//! that is NaN or out of range to `int64` gives `MinInt64` on amd64, where
//! the reference output comes from. Doing the same here keeps every number
//! equal to `go tool pprof`'s on extreme inputs, and means no overflow
//! check can panic on a hostile profile, in any build profile.
//!
//! Every combination of sample values in proflens-core goes through these
//! helpers rather than `+`, `-`, `*`, `/`, `abs` or `as`.

/// `a + b` with Go's wrapping.
#[inline]
pub fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// `a - b` with Go's wrapping.
#[inline]
pub fn sub(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b)
}

/// `a * b` with Go's wrapping.
#[inline]
pub fn mul(a: i64, b: i64) -> i64 {
    a.wrapping_mul(b)
}

/// `a / b` as Go divides: truncated, and `MinInt64 / -1 == MinInt64`.
/// Go panics on a zero divisor, so pprof checks for one first; so must the
/// callers. A zero divisor gives 0 here rather than a panic.
#[inline]
pub fn div(a: i64, b: i64) -> i64 {
    if b == 0 {
        0
    } else {
        a.wrapping_div(b)
    }
}

/// `-a` with Go's wrapping (`-MinInt64 == MinInt64`).
#[inline]
pub fn neg(a: i64) -> i64 {
    a.wrapping_neg()
}

/// pprof's `abs64`: `-a` for negative `a`, so `abs(MinInt64)` is
/// `MinInt64`, which is negative.
#[inline]
pub fn abs(a: i64) -> i64 {
    a.wrapping_abs()
}

/// The wrapping sum of `values`, as a Go loop of `+=` computes it.
pub fn sum(values: impl IntoIterator<Item = i64>) -> i64 {
    values.into_iter().fold(0, add)
}

/// Go's `int64(f)` on amd64: truncation toward zero, and `MinInt64` for NaN
/// and for values outside the range of `int64` (where Rust's `as`
/// saturates instead).
#[inline]
pub fn f64_to_i64(f: f64) -> i64 {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-TWO_POW_63..TWO_POW_63).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ops_wrap_like_go() {
        assert_eq!(add(i64::MAX, 1), i64::MIN);
        assert_eq!(sub(i64::MIN, 1), i64::MAX);
        assert_eq!(mul(i64::MIN, 5), i64::MIN);
        assert_eq!(mul(i64::MAX, 2), -2);
        assert_eq!(div(i64::MIN, -1), i64::MIN);
        assert_eq!(div(-7, 2), -3, "Go truncates toward zero");
        assert_eq!(div(5, 0), 0);
        assert_eq!(neg(i64::MIN), i64::MIN);
        assert_eq!(abs(i64::MIN), i64::MIN);
        assert_eq!(abs(-3), 3);
        assert_eq!(sum([i64::MAX, i64::MAX, 1]), -1);
    }

    #[test]
    fn float_conversion_is_amd64s() {
        assert_eq!(f64_to_i64(f64::NAN), i64::MIN);
        assert_eq!(f64_to_i64(f64::INFINITY), i64::MIN);
        assert_eq!(f64_to_i64(f64::NEG_INFINITY), i64::MIN);
        assert_eq!(f64_to_i64(9.3e18), i64::MIN);
        assert_eq!(f64_to_i64(-9_223_372_036_854_775_808.0), i64::MIN);
        assert_eq!(f64_to_i64(-2.9), -2);
        assert_eq!(f64_to_i64(1e18), 1_000_000_000_000_000_000);
    }
}
