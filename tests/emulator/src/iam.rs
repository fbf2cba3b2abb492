//! The IAM side of the emulated identities: role ARNs, the assumed-role ARNs
//! sessions of them have, and the stable ids AWS gives roles.
//!
//! Every credential the emulator issues is an IAM role session, as on AWS:
//! SSO role credentials are sessions of the role Identity Center creates for
//! a permission set (`AWSReservedSSO_<PermissionSet>_<16 hex>`, under the
//! `aws-reserved/sso.amazonaws.com/` path), AssumeRole credentials are
//! sessions of the assumed role. Names and ids are derived, not random, so
//! that a test can predict them and the same role keeps the same id.

use sha2::{Digest as _, Sha256};

use crate::sigv4::hex;

/// The path Identity Center puts its permission-set roles under.
const SSO_ROLE_PATH: &str = "aws-reserved/sso.amazonaws.com/";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// An IAM role ARN taken apart: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RoleArn<'a> {
    pub partition: &'a str,
    pub account_id: &'a str,
    /// The last segment of the resource path: what assumed-role ARNs show.
    pub role_name: &'a str,
}

impl<'a> RoleArn<'a> {
    /// `None` unless `arn` is an IAM role ARN: service `iam`, no region, a
    /// 12-digit account and a `role/` resource with a valid name.
    pub(crate) fn parse(arn: &'a str) -> Option<RoleArn<'a>> {
        let mut fields = arn.splitn(6, ':');
        let (prefix, partition, service, region, account_id, resource) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        let role_path = resource.strip_prefix("role/")?;
        let role_name = role_path.rsplit('/').next()?;
        let valid = prefix == "arn"
            && partition.starts_with("aws")
            && service == "iam"
            && region.is_empty()
            && account_id.len() == 12
            && account_id.bytes().all(|b| b.is_ascii_digit())
            && (1..=64).contains(&role_name.len())
            && role_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
        valid.then_some(RoleArn {
            partition,
            account_id,
            role_name,
        })
    }

    /// The ARN GetCallerIdentity shows for a session of this role named
    /// `session_name`.
    pub(crate) fn assumed_role_arn(&self, session_name: &str) -> String {
        format!(
            "arn:{}:sts::{}:assumed-role/{}/{session_name}",
            self.partition, self.account_id, self.role_name
        )
    }
}

/// `AWSReservedSSO_<PermissionSet>_<16 hex>`: the name of the role Identity
/// Center provisions for a permission set in an account. The suffix is the
/// start of SHA-256 over both, so it is stable and differs between them.
pub(crate) fn sso_role_name(account_id: &str, permission_set: &str) -> String {
    let digest = Sha256::digest(format!("{account_id}:{permission_set}").as_bytes());
    format!("AWSReservedSSO_{permission_set}_{}", &hex(&digest)[..16])
}

/// The IAM role ARN behind a permission set in an account: what a trust
/// policy names to let that permission set's users in.
pub(crate) fn sso_role_arn(account_id: &str, permission_set: &str) -> String {
    format!(
        "arn:aws:iam::{account_id}:role/{SSO_ROLE_PATH}{}",
        sso_role_name(account_id, permission_set)
    )
}

/// `AROA` and 16 upper-case letters and digits: the unique id of the role
/// with this ARN, derived from it so it never changes.
pub(crate) fn role_id(role_arn: &str) -> String {
    let digest = Sha256::digest(format!("role-id:{role_arn}").as_bytes());
    let suffix: String = digest
        .iter()
        .take(16)
        .map(|byte| char::from(UPPER_ALNUM[usize::from(*byte) % UPPER_ALNUM.len()]))
        .collect();
    format!("AROA{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_parse_with_paths_and_other_arns_do_not() {
        let parsed = RoleArn::parse("arn:aws:iam::222222222222:role/team/a/Deploy").expect("role");
        assert_eq!(parsed.account_id, "222222222222");
        assert_eq!(parsed.role_name, "Deploy");
        assert_eq!(
            parsed.assumed_role_arn("ci"),
            "arn:aws:sts::222222222222:assumed-role/Deploy/ci"
        );
        let china = RoleArn::parse("arn:aws-cn:iam::222222222222:role/Deploy").expect("role");
        assert_eq!(
            china.assumed_role_arn("ci"),
            "arn:aws-cn:sts::222222222222:assumed-role/Deploy/ci"
        );
        for not_a_role in [
            "",
            "Deploy",
            "arn:aws:iam::222222222222:user/Deploy",
            "arn:aws:iam::22222222222:role/Deploy",
            "arn:aws:iam:us-east-1:222222222222:role/Deploy",
            "arn:aws:sts::222222222222:assumed-role/Deploy/ci",
            "arn:aws:iam::222222222222:role/",
            "arn:aws:iam::222222222222:role/has space",
            "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com",
        ] {
            assert_eq!(RoleArn::parse(not_a_role), None, "{not_a_role:?}");
        }
    }

    #[test]
    fn sso_roles_and_role_ids_are_stable_and_distinct() {
        let name = sso_role_name("111111111111", "AdministratorAccess");
        assert_eq!(name, sso_role_name("111111111111", "AdministratorAccess"));
        assert_ne!(name, sso_role_name("111111111112", "AdministratorAccess"));
        assert_ne!(name, sso_role_name("111111111111", "ReadOnly"));
        let suffix = name
            .strip_prefix("AWSReservedSSO_AdministratorAccess_")
            .expect("prefix");
        assert!(
            suffix.len() == 16 && suffix.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name}"
        );
        let arn = sso_role_arn("111111111111", "AdministratorAccess");
        assert_eq!(
            arn,
            format!("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/{name}")
        );
        assert_eq!(
            RoleArn::parse(&arn).map(|role| role.role_name),
            Some(name.as_str())
        );

        let id = role_id(&arn);
        assert_eq!(id, role_id(&arn));
        assert_ne!(id, role_id("arn:aws:iam::111111111111:role/Other"));
        assert!(
            id.len() == 20
                && id.starts_with("AROA")
                && id[4..]
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{id}"
        );
    }
}
