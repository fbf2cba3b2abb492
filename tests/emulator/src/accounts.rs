//! The accounts and roles the portal serves, either listed explicitly or
//! generated on the fly.
//!
//! A generated set is just a count and a list of role names: account `i` is
//! computed when a page needs it, so a set of a hundred thousand accounts
//! costs nothing until it is listed, and a page costs only its own entries.

use std::borrow::Cow;

use crate::model::Account;

/// Generated account ids start here so that they are 12 digits without
/// leading zeros, like most real ones.
const GENERATED_ID_BASE: u64 = 100_000_000_000;

pub(crate) enum AccountSet {
    Listed(Vec<Account>),
    Generated { count: u64, role_names: Vec<String> },
}

impl AccountSet {
    pub(crate) fn len(&self) -> u64 {
        match self {
            AccountSet::Listed(accounts) => accounts.len() as u64,
            AccountSet::Generated { count, .. } => *count,
        }
    }

    /// The account at `index` in listing order.
    pub(crate) fn get(&self, index: u64) -> Option<Cow<'_, Account>> {
        match self {
            AccountSet::Listed(accounts) => accounts
                .get(usize::try_from(index).ok()?)
                .map(Cow::Borrowed),
            AccountSet::Generated { count, role_names } => (index < *count).then(|| {
                let account_id = format!("{:012}", GENERATED_ID_BASE + index);
                let number = index + 1;
                Cow::Owned(Account {
                    email_address: format!("aws+account{number}@example.com"),
                    account_name: format!("Account {number}"),
                    account_id,
                    role_names: role_names.clone(),
                })
            }),
        }
    }

    /// The listing index of the account with this id.
    pub(crate) fn index_of(&self, account_id: &str) -> Option<u64> {
        match self {
            AccountSet::Listed(accounts) => accounts
                .iter()
                .position(|account| account.account_id == account_id)
                .map(|index| index as u64),
            AccountSet::Generated { count, .. } => {
                if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let index = account_id
                    .parse::<u64>()
                    .ok()?
                    .checked_sub(GENERATED_ID_BASE)?;
                (index < *count).then_some(index)
            }
        }
    }

    /// The role names assigned in the account at `index`, without building
    /// the whole account.
    pub(crate) fn role_names(&self, index: u64) -> &[String] {
        match self {
            AccountSet::Listed(accounts) => usize::try_from(index)
                .ok()
                .and_then(|index| accounts.get(index))
                .map_or(&[], |account| account.role_names.as_slice()),
            AccountSet::Generated { count, role_names } => {
                if index < *count {
                    role_names
                } else {
                    &[]
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_accounts_round_trip_by_id() {
        let set = AccountSet::Generated {
            count: 5000,
            role_names: vec!["ReadOnly".into()],
        };
        let last = set.get(4999).expect("index 4999 exists");
        assert_eq!(last.account_id, "100000004999");
        assert_eq!(set.index_of("100000004999"), Some(4999));
        assert_eq!(set.index_of("100000005000"), None, "one past the end");
        assert_eq!(set.index_of("+10000000001"), None, "not 12 digits");
        assert!(set.get(5000).is_none());
        assert_eq!(set.role_names(3), ["ReadOnly".to_owned()]);
    }

    #[test]
    fn listed_accounts_keep_their_order_and_roles() {
        let set = AccountSet::Listed(vec![
            Account::new("111111111111", "Dev", &["A"]),
            Account::new("222222222222", "Prod", &["B", "C"]),
        ]);
        assert_eq!(set.len(), 2);
        assert_eq!(set.index_of("222222222222"), Some(1));
        assert_eq!(set.role_names(1).len(), 2);
        assert_eq!(set.get(0).expect("first").email_address, "dev@example.com");
    }
}
