//! Search keys (khóa tìm kiếm) for procedure names: citizens type "dang ky
//! khai sinh" as often as "Đăng ký khai sinh", so both must find the same
//! procedure.

/// Folds `text` into a search key: lower case, Vietnamese diacritics removed
/// (đ → d; every tone mark and the vowel marks of ă â ê ô ơ ư), white space
/// collapsed to single spaces and trimmed. Precomposed (NFC) letters are
/// mapped; decomposed combining marks (U+0300–U+036F, which includes every
/// Vietnamese mark from U+0300 to U+0323) are dropped. Other characters,
/// punctuation included, are kept lower-cased.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_combining_mark(c) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(base_letter(c));
    }
    out
}

/// Combining diacritical marks (U+0300–U+036F): grave, acute, circumflex,
/// tilde, breve, hook above, horn, dot below and the rest of the block.
fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// The Vietnamese lower-case letters with marks, grouped by the plain letter
/// they fold to.
const FOLDS: [(char, &str); 7] = [
    ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
    ('e', "èéẻẽẹêềếểễệ"),
    ('i', "ìíỉĩị"),
    ('o', "òóỏõọôồốổỗộơờớởỡợ"),
    ('u', "ùúủũụưừứửữự"),
    ('y', "ỳýỷỹỵ"),
    ('d', "đ"),
];

/// The plain letter of a lower-case Vietnamese letter; other characters unchanged.
fn base_letter(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    FOLDS
        .iter()
        .find(|(_, marked)| marked.contains(c))
        .map_or(c, |&(plain, _)| plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_three_spellings_of_birth_registration_agree() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("dang ky khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("DANG KY KHAI SINH"), "dang ky khai sinh");
        assert_eq!(fold("  Đăng \t ký\n khai  sinh "), "dang ky khai sinh");
    }

    /// The 12 vowel bases with the 5 tone marks (huyền, sắc, hỏi, ngã, nặng),
    /// precomposed, lower and upper case.
    const TONED: [(&str, &str, char); 12] = [
        ("aàáảãạ", "AÀÁẢÃẠ", 'a'),
        ("ăằắẳẵặ", "ĂẰẮẲẴẶ", 'a'),
        ("âầấẩẫậ", "ÂẦẤẨẪẬ", 'a'),
        ("eèéẻẽẹ", "EÈÉẺẼẸ", 'e'),
        ("êềếểễệ", "ÊỀẾỂỄỆ", 'e'),
        ("iìíỉĩị", "IÌÍỈĨỊ", 'i'),
        ("oòóỏõọ", "OÒÓỎÕỌ", 'o'),
        ("ôồốổỗộ", "ÔỒỐỔỖỘ", 'o'),
        ("ơờớởỡợ", "ƠỜỚỞỠỢ", 'o'),
        ("uùúủũụ", "UÙÚỦŨỤ", 'u'),
        ("ưừứửữự", "ƯỪỨỬỮỰ", 'u'),
        ("yỳýỷỹỵ", "YỲÝỶỸỴ", 'y'),
    ];

    #[test]
    fn every_vowel_with_every_tone_folds_precomposed() {
        for (lower, upper, plain) in TONED {
            assert_eq!(lower.chars().count(), 6);
            assert_eq!(upper.chars().count(), 6);
            let want: String = std::iter::repeat_n(plain, 6).collect();
            assert_eq!(fold(lower), want, "{lower}");
            assert_eq!(fold(upper), want, "{upper}");
        }
        assert_eq!(fold("đĐ"), "dd");
    }

    #[test]
    fn decomposed_marks_are_dropped() {
        // Vowel marks: breve, circumflex, horn; tones: grave, acute, hook
        // above, tilde, dot below.
        let vowel_marks = ["", "\u{0306}", "\u{0302}", "\u{031B}"];
        let tones = [
            "", "\u{0300}", "\u{0301}", "\u{0309}", "\u{0303}", "\u{0323}",
        ];
        for base in ['a', 'e', 'i', 'o', 'u', 'y', 'A', 'E', 'I', 'O', 'U', 'Y'] {
            for v in vowel_marks {
                for t in tones {
                    let text = format!("{base}{v}{t}");
                    assert_eq!(
                        fold(&text),
                        base.to_ascii_lowercase().to_string(),
                        "{text:?}"
                    );
                }
            }
        }
        // Decomposed "Đăng ký" (Đ has no decomposition, the rest is NFD).
        assert_eq!(fold("Đa\u{0306}ng ky\u{0301}"), "dang ky");
        // A precomposed vowel mark with a decomposed tone.
        assert_eq!(fold("ư\u{0300}"), "u");
    }

    #[test]
    fn other_text_is_kept() {
        assert_eq!(fold("Thủ tục 1.001193 (ĐKKS)!"), "thu tuc 1.001193 (dkks)!");
        assert_eq!(fold(""), "");
        assert_eq!(fold(" \n\t "), "");
        assert_eq!(fold("Ñ ç"), "ñ ç");
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC*") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
        }
    }
}
