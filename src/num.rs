//! Rounding of `f64` with `core` only: `f64::trunc`, `ceil`, `round` and `fract`
//! live in std, which the npm build does without. Equal to std's (a property test holds
//! them so), except that a zero result may lose its sign.

/// Every `f64` of at least this magnitude is an integer.
const INTEGRAL: f64 = 4_503_599_627_370_496.0; // 2^52

/// As `f64::trunc`.
pub fn trunc(x: f64) -> f64 {
    if x > -INTEGRAL && x < INTEGRAL {
        (x as i64) as f64
    } else {
        x // NaN, the infinities and integers too large for a fraction
    }
}

/// As `f64::fract`.
pub fn fract(x: f64) -> f64 {
    x - trunc(x)
}

/// As `f64::ceil`.
#[cfg(not(feature = "validator"))]
pub fn ceil(x: f64) -> f64 {
    let t = trunc(x);
    if x > t {
        t + 1.0
    } else {
        t
    }
}

/// As `f64::round`: half away from zero.
#[cfg(not(feature = "validator"))]
pub fn round(x: f64) -> f64 {
    let t = trunc(x);
    let d = x - t; // exact: t is x's integer part
    if d >= 0.5 {
        t + 1.0
    } else if d <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// The same value, with NaN equal to NaN (a zero's sign aside: `==` ignores it).
    fn same(a: f64, b: f64) -> bool {
        a == b || (a.is_nan() && b.is_nan())
    }

    fn check(x: f64) {
        assert!(same(super::trunc(x), x.trunc()), "trunc {x}");
        assert!(same(super::fract(x), x.fract()), "fract {x}");
        assert!(same(super::ceil(x), x.ceil()), "ceil {x}");
        assert!(same(super::round(x), x.round()), "round {x}");
    }

    #[test]
    fn rounding_agrees_with_std_at_the_edges() {
        let edges = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4_503_599_627_370_495.5,
            -4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9_007_199_254_740_993.0,
            1e300,
            -1e300,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::EPSILON,
            149.99999999999997,
        ];
        for x in edges {
            check(x);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20000, ..ProptestConfig::default() })]
        #[test]
        fn rounding_agrees_with_std(x in any::<f64>(), small in -1e7f64..1e7) {
            check(x);
            check(small);
        }
    }
}
