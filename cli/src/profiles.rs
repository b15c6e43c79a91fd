//! Saved logins: `profiles.toml` in the user's config directory (`$KEEL_CONFIG_DIR`, else
//! `$XDG_CONFIG_HOME/keel`, else `~/.config/keel`), readable by its owner only (mode 0600), as
//! tokens are secrets. `KEEL_URL`, `KEEL_TOKEN` and `KEEL_WORKSPACE` (or the flags) override a
//! profile's fields.

use crate::client::{exit, CliError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub url: String,
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Profiles {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// The directory of the profiles file.
pub fn dir() -> Result<PathBuf, CliError> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = env("KEEL_CONFIG_DIR") {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = env("XDG_CONFIG_HOME") {
        return Ok(PathBuf::from(d).join("keel"));
    }
    env("HOME")
        .map(|h| PathBuf::from(h).join(".config").join("keel"))
        .ok_or_else(|| {
            CliError::new(
                exit::FAILURE,
                "no config directory: set KEEL_CONFIG_DIR or HOME",
            )
        })
}

pub fn path() -> Result<PathBuf, CliError> {
    Ok(dir()?.join("profiles.toml"))
}

/// The log position of the last write each server answered to this user (`positions.toml`):
/// the next command's list and stats reads pass it as `min_position`, so that
/// `keel keys create …; keel keys list` shows the key even while the read model catches up.
pub mod positions {
    use super::dir;
    use std::collections::BTreeMap;

    fn file() -> Option<std::path::PathBuf> {
        dir().ok().map(|d| d.join("positions.toml"))
    }

    fn load() -> BTreeMap<String, i64> {
        file()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// The last position `server` answered, if any.
    pub fn get(server: &str) -> Option<i64> {
        load().get(server).copied()
    }

    /// Forgets `server`'s position (it no longer has it).
    pub fn forget(server: &str) {
        let mut all = load();
        if all.remove(server).is_some() {
            save(&all);
        }
    }

    fn save(all: &BTreeMap<String, i64>) {
        if let (Some(f), Ok(text)) = (file(), toml::to_string(all)) {
            if let Some(parent) = f.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            // Written whole, then renamed: a reader never sees half a file.
            let tmp = f.with_extension(format!("toml.{}", std::process::id()));
            if std::fs::write(&tmp, text).is_ok() {
                let _ = std::fs::rename(&tmp, &f);
            }
        }
    }

    /// Remembers `position` for `server` (the larger of it and the one kept). Best effort: a
    /// config directory that cannot be written only costs read-your-writes.
    pub fn remember(server: &str, position: i64) {
        let mut all = load();
        let kept = all.entry(server.to_string()).or_insert(position);
        *kept = (*kept).max(position);
        save(&all);
    }
}

impl Profiles {
    pub fn load() -> Result<Profiles, CliError> {
        let p = path()?;
        match std::fs::read_to_string(&p) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                CliError::new(exit::FAILURE, format!("{} is not valid: {e}", p.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profiles::default()),
            Err(e) => Err(CliError::new(
                exit::FAILURE,
                format!("{}: {e}", p.display()),
            )),
        }
    }

    /// Writes the file, readable and writable by its owner only.
    pub fn save(&self) -> Result<PathBuf, CliError> {
        use std::io::Write;
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let p = path()?;
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let text = toml::to_string(self)
            .map_err(|e| CliError::new(exit::FAILURE, format!("profiles: {e}")))?;
        // Written beside and renamed over, so a crash never leaves half a file.
        let tmp = p.with_extension("toml.tmp");
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &p)?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_round_trip_through_toml() {
        let mut p = Profiles::default();
        p.profiles.insert(
            "default".into(),
            Profile {
                url: "http://127.0.0.1:8080".into(),
                token: "keel_x".into(),
                workspace: None,
            },
        );
        let text = toml::to_string(&p).unwrap_or_default();
        let back: Profiles = toml::from_str(&text).unwrap_or_default();
        assert_eq!(back.profiles, p.profiles);
    }
}
