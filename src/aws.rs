//! The AWS services ssoenv talks to — the SSO portal (role credentials,
//! accounts), SSO OIDC (tokens) and STS (role chaining) — through the AWS
//! SDK clients, with endpoint overrides, an overall deadline and errors a
//! user can act on.

use std::time::{Duration, Instant, SystemTime};

use aws_sdk_sso::config::SharedHttpClient;
use aws_sdk_sso::config::retry::RetryConfig;
use aws_sdk_sso::config::timeout::TimeoutConfig;
use aws_sdk_sso::config::{BehaviorVersion, Region};
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};

use crate::config::{RoleHop, SsoSession, Target};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::log;
use crate::partition::Partition;

/// The endpoint a service's client should use instead of AWS's default, from
/// the SDKs' own environment variables: `AWS_ENDPOINT_URL_<SERVICE>`, then
/// `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`.
pub fn endpoint_override(service_env_suffix: &str) -> Option<String> {
    let ignore = std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    [
        format!("AWS_ENDPOINT_URL_{service_env_suffix}"),
        "AWS_ENDPOINT_URL".to_owned(),
    ]
    .iter()
    .filter_map(|name| std::env::var(name).ok())
    .find(|value| !value.trim().is_empty())
}

/// Which AWS service a request went to, for endpoint lookup and messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Service {
    Portal,
    Oidc,
    Sts,
}

impl Service {
    pub(crate) fn env_suffix(self) -> &'static str {
        match self {
            Service::Portal => "SSO",
            Service::Oidc => "SSO_OIDC",
            Service::Sts => "STS",
        }
    }

    pub(crate) fn what(self) -> &'static str {
        match self {
            Service::Portal => "the SSO portal",
            Service::Oidc => "the SSO OIDC service",
            Service::Sts => "AWS STS",
        }
    }

    /// The URL requests go to: the override, or AWS's regional endpoint.
    pub(crate) fn endpoint(self, region: &str) -> String {
        endpoint_override(self.env_suffix()).unwrap_or_else(|| match self {
            Service::Portal => format!("https://portal.sso.{region}.amazonaws.com"),
            Service::Oidc => format!("https://oidc.{region}.amazonaws.com"),
            Service::Sts => Partition::of_region(region).sts_endpoint(region),
        })
    }
}

/// The first retry's backoff ceiling (doubled for the second, jittered). The
/// SDK default (1 s) lets two backoffs outlast the hook's few seconds, and a
/// deadline that cuts a retry short reports "no answer in time" instead of
/// what AWS answered (a 500, a throttle, a dropped connection).
const RETRY_BACKOFF: Duration = Duration::from_millis(200);

/// Three attempts with a short first backoff, for every client but sign-in's.
fn standard_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(RETRY_BACKOFF)
}

/// The HTTP client for requests to `endpoint`, when the SDK's default will not do.
///
/// The default client loads the system's CA certificates (some 140 of them,
/// 18 million instructions) when an SDK client is built, whether or not a
/// request will use TLS: 70 % of a renewal from a loopback endpoint. An
/// `http://` endpoint (the emulator, a local proxy) gets the same rustls
/// client with an empty trust store instead; it never does a handshake.
/// `https://` keeps the default, native roots and all.
fn http_client_for(endpoint: &str) -> Result<Option<SharedHttpClient>> {
    let plain = endpoint
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
    if !plain {
        return Ok(None);
    }
    let no_roots = TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_native_roots(false))
        .build()
        .map_err(|err| Error::new(format!("cannot set up the HTTP client: {err}")))?;
    Ok(Some(
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ))
            .tls_context(no_roots)
            .build_https(),
    ))
}

fn timeouts(deadline: Instant) -> Result<TimeoutConfig> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Error::transient("ran out of time before contacting AWS"));
    }
    Ok(TimeoutConfig::builder()
        .operation_timeout(left)
        .connect_timeout(left.min(Duration::from_secs(3)))
        .build())
}

pub(crate) fn portal_client(
    region: &str,
    endpoint: &str,
    deadline: Instant,
) -> Result<aws_sdk_sso::Client> {
    let mut config = aws_sdk_sso::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .timeout_config(timeouts(deadline)?)
        .retry_config(standard_retries());
    config.set_http_client(http_client_for(endpoint)?);
    let config = config.build();
    Ok(aws_sdk_sso::Client::from_conf(config))
}

pub(crate) fn oidc_client(
    region: &str,
    endpoint: &str,
    deadline: Instant,
) -> Result<aws_sdk_ssooidc::Client> {
    oidc_client_with(region, endpoint, deadline, standard_retries())
}

