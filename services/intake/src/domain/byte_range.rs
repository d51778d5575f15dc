//! Which bytes of a stored file a request asks for (HTTP `Range`, RFC 9110 §14): one range of
//! bytes — `bytes=first-last`, `bytes=first-` or the suffix `bytes=-length` — so a sector
//! system can resume a large scan where a download broke off. Anything else (several ranges,
//! another unit, a malformed header) is answered with the whole file, as the RFC allows.

/// What to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// The whole file (`200`).
    Whole,
    /// Bytes `first..=last` (`206` with `Content-Range`).
    Part {
        /// First byte.
        first: u64,
        /// Last byte, included.
        last: u64,
    },
    /// A range that starts past the end (`416` with `Content-Range: bytes */size`).
    Unsatisfiable,
}

/// The range `header` asks for in a file of `size` bytes.
pub fn parse(header: Option<&str>, size: u64) -> ByteRange {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return ByteRange::Whole;
    };
    if spec.contains(',') {
        return ByteRange::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return ByteRange::Whole;
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    match (first.trim().is_empty(), number(first), number(last)) {
        // bytes=-n: the last n bytes.
        (true, _, Some(n)) if n > 0 && size > 0 => ByteRange::Part {
            first: size.saturating_sub(n),
            last: size - 1,
        },
        (true, _, _) => ByteRange::Unsatisfiable,
        (false, Some(f), _) if f >= size => ByteRange::Unsatisfiable,
        (false, Some(f), None) if last.trim().is_empty() => ByteRange::Part {
            first: f,
            last: size - 1,
        },
        (false, Some(f), Some(l)) if l >= f => ByteRange::Part {
            first: f,
            last: l.min(size - 1),
        },
        _ => ByteRange::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_range_of_bytes_in_its_three_forms() {
        assert_eq!(
            parse(Some("bytes=2-5"), 10),
            ByteRange::Part { first: 2, last: 5 }
        );
        assert_eq!(
            parse(Some("bytes=7-"), 10),
            ByteRange::Part { first: 7, last: 9 }
        );
        assert_eq!(
            parse(Some("bytes=-3"), 10),
            ByteRange::Part { first: 7, last: 9 }
        );
        assert_eq!(
            parse(Some("bytes=-30"), 10),
            ByteRange::Part { first: 0, last: 9 }
        );
        assert_eq!(
            parse(Some("bytes=8-100"), 10),
            ByteRange::Part { first: 8, last: 9 }
        );
    }

    #[test]
    fn past_the_end_is_unsatisfiable_and_the_rest_is_the_whole_file() {
        assert_eq!(parse(Some("bytes=10-"), 10), ByteRange::Unsatisfiable);
        assert_eq!(parse(Some("bytes=-0"), 10), ByteRange::Unsatisfiable);
        assert_eq!(parse(None, 10), ByteRange::Whole);
        for other in [
            "bytes=5-2",
            "bytes=1-2,4-5",
            "items=1-2",
            "bytes=x-2",
            "bytes",
        ] {
            assert_eq!(parse(Some(other), 10), ByteRange::Whole, "{other}");
        }
    }
}
