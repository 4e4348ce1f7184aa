//! Cache keys for results computed from shared data. A key holds a clone of the `Arc`
//! it was computed from and compares by identity, so the data cannot be freed and its
//! address reused by a new value while the cache still answers for it.

use std::sync::Arc;

/// An `Arc` compared by identity (`Arc::ptr_eq`), not by value.
pub struct ArcKey<T: ?Sized>(pub Arc<T>);

impl<T: ?Sized> std::fmt::Debug for ArcKey<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ArcKey({:p})", Arc::as_ptr(&self.0))
    }
}

impl<T: ?Sized> Clone for ArcKey<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: ?Sized> PartialEq for ArcKey<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: ?Sized> Eq for ArcKey<T> {}

impl<T: ?Sized> ArcKey<T> {
    pub fn of(arc: &Arc<T>) -> Self {
        Self(arc.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_in_different_arcs_are_different_keys() {
        let a = Arc::new(1);
        let b = Arc::new(1);
        assert_eq!(ArcKey::of(&a), ArcKey::of(&a));
        assert_ne!(ArcKey::of(&a), ArcKey::of(&b));
    }
}
