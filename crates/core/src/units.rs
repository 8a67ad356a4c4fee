//! Units and number formatting, as pprof prints them.
//!
//! Values are scaled between units of one kind (bytes, time, GCU), auto-scaled
//! to the largest unit that keeps them at least 1, and printed with two
//! decimals (".00" dropped). Percentages follow Go's `%5.2f` / `%5.2g`.

use std::borrow::Cow;

struct Unit {
    name: &'static str,
    aliases: &'static [&'static str],
    factor: f64,
}

struct UnitKind {
    default: Unit,
    units: &'static [Unit],
}

const fn unit(name: &'static str, aliases: &'static [&'static str], factor: f64) -> Unit {
    Unit { name, aliases, factor }
}

const NANOSECOND: f64 = 1.0;
static KINDS: [UnitKind; 3] = [
    UnitKind {
        default: unit("B", &["b", "byte"], 1.0),
        units: &[
            unit("B", &["b", "byte"], 1.0),
            unit("kB", &["kb", "kbyte", "kilobyte"], 1024.0),
            unit("MB", &["mb", "mbyte", "megabyte"], 1048576.0),
            unit("GB", &["gb", "gbyte", "gigabyte"], 1073741824.0),
            unit("TB", &["tb", "tbyte", "terabyte"], 1099511627776.0),
            unit("PB", &["pb", "pbyte", "petabyte"], 1125899906842624.0),
        ],
    },
    UnitKind {
        default: unit("s", &[], 1e9 * NANOSECOND),
        units: &[
            unit("ns", &["ns", "nanosecond"], NANOSECOND),
            unit("us", &["μs", "us", "microsecond"], 1e3 * NANOSECOND),
            unit("ms", &["ms", "millisecond"], 1e6 * NANOSECOND),
            unit("s", &["s", "sec", "second"], 1e9 * NANOSECOND),
            unit("hrs", &["hour", "hr"], 3600e9 * NANOSECOND),
        ],
    },
    UnitKind {
        default: unit("GCU", &[], 1.0),
        units: &[
            unit("n*GCU", &["nanogcu"], 1e-9),
            unit("u*GCU", &["microgcu"], 1e-6),
            unit("m*GCU", &["milligcu"], 1e-3),
            unit("GCU", &["gcu"], 1.0),
            unit("k*GCU", &["kilogcu"], 1e3),
            unit("M*GCU", &["megagcu"], 1e6),
            unit("G*GCU", &["gigagcu"], 1e9),
            unit("T*GCU", &["teragcu"], 1e12),
            unit("P*GCU", &["petagcu"], 1e15),
        ],
    },
];

impl UnitKind {
    /// Finds a unit by a loose spelling: any case, a plural 's' allowed.
    fn sniff(&self, name: &str) -> Option<&Unit> {
        let lower = name.to_lowercase();
        let name = if lower.len() > 2 { lower.strip_suffix('s').unwrap_or(&lower) } else { &lower };
        self.units.iter().find(|u| u.aliases.contains(&name))
    }

    fn auto_scale(&self, value: f64) -> Option<(f64, &'static str)> {
        let mut best: Option<&Unit> = None;
        for u in self.units {
            if u.factor >= best.map_or(0.0, |b| b.factor) && value / u.factor >= 1.0 {
                best = Some(u);
            }
        }
        best.map(|u| (value / u.factor, u.name))
    }

    fn convert(&self, value: i64, from: &str, to: &str) -> Option<(f64, &'static str)> {
        let from = self.sniff(from)?;
        let v = value as f64 * from.factor;
        if to == "minimum" || to == "auto" {
            return Some(self.auto_scale(v).unwrap_or((v / self.default.factor, self.default.name)));
        }
        Some(match self.sniff(to) {
            Some(to) => (v / to.factor, to.name),
            None => (v / self.default.factor, self.default.name),
        })
    }
}

/// Converts `value` from unit `from` to unit `to` ("minimum" and "auto" pick
/// the largest unit that keeps the value at least 1). Returns the value and
/// the unit name to print after it ("" for plain counts).
pub fn scale<'a>(value: i64, from: &str, to: &'a str) -> (f64, Cow<'a, str>) {
    if value < 0 && value != i64::MIN {
        let (v, u) = scale(-value, from, to);
        return (-v, u);
    }
    for kind in &KINDS {
        if let Some((v, u)) = kind.convert(value, from, to) {
            return (v, Cow::Borrowed(u));
        }
    }
    match to {
        "count" | "sample" | "unit" | "minimum" | "auto" => (value as f64, Cow::Borrowed("")),
        _ => (value as f64, Cow::Borrowed(to)),
    }
}

/// `value` in `from` units, scaled to `to` and printed as pprof does:
/// "1.50MB", "30MB", "0".
pub fn scaled_label(value: i64, from: &str, to: &str) -> String {
    let (v, unit) = scale(value, from, to);
    let text = go_format_f(v, 2);
    let text = text.strip_suffix(".00").unwrap_or(&text);
    if text == "0" || text == "-0" {
        return "0".to_string();
    }
    format!("{text}{unit}")
}

/// `value` in `unit`, auto-scaled: "5.01s", "48B".
pub fn label(value: i64, unit: &str) -> String {
    scaled_label(value, unit, "auto")
}

