//! Face and displayed images: format detection from the bytes, and bounded decoding (feature
//! `images`) of JPEG, PNG and JPEG 2000 (JP2 file format and bare codestream `FF4FFF51`).
//!
//! The bytes decide the format, not the record's header: a 19794-5 record that says JPEG 2000
//! over a JPEG payload decodes as JPEG, with [`ImageWarning::FormatMismatch`]. Declared sizes
//! are checked against [`DecodeLimits`] before any pixel buffer is allocated, and a decoder
//! panic (none is known) is caught and reported as an error rather than taking the caller down.

use crate::LdsError;

/// An image encoding, as detected from the first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// JPEG (`FFD8FF`).
    Jpeg,
    /// JPEG 2000 file format (`0000000C 6A502020 0D0A870A`).
    Jp2,
    /// JPEG 2000 bare codestream (`FF4FFF51`).
    J2k,
    /// PNG.
    Png,
}

impl ImageFormat {
    /// Name for reports.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Jp2 => "JPEG 2000 (JP2)",
            ImageFormat::J2k => "JPEG 2000 codestream",
            ImageFormat::Png => "PNG",
        }
    }
    /// True for either JPEG 2000 form.
    pub fn is_jpeg2000(self) -> bool {
        matches!(self, ImageFormat::Jp2 | ImageFormat::J2k)
    }
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Jp2 => "image/jp2",
            ImageFormat::J2k => "image/j2k",
            ImageFormat::Png => "image/png",
        }
    }
}

impl std::fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a record's header says the image is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclaredFormat {
    /// JPEG.
    Jpeg,
    /// JPEG 2000 (either form).
    Jpeg2000,
    /// PNG.
    Png,
    /// Not said, or a code this crate does not know.
    Unknown,
}

/// Detects the format from the magic bytes.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(&[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) {
        Some(ImageFormat::Jp2)
    } else if bytes.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
        Some(ImageFormat::J2k)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else {
        None
    }
}

/// Something worth telling the user about an image that still decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageWarning {
    /// The header said one format, the bytes are another (the bytes were trusted).
    FormatMismatch {
        /// What the header said.
        declared: DeclaredFormat,
        /// What the bytes are.
        actual: ImageFormat,
    },
    /// The header's width/height differ from the image's.
    SizeMismatch {
        /// Declared (width, height).
        declared: (u32, u32),
        /// Actual (width, height).
        actual: (u32, u32),
    },
}

impl std::fmt::Display for ImageWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageWarning::FormatMismatch { declared, actual } => write!(
                f,
                "the record says {declared:?} but the image bytes are {actual}; decoded as {actual}"
            ),
            ImageWarning::SizeMismatch { declared, actual } => write!(
                f,
                "the record says {}x{} but the image is {}x{}",
                declared.0, declared.1, actual.0, actual.1
            ),
        }
    }
}

/// Checks the header's format against the bytes: the detected format and any warning.
pub fn check_declared(
    bytes: &[u8],
    declared: DeclaredFormat,
) -> Result<(ImageFormat, Option<ImageWarning>), LdsError> {
    let actual = sniff(bytes).ok_or_else(|| LdsError::UnknownImageFormat {
        magic: crate::der::hex(&bytes[..bytes.len().min(8)]),
    })?;
    let agrees = match declared {
        DeclaredFormat::Jpeg => actual == ImageFormat::Jpeg,
        DeclaredFormat::Jpeg2000 => actual.is_jpeg2000(),
        DeclaredFormat::Png => actual == ImageFormat::Png,
        DeclaredFormat::Unknown => true,
    };
    let warning = (!agrees).then_some(ImageWarning::FormatMismatch { declared, actual });
    Ok((actual, warning))
}

/// Bounds on decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest width or height accepted.
    pub max_dimension: u32,
    /// Largest decoded size in bytes (width × height × channels) accepted.
    pub max_bytes: u64,
}

