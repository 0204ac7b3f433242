//! The random numbers of Python's `random.Random(seed)`, so that the bootstrap draws the same
//! resamples as `score.py`.
//!
//! `CPython`'s generator is MT19937 (Matsumoto and Nishimura's `mt19937ar.c`), seeded from an
//! integer with `init_by_array` over its 32-bit words; `randint(0, n - 1)` takes
//! `getrandbits(k)` for `k = n.bit_length()`, the top `k` bits of one output, until the value
//! is below `n` (`_randbelow_with_getrandbits` in `CPython` 3.11's `random.py`).

const N: usize = 624;
const M: usize = 397;

/// Python's `random.Random`, as far as the bootstrap needs it.
#[derive(Clone)]
pub struct PyRandom {
    state: [u32; N],
    index: usize,
}

impl PyRandom {
    /// `random.Random(seed)` for a non-negative integer seed.
    pub fn new(seed: u64) -> PyRandom {
        // Python uses as many 32-bit words as the seed needs, and at least one.
        let (low, high) = (seed as u32, (seed >> 32) as u32);
        if high == 0 {
            PyRandom::from_key(&[low])
        } else {
            PyRandom::from_key(&[low, high])
        }
    }

    fn from_genrand(seed: u32) -> PyRandom {
        let mut state = [0_u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253_u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        PyRandom { state, index: N }
    }

    /// `init_by_array` of `mt19937ar.c`.
    fn from_key(key: &[u32]) -> PyRandom {
        let mut rng = PyRandom::from_genrand(19_650_218);
        let mt = &mut rng.state;
        let (mut i, mut j) = (1, 0);
        for _ in 0..N.max(key.len()) {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = mt[i - 1];
            mt[i] =
                (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        rng
    }

    /// The next 32-bit output (`genrand_uint32`), which is `getrandbits(32)`.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        let mt = &mut self.state;
        for k in 0..N {
            let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % N] & 0x7fff_ffff);
            let mag = if y & 1 == 0 { 0 } else { 0x9908_b0df };
            mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// `randint(0, n - 1)` (also `randrange(n)`): uniform in `0..n`, for `n >= 1`.
    pub fn below(&mut self, n: u32) -> u32 {
        assert!(n > 0, "an empty range has no values");
        let k = 32 - n.leading_zeros();
        loop {
            let r = self.next_u32() >> (32 - k);
            if r < n {
                return r;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values were printed by CPython 3.11.7, e.g.
    // `r = random.Random(0); [r.getrandbits(32) for _ in range(3)]`.
    #[test]
    fn matches_cpython() {
        let mut r = PyRandom::new(0);
        assert_eq!(
            [r.next_u32(), r.next_u32(), r.next_u32()],
            [3_626_764_237, 1_654_615_998, 3_255_389_356]
        );
        let mut r = PyRandom::new(0);
        let draws: Vec<u32> = (0..5).map(|_| r.below(2064)).collect();
        assert_eq!(draws, [1577, 1722, 165, 1060, 1990]);
        // `randint(0, 0)` still consumes outputs until a 1-bit draw is 0.
        let mut r = PyRandom::new(0);
        assert_eq!([r.below(1), r.below(1), r.below(1)], [0, 0, 0]);
        assert_eq!(r.next_u32(), 1_112_038_970);
        let mut r = PyRandom::new((1 << 40) + 5);
        assert_eq!([r.next_u32(), r.next_u32()], [2_166_296_868, 2_220_160_828]);
        // Past the first twist: the last of 1000 draws of `randint(0, 88)` with seed 7.
        let mut r = PyRandom::new(7);
        let draws: Vec<u32> = (0..1000).map(|_| r.below(89)).collect();
        assert_eq!(draws[997..], [53, 46, 87]);
    }

    // The reference output of `mt19937ar.c` for `init_by_array({0x123, 0x234, 0x345, 0x456})`.
    #[test]
    fn matches_the_reference_implementation() {
        let mut r = PyRandom::from_key(&[0x123, 0x234, 0x345, 0x456]);
        assert_eq!(
            [r.next_u32(), r.next_u32(), r.next_u32()],
            [1_067_595_299, 955_945_823, 477_289_528]
        );
    }
}
