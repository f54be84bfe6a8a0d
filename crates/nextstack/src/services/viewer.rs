//! Who is looking at rows that are not public to everyone (drafts, private
//! profiles, inactive offerings).

/// Who is looking: decides which private rows are visible.
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    /// Not signed in.
    Anonymous,
    /// A signed-in user (sees their own private rows).
    User(&'a str),
    /// An admin (sees everything).
    Admin,
}

impl Viewer<'_> {
    /// True when the viewer may see a private row owned by `owner`.
    pub fn sees_private_of(self, owner: &str) -> bool {
        match self {
            Self::Anonymous => false,
            Self::User(id) => id == owner,
            Self::Admin => true,
        }
    }
}
