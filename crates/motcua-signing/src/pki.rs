//! Small X.509 pieces the rest of the crate shares: fresh P-256 keys and serial numbers from the
//! operating system's randomness, PKCS #8 PEM out (keys are read in `key`), distinguished names
//! (built with UTF-8 strings, since agencies' names are Vietnamese) and times as certificates
//! and CMS write them.

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use time::OffsetDateTime;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::der::asn1::{GeneralizedTime, SetOfVec};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Any, DateTime, Tag, Tagged};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use crate::SigningError;

pub(crate) use x509_cert::der::oid::db::rfc4519::{C, CN, O, OU};

/// Fills `buf` from the operating system's randomness.
fn random(buf: &mut [u8]) -> Result<(), SigningError> {
    getrandom::fill(buf).map_err(|err| SigningError::Random(err.to_string()))
}

/// A new P-256 signing key (its scalar straight from the operating system's randomness; the
/// rare out-of-range draw is drawn again).
pub(crate) fn generate_key() -> Result<SigningKey, SigningError> {
    loop {
        let mut bytes = Zeroizing::new([0u8; 32]);
        random(bytes.as_mut())?;
        if let Ok(key) = SigningKey::from_slice(bytes.as_ref()) {
            return Ok(key);
        }
    }
}

/// A random positive 128-bit serial number (RFC 5280 asks for at most 20 octets, unpredictable).
pub(crate) fn random_serial() -> Result<SerialNumber, SigningError> {
    let mut bytes = [0u8; 16];
    random(&mut bytes)?;
    // Positive and without a leading zero octet, so that it keeps its 16 octets.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::new(&bytes).map_err(|err| SigningError::build("a serial number", err))
}

/// A key as PKCS #8 PEM (`-----BEGIN PRIVATE KEY-----`), wiped from memory when dropped.
pub(crate) fn key_to_pem(key: &SigningKey) -> Result<Zeroizing<String>, SigningError> {
    key.to_pkcs8_pem(LineEnding::LF)
        .map_err(|err| SigningError::build("a PKCS #8 key", err))
}

/// A distinguished name from (attribute, value) pairs, most general first; the country as a
/// `PrintableString`, everything else as a `UTF8String`.
pub(crate) fn name(parts: &[(ObjectIdentifier, &str)]) -> Result<Name, SigningError> {
    let mut rdns = Vec::with_capacity(parts.len());
    for (oid, value) in parts {
        let tag = if *oid == C {
            Tag::PrintableString
        } else {
            Tag::Utf8String
        };
        let value = Any::new(tag, value.as_bytes())
            .map_err(|err| SigningError::build("a distinguished name", err))?;
        let mut set = SetOfVec::new();
        set.insert(AttributeTypeAndValue { oid: *oid, value })
            .map_err(|err| SigningError::build("a distinguished name", err))?;
        rdns.push(RelativeDistinguishedName(set));
    }
    Ok(RdnSequence(rdns))
}

/// The first value of attribute `oid` in `name` as text (UTF-8, printable, IA5, Teletex read
/// as Latin-1, or BMP strings), if there is one.
pub(crate) fn name_attribute(name: &Name, oid: ObjectIdentifier) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == oid)
        .and_then(|atv| directory_string(&atv.value))
}

/// The text of a `DirectoryString` value.
fn directory_string(value: &Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            String::from_utf8(bytes.to_vec()).ok()
        }
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// `at` as a DER date and time (whole seconds, UTC).
fn date_time(at: OffsetDateTime) -> Result<DateTime, SigningError> {
    let seconds = u64::try_from(at.unix_timestamp())
        .map_err(|_| SigningError::TimeOutOfRange(at.to_string()))?;
    DateTime::from_unix_duration(std::time::Duration::from_secs(seconds))
        .map_err(|_| SigningError::TimeOutOfRange(at.to_string()))
}

/// `at` as RFC 5280 and RFC 5652 write times: `UTCTime` through 2049, `GeneralizedTime` after.
pub(crate) fn x509_time(at: OffsetDateTime) -> Result<Time, SigningError> {
    let date_time = date_time(at)?;
    if date_time.year() <= 2049 {
        let utc = x509_cert::der::asn1::UtcTime::from_date_time(date_time)
            .map_err(|_| SigningError::TimeOutOfRange(at.to_string()))?;
        Ok(Time::UtcTime(utc))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(
            date_time,
        )))
    }
}

/// A certificate or signature time back as an [`OffsetDateTime`].
pub(crate) fn offset_date_time(at: Time) -> Result<OffsetDateTime, SigningError> {
    let seconds = i64::try_from(at.to_unix_duration().as_secs())
        .map_err(|_| SigningError::TimeOutOfRange(at.to_string()))?;
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|_| SigningError::TimeOutOfRange(at.to_string()))
}
