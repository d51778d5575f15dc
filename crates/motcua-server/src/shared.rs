//! The state a service's handlers, gRPC face and workers share (trạng thái dùng chung), held
//! once behind one `Arc`: axum clones the state for every request and for every layer that
//! holds it, so a clone must be one reference count, not a copy of the platform, the clients
//! and the settings (13–15 % of intake's CPU under load when it was).

use std::ops::Deref;
use std::sync::Arc;

/// A service's shared parts `T`; reads through to them (`state.pool`, `state.now()`).
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    /// The state holding `parts`.
    pub fn new(parts: T) -> Self {
        Self(Arc::new(parts))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Shared;
    use std::sync::Arc;

    #[test]
    fn a_clone_shares_the_parts_instead_of_copying_them() {
        let a = Shared::new(vec![1, 2, 3]);
        let b = a.clone();
        assert!(std::ptr::eq(&*a, &*b), "one copy of the parts");
        assert_eq!(Arc::strong_count(&a.0), 2);
        assert_eq!(b.len(), 3, "reads through to the parts");
    }
}
