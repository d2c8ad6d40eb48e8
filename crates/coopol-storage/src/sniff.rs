//! Which files the group library accepts, decided from their first bytes (never from a name or
//! a client's `Content-Type`): PDF, office and OpenDocument files, images, audio, video, plain
//! text and Markdown. HTML, SVG and other markup, scripts, executables, archives and unknown
//! binary files are refused. Nothing is decompressed: a zip bomb is just refused or stored.

/// How many first bytes [`library_type`] wants (fewer when the file is shorter).
pub const SNIFF_LEN: usize = 8192;

/// Why a file is refused (a sentence for the person who uploads it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

fn refused(what: &str) -> Refused {
    Refused(format!(
        "{what} not accepted: the library takes PDF, office and OpenDocument files, images, audio, video, \
         plain text and Markdown"
    ))
}

/// The OpenDocument types, by the `mimetype` entry that starts their zip file.
const OPENDOCUMENT: &[&str] = &[
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.graphics",
    "application/vnd.oasis.opendocument.text-master",
    "application/vnd.oasis.opendocument.formula",
];

/// Office types recognised from their bytes.
const OFFICE: &[&str] = &[
    "application/pdf",
    "application/rtf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// The media type of a file from its first bytes (`prefix`, up to [`SNIFF_LEN`]) and its
/// name (which only tells Markdown from plain text), or why it is refused.
pub fn library_type(prefix: &[u8], name: &str) -> Result<&'static str, Refused> {
    if prefix.is_empty() {
        return Err(Refused("the file is empty".into()));
    }
    if let Some(t) = infer::get(prefix) {
        let mime = t.mime_type();
        if mime == "application/zip" {
            return opendocument(prefix).ok_or_else(|| refused("zip archives are"));
        }
        if let Some(m) = OFFICE.iter().chain(OPENDOCUMENT).find(|m| **m == mime) {
            return Ok(m);
        }
        let media = (mime.starts_with("image/") && !mime.contains("svg"))
            || mime.starts_with("audio/")
            || mime.starts_with("video/");
        if media {
            return Ok(mime);
        }
        return Err(refused(&format!("files of type {mime} are")));
    }
    text(prefix, name)
}

/// An OpenDocument file: a zip whose first entry, stored uncompressed, is named `mimetype`
/// and holds the type.
fn opendocument(prefix: &[u8]) -> Option<&'static str> {
    let name_len = usize::from(u16::from_le_bytes([*prefix.get(26)?, *prefix.get(27)?]));
    let extra_len = usize::from(u16::from_le_bytes([*prefix.get(28)?, *prefix.get(29)?]));
    if prefix.get(30..30 + name_len)? != b"mimetype" {
        return None;
    }
    let content = prefix.get(30 + name_len + extra_len..)?;
    OPENDOCUMENT.iter().copied().find(|m| content.starts_with(m.as_bytes()))
}

/// Plain text or Markdown: UTF-8 without NUL, and not markup nor a script.
fn text(prefix: &[u8], name: &str) -> Result<&'static str, Refused> {
    let valid = match std::str::from_utf8(prefix) {
        Ok(_) => true,
        // A character cut by the end of the prefix is fine when there is more to come.
        Err(e) => e.error_len().is_none() && prefix.len() >= SNIFF_LEN,
    };
    if !valid || prefix.contains(&0) {
        return Err(refused("binary files of an unknown type are"));
    }
    let lower = String::from_utf8_lossy(prefix).to_lowercase();
    let start = lower.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with("#!") {
        return Err(refused("scripts are"));
    }
    let markup = start.starts_with('<')
        || ["<html", "<script", "<svg", "<body", "<iframe", "<!doctype"].iter().any(|t| lower.contains(t));
    if markup {
        return Err(refused("HTML, SVG and other markup files are"));
    }
    let lname = name.to_lowercase();
    Ok(if lname.ends_with(".md") || lname.ends_with(".markdown") { "text/markdown" } else { "text/plain" })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip whose first entry is `mimetype` holding `content`, stored.
    fn zip_with_mimetype(content: &str) -> Vec<u8> {
        let mut z = b"PK\x03\x04".to_vec();
        z.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date, crc
        z.extend_from_slice(&(content.len() as u32).to_le_bytes());
        z.extend_from_slice(&(content.len() as u32).to_le_bytes());
        z.extend_from_slice(&8u16.to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes());
        z.extend_from_slice(b"mimetype");
        z.extend_from_slice(content.as_bytes());
        z.extend_from_slice(b"PK\x03\x04more entries");
        z
    }

    #[test]
    fn accepted_types() {
        assert_eq!(library_type(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "tract.pdf"), Ok("application/pdf"));
        assert_eq!(library_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a.png"), Ok("image/png"));
        assert_eq!(library_type(b"ID3\x03\0\0\0\0\0\0", "a.mp3"), Ok("audio/mpeg"));
        assert_eq!(library_type(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom", "a.mp4"), Ok("video/mp4"));
        assert_eq!(
            library_type(&zip_with_mimetype("application/vnd.oasis.opendocument.text"), "a.odt"),
            Ok("application/vnd.oasis.opendocument.text")
        );
        assert_eq!(
            library_type(&zip_with_mimetype("application/vnd.oasis.opendocument.graphics"), "a.odg"),
            Ok("application/vnd.oasis.opendocument.graphics")
        );
        assert_eq!(library_type("Ordre du jour\n- café\n".as_bytes(), "notes.txt"), Ok("text/plain"));
        assert_eq!(library_type(b"# Tract\n\n*Samedi* 10 h", "tract.MD"), Ok("text/markdown"));
        // A multi-byte character cut at the end of a full prefix.
        let mut cut = "a".repeat(SNIFF_LEN - 1).into_bytes();
        cut.push(0xc3);
        assert_eq!(library_type(&cut, "x.txt"), Ok("text/plain"));
    }

    #[test]
    fn refused_types() {
        let refuse = |b: &[u8], n: &str| assert!(library_type(b, n).is_err(), "{n} should be refused");
        refuse(b"<!DOCTYPE html><html><body>hi</body></html>", "a.txt");
        refuse(b"  <html><script>alert(1)</script>", "a.md");
        refuse(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>", "a.svg");
        refuse(b"<svg onload=alert(1)>", "a.txt");
        refuse(b"Hello\n<script>alert(1)</script>", "a.txt");
        refuse(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0", "a.exe");
        refuse(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", "a.pdf");
        refuse(b"#!/bin/sh\nrm -rf /\n", "a.txt");
        refuse(&zip_with_mimetype("application/x-whatever"), "a.zip");
        refuse(b"PK\x03\x04\x14\0\0\0\x08\0", "a.zip");
        refuse(b"\x00\x01\x02binary", "a.bin");
        refuse(b"caf\xe9 latin-1", "a.txt");
        refuse(b"", "empty.txt");
    }
}
