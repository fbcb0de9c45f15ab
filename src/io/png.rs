//! PNG pictures of image-shaped inputs: a reference, a found input and their difference.
//!
//! Pixel values are mapped linearly from `[lo, hi]` (the domain's range, usually [0, 1]) to grey levels:
//! black for `lo` and white for `hi`, as MNIST digits are drawn. Differences are drawn on a
//! white ground, red where the input grew and blue where it shrank, full colour at the largest change.
//! Each pixel is drawn as a `scale x scale` block so that 28x28 digits are visible.

use crate::error::{Error, Result};
use std::path::Path;

/// Which `(height, width)` an input of `n` features is drawn as: `given` ("HxW") if present and consistent,
/// else 28x28 for 784 features and 8x8 for 64; `None` when the input is not image-shaped.
pub fn image_shape(n: usize, given: Option<&str>) -> Result<Option<(usize, usize)>> {
    if let Some(text) = given {
        let parsed = text
            .split_once(['x', 'X'])
            .and_then(|(h, w)| Some((h.trim().parse::<usize>().ok()?, w.trim().parse::<usize>().ok()?)));
        return match parsed {
            Some((h, w)) if h * w == n && h > 0 => Ok(Some((h, w))),
            Some((h, w)) => Err(Error::input(
                "command line",
                "--image-shape",
                format!("{h}x{w} has {} pixels but the input has {n} features", h * w),
            )),
            None => Err(Error::input(
                "command line",
                "--image-shape",
                format!("expected HxW (e.g. 28x28), got '{text}'"),
            )),
        };
    }
    Ok(match n {
        784 => Some((28, 28)),
        64 => Some((8, 8)),
        _ => None,
    })
}

/// Pixels per feature along each side, so that a picture is about 224 pixels wide.
fn scale_for(width: usize) -> usize {
    (224 / width.max(1)).clamp(1, 16)
}

/// Writes a greyscale picture of `values` (row-major `height x width`), black at `lo` and white at `hi`.
pub fn write_grey(
    path: &Path,
    values: &[f64],
    (height, width): (usize, usize),
    lo: f64,
    hi: f64,
) -> Result<()> {
    let span = if hi > lo { hi - lo } else { 1.0 };
    let pixels: Vec<[u8; 3]> = values
        .iter()
        .map(|v| {
            let g = (((v - lo) / span).clamp(0.0, 1.0) * 255.0).round() as u8;
            [g, g, g]
        })
        .collect();
    write_rgb(path, &pixels, height, width)
}

/// Writes a picture of `after - before`: red where it grew, blue where it shrank, white where equal; full colour
/// at the largest absolute change.
pub fn write_difference(
    path: &Path,
    before: &[f64],
    after: &[f64],
    (height, width): (usize, usize),
) -> Result<()> {
    let diff: Vec<f64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    let largest = diff.iter().fold(0.0_f64, |m, d| m.max(d.abs()));
    let pixels: Vec<[u8; 3]> = diff
        .iter()
        .map(|d| {
            let t = if largest > 0.0 { d.abs() / largest } else { 0.0 };
            let fade = (255.0 * (1.0 - t)).round() as u8;
            if *d > 0.0 {
                [255, fade, fade]
            } else if *d < 0.0 {
                [fade, fade, 255]
            } else {
                [255, 255, 255]
            }
        })
        .collect();
    write_rgb(path, &pixels, height, width)
}

/// Writes the reference (if any), the result and their difference into `dir` as `reference.png`, `result.png`
/// and `difference.png`; returns the paths written.
pub fn write_comparison(
    dir: &Path,
    reference: Option<&[f64]>,
    result: &[f64],
    shape: (usize, usize),
    lo: f64,
    hi: f64,
) -> Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    if let Some(r) = reference {
        let p = dir.join("reference.png");
        write_grey(&p, r, shape, lo, hi)?;
        written.push(p);
    }
    let p = dir.join("result.png");
    write_grey(&p, result, shape, lo, hi)?;
    written.push(p);
    if let Some(r) = reference {
        let p = dir.join("difference.png");
        write_difference(&p, r, result, shape)?;
        written.push(p);
    }
    Ok(written)
}

fn write_rgb(path: &Path, pixels: &[[u8; 3]], height: usize, width: usize) -> Result<()> {
    if pixels.len() != height * width {
        return Err(Error::Options(format!(
            "a {height}x{width} picture needs {} values, got {}",
            height * width,
            pixels.len()
        )));
    }
    let s = scale_for(width);
    let (h, w) = (height * s, width * s);
    let mut data = Vec::with_capacity(h * w * 3);
    for r in 0..h {
        for c in 0..w {
            data.extend_from_slice(&pixels[(r / s) * width + c / s]);
        }
    }
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let to_io = |e: png::EncodingError| Error::io(path, std::io::Error::other(e));
    let mut writer = encoder.write_header().map_err(to_io)?;
    writer.write_image_data(&data).map_err(to_io)?;
    writer.finish().map_err(to_io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(image_shape(784, None).unwrap(), Some((28, 28)));
        assert_eq!(image_shape(30, None).unwrap(), None);
        assert_eq!(image_shape(30, Some("5x6")).unwrap(), Some((5, 6)));
        assert!(image_shape(30, Some("5x5")).is_err());
        assert!(image_shape(30, Some("five")).is_err());
    }

    #[test]
    fn writes_readable_pngs() {
        let dir = tempfile::tempdir().unwrap();
        let a = vec![0.0, 0.5, 1.0, 0.25];
        let b = vec![0.25, 0.5, 0.5, 0.25];
        let paths = write_comparison(dir.path(), Some(&a), &b, (2, 2), 0.0, 1.0).unwrap();
        assert_eq!(paths.len(), 3);
        let decoder = png::Decoder::new(std::fs::File::open(&paths[2]).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (32, 32)); // at most 16x enlarged
                                                         // Top-left grew by 0.25, half the largest change (0.5): light red.
        assert_eq!(&buf[..3], &[255, 128, 128]);
    }
}
