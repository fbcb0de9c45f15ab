//! Row and column scaling: geometric-mean passes followed by equilibration, rounded to powers of two
//! so that scaling adds no rounding error (Maros 2003, sec. 6.2; Curtis & Reid).

/// Row and column scale factors: the solver works on `R A C`.
pub(crate) fn compute_scaling(ncols: usize, rows: &[Vec<(usize, f64)>]) -> (Vec<f64>, Vec<f64>) {
    let m = rows.len();
    let mut row_scale = vec![1.0; m];
    let mut col_scale = vec![1.0; ncols];
    let mut cmin = vec![f64::INFINITY; ncols];
    let mut cmax = vec![0.0f64; ncols];
    for _pass in 0..6 {
        for (i, row) in rows.iter().enumerate() {
            let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
            for &(j, a) in row {
                let v = (a * col_scale[j]).abs();
                if v > 0.0 {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            if hi > 0.0 {
                row_scale[i] = 1.0 / (lo * hi).sqrt();
            }
        }
        cmin.iter_mut().for_each(|v| *v = f64::INFINITY);
        cmax.iter_mut().for_each(|v| *v = 0.0);
        for (i, row) in rows.iter().enumerate() {
            for &(j, a) in row {
                let v = (a * row_scale[i]).abs();
                if v > 0.0 {
                    cmin[j] = cmin[j].min(v);
                    cmax[j] = cmax[j].max(v);
                }
            }
        }
        for j in 0..ncols {
            if cmax[j] > 0.0 {
                col_scale[j] = 1.0 / (cmin[j] * cmax[j]).sqrt();
            }
        }
    }
    // Equilibrate columns to a largest entry of about one.
    cmax.iter_mut().for_each(|v| *v = 0.0);
    for (i, row) in rows.iter().enumerate() {
        for &(j, a) in row {
            cmax[j] = cmax[j].max((a * row_scale[i] * col_scale[j]).abs());
        }
    }
    for j in 0..ncols {
        if cmax[j] > 0.0 {
            col_scale[j] /= cmax[j];
        }
    }
    for s in row_scale.iter_mut().chain(col_scale.iter_mut()) {
        *s = power_of_two(*s);
    }
    (row_scale, col_scale)
}

/// Scale factor for one new row given the column scales.
pub(crate) fn row_scale_for(row: &[(usize, f64)], col_scale: &[f64]) -> f64 {
    let mut hi = 0.0f64;
    for &(j, a) in row {
        hi = hi.max((a * col_scale[j]).abs());
    }
    if hi > 0.0 {
        power_of_two(1.0 / hi)
    } else {
        1.0
    }
}

fn power_of_two(s: f64) -> f64 {
    if !s.is_finite() || s <= 0.0 {
        return 1.0;
    }
    let e = s.log2().round().clamp(-40.0, 40.0);
    2f64.powi(e as i32)
}
