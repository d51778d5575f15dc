//! Published documents (văn bản công bố) as the catalogue stores them: each agency and procedure
//! version is kept as its JSON body in the catalogue file format, read back and written through
//! these two conversions, so a body that cannot be written or read is an error, never `null`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A value as the JSON body stored for it.
pub fn body<T: Serialize>(value: &T) -> Result<Value, sqlx::Error> {
    serde_json::to_value(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// Stored bodies read back as entries of the catalogue format.
pub fn entries<T: DeserializeOwned>(bodies: Vec<Value>) -> Result<Vec<T>, sqlx::Error> {
    bodies
        .into_iter()
        .map(|b| serde_json::from_value(b).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect()
}
