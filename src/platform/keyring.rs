//! The OS credential store — the Secret Service on Linux, the login
//! Keychain on macOS, Credential Manager on Windows — through the keyring
//! ecosystem's common API (`keyring-core`). Each system's module opens its
//! store ([`os::open_credential_store`]) and says what an item's extra
//! names are ([`os::modifiers`]); what is read and written is the same
//! everywhere: a secret under a service and an account.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use super::os;

/// Why the credential store could not be used. The texts are the store's
/// own words and name no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreProblem {
    /// There is no store to talk to (no D-Bus, no Secret Service): why.
    Missing(String),
    /// The store is there but locked, and unlocking it would ask the user.
    Locked,
    /// Anything else, in the store's words.
    Failed(String),
}

/// The opened credential store, for the length of one
/// [`with_credential_store`].
pub struct CredentialItems {
    store: Arc<CredentialStore>,
}

impl CredentialItems {
    fn entry(&self, service: &str, account: &str, label: &str) -> Result<Entry, StoreProblem> {
        let modifiers = os::modifiers(service, account, label);
        let modifiers: HashMap<&str, &str> = modifiers
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
            .collect();
        self.store
            .build(service, account, Some(&modifiers))
            .map_err(os::store_problem)
    }

    /// The secret of the item `service`/`account`; `None` when there is none.
    pub fn read(&self, service: &str, account: &str) -> Result<Option<Vec<u8>>, StoreProblem> {
        match self.entry(service, account, account)?.get_secret() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(err) => Err(os::store_problem(err)),
        }
    }

    /// Creates or replaces the item `service`/`account`, shown as `label`
    /// where the system shows one.
    pub fn write(
        &self,
        service: &str,
        account: &str,
        label: &str,
        secret: &[u8],
    ) -> Result<(), StoreProblem> {
        self.entry(service, account, label)?
            .set_secret(secret)
            .map_err(os::store_problem)
    }

    /// Removes the item `service`/`account`; whether there was one.
    pub fn delete(&self, service: &str, account: &str) -> Result<bool, StoreProblem> {
        match self.entry(service, account, account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(err) => Err(os::store_problem(err)),
        }
    }
}

/// Runs `work` with the system's credential store. Unless `ask_user`, a
/// store that would have to ask the user (a locked keychain, a dialog) is
/// not asked: `work` gets [`StoreProblem::Locked`] instead. The calls may
/// block on the system's service: callers bound them in time.
pub fn with_credential_store<T>(
    ask_user: bool,
    work: impl FnOnce(&CredentialItems) -> Result<T, StoreProblem>,
) -> Result<T, StoreProblem> {
    os::with_open_store(ask_user, |store| work(&CredentialItems { store }))
}
