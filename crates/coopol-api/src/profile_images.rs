//! Avatars and headers of local accounts: sniffed (images only), decoded within bounds,
//! cropped to Mastodon's sizes (avatar 400×400, header 1500×500), re-encoded (which drops
//! metadata) and kept in the media store under a new key; the previous file is removed.

use std::io::Cursor;

use axum::body::Bytes;
use coopol_db::entities::accounts;
use coopol_db::profile_images::{AVATAR, HEADER};
use coopol_federation::Federation;
use coopol_service::accounts::StoredImage;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::media::process::{self, Kind, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};
use crate::media::Media;
use crate::ApiError;

/// The size an image of a kind is cropped to (when larger).
pub fn target_size(kind: &str) -> Option<(u32, u32)> {
    match kind {
        AVATAR => Some((400, 400)),
        HEADER => Some((1500, 500)),
        _ => None,
    }
}

/// A profile image ready to be stored.
#[derive(Debug, Clone)]
pub struct ProcessedProfileImage {
    pub kind: String,
    pub bytes: Bytes,
    pub content_type: &'static str,
    pub ext: &'static str,
}

/// Checks and converts an uploaded avatar or header. Blocking (image decoding): call it
/// through `spawn_blocking`. Errors are 422 with a message for the user.
pub fn process(kind: &str, bytes: &[u8], max_size: usize) -> Result<ProcessedProfileImage, ApiError> {
    let (w, h) = target_size(kind).ok_or_else(|| ApiError::Unprocessable(format!("unknown profile image {kind}")))?;
    if bytes.len() > max_size {
        return Err(ApiError::Unprocessable(format!("{kind} is over the limit of {max_size} bytes")));
    }
    let sniffed = process::sniff(bytes)
        .filter(|s| s.kind == Kind::Image)
        .ok_or_else(|| ApiError::Unprocessable(format!("{kind} must be an image (JPEG, PNG, GIF or WebP)")))?;
    let bad = |e: image::ImageError| ApiError::Unprocessable(format!("{kind} could not be read: {e}"));
    let format = ImageFormat::from_mime_type(sniffed.mime)
        .ok_or_else(|| ApiError::Unprocessable(format!("{kind} must be an image (JPEG, PNG, GIF or WebP)")))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits.clone());
    let (iw, ih) = reader.into_dimensions().map_err(bad)?;
    if u64::from(iw) * u64::from(ih) > MAX_IMAGE_PIXELS {
        return Err(ApiError::Unprocessable(format!("{kind} is too large ({iw}×{ih} pixels)")));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let img = reader.decode().map_err(bad)?;
    let img = if img.width() > w || img.height() > h { img.resize_to_fill(w, h, FilterType::Lanczos3) } else { img };
    let (format, content_type, ext) = if img.color().has_alpha() {
        (ImageFormat::Png, "image/png", "png")
    } else {
        (ImageFormat::Jpeg, "image/jpeg", "jpg")
    };
    Ok(ProcessedProfileImage { kind: kind.to_string(), bytes: encode(&img, format)?, content_type, ext })
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Result<Bytes, ApiError> {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            img.to_rgb8().write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90))
        }
        other => img.write_to(&mut out, other),
    }
    .map_err(|e| ApiError::Internal(format!("encoding a profile image: {e}")))?;
    Ok(Bytes::from(out.into_inner()))
}

/// Processes uploaded images off the async runtime.
pub async fn process_all(media: &Media, images: Vec<(String, Bytes)>) -> Result<Vec<ProcessedProfileImage>, ApiError> {
    let max = media.limits.image;
    tokio::task::spawn_blocking(move || images.iter().map(|(k, b)| process(k, b, max)).collect())
        .await
        .map_err(|e| ApiError::Internal(format!("image processing task: {e}")))?
}

/// Stores processed images as the account's, removes the files they replace, and tells
/// followers' servers (`Update` of the actor).
pub async fn store(
    fed: &Federation,
    media: &Media,
    me: &accounts::Model,
    images: Vec<ProcessedProfileImage>,
) -> Result<(), ApiError> {
    if images.is_empty() {
        return Ok(());
    }
    // The files first: the service records them in one transaction with the intent.
    let mut rows = Vec::new();
    for img in images {
        let key = format!("profile/{}/{}-{}.{}", me.id, img.kind, coopol_core::new_id(), img.ext);
        media.store.put(&key, img.bytes).await.map_err(|e| ApiError::Internal(e.to_string()))?;
        rows.push(StoredImage {
            kind: img.kind,
            url: media.store.public_url(&key),
            content_type: img.content_type.to_string(),
            file_key: key,
        });
    }
    let replaced = coopol_service::accounts::set_images(fed, me, &rows).await?;
    remove_files(media, replaced).await;
    Ok(())
}

/// Removes an account's avatar or header (it shows the default image again).
pub async fn remove(fed: &Federation, media: &Media, me: &accounts::Model, kind: &str) -> Result<(), ApiError> {
    let old = coopol_service::accounts::remove_image(fed, me, kind).await?;
    remove_files(media, old.into_iter().collect()).await;
    Ok(())
}

async fn remove_files(media: &Media, keys: Vec<String>) {
    for key in keys {
        if let Err(e) = media.store.delete(&key).await {
            tracing::warn!(%key, error = %e, "could not remove a replaced profile image");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(w, h, image::Rgb([200, 10, 10])));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn large_images_are_cropped_to_mastodon_sizes() {
        let a = process(AVATAR, &png(1000, 600), 1 << 24).unwrap();
        let d = image::load_from_memory(&a.bytes).unwrap();
        assert_eq!((d.width(), d.height()), (400, 400));
        assert_eq!(a.content_type, "image/jpeg");
        let h = process(HEADER, &png(3000, 3000), 1 << 24).unwrap();
        let d = image::load_from_memory(&h.bytes).unwrap();
        assert_eq!((d.width(), d.height()), (1500, 500));
        let small = process(AVATAR, &png(50, 40), 1 << 24).unwrap();
        let d = image::load_from_memory(&small.bytes).unwrap();
        assert_eq!((d.width(), d.height()), (50, 40));
    }

    #[test]
    fn non_images_and_oversized_files_are_refused() {
        assert!(matches!(process(AVATAR, b"%PDF-1.4 hello", 1 << 24), Err(ApiError::Unprocessable(_))));
        assert!(matches!(process(AVATAR, b"just text", 1 << 24), Err(ApiError::Unprocessable(_))));
        assert!(matches!(process(AVATAR, &png(10, 10), 10), Err(ApiError::Unprocessable(_))));
    }
}