/// An OIDC client that makes one attempt per call, for the sign-in flows:
/// polling CreateToken must see each AuthorizationPending / SlowDown answer
/// itself, and an authorization code is spent by the first attempt anyway.
pub(crate) fn oidc_client_single_attempt(
    region: &str,
    endpoint: &str,
    deadline: Instant,
) -> Result<aws_sdk_ssooidc::Client> {
    oidc_client_with(region, endpoint, deadline, RetryConfig::disabled())
}

/// Both SDK crates re-export the same smithy retry and timeout types.
fn oidc_client_with(
    region: &str,
    endpoint: &str,
    deadline: Instant,
    retries: RetryConfig,
) -> Result<aws_sdk_ssooidc::Client> {
    let mut config = aws_sdk_ssooidc::Config::builder()
        .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
        .region(aws_sdk_ssooidc::config::Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .timeout_config(timeouts(deadline)?)
        .retry_config(retries);
    config.set_http_client(http_client_for(endpoint)?);
    let config = config.build();
    Ok(aws_sdk_ssooidc::Client::from_conf(config))
}

/// GetRoleCredentials for `target` with the SSO access token.
pub async fn get_role_credentials(
    target: &Target,
    access_token: &str,
    deadline: Instant,
) -> Result<Credentials> {
    let region = &target.session.region;
    let endpoint = Service::Portal.endpoint(region);
    let client = portal_client(region, &endpoint, deadline)?;
    log::debug(|| {
        format!(
            "GetRoleCredentials {}/{} at {endpoint}",
            target.account_id, target.role_name
        )
    });
    let request = client
        .get_role_credentials()
        .access_token(access_token)
        .account_id(&target.account_id)
        .role_name(&target.role_name)
        .send();
    let output = send(
        "GetRoleCredentials",
        request,
        deadline,
        Service::Portal,
        &endpoint,
    )
    .await?;
    let output = output
        .map_err(|err| match failure(&err) {
            Failure::Service(code, _) if code == "UnauthorizedException" => session_expired(&target.session),
            Failure::Service(code, _) if code == "ForbiddenException" || code == "ResourceNotFoundException" => {
                Error::new(format!(
                    "the SSO session has no access to role {} in account {} — check sso_account_id and sso_role_name in {}, or ask your AWS administrator",
                    target.role_name,
                    target.account_id,
                    crate::paths::display(&target.origin)
                ))
            }
            other => other.into_error(Service::Portal, &endpoint),
        })?;
    let creds = output
        .role_credentials
        .ok_or_else(|| bad_answer(Service::Portal, &endpoint, "no roleCredentials"))?;
    let (Some(access_key_id), Some(secret_access_key), Some(session_token)) = (
        creds.access_key_id,
        creds.secret_access_key,
        creds.session_token,
    ) else {
        return Err(bad_answer(
            Service::Portal,
            &endpoint,
            "incomplete roleCredentials",
        ));
    };
    let expiration_ms = u64::try_from(creds.expiration).unwrap_or(0);
    Ok(Credentials {
        access_key_id,
        secret_access_key,
        session_token,
        expiration: SystemTime::UNIX_EPOCH + Duration::from_millis(expiration_ms),
        issued_at: SystemTime::now(),
    })
}

/// An STS client that signs with `creds`, in `region` (which also picks the
/// regional endpoint, partition included, unless an override is set).
fn sts_client(
    region: &str,
    creds: &Credentials,
    endpoint: &str,
    deadline: Instant,
) -> Result<aws_sdk_sts::Client> {
    let signing = aws_sdk_sts::config::Credentials::new(
        &creds.access_key_id,
        &creds.secret_access_key,
        Some(creds.session_token.clone()),
        Some(creds.expiration),
        "ssoenv",
    );
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .credentials_provider(signing)
        .timeout_config(timeouts(deadline)?)
        .retry_config(standard_retries());
    config.set_http_client(http_client_for(endpoint)?);
    let config = config.build();
    Ok(aws_sdk_sts::Client::from_conf(config))
}

/// Where STS calls of a target go: its `region` (what its shell's SDKs
/// use), else the SSO region.
fn sts_region(target: &Target) -> &str {
    target.region.as_deref().unwrap_or(&target.session.region)
}

/// `sts:AssumeRole` of `hop` with the credentials of its source, `source`
/// (the target one hop shorter), as `session_name`.
pub async fn assume_role(
    source: &Target,
    source_creds: &Credentials,
    hop: &RoleHop,
    session_name: &str,
    deadline: Instant,
) -> Result<Credentials> {
    let region = sts_region(source);
    let endpoint = Service::Sts.endpoint(region);
    let client = sts_client(region, source_creds, &endpoint, deadline)?;
    log::debug(|| {
        format!(
            "AssumeRole {} as {session_name} from {} at {endpoint}",
            hop.role_arn,
            source.label()
        )
    });
    let request = client
        .assume_role()
        .role_arn(&hop.role_arn)
        .role_session_name(session_name)
        .set_external_id(hop.external_id.clone())
        .set_duration_seconds(hop.duration_seconds.map(|s| s as i32))
        .send();
    let output = send("AssumeRole", request, deadline, Service::Sts, &endpoint).await?;
    let output = output.map_err(|err| match failure(&err) {
        // What AWS says names the principal and the role; with the source
        // it is the whole story.
        Failure::Service(code, message) if is_refusal(&code) => Error::new(format!(
            "cannot assume {} from {}: {code}{} — check the role's trust policy{}",
            hop.role_arn,
            source.label(),
            message.map(|m| format!(" ({m})")).unwrap_or_default(),
            if code == "AccessDenied" && hop.external_id.is_none() {
                " and whether it asks for an external_id"
            } else {
                ""
            }
        )),
        Failure::Service(code, message) if code == "ValidationError" => Error::new(format!(
            "AWS STS refused to assume {}: {}",
            hop.role_arn,
            message.unwrap_or(code)
        )),
        other => other.into_error(Service::Sts, &endpoint),
    })?;
    let creds = output
        .credentials
        .ok_or_else(|| bad_answer(Service::Sts, &endpoint, "no Credentials"))?;
    let expiration = SystemTime::try_from(creds.expiration)
        .map_err(|_| bad_answer(Service::Sts, &endpoint, "an unreadable Expiration"))?;
    Ok(Credentials {
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        session_token: creds.session_token,
        expiration,
        issued_at: SystemTime::now(),
    })
}

/// STS error codes that mean "these credentials may not do that", which
/// retrying will not change.
fn is_refusal(code: &str) -> bool {
    matches!(
        code,
        "AccessDenied"
            | "AccessDeniedException"
            | "RegionDisabledException"
            | "InvalidClientTokenId"
            | "ExpiredToken"
            | "SignatureDoesNotMatch"
    )
}

/// The ARN `sts:GetCallerIdentity` gives for `creds` (of `target`).
pub async fn caller_arn(target: &Target, creds: &Credentials, deadline: Instant) -> Result<String> {
    let region = sts_region(target);
    let endpoint = Service::Sts.endpoint(region);
    let client = sts_client(region, creds, &endpoint, deadline)?;
    log::debug(|| format!("GetCallerIdentity for {} at {endpoint}", target.label()));
    let request = client.get_caller_identity().send();
    let output = send(
        "GetCallerIdentity",
        request,
        deadline,
        Service::Sts,
        &endpoint,
    )
    .await?;
    let output = output.map_err(|err| failure(&err).into_error(Service::Sts, &endpoint))?;
    output
        .arn
        .ok_or_else(|| bad_answer(Service::Sts, &endpoint, "no Arn"))
}

/// What CreateToken(grant_type=refresh_token) needs.
pub struct RefreshGrant<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub refresh_token: &'a str,
}

