//! A small dense product for back-substitution: `C = A B` with `A` row-major and `B`'s rows picked from a layer's
//! weight matrix. B is packed in column strips of four so that a 4 x 4 block of `C` stays in registers while the
//! inner dimension streams (the usual GEMM micro-kernel layout, Goto & van de Geijn 2008).

use crate::nn::Layer;

const STRIP: usize = 8;

/// Packed right-hand side, reused between products.
#[derive(Debug, Clone, Default)]
pub(crate) struct PackedRows {
    data: Vec<f64>,
    depth: usize,
    width: usize,
}

impl PackedRows {
    /// Packs the rows `rows` of `layer`'s weights (each `layer.inputs()` wide).
    pub fn pack(&mut self, layer: &Layer, rows: &[usize]) {
        let width = layer.inputs();
        let strips = width.div_ceil(STRIP);
        let depth = rows.len();
        self.depth = depth;
        self.width = width;
        let size = strips * depth * STRIP;
        if self.data.len() < size {
            self.data.resize(size, 0.0);
        }
        let full = width / STRIP;
        for (kk, &r) in rows.iter().enumerate() {
            let row = layer.row(r);
            for (s, chunk) in row.chunks_exact(STRIP).enumerate() {
                let at = (s * depth + kk) * STRIP;
                self.data[at..at + STRIP].copy_from_slice(chunk);
            }
            let tail = &row[full * STRIP..];
            if !tail.is_empty() {
                let at = (full * depth + kk) * STRIP;
                let dst = &mut self.data[at..at + STRIP];
                dst.fill(0.0);
                dst[..tail.len()].copy_from_slice(tail);
            }
        }
    }

    /// `c[i][..width] = sum_kk a[i][kk] * B[kk][..]` for `rows` rows (`a` is `rows x depth`, `c` is
    /// `rows x width`, both row-major).
    pub fn multiply(&self, a: &[f64], rows: usize, c: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above; the function is otherwise safe Rust.
                unsafe { self.multiply_avx2(a, rows, c) };
                return;
            }
        }
        self.multiply_generic(a, rows, c);
    }

    /// The same code compiled for AVX2 (4-wide vectors instead of SSE2's 2; no fused multiply-add, so the
    /// results are bit-identical to the generic path).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn multiply_avx2(&self, a: &[f64], rows: usize, c: &mut [f64]) {
        self.multiply_generic(a, rows, c);
    }

    #[inline(always)]
    fn multiply_generic(&self, a: &[f64], rows: usize, c: &mut [f64]) {
        let (depth, width) = (self.depth, self.width);
        assert!(a.len() >= rows * depth && c.len() >= rows * width);
        let strips = width.div_ceil(STRIP);
        for s in 0..strips {
            let b = &self.data[s * depth * STRIP..(s + 1) * depth * STRIP];
            let j0 = s * STRIP;
            let cols = STRIP.min(width - j0);
            let mut i = 0;
            while i + 4 <= rows {
                let a0 = &a[i * depth..(i + 1) * depth];
                let a1 = &a[(i + 1) * depth..(i + 2) * depth];
                let a2 = &a[(i + 2) * depth..(i + 3) * depth];
                let a3 = &a[(i + 3) * depth..(i + 4) * depth];
                let mut acc = [[0.0f64; STRIP]; 4];
                for (kk, bk) in b.chunks_exact(STRIP).enumerate() {
                    let av = [a0[kk], a1[kk], a2[kk], a3[kk]];
                    for r in 0..4 {
                        for t in 0..STRIP {
                            acc[r][t] += av[r] * bk[t];
                        }
                    }
                }
                for r in 0..4 {
                    c[(i + r) * width + j0..(i + r) * width + j0 + cols].copy_from_slice(&acc[r][..cols]);
                }
                i += 4;
            }
            while i < rows {
                let ai = &a[i * depth..(i + 1) * depth];
                let mut acc = [0.0f64; STRIP];
                for (kk, bk) in b.chunks_exact(STRIP).enumerate() {
                    for t in 0..STRIP {
                        acc[t] += ai[kk] * bk[t];
                    }
                }
                c[i * width + j0..i * width + j0 + cols].copy_from_slice(&acc[..cols]);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_product() {
        let (inputs, outputs) = (7, 6);
        let w: Vec<f64> = (0..inputs * outputs).map(|i| (i as f64 * 0.7).sin()).collect();
        let layer = Layer::new(inputs, outputs, w, vec![0.0; outputs], true).unwrap();
        let rows = [0usize, 2, 3, 5];
        let n = 5;
        let a: Vec<f64> = (0..n * rows.len()).map(|i| (i as f64 * 1.3).cos()).collect();
        let mut p = PackedRows::default();
        p.pack(&layer, &rows);
        let mut c = vec![0.0; n * inputs];
        p.multiply(&a, n, &mut c);
        for i in 0..n {
            for j in 0..inputs {
                let want: f64 = rows
                    .iter()
                    .enumerate()
                    .map(|(kk, &r)| a[i * rows.len() + kk] * layer.row(r)[j])
                    .sum();
                assert!((c[i * inputs + j] - want).abs() < 1e-12);
            }
        }
    }
}
