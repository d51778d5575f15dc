//! Submitted files (tệp đính kèm): decoded, checked against their declared size, media type
//! and sha256, and stored content-addressed in the database (`file_blob`, keyed by sha256),
//! in the same transaction as the dossier. A file acknowledged by a `201` is therefore
//! committed with its dossier; identical content is stored once.

use base64::Engine;
use motcua_problem::{FieldError, codes};
use sha2::{Digest, Sha256};

/// Largest accepted file (20 MiB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Most files in one submission.
pub const MAX_FILES: usize = 50;
/// Most decoded bytes in one submission (the request body is limited to 64 MiB as well).
pub const MAX_TOTAL_BYTES: usize = 45 * 1024 * 1024;

/// Media types a dossier file may have.
pub const ALLOWED_MEDIA_TYPES: [&str; 6] = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "application/xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
];

/// A file whose content matched its declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    /// File name as submitted.
    pub name: String,
    /// Declared (and allowed) media type.
    pub media_type: String,
    /// Lower-case hex sha256 of the content.
    pub sha256: String,
    /// The content.
    pub content: Vec<u8>,
}

/// Checks one declared file; `field` is its JSON path, for errors.
pub fn check(
    field: &str,
    name: &str,
    media_type: &str,
    size: u64,
    sha256: &str,
    content_base64: &str,
) -> Result<CheckedFile, Vec<FieldError>> {
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(FieldError::new(
            format!("{field}.name"),
            &codes::REQUIRED,
            "tên tệp không được để trống",
        ));
    }
    if !ALLOWED_MEDIA_TYPES.contains(&media_type) {
        errors.push(FieldError::new(
            format!("{field}.media_type"),
            &codes::MEDIA_TYPE_NOT_ALLOWED,
            format!("loại tệp {media_type} không được chấp nhận"),
        ));
    }
    let content = match base64::engine::general_purpose::STANDARD.decode(content_base64.as_bytes())
    {
        Ok(c) => c,
        Err(_) => {
            errors.push(FieldError::new(
                format!("{field}.content_base64"),
                &codes::INVALID_BASE64,
                "nội dung không phải base64",
            ));
            return Err(errors);
        }
    };
    if content.len() > MAX_FILE_BYTES {
        errors.push(FieldError::new(
            format!("{field}.size"),
            &codes::FILE_TOO_LARGE,
            format!("tệp vượt quá {} MiB", MAX_FILE_BYTES / 1024 / 1024),
        ));
    } else if content.len() as u64 != size {
        errors.push(FieldError::new(
            format!("{field}.size"),
            &codes::SIZE_MISMATCH,
            format!(
                "kích thước khai báo {size} khác kích thước thực {}",
                content.len()
            ),
        ));
    }
    let actual = hex(&Sha256::digest(&content));
    if !actual.eq_ignore_ascii_case(sha256) {
        errors.push(FieldError::new(
            format!("{field}.sha256"),
            &codes::SHA256_MISMATCH,
            "mã băm sha256 không khớp nội dung",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckedFile {
        name: name.to_string(),
        media_type: media_type.to_string(),
        sha256: actual,
        content,
    })
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(b: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(b)
    }

    #[test]
    fn a_matching_file_passes() {
        let content = b"%PDF-1.7 hello";
        let sha = hex(&Sha256::digest(content));
        let f = check(
            "f",
            "a.pdf",
            "application/pdf",
            content.len() as u64,
            &sha,
            &b64(content),
        )
        .unwrap();
        assert_eq!(f.sha256, sha);
    }

    #[test]
    fn hash_size_and_type_mismatches_are_each_reported() {
        let content = b"hello";
        let errs = check(
            "components[0].files[0]",
            "a.exe",
            "application/x-msdownload",
            9,
            "00",
            &b64(content),
        )
        .unwrap_err();
        let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            ["media_type_not_allowed", "size_mismatch", "sha256_mismatch"]
        );
        assert_eq!(errs[2].field, "components[0].files[0].sha256");
        assert_eq!(
            check("f", "a", "application/pdf", 1, "", "***").unwrap_err()[0].code,
            "invalid_base64"
        );
    }
}