/// `value` as a percentage of `total`, five characters wide as pprof prints
/// it: " 4.25%", "  100%", "0.052%".
pub fn percentage(value: i64, total: i64) -> String {
    let ratio = if total != 0 { (value as f64 / total as f64).abs() * 100.0 } else { 0.0 };
    if (99.95..=100.05).contains(&ratio) {
        "  100%".to_string()
    } else if ratio >= 1.0 {
        format!("{:>5}%", go_format_f(ratio, 2))
    } else {
        format!("{:>5}%", go_format_g(ratio, 2))
    }
}

/// Go's `strconv.FormatFloat(x, 'f', prec, 64)` (`%.2f`): like Rust's
/// fixed formatting, except for infinities ("+Inf", "-Inf") and NaN.
pub fn go_format_f(x: f64, prec: usize) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{x:.prec$}")
    }
}

/// Go's `strconv.FormatFloat(x, 'g', prec, 64)`: `prec` significant digits,
/// exponent form below 1e-4 or at 10^prec and above, trailing zeros dropped.
pub fn go_format_g(x: f64, prec: usize) -> String {
    let prec = prec.max(1);
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    // Rust's exponent formatting rounds correctly to `prec` digits.
    let sci = format!("{:.*e}", prec - 1, x.abs());
    let (mantissa, exp) = sci.split_once('e').expect("exponent form has an 'e'");
    let exp: i32 = exp.parse().expect("exponent is an integer");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nd = digits.len() as i32;
    let dp = exp + 1;
    let mut eprec = prec as i32;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let e = dp - 1;
    if e < -4 || e >= eprec {
        // %e with min(prec, nd) significant digits.
        let shown = (prec as i32).min(nd) as usize;
        let mut out = String::from(sign);
        out.push_str(&digits[..1]);
        if shown > 1 {
            out.push('.');
            out.push_str(&digits[1..shown]);
        }
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", e.abs()));
        return out;
    }
    let p = if prec as i32 > dp { nd } else { prec as i32 };
    let decimals = (p - dp).max(0) as usize;
    // %f from the decimal digits: integer part, then `decimals` fraction digits.
    let digit = |i: i32| -> char {
        if i >= 0 && i < nd {
            digits.as_bytes()[i as usize] as char
        } else {
            '0'
        }
    };
    let mut out = String::from(sign);
    if dp > 0 {
        for i in 0..dp {
            out.push(digit(i));
        }
    } else {
        out.push('0');
    }
    if decimals > 0 {
        out.push('.');
        for i in 0..decimals as i32 {
            out.push(digit(dp + i));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_like_pprof() {
        assert_eq!(scaled_label(46661632, "bytes", "MB"), "44.50MB");
        assert_eq!(scaled_label(31457280, "bytes", "MB"), "30MB");
        assert_eq!(scaled_label(0, "bytes", "MB"), "0");
        assert_eq!(label(5_010_000_000, "nanoseconds"), "5.01s");
        assert_eq!(scaled_label(12, "count", "minimum"), "12");
        assert_eq!(scaled_label(-1536, "bytes", "auto"), "-1.50kB");
        assert_eq!(scale(90, "seconds", "minutes").1, "s", "unknown target units fall back to the default");
    }

    #[test]
    fn percentages_like_pprof() {
        assert_eq!(percentage(4450, 9634), "46.19%");
        assert_eq!(percentage(1, 1), "  100%");
        assert_eq!(percentage(0, 10), "    0%");
        assert_eq!(percentage(5, 10000), " 0.05%");
        assert_eq!(percentage(1, 3000), "0.033%");
        assert_eq!(percentage(1, 0), "    0%");
    }

    #[test]
    fn go_f_format() {
        assert_eq!(go_format_f(1.005, 2), "1.00");
        assert_eq!(go_format_f(-0.0, 2), "-0.00");
        assert_eq!(go_format_f(f64::INFINITY, 2), "+Inf");
        assert_eq!(go_format_f(f64::NEG_INFINITY, 2), "-Inf");
        assert_eq!(go_format_f(f64::NAN, 2), "NaN");
        assert_eq!(go_format_f(i64::MAX as f64 * 100.0, 2), "922337203685477580800.00");
    }

    #[test]
    fn extreme_values_format_like_go() {
        // pprof only scales negative values it can negate.
        assert_eq!(scaled_label(i64::MIN, "bytes", "minimum"), "-9223372036854775808B");
        assert_eq!(scaled_label(i64::MAX, "bytes", "minimum"), "8192PB");
        // Through float64, as in pprof.
        assert_eq!(scaled_label(i64::MAX, "count", "minimum"), "9223372036854775808");
        assert_eq!(percentage(i64::MIN, -1), "922337203685477580800.00%");
        assert_eq!(percentage(1, i64::MIN), "1.1e-17%");
    }

    #[test]
    fn go_g_format() {
        assert_eq!(go_format_g(0.5, 2), "0.5");
        assert_eq!(go_format_g(0.052, 2), "0.052");
        assert_eq!(go_format_g(0.00001234, 2), "1.2e-05");
        assert_eq!(go_format_g(0.0001234, 2), "0.00012");
        assert_eq!(go_format_g(0.999, 2), "1");
        assert_eq!(go_format_g(123.0, 2), "1.2e+02");
        assert_eq!(go_format_g(10.0, 2), "10");
    }
}
