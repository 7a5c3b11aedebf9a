//! Authentication: passwords, signing keys, access tokens, opaque tokens, and the
//! extractors that turn a bearer token into a [`domain::Actor`].

pub mod extract;
pub mod hashing;
pub mod jwt;
pub mod keys;
pub mod passwords;
pub mod secrets;
pub mod state;

pub use extract::{Authenticated, MaybeAuthenticated, SignedIn};
pub use state::{AuthConfig, AuthState, Limit};