impl Default for DecodeLimits {
    /// 8192 pixels a side and 64 MiB decoded: a passport portrait is about 0.2-1 MB decoded.
    fn default() -> Self {
        DecodeLimits {
            max_dimension: 8192,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

impl DecodeLimits {
    /// Refuses a declared size beyond the limits (called before decoding allocates).
    pub fn check(&self, width: u32, height: u32, channels: u32) -> Result<(), LdsError> {
        let needed = width as u64 * height as u64 * channels.max(1) as u64;
        if width > self.max_dimension || height > self.max_dimension || needed > self.max_bytes {
            return Err(LdsError::ImageTooLarge {
                width,
                height,
                channels,
                needed,
                limit: self.max_bytes.min(
                    self.max_dimension as u64 * self.max_dimension as u64 * channels.max(1) as u64,
                ),
            });
        }
        Ok(())
    }
}

/// A decoded image: 8-bit greyscale (1 channel) or RGB (3 channels), rows top to bottom.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodedImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 1 (grey) or 3 (RGB).
    pub channels: u8,
    /// Interleaved samples, `width * height * channels` bytes.
    pub pixels: Vec<u8>,
    /// The format the bytes were in.
    pub format: ImageFormat,
    /// Warnings (format or size disagreeing with the record's header).
    pub warnings: Vec<ImageWarning>,
}

impl std::fmt::Debug for DecodedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DecodedImage {{ {}x{}x{}, {}, {} warnings }}",
            self.width,
            self.height,
            self.channels,
            self.format,
            self.warnings.len()
        )
    }
}

#[cfg(feature = "images")]
mod decode_impl {
    use super::*;
    use std::io::Cursor;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    /// Decodes an image, trusting the bytes over `declared`; bounded by `limits`.
    pub fn decode(
        bytes: &[u8],
        declared: DeclaredFormat,
        limits: &DecodeLimits,
    ) -> Result<DecodedImage, LdsError> {
        let (format, warning) = check_declared(bytes, declared)?;
        let result = catch_unwind(AssertUnwindSafe(|| match format {
            ImageFormat::Jpeg | ImageFormat::Png => decode_image_crate(bytes, format, limits),
            ImageFormat::Jp2 | ImageFormat::J2k => decode_jpeg2000(bytes, format, limits),
        }));
        let mut img = match result {
            Ok(r) => r?,
            Err(_) => {
                return Err(LdsError::ImageDecode {
                    format: format.name(),
                    reason: "the decoder panicked".into(),
                });
            }
        };
        img.warnings.extend(warning);
        Ok(img)
    }

    fn decode_image_crate(
        bytes: &[u8],
        format: ImageFormat,
        limits: &DecodeLimits,
    ) -> Result<DecodedImage, LdsError> {
        let fmt = match format {
            ImageFormat::Png => image::ImageFormat::Png,
            _ => image::ImageFormat::Jpeg,
        };
        let err = |e: image::ImageError| LdsError::ImageDecode {
            format: format.name(),
            reason: e.to_string(),
        };
        let (w, h) = image::ImageReader::with_format(Cursor::new(bytes), fmt)
            .into_dimensions()
            .map_err(err)?;
        limits.check(w, h, 3)?;
        let mut reader = image::ImageReader::with_format(Cursor::new(bytes), fmt);
        let mut l = image::Limits::default();
        l.max_image_width = Some(limits.max_dimension);
        l.max_image_height = Some(limits.max_dimension);
        // The decoder's own working memory on top of the output.
        l.max_alloc = Some(limits.max_bytes.saturating_mul(2));
        reader.limits(l);
        let img = reader.decode().map_err(err)?;
        let (channels, pixels) = match img.color() {
            image::ColorType::L8
            | image::ColorType::L16
            | image::ColorType::La8
            | image::ColorType::La16 => (1, img.into_luma8().into_raw()),
            _ => (3, img.into_rgb8().into_raw()),
        };
        Ok(DecodedImage {
            width: w,
            height: h,
            channels,
            pixels,
            format,
            warnings: Vec::new(),
        })
    }

    fn decode_jpeg2000(
        bytes: &[u8],
        format: ImageFormat,
        limits: &DecodeLimits,
    ) -> Result<DecodedImage, LdsError> {
        use hayro_jpeg2000::{ColorSpace, DecodeSettings, DecoderContext, Image};
        let err = |e: hayro_jpeg2000::DecodeError| LdsError::ImageDecode {
            format: format.name(),
            reason: e.to_string(),
        };
        let image = Image::new(bytes, &DecodeSettings::default()).map_err(err)?;
        let (w, h) = (image.width(), image.height());
        let n = image.color_space().num_channels() as u32 + u32::from(image.has_alpha());
        // Components are decoded as f32 internally: count 4 bytes a sample, plus the 8-bit copy.
        limits.check(w, h, n.max(1) * 5)?;
        let has_alpha = image.has_alpha();
        let space = image.color_space().clone();
        let mut ctx = DecoderContext::default();
        let decoded = image.decode(&mut ctx).map_err(err)?;
        let data = decoded.data_u8();
        let total = n as usize;
        let pixels_n = w as usize * h as usize;
        if total == 0 || data.len() != pixels_n * total {
            return Err(LdsError::ImageDecode {
                format: format.name(),
                reason: format!(
                    "decoder returned {} bytes for {w}x{h} with {total} channels",
                    data.len()
                ),
            });
        }
        let colour = total - usize::from(has_alpha);
        let (channels, pixels) = match (&space, colour) {
            (ColorSpace::CMYK, 4) => {
                let mut out = Vec::with_capacity(pixels_n * 3);
                for px in data.chunks_exact(total) {
                    let k = 255 - px[3] as u16;
                    for c in &px[..3] {
                        out.push(((255 - *c as u16) * k / 255) as u8);
                    }
                }
                (3, out)
            }
            (_, 1) => (1, data.chunks_exact(total).map(|p| p[0]).collect()),
            (_, c) if c >= 3 => {
                let mut out = Vec::with_capacity(pixels_n * 3);
                for px in data.chunks_exact(total) {
                    out.extend_from_slice(&px[..3]);
                }
                (3, out)
            }
            (s, c) => {
                return Err(LdsError::ImageDecode {
                    format: format.name(),
                    reason: format!("unsupported colour space {s:?} with {c} channels"),
                });
            }
        };
        Ok(DecodedImage {
            width: w,
            height: h,
            channels,
            pixels,
            format,
            warnings: Vec::new(),
        })
    }

