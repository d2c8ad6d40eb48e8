//! What an uploaded file is and what we derive from it. The type comes from the file's bytes
//! (never from the client's `Content-Type`); images are decoded within bounds, re-encoded
//! (JPEG and PNG: that drops EXIF data such as a phone's GPS position), and get a thumbnail and
//! a blurhash. CPU work runs on the blocking pool.

use std::io::Cursor;

use axum::body::Bytes;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use serde_json::{json, Value};

/// Largest width or height of an image we decode (a decompression bomb stops here).
pub const MAX_IMAGE_SIDE: u32 = 8192;
/// Largest number of pixels of an image (Mastodon's `image_matrix_limit`).
pub const MAX_IMAGE_PIXELS: u64 = 33_177_600;
/// Longest side of a thumbnail.
pub const THUMBNAIL_SIDE: u32 = 640;

/// Mastodon's attachment types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Image,
    Video,
    Audio,
    /// Documents (PDF): shown as a link.
    Unknown,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Video => "video",
            Kind::Audio => "audio",
            Kind::Unknown => "unknown",
        }
    }
}

/// A sniffed type we accept: the MIME type, the kind and the file extension we store it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub mime: &'static str,
    pub kind: Kind,
    pub ext: &'static str,
}

/// The types we accept, by sniffed MIME type. Anything else (HTML, SVG, scripts, archives,
/// executables) is refused: those can run in a browser or carry nothing a post needs.
const ACCEPTED: &[Sniffed] = &[
    Sniffed { mime: "image/jpeg", kind: Kind::Image, ext: "jpg" },
    Sniffed { mime: "image/png", kind: Kind::Image, ext: "png" },
    Sniffed { mime: "image/gif", kind: Kind::Image, ext: "gif" },
    Sniffed { mime: "image/webp", kind: Kind::Image, ext: "webp" },
    Sniffed { mime: "video/mp4", kind: Kind::Video, ext: "mp4" },
    Sniffed { mime: "video/webm", kind: Kind::Video, ext: "webm" },
    Sniffed { mime: "video/quicktime", kind: Kind::Video, ext: "mov" },
    Sniffed { mime: "audio/mpeg", kind: Kind::Audio, ext: "mp3" },
    Sniffed { mime: "audio/ogg", kind: Kind::Audio, ext: "ogg" },
    Sniffed { mime: "audio/x-wav", kind: Kind::Audio, ext: "wav" },
    Sniffed { mime: "audio/x-flac", kind: Kind::Audio, ext: "flac" },
    Sniffed { mime: "audio/m4a", kind: Kind::Audio, ext: "m4a" },
    Sniffed { mime: "audio/aac", kind: Kind::Audio, ext: "aac" },
    Sniffed { mime: "application/pdf", kind: Kind::Unknown, ext: "pdf" },
];

/// The accepted type of a file from its first bytes, or `None`.
pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    let t = infer::get(head)?;
    ACCEPTED.iter().copied().find(|a| a.mime == t.mime_type())
}

/// The Content-Type a stored file is served with, from the extension we gave it.
pub fn content_type_of_key(key: &str) -> &'static str {
    let ext = key.rsplit('.').next().unwrap_or("");
    match ext {
        "jpg" => "image/jpeg",
        _ => ACCEPTED.iter().find(|a| a.ext == ext).map_or("application/octet-stream", |a| a.mime),
    }
}

/// The MIME types we accept, for `/api/v1/instance`.
pub fn accepted_mime_types() -> Vec<&'static str> {
    ACCEPTED.iter().map(|a| a.mime).collect()
}

/// Why a file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("the image could not be read: {0}")]
    Undecodable(String),
    #[error("the image is too large ({0}×{1} pixels)")]
    TooManyPixels(u32, u32),
    #[error("processing failed: {0}")]
    Internal(String),
}

/// An image after processing.
pub struct ProcessedImage {
    /// What is stored as the original (re-encoded for JPEG and PNG).
    pub original: Bytes,
    pub width: u32,
    pub height: u32,
    /// The thumbnail, JPEG (or PNG when the image has transparency), and its extension.
    pub small: Bytes,
    pub small_ext: &'static str,
    pub small_width: u32,
    pub small_height: u32,
    pub blurhash: String,
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_IMAGE_SIDE);
    l.max_image_height = Some(MAX_IMAGE_SIDE);
    l.max_alloc = Some(512 * 1024 * 1024);
    l
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Result<Bytes, ProcessError> {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
            img.to_rgb8().write_with_encoder(enc)
        }
        other => img.write_to(&mut out, other),
    }
    .map_err(|e| ProcessError::Internal(e.to_string()))?;
    Ok(Bytes::from(out.into_inner()))
}

