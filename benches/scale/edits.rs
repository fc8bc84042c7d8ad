//! What a bench change is made of: the statuses a generated SIM can hold,
//! the edits a manifest makes to it, and the tags those edits name. Plain
//! values at the bottom of the bench: this module knows no kind and
//! imports nothing of the bench.

/// Tags the seed of a kind with tags declares: `t0`..`t4`, ids
/// `tag-0`..`tag-4`.
pub const TAGS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Suspended,
    Inactive,
}

impl Status {
    pub fn manifest(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Inactive => "inactive",
        }
    }
}

/// One thing a manifest changes on a SIM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Name,
    Tags,
    Package,
    Attributes,
    /// To this status.
    Status(Status),
}

impl Edit {
    /// 0 enable, 1 configure, 2 restrict (simfleet's phases).
    pub fn phase(self) -> usize {
        match self {
            Edit::Status(Status::Active) => 0,
            Edit::Status(_) => 2,
            _ => 1,
        }
    }
}

/// A changing SIM: its number in the generated fleet and its edits.
pub type Change = (usize, &'static [Edit]);
