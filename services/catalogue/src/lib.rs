//! The catalogue service.
