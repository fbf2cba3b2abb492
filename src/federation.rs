//! Console sign-in through AWS federation: session credentials → a sign-in
//! token (`Action=getSigninToken`) → a one-time login URL (`Action=login`)
//! that lands the browser in the console as that role.
//!
//! The login URL is a bearer secret for 15 minutes, and the getSigninToken
//! request carries the secret key in its query string: neither is ever
//! logged, put in an error or passed on a command line.

use std::time::Instant;

use http_body_util::{BodyExt as _, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;

use crate::aws;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::log;
use crate::partition::Partition;

/// `Issuer` of the login URL: shown by the console on its sign-out page.
const ISSUER: &str = "ssoenv";

/// The sign-in service is not a large answer; anything bigger is not it.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Where the federation endpoint is: `AWS_ENDPOINT_URL_SIGNIN` (then
/// `AWS_ENDPOINT_URL`), else the partition's sign-in host.
pub fn signin_endpoint(region: &str) -> Result<String> {
    if let Some(endpoint) = aws::endpoint_override("SIGNIN") {
        return Ok(endpoint.trim_end_matches('/').to_owned());
    }
    let partition = Partition::of_region(region);
    match partition.signin_host {
        Some(host) => Ok(format!("https://{host}")),
        None => Err(Error::new(format!(
            "the console sign-in host of the {} partition ({region}) is not documented — set AWS_ENDPOINT_URL_SIGNIN to its https:// address",
            partition.id
        ))),
    }
}

/// The console page to land on in `region`: the console home, a service's
/// home (`s3`, `ec2`, `cloudformation`, …), or a full console URL of the
/// region's partition.
pub fn destination_url(region: &str, destination: Option<&str>) -> Result<String> {
    let partition = Partition::of_region(region);
    let console = partition.console_host;
    match destination {
        Some(url) if url.contains("://") => {
            let host = url
                .strip_prefix("https://")
                .and_then(|rest| rest.split(['/', '?', '#']).next())
                .unwrap_or_default();
            // Where AWS documents no console host, any https:// page is taken on trust.
            let on_console = !host.is_empty()
                && console.is_none_or(|console| {
                    host == console
                        || host
                            .strip_suffix(console)
                            .is_some_and(|sub| sub.ends_with('.'))
                });
            if on_console {
                Ok(url.to_owned())
            } else {
                Err(Error::new(format!(
                    "--destination {url:?} is not an https:// address of the AWS console ({}) — give a console URL or a service name such as s3",
                    console.unwrap_or("unknown for this partition")
                )))
            }
        }
        Some(service) => {
            let valid = !service.is_empty()
                && service
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid {
                return Err(Error::new(format!(
                    "--destination {service:?} is neither a console URL nor a service name — use e.g. s3, ec2, cloudformation, or https://…"
                )));
            }
            Ok(format!(
                "https://{}/{service}/home?region={region}",
                console_host(console, region)?
            ))
        }
        None => Ok(format!(
            "https://{}/console/home?region={region}",
            console_host(console, region)?
        )),
    }
}

fn console_host<'a>(console: Option<&'a str>, region: &str) -> Result<&'a str> {
    console.ok_or_else(|| {
        Error::new(format!(
            "the console host of region {region} is not documented — pass --destination with its https:// URL"
        ))
    })
}

#[derive(Deserialize)]
struct SigninTokenAnswer {
    #[serde(rename = "SigninToken")]
    signin_token: String,
}

/// `Action=getSigninToken` with session credentials. SSO and role-chained
/// credentials may not ask for a `SessionDuration`, so none is sent.
pub async fn signin_token(
    endpoint: &str,
    creds: &Credentials,
    deadline: Instant,
) -> Result<String> {
    let session = serde_json::json!({
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
    })
    .to_string();
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "getSigninToken")
        .append_pair("Session", &session)
        .finish();
    let url = format!("{endpoint}/federation?{query}");
    log::debug(|| format!("getSigninToken at {endpoint}"));
    let started = Instant::now();
    let (status, body) = get(&url, endpoint, deadline).await?;
    log::debug(|| {
        format!(
            "getSigninToken answered {status} in {:?}",
            started.elapsed()
        )
    });
    if status != 200 {
        return Err(Error::new(format!(
            "the AWS sign-in service at {endpoint} refused the session credentials (HTTP {status}) — they may have just expired; run the command again"
        )));
    }
    serde_json::from_slice::<SigninTokenAnswer>(&body)
        .map(|answer| answer.signin_token)
        .map_err(|_| {
            Error::transient(format!(
                "the AWS sign-in service at {endpoint} sent an answer ssoenv cannot use — try again later"
            ))
        })
}