/// Decodes an image (bounded), applies its orientation, and derives what Mastodon shows.
/// Blocking: call it through `spawn_blocking`.
pub fn process_image(bytes: &Bytes, sniffed: Sniffed) -> Result<ProcessedImage, ProcessError> {
    let mut reader = ImageReader::new(Cursor::new(bytes.as_ref()))
        .with_guessed_format()
        .map_err(|e| ProcessError::Undecodable(e.to_string()))?;
    reader.limits(limits());
    let (w, h) = reader.into_dimensions().map_err(|e| ProcessError::Undecodable(e.to_string()))?;
    if u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(ProcessError::TooManyPixels(w, h));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes.as_ref()))
        .with_guessed_format()
        .map_err(|e| ProcessError::Undecodable(e.to_string()))?;
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(|e| ProcessError::Undecodable(e.to_string()))?;
    let orientation = decoder.orientation().map_err(|e| ProcessError::Undecodable(e.to_string()))?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| ProcessError::Undecodable(e.to_string()))?;
    img.apply_orientation(orientation);
    // JPEG and PNG are re-encoded without their metadata; GIF and WebP (possibly animated)
    // are kept as sent.
    let original = match sniffed.mime {
        "image/jpeg" => encode(&img, ImageFormat::Jpeg)?,
        "image/png" => encode(&img, ImageFormat::Png)?,
        _ => bytes.clone(),
    };
    // `thumbnail` would also enlarge a small image: a small one is its own thumbnail.
    let small = if img.width() <= THUMBNAIL_SIDE && img.height() <= THUMBNAIL_SIDE {
        img.clone()
    } else {
        img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    };
    let (small_bytes, small_ext) = if small.color().has_alpha() {
        (encode(&small, ImageFormat::Png)?, "png")
    } else {
        (encode(&small, ImageFormat::Jpeg)?, "jpg")
    };
    let tiny = small.thumbnail(64, 64).to_rgba8();
    let blurhash = blurhash::encode(4, 3, tiny.width(), tiny.height(), tiny.as_raw())
        .map_err(|e| ProcessError::Internal(format!("blurhash: {e:?}")))?;
    Ok(ProcessedImage {
        original,
        width: img.width(),
        height: img.height(),
        small: small_bytes,
        small_ext,
        small_width: small.width(),
        small_height: small.height(),
        blurhash,
    })
}

/// Mastodon's `{"width", "height", "size", "aspect"}` of one rendition.
pub fn dimensions(width: u32, height: u32) -> Value {
    let aspect = if height == 0 { 1.0 } else { f64::from(width) / f64::from(height) };
    json!({ "width": width, "height": height, "size": format!("{width}x{height}"), "aspect": aspect })
}

/// Parses a focal point `"x,y"` with both in [-1, 1].
pub fn parse_focus(s: &str) -> Option<(f64, f64)> {
    let (x, y) = s.split_once(',')?;
    let (x, y): (f64, f64) = (x.trim().parse().ok()?, y.trim().parse().ok()?);
    ((-1.0..=1.0).contains(&x) && (-1.0..=1.0).contains(&y)).then_some((x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Bytes {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 128])));
        encode(&img, ImageFormat::Png).unwrap()
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(&png(2, 2)).unwrap().mime, "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap().kind, Kind::Unknown);
        assert!(sniff(b"<!DOCTYPE html><html><script>alert(1)</script></html>").is_none());
        assert!(sniff(br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#).is_none());
        assert!(sniff(b"MZ\x90\x00\x03\x00\x00\x00").is_none());
        assert_eq!(content_type_of_key("1/original.pdf"), "application/pdf");
        assert_eq!(content_type_of_key("1/small.jpg"), "image/jpeg");
        assert_eq!(content_type_of_key("1/x.html"), "application/octet-stream");
    }

    #[test]
    fn images_get_a_thumbnail_and_a_blurhash() {
        let p = process_image(&png(1200, 600), sniff(&png(1, 1)).unwrap()).unwrap();
        assert_eq!((p.width, p.height), (1200, 600));
        assert_eq!((p.small_width, p.small_height), (640, 320));
        assert!(p.blurhash.len() >= 6, "{}", p.blurhash);
        assert_eq!(sniff(&p.small).unwrap().mime, "image/jpeg");
        let p = process_image(&png(20, 10), sniff(&png(1, 1)).unwrap()).unwrap();
        assert_eq!((p.small_width, p.small_height), (20, 10), "never enlarged");
    }

    #[test]
    fn bombs_and_garbage_are_refused() {
        // A PNG header announcing 20000×20000 pixels.
        let mut bomb = png(1, 1).to_vec();
        bomb[16..20].copy_from_slice(&20000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&20000u32.to_be_bytes());
        let s = sniff(&bomb).unwrap();
        assert!(process_image(&Bytes::from(bomb), s).is_err());
        let truncated = Bytes::from(png(100, 100).slice(0..60).to_vec());
        assert!(process_image(&truncated, s).is_err());
    }

    #[test]
    fn focal_points() {
        assert_eq!(parse_focus("0.5,-0.25"), Some((0.5, -0.25)));
        assert_eq!(parse_focus("2,0"), None);
        assert_eq!(parse_focus("x"), None);
    }
}
