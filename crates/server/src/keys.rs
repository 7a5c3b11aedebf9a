//! `keys generate` and `keys rotate`: signing keys are rotated without a cut-over. The
//! current key signs; the previous one still verifies the tokens it signed until they
//! expire; both are published in the JWKS.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use api::accounts::auth::keys::SigningKeys;

use crate::startup::{DATA_DIR_KEY, DATA_DIR_PREVIOUS_KEY, load_key};

/// Writes a fresh key to a new file (mode 0600) and returns its kid; an existing file is
/// never overwritten.
pub fn generate(out: &Path) -> anyhow::Result<String> {
    let (keys, pem) = SigningKeys::generate();
    write_private(out, &pem)?;
    Ok(keys.kid)
}

/// Creates `path` readable only by its owner and writes `contents`; fails if it exists.
pub(crate) fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!("{} exists; refusing to overwrite a key", path.display())
        }
        other => other.with_context(|| format!("cannot create {}", path.display()))?,
    };
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// What a rotation in the data folder did.
#[derive(Debug)]
pub struct Rotated {
    pub current_kid: String,
    pub previous_kid: String,
    /// The key that was the previous one before, now removed.
    pub dropped_kid: Option<String>,
}

/// Rotates the data-folder keys: the current key becomes the previous one (replacing an
/// older previous key) and a new current key is generated. The running server keeps its
/// keys until it restarts.
pub fn rotate_data_dir(dir: &Path) -> anyhow::Result<Rotated> {
    let current = dir.join(DATA_DIR_KEY);
    let previous = dir.join(DATA_DIR_PREVIOUS_KEY);
    anyhow::ensure!(
        current.exists(),
        "no key to rotate at {} (the server generates it on first start; is --data-dir right?)",
        current.display()
    );
    let previous_kid = load_key(&current)?.kid;
    let dropped_kid = if previous.exists() {
        Some(load_key(&previous)?.kid)
    } else {
        None
    };
    // The new key is complete on disk before anything moves; each rename is atomic, and
    // a crash between them leaves no current key, which the next start generates.
    let fresh = dir.join(format!("{DATA_DIR_KEY}.new"));
    match std::fs::remove_file(&fresh) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("cannot remove {}", fresh.display()));
        }
        _ => {}
    }
    let current_kid = generate(&fresh)?;
    std::fs::rename(&current, &previous)
        .with_context(|| format!("cannot move {} to {}", current.display(), previous.display()))?;
    std::fs::rename(&fresh, &current)
        .with_context(|| format!("cannot move {} to {}", fresh.display(), current.display()))?;
    Ok(Rotated {
        current_kid,
        previous_kid,
        dropped_kid,
    })
}

/// The steps of a rotation with key files, which belong to the deployment (secrets
/// shared by every instance), so the operator changes them.
pub fn rotation_steps(current: &Path, previous: Option<&Path>, access_ttl: std::time::Duration) -> String {
    let new = next_to(
        current,
        &format!("jwt-ed25519-{}.pem", chrono::Utc::now().format("%Y%m%d")),
    );
    let minutes = access_ttl.as_secs().div_ceil(60);
    let (current, new) = (current.display(), new.display());
    let mut steps = format!(
        "The signing key is a file shared by every instance (LW_JWT_KEY_FILE={current}),\n\
         so the rotation happens in the deployment:\n\
         \n\
         1. Generate the new key (anywhere; then install it like the current one):\n\
         \x20    lokal-willkommen keys generate --out {new}\n\
         2. Configure every instance with the old key as the previous one and the new key\n\
         \x20  as the current one:\n\
         \x20    LW_JWT_PREVIOUS_KEY_FILE={current}\n\
         \x20    LW_JWT_KEY_FILE={new}\n"
    );
    if let Some(previous) = previous {
        let _ = writeln!(
            steps,
            "   This replaces LW_JWT_PREVIOUS_KEY_FILE={}:\n   \
             tokens of that older key stop working.",
            previous.display()
        );
    }
    let _ = write!(
        steps,
        "3. Restart all instances. New tokens are signed with the new key; tokens of the old\n\
         \x20  one stay valid until they expire. /.well-known/jwks.json lists both keys.\n\
         \x20  Restarting one instance at a time? An instance still on the old key alone would\n\
         \x20  refuse the new key's tokens. Then do step 2 in two rounds: first set only\n\
         \x20  LW_JWT_PREVIOUS_KEY_FILE={new}\n\
         \x20  (the new key verifies everywhere, the old one still signs) and restart all;\n\
         \x20  then swap as in step 2 and restart all again.\n\
         4. {minutes} minutes (the access-token lifetime) after the last restart, remove\n\
         \x20  LW_JWT_PREVIOUS_KEY_FILE and restart the instances; then retire the old key.\n"
    );
    steps
}

/// A file name in the folder of `file`.
fn next_to(file: &Path, name: &str) -> PathBuf {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(name),
        _ => PathBuf::from(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_name_the_files_and_the_lifetime() {
        let steps = rotation_steps(
            Path::new("/run/secrets/jwt_key"),
            Some(Path::new("/run/secrets/jwt_key_old")),
            std::time::Duration::from_mins(15),
        );
        assert!(
            steps.contains("keys generate --out /run/secrets/jwt-ed25519-"),
            "{steps}"
        );
        assert!(
            steps.contains("LW_JWT_PREVIOUS_KEY_FILE=/run/secrets/jwt_key\n"),
            "{steps}"
        );
        assert!(steps.contains("/run/secrets/jwt_key_old"), "{steps}");
        assert!(steps.contains("15 minutes"), "{steps}");
        let relative = rotation_steps(Path::new("key.pem"), None, std::time::Duration::from_mins(15));
        assert!(relative.contains("--out jwt-ed25519-"), "{relative}");
    }
}