    impl DecodedImage {
        /// Encodes the image as PNG.
        pub fn to_png(&self) -> Result<Vec<u8>, LdsError> {
            use image::ImageEncoder;
            let mut out = Vec::new();
            let ct = if self.channels == 1 {
                image::ExtendedColorType::L8
            } else {
                image::ExtendedColorType::Rgb8
            };
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(&self.pixels, self.width, self.height, ct)
                .map_err(|e| LdsError::Encode {
                    field: "PNG",
                    reason: e.to_string(),
                })?;
            Ok(out)
        }

        /// The image as 8-bit RGB (greyscale expanded).
        pub fn to_rgb8(&self) -> Vec<u8> {
            if self.channels == 3 {
                self.pixels.clone()
            } else {
                self.pixels.iter().flat_map(|&g| [g, g, g]).collect()
            }
        }
    }
}

#[cfg(feature = "images")]
pub use decode_impl::decode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(&[0xFF, 0x4F, 0xFF, 0x51, 0]), Some(ImageFormat::J2k));
        assert_eq!(
            sniff(&[0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D]),
            Some(ImageFormat::Jp2)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n..."), Some(ImageFormat::Png));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(
            check_declared(&[0xFF, 0xD8, 0xFF], DeclaredFormat::Jpeg2000).unwrap(),
            (
                ImageFormat::Jpeg,
                Some(ImageWarning::FormatMismatch {
                    declared: DeclaredFormat::Jpeg2000,
                    actual: ImageFormat::Jpeg
                })
            )
        );
        assert_eq!(
            check_declared(b"GIF89a", DeclaredFormat::Jpeg).unwrap_err(),
            LdsError::UnknownImageFormat {
                magic: "474946383961".into()
            }
        );
    }

    #[test]
    fn limits() {
        let l = DecodeLimits::default();
        assert!(l.check(413, 531, 3).is_ok());
        assert!(matches!(
            l.check(65535, 65535, 3).unwrap_err(),
            LdsError::ImageTooLarge { width: 65535, .. }
        ));
    }

    #[cfg(feature = "images")]
    #[test]
    fn png_round_trip_and_bounds() {
        let img = DecodedImage {
            width: 3,
            height: 2,
            channels: 3,
            pixels: (0..18).collect(),
            format: ImageFormat::Png,
            warnings: vec![],
        };
        let png = img.to_png().unwrap();
        let back = decode(&png, DeclaredFormat::Png, &DecodeLimits::default()).unwrap();
        assert_eq!(back, img);
        let tight = DecodeLimits {
            max_dimension: 2,
            max_bytes: 1000,
        };
        assert!(matches!(
            decode(&png, DeclaredFormat::Unknown, &tight).unwrap_err(),
            LdsError::ImageTooLarge {
                width: 3,
                height: 2,
                ..
            }
        ));
        // Truncated JPEG: a clear decode error, no panic.
        assert!(matches!(
            decode(
                &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10],
                DeclaredFormat::Jpeg,
                &DecodeLimits::default()
            )
            .unwrap_err(),
            LdsError::ImageDecode { format: "JPEG", .. }
        ));
        assert!(matches!(
            decode(
                &[0xFF, 0x4F, 0xFF, 0x51, 0, 0x10],
                DeclaredFormat::Jpeg2000,
                &DecodeLimits::default()
            )
            .unwrap_err(),
            LdsError::ImageDecode {
                format: "JPEG 2000 codestream",
                ..
            }
        ));
    }
}