/// A new access token from CreateToken(grant_type=refresh_token).
pub struct RefreshedToken {
    pub access_token: String,
    pub expires_at: SystemTime,
    /// OIDC may rotate the refresh token; `None` keeps the old one.
    pub refresh_token: Option<String>,
}

/// Exchanges a refresh token for a new access token.
pub async fn refresh_token(
    session: &SsoSession,
    grant: &RefreshGrant<'_>,
    deadline: Instant,
) -> Result<RefreshedToken> {
    let endpoint = Service::Oidc.endpoint(&session.region);
    let client = oidc_client(&session.region, &endpoint, deadline)?;
    log::debug(|| format!("CreateToken(refresh_token) at {endpoint}"));
    let request = client
        .create_token()
        .client_id(grant.client_id)
        .client_secret(grant.client_secret)
        .grant_type("refresh_token")
        .refresh_token(grant.refresh_token)
        .send();
    let output = send("CreateToken", request, deadline, Service::Oidc, &endpoint).await?;
    let output = output.map_err(|err| match failure(&err) {
        Failure::Service(code, _)
            if matches!(
                code.as_str(),
                "InvalidGrantException"
                    | "InvalidClientException"
                    | "ExpiredTokenException"
                    | "AccessDeniedException"
                    | "UnauthorizedClientException"
            ) =>
        {
            session_expired(session)
        }
        other => other.into_error(Service::Oidc, &endpoint),
    })?;
    let access_token = output
        .access_token
        .ok_or_else(|| bad_answer(Service::Oidc, &endpoint, "no accessToken"))?;
    let lifetime = Duration::from_secs(u64::try_from(output.expires_in).unwrap_or(0));
    Ok(RefreshedToken {
        access_token,
        expires_at: SystemTime::now() + lifetime,
        refresh_token: output.refresh_token,
    })
}