/// The one-time URL that signs the browser in and lands on `destination`.
pub fn login_url(endpoint: &str, destination: &str, signin_token: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "login")
        .append_pair("Issuer", ISSUER)
        .append_pair("Destination", destination)
        .append_pair("SigninToken", signin_token)
        .finish();
    format!("{endpoint}/federation?{query}")
}

/// One GET, within `deadline`. Plain `http://` (a loopback emulator) skips
/// loading the system's CA certificates; `https://` verifies against them.
async fn get(url: &str, endpoint: &str, deadline: Instant) -> Result<(u16, Bytes)> {
    if url.starts_with("http://") {
        return get_with(HttpConnector::new(), url, endpoint, deadline).await;
    }
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| Error::new(format!("cannot load the system's CA certificates: {e}")))?
        .https_only()
        .enable_http1()
        .build();
    get_with(connector, url, endpoint, deadline).await
}

async fn get_with<C>(
    connector: C,
    url: &str,
    endpoint: &str,
    deadline: Instant,
) -> Result<(u16, Bytes)>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    // The URL holds the secret key: errors name the endpoint only.
    let uri: hyper::Uri = url.parse().map_err(|_| {
        Error::new(format!(
            "{endpoint} is not a usable sign-in endpoint — check AWS_ENDPOINT_URL_SIGNIN"
        ))
    })?;
    let client: Client<C, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let left = deadline.saturating_duration_since(Instant::now());
    let unreachable = |cause: &dyn std::fmt::Display| {
        Error::transient(format!(
            "cannot reach the AWS sign-in service at {endpoint} ({cause}) — check your network"
        ))
    };
    let exchange = async {
        let response = client
            .get(uri)
            .await
            .map_err(|e| unreachable(&aws::root_cause(&e)))?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| unreachable(&e))?
            .to_bytes();
        Ok((status, body))
    };
    tokio::time::timeout(left, exchange).await.map_err(|_| {
        Error::transient(format!(
            "no answer from the AWS sign-in service at {endpoint} in time — check your network, or try again"
        ))
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_follow_the_partition() {
        let cases = [
            (
                "eu-west-1",
                None,
                "https://console.aws.amazon.com/console/home?region=eu-west-1",
            ),
            (
                "eu-west-1",
                Some("s3"),
                "https://console.aws.amazon.com/s3/home?region=eu-west-1",
            ),
            (
                "cn-north-1",
                None,
                "https://console.amazonaws.cn/console/home?region=cn-north-1",
            ),
            (
                "us-gov-west-1",
                Some("ec2"),
                "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1",
            ),
            (
                "us-east-1",
                Some("https://us-east-1.console.aws.amazon.com/cloudformation/home"),
                "https://us-east-1.console.aws.amazon.com/cloudformation/home",
            ),
        ];
        for (region, destination, expected) in cases {
            assert_eq!(
                destination_url(region, destination).unwrap(),
                expected,
                "{region} {destination:?}"
            );
        }
    }

    #[test]
    fn foreign_and_malformed_destinations_are_refused() {
        for destination in [
            "https://evil.example/console",
            "http://console.aws.amazon.com/s3",
            "https://console.aws.amazon.com.evil.example/",
            "https://notconsole.aws.amazon.com/",
            "S3",
            "s3/../x",
            "",
        ] {
            assert!(
                destination_url("us-east-1", Some(destination)).is_err(),
                "{destination:?}"
            );
        }
        assert!(destination_url("cn-north-1", Some("https://console.aws.amazon.com/")).is_err());
        assert!(
            destination_url("eusc-de-east-1", None).is_err(),
            "no documented console host"
        );
        assert!(destination_url("eusc-de-east-1", Some("https://console.example.eu/")).is_ok());
    }

    #[test]
    fn login_urls_encode_every_part() {
        let url = login_url(
            "https://signin.aws.amazon.com",
            "https://console.aws.amazon.com/console/home?region=eu-west-1",
            "tok+en/=",
        );
        assert_eq!(
            url,
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=ssoenv\
             &Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome%3Fregion%3Deu-west-1\
             &SigninToken=tok%2Ben%2F%3D"
        );
    }
}
