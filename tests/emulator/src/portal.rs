//! The SSO portal API (`sso`, restJson1): role credentials, account and role
//! listings, logout. Authenticated by the `x-amz-sso_bearer_token` header.
//! Role credentials are recorded as sessions of the permission set's role,
//! so STS and the console sign-in endpoint accept them afterwards.

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::server::Call;
use crate::state::{SessionIdentity, State};
use crate::wire::{ApiError, Reply};
use crate::{iam, timefmt};

const BEARER_HEADER: &str = "x-amz-sso_bearer_token";
/// The service's bounds for `max_result`.
const MAX_PAGE_SIZE: u64 = 100;

/// The bearer token of a call, if the portal accepts it now.
fn authenticate<'c>(state: &State, call: &'c Call, now: SystemTime) -> Result<&'c str, ApiError> {
    match call.header(BEARER_HEADER) {
        Some(token) if state.access_token_is_valid(token, now) => Ok(token),
        _ => Err(ApiError::unauthorized()),
    }
}

pub(crate) fn get_role_credentials(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    authenticate(state, call, now)?;
    let role_name = call.required_query("role_name")?;
    let account_id = call.required_query("account_id")?;
    let index = state
        .accounts
        .index_of(account_id)
        .ok_or_else(ApiError::no_access)?;
    if !state
        .accounts
        .role_names(index)
        .iter()
        .any(|role| role == role_name)
    {
        return Err(ApiError::no_access());
    }
    // A session of the role Identity Center provisions for the permission
    // set, named after the user, so STS knows who is calling.
    let role_arn = iam::sso_role_arn(account_id, role_name);
    let user_name = state.config.user_name.clone();
    let identity = SessionIdentity {
        account_id: account_id.to_owned(),
        caller_arn: sso_caller_arn(account_id, role_name, &user_name),
        user_id: format!("{}:{user_name}", iam::role_id(&role_arn)),
        role_arn,
    };
    let issued = state.issue_session(identity, now + state.config.credential_lifetime);
    Ok(Reply::Json(json!({
        "roleCredentials": {
            "accessKeyId": issued.access_key_id,
            "secretAccessKey": issued.secret_access_key,
            "sessionToken": issued.session_token,
            "expiration": timefmt::epoch_millis(issued.expires_at),
        }
    })))
}

/// `arn:aws:sts::ACCOUNT:assumed-role/AWSReservedSSO_<PermissionSet>_<hex>/<user>`:
/// who SSO role credentials of `user_name` are, to STS.
pub(crate) fn sso_caller_arn(account_id: &str, permission_set: &str, user_name: &str) -> String {
    format!(
        "arn:aws:sts::{account_id}:assumed-role/{}/{user_name}",
        iam::sso_role_name(account_id, permission_set)
    )
}

pub(crate) fn list_accounts(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    authenticate(state, call, now)?;
    let page_size = page_size(state, call)?;
    let accounts = &state.accounts;
    let start = page_start(call, "accounts", accounts.len())?;
    let end = (start + page_size).min(accounts.len());
    let account_list: Vec<Value> = (start..end)
        .filter_map(|index| accounts.get(index))
        .map(|account| {
            json!({
                "accountId": account.account_id,
                "accountName": account.account_name,
                "emailAddress": account.email_address,
            })
        })
        .collect();
    let mut body = json!({ "accountList": account_list });
    if end < accounts.len() {
        body["nextToken"] = json!(page_token("accounts", end));
    }
    Ok(Reply::Json(body))
}

pub(crate) fn list_account_roles(
    state: &mut State,
    call: &Call,
    now: SystemTime,
) -> Result<Reply, ApiError> {
    authenticate(state, call, now)?;
    let account_id = call.required_query("account_id")?;
    let page_size = page_size(state, call)?;
    let index = state
        .accounts
        .index_of(account_id)
        .ok_or_else(ApiError::no_access)?;
    // The token names the account so a token from one account's listing
    // cannot be replayed against another.
    let scope = format!("roles:{account_id}");
    let roles = state.accounts.role_names(index);
    let start = page_start(call, &scope, roles.len() as u64)?;
    let end = (start + page_size).min(roles.len() as u64);
    let role_list: Vec<Value> = roles[start as usize..end as usize]
        .iter()
        .map(|role| json!({ "roleName": role, "accountId": account_id }))
        .collect();
    let mut body = json!({ "roleList": role_list });
    if end < roles.len() as u64 {
        body["nextToken"] = json!(page_token(&scope, end));
    }
    Ok(Reply::Json(body))
}

pub(crate) fn logout(state: &mut State, call: &Call, now: SystemTime) -> Result<Reply, ApiError> {
    let token = authenticate(state, call, now)?;
    state.revoke(token);
    Ok(Reply::Empty)
}

/// `max_result`, which the service bounds to 1–100.
fn page_size(state: &State, call: &Call) -> Result<u64, ApiError> {
    match call.query("max_result") {
        None => Ok(state.config.default_page_size),
        Some(raw) => match raw.parse::<u64>() {
            Ok(size) if (1..=MAX_PAGE_SIZE).contains(&size) => Ok(size),
            _ => Err(ApiError::invalid_request(format!(
                "max_result must be between 1 and {MAX_PAGE_SIZE}, got '{raw}'"
            ))),
        },
    }
}

/// An opaque `nextToken` holding the offset of the next page.
fn page_token(scope: &str, offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{scope}:{offset}"))
}

/// The offset a call's `next_token` points at (0 without one); a token that
/// this listing did not issue, or one past its end, is an InvalidRequestException.
fn page_start(call: &Call, scope: &str, len: u64) -> Result<u64, ApiError> {
    let Some(token) = call.query("next_token").filter(|token| !token.is_empty()) else {
        return Ok(0);
    };
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let (token_scope, offset) = text.rsplit_once(':')?;
            let offset = offset.parse::<u64>().ok()?;
            (token_scope == scope && offset <= len).then_some(offset)
        })
        .ok_or_else(|| ApiError::invalid_request("Invalid pagination token"))
}