/// "ok" or the error's code, for logs (never a response body: it may hold secrets).
fn outcome<T, E: ProvideErrorMetadata, R>(
    result: &std::result::Result<T, SdkError<E, R>>,
) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(SdkError::ServiceError(e)) => e.err().code().unwrap_or("unnamed error").to_owned(),
        Err(SdkError::TimeoutError(_)) => "timeout".to_owned(),
        Err(SdkError::DispatchFailure(_)) => "connection failed".to_owned(),
        Err(SdkError::ResponseError(_)) => "unreadable response".to_owned(),
        Err(_) => "failed".to_owned(),
    }
}

/// The one message for "nothing renews this without the user".
pub fn session_expired(session: &SsoSession) -> Error {
    Error::login_required(format!(
        "SSO session {} expired — run 'ssoenv login'",
        session.label()
    ))
}

/// Sends one SDK request within `deadline` and logs how long `operation`
/// took and how it ended (never what it answered: that holds secrets).
async fn send<T, E: ProvideErrorMetadata, R>(
    operation: &str,
    request: impl Future<Output = std::result::Result<T, SdkError<E, R>>>,
    deadline: Instant,
    service: Service,
    endpoint: &str,
) -> Result<std::result::Result<T, SdkError<E, R>>> {
    let started = Instant::now();
    let output = with_deadline(request, deadline, service, endpoint).await?;
    log::debug(|| {
        format!(
            "{operation} answered in {:?}: {}",
            started.elapsed(),
            outcome(&output)
        )
    });
    Ok(output)
}

pub(crate) async fn with_deadline<T>(
    request: impl Future<Output = T>,
    deadline: Instant,
    service: Service,
    endpoint: &str,
) -> Result<T> {
    let left = deadline.saturating_duration_since(Instant::now());
    tokio::time::timeout(left, request)
        .await
        .map_err(|_| Failure::Timeout.into_error(service, endpoint))
}

/// What went wrong with a request, reduced to what decides the message.
pub(crate) enum Failure {
    /// The service answered with a named error.
    Service(String, Option<String>),
    Timeout,
    Network(String),
    /// An answer that is not what the protocol promises (garbage, truncated).
    BadResponse,
}

pub(crate) fn failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Failure {
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match e.code() {
                Some(code) => Failure::Service(code.to_owned(), e.message().map(str::to_owned)),
                None => Failure::BadResponse,
            }
        }
        SdkError::TimeoutError(_) => Failure::Timeout,
        SdkError::DispatchFailure(dispatch) if dispatch.is_timeout() => Failure::Timeout,
        SdkError::DispatchFailure(dispatch) => Failure::Network(
            dispatch
                .as_connector_error()
                .map_or_else(|| "connection failed".to_owned(), |e| root_cause(e)),
        ),
        SdkError::ResponseError(_) => Failure::BadResponse,
        _ => Failure::Network("the request could not be built".to_owned()),
    }
}

/// The innermost cause of an error: what actually happened on the wire
/// ("connection refused", "connection closed before message completed"),
/// not the layers of client wrapping around it.
pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

impl Failure {
    pub(crate) fn into_error(self, service: Service, endpoint: &str) -> Error {
        let what = service.what();
        match self {
            Failure::Service(code, _)
                if code == "TooManyRequestsException"
                    || code == "SlowDownException"
                    || code == "Throttling" =>
            {
                Error::transient(format!(
                    "{what} is throttling requests ({code}) — try again in a minute"
                ))
            }
            Failure::Service(code, message) => {
                let detail = message.map(|m| format!(": {m}")).unwrap_or_default();
                let error = format!("{what} refused the request ({code}{detail})");
                if code.starts_with("InternalServer")
                    || code == "InternalFailure"
                    || code.contains("ServiceUnavailable")
                {
                    Error::transient(format!("{error} — try again later"))
                } else {
                    Error::new(error)
                }
            }
            Failure::Timeout => Error::transient(format!(
                "no answer from {what} at {endpoint} in time — check your network, or try again"
            )),
            Failure::Network(cause) => Error::transient(format!(
                "cannot reach {what} at {endpoint} ({cause}) — check your network{}",
                if endpoint_override(service.env_suffix()).is_some() {
                    format!(" and AWS_ENDPOINT_URL_{}", service.env_suffix())
                } else {
                    String::new()
                }
            )),
            Failure::BadResponse => bad_answer(service, endpoint, "unreadable response"),
        }
    }
}

pub(crate) fn bad_answer(service: Service, endpoint: &str, what: &str) -> Error {
    Error::transient(format!(
        "{} at {endpoint} sent an answer ssoenv cannot use ({what}) — try again later",
        service.what()
    ))
}
