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
