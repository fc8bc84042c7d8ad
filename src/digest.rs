//! A small content digest (64-bit FNV-1a) for noticing that files changed:
//! sandbox seeds, the manifests behind a saved plan. Not a security
//! measure: nothing trusts it against a deliberate forgery.

/// Accumulates bytes; [`Digest::hex`] gives `fnv1a64:<16 hex digits>`.
#[derive(Debug, Clone, Copy)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Digest(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    pub fn update(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Folds another digest in, as if its bytes were appended.
    pub fn absorb(&mut self, other: Digest) {
        self.update(&other.0.to_le_bytes());
    }

    pub fn hex(self) -> String {
        format!("fnv1a64:{:016x}", self.0)
    }

    pub fn of(bytes: &[u8]) -> String {
        let mut d = Digest::default();
        d.update(bytes);
        d.hex()
    }
}
