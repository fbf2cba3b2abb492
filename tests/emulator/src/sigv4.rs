//! AWS Signature Version 4 (`AWS4-HMAC-SHA256`), checked on the server side
//! the way AWS checks it: the canonical request is rebuilt from what arrived
//! and signed again with the caller's secret.
//!
//! STS authenticates every call this way. An emulator that took any
//! signature would let a client that signs wrongly (a stale or altered
//! secret, the wrong region or service in the scope, a skewed clock, headers
//! changed after signing) pass every test and then fail against AWS, so
//! nothing here is skipped.
//!
//! Checking happens in two steps, because the answer AWS gives depends on
//! what fails first: [`parse`] checks everything that needs no secret (the
//! header's shape, the scope, the clock) and yields the access key id to look
//! up; [`Authorization::matches`] then needs the secret. Only the
//! `Authorization` header form is accepted (not presigned query strings), and
//! only `X-Amz-Date` (not `Date`) dates a request.

use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};

use crate::timefmt;

/// The only algorithm STS takes (SigV4a's ECDSA variant is not emulated).
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// How far the signed time may be from the server's clock, either way.
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);
/// The last element of every credential scope.
const SCOPE_TERMINATOR: &str = "aws4_request";

type HmacSha256 = Hmac<Sha256>;

/// What the verifier needs of a request, as it arrived.
pub(crate) struct SignedRequest<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path as sent, still percent-encoded.
    pub path: &'a str,
    /// The query string as sent, without `?`.
    pub raw_query: &'a str,
    /// Headers with lower-case names, in arrival order, repeated names kept.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl SignedRequest<'_> {
    /// Every value of header `name`, in arrival order.
    fn header_values(&self, name: &str) -> impl Iterator<Item = &str> {
        self.headers
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).next()
    }
}

/// Why a request was refused before its signature could be computed. Each
/// kind is a distinct AWS error code; the text is AWS's wording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// No `Authorization` header at all (MissingAuthenticationToken).
    Missing,
    /// The header or the date is malformed (IncompleteSignature).
    Incomplete(String),
    /// Well-formed, but scoped to another service, date or region, or signed
    /// too far from now (SignatureDoesNotMatch).
    Mismatch(String),
}

/// An `Authorization` header that parsed, with a scope and a signing time
/// that check out. Holds no secret.
#[derive(Debug)]
pub(crate) struct Authorization {
    /// The key whose secret must have made the signature.
    pub access_key_id: String,
    /// `X-Amz-Date` as sent.
    amz_date: String,
    /// `DATE/REGION/SERVICE/aws4_request`.
    scope: String,
    scope_date: String,
    region: String,
    service: String,
    /// `SignedHeaders` as sent (`a;b;c`).
    signed_headers: String,
    /// `Signature`: hex as sent.
    signature: String,
}

/// Parses the `Authorization` header of `request` and checks everything
/// that needs no secret: the shape of the header, that `host` and
/// `x-amz-date` are signed, that the scope names `service`, a plausible
/// region and the date of `X-Amz-Date`, and that this date is within
/// 15 minutes of `now`.
pub(crate) fn parse(
    request: &SignedRequest<'_>,
    service: &str,
    now: SystemTime,
) -> Result<Authorization, Rejection> {
    let Some(header) = request.header("authorization") else {
        return Err(Rejection::Missing);
    };
    let (algorithm, parameters) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    if algorithm != ALGORITHM {
        return Err(Rejection::Incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'"
        )));
    }

    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for element in parameters
        .split(',')
        .map(str::trim)
        .filter(|element| !element.is_empty())
    {
        let Some((key, value)) = element.split_once('=') else {
            return Err(Rejection::Incomplete(format!(
                "'{element}' not a valid key=value pair (missing equal-sign) in Authorization header"
            )));
        };
        match key.trim() {
            "Credential" => credential = Some(value.trim()),
            "SignedHeaders" => signed_headers = Some(value.trim()),
            "Signature" => signature = Some(value.trim()),
            _ => {}
        }
    }
    let amz_date = request.header("x-amz-date").map(str::trim);
    let mut missing = String::new();
    for (present, requirement) in [
        (credential.is_some(), "requires 'Credential' parameter."),
        (signature.is_some(), "requires 'Signature' parameter."),
        (
            signed_headers.is_some(),
            "requires 'SignedHeaders' parameter.",
        ),
        (
            amz_date.is_some(),
            "requires existence of a 'X-Amz-Date' header.",
        ),
    ] {
        if !present {
            missing.push_str("Authorization header ");
            missing.push_str(requirement);
            missing.push(' ');
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(amz_date)) =
        (credential, signed_headers, signature, amz_date)
    else {
        return Err(Rejection::Incomplete(missing.trim_end().to_owned()));
    };

    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, scope_date, region, scope_service, terminator] = parts[..] else {
        return Err(Rejection::Incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };
    let Some(signed_at) = timefmt::parse_amz_date(amz_date) else {
        return Err(Rejection::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )));
    };
    let signed: Vec<&str> = signed_headers.split(';').collect();
    if !signed.contains(&"host") {
        return Err(Rejection::Incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".to_owned(),
        ));
    }
    if !signed.contains(&"x-amz-date") {
        return Err(Rejection::Incomplete(
            "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.".to_owned(),
        ));
    }

    if terminator != SCOPE_TERMINATOR {
        return Err(Rejection::Mismatch(format!(
            "Credential should be scoped with a valid terminator: '{SCOPE_TERMINATOR}', not '{terminator}'."
        )));
    }
    if scope_service != service {
        return Err(Rejection::Mismatch(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    if !is_plausible_region(region) {
        return Err(Rejection::Mismatch(
            "Credential should be scoped to a valid region.".to_owned(),
        ));
    }
    let http_date = &amz_date[..8];
    if scope_date != http_date {
        return Err(Rejection::Mismatch(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{http_date}', from '{amz_date}'."
        )));
    }
    check_clock(amz_date, signed_at, now)?;

    Ok(Authorization {
        access_key_id: access_key_id.to_owned(),
        amz_date: amz_date.to_owned(),
        scope: format!("{scope_date}/{region}/{service}/{SCOPE_TERMINATOR}"),
        scope_date: scope_date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers: signed_headers.to_owned(),
        signature: signature.to_owned(),
    })
}

/// AWS answers a signing time more than 15 minutes off with these two
/// sentences, quoting the bounds it compared against.
fn check_clock(amz_date: &str, signed_at: SystemTime, now: SystemTime) -> Result<(), Rejection> {
    let now_text = timefmt::format_amz_date(now);
    if let Some(earliest) = now.checked_sub(MAX_CLOCK_SKEW)
        && signed_at < earliest
    {
        return Err(Rejection::Mismatch(format!(
            "Signature expired: {amz_date} is now earlier than {} ({now_text} - 15 min.)",
            timefmt::format_amz_date(earliest)
        )));
    }
    let latest = now + MAX_CLOCK_SKEW;
    if signed_at > latest {
        return Err(Rejection::Mismatch(format!(
            "Signature not yet current: {amz_date} is still later than {} ({now_text} + 15 min.)",
            timefmt::format_amz_date(latest)
        )));
    }
    Ok(())
}

/// `us-east-1`, `eu-central-2`, `cn-north-1`, `us-gov-west-1`: lower-case
/// words and digits joined by dashes. The emulator serves every region on
/// one address, so any such name is accepted.
fn is_plausible_region(region: &str) -> bool {
    !region.is_empty()
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Authorization {
    /// Whether the signature is the one `secret_access_key` makes over this
    /// request. The comparison takes the same time wherever the signatures
    /// differ, so it leaks nothing about the expected one.
    pub(crate) fn matches(&self, request: &SignedRequest<'_>, secret_access_key: &str) -> bool {
        let Some(provided) = decode_hex(&self.signature) else {
            return false;
        };
        let Some(canonical) = self.canonical_request(request) else {
            return false;
        };
        let key = signing_key(
            secret_access_key,
            &self.scope_date,
            &self.region,
            &self.service,
        );
        let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC takes keys of any length");
        mac.update(self.string_to_sign(&canonical).as_bytes());
        mac.verify_slice(&provided).is_ok()
    }

    /// The canonical request, or `None` when a signed `x-amz-content-sha256`
    /// does not describe the body that arrived (the body was changed after
    /// signing).
    fn canonical_request(&self, request: &SignedRequest<'_>) -> Option<String> {
        let body_hash = hex(&Sha256::digest(request.body));
        let signed: Vec<&str> = self.signed_headers.split(';').collect();
        let payload_hash = if signed.contains(&"x-amz-content-sha256") {
            let claimed = request.header("x-amz-content-sha256").unwrap_or("").trim();
            if claimed != body_hash {
                return None;
            }
            claimed.to_owned()
        } else {
            body_hash
        };
        let mut canonical = String::new();
        canonical.push_str(request.method);
        canonical.push('\n');
        canonical.push_str(&canonical_uri(request.path));
        canonical.push('\n');
        canonical.push_str(&canonical_query(request.raw_query));
        canonical.push('\n');
        for name in &signed {
            let values: Vec<String> = request
                .header_values(name)
                .map(canonical_header_value)
                .collect();
            canonical.push_str(name);
            canonical.push(':');
            canonical.push_str(&values.join(","));
            canonical.push('\n');
        }
        canonical.push('\n');
        canonical.push_str(&self.signed_headers);
        canonical.push('\n');
        canonical.push_str(&payload_hash);
        Some(canonical)
    }

    fn string_to_sign(&self, canonical_request: &str) -> String {
        format!(
            "{ALGORITHM}\n{}\n{}\n{}",
            self.amz_date,
            self.scope,
            hex(&Sha256::digest(canonical_request.as_bytes()))
        )
    }
}

/// The key for one day, region and service: the HMAC chain that starts
/// from `"AWS4" + secret`.
fn signing_key(secret_access_key: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    [date, region, service, SCOPE_TERMINATOR].iter().fold(
        format!("AWS4{secret_access_key}").into_bytes(),
        |key, part| hmac_sha256(&key, part.as_bytes()),
    )
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// A header value as it enters the canonical request: trimmed, with runs of
/// spaces inside collapsed to one.
fn canonical_header_value(value: &str) -> String {
    let mut collapsed = String::with_capacity(value.len());
    for word in value.trim().split(' ').filter(|word| !word.is_empty()) {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// The path with each segment URI-encoded once more, as SigV4 does for every
/// service but S3 (so `/` stays `/` and `%2F` becomes `%252F`).
fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    path.split('/')
        .map(uri_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// Query parameters decoded, encoded the SigV4 way and sorted by name, then
/// value.
fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                uri_encode(&percent_decode(name)),
                uri_encode(&percent_decode(value)),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Every byte but the unreserved `A-Z a-z 0-9 - _ . ~` as `%XY` (upper-case hex).
fn uri_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// `%XY` escapes decoded (a `+` stays a `+`: SigV4 clients encode spaces as
/// `%20`); a malformed escape is kept as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Bytes from hex (either case); `None` for odd lengths or other characters.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(&text[index..index + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::time::UNIX_EPOCH;

    /// The worked example of AWS's SigV4 documentation ("Examples of the
    /// complete Signature Version 4 signing process": IAM ListUsers by GET),
    /// whose intermediate values were also checked with Python's `hmac`.
    const EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const EXAMPLE_SIGNATURE: &str =
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    fn example_instant() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_440_938_160) // 20150830T123600Z
    }

    fn example_headers(authorization: &str) -> Vec<(String, String)> {
        [
            (
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
            ("host", "iam.amazonaws.com"),
            ("x-amz-date", "20150830T123600Z"),
            ("authorization", authorization),
        ]
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
    }

    fn example_authorization(signature: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature={signature}"
        )
    }

    fn example_request(headers: &[(String, String)]) -> SignedRequest<'_> {
        SignedRequest {
            method: "GET",
            path: "/",
            raw_query: "Action=ListUsers&Version=2010-05-08",
            headers,
            body: b"",
        }
    }

    #[test]
    fn the_aws_documentation_example_verifies_step_by_step() {
        let headers = example_headers(&example_authorization(EXAMPLE_SIGNATURE));
        let request = example_request(&headers);
        let authorization = parse(&request, "iam", example_instant()).expect("parses");
        assert_eq!(authorization.access_key_id, "AKIDEXAMPLE");
        assert_eq!(authorization.region, "us-east-1");

        let canonical = authorization
            .canonical_request(&request)
            .expect("no content hash header");
        assert_eq!(
            canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n\
             content-type:application/x-www-form-urlencoded; charset=utf-8\n\
             host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             content-type;host;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&Sha256::digest(canonical.as_bytes())),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
        );
        assert_eq!(
            hex(&signing_key(EXAMPLE_SECRET, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        assert!(authorization.matches(&request, EXAMPLE_SECRET));
    }

    #[test]
    fn any_change_to_secret_signature_or_signed_content_fails() {
        let headers = example_headers(&example_authorization(EXAMPLE_SIGNATURE));
        let request = example_request(&headers);
        let authorization = parse(&request, "iam", example_instant()).expect("parses");
        assert!(
            authorization.matches(&request, EXAMPLE_SECRET),
            "precondition"
        );

        assert!(!authorization.matches(&request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz"));
        let query_changed = SignedRequest {
            raw_query: "Action=ListUsers&Version=2010-05-09",
            ..example_request(&headers)
        };
        assert!(!authorization.matches(&query_changed, EXAMPLE_SECRET));
        let body_added = SignedRequest {
            body: b"x",
            ..example_request(&headers)
        };
        assert!(!authorization.matches(&body_added, EXAMPLE_SECRET));

        let mut host_changed = headers.clone();
        host_changed[1].1 = "iam.amazonaws.com.evil".to_owned();
        assert!(!authorization.matches(&example_request(&host_changed), EXAMPLE_SECRET));

        for signature in [
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d8",
            "5d672d79",
            "not hex at all",
            "",
        ] {
            let headers = example_headers(&example_authorization(signature));
            let request = example_request(&headers);
            let authorization = parse(&request, "iam", example_instant()).expect("parses");
            assert!(
                !authorization.matches(&request, EXAMPLE_SECRET),
                "{signature:?}"
            );
        }
    }

    #[test]
    fn header_values_are_trimmed_collapsed_and_upper_case_hex_is_accepted() {
        // The same request with extra spaces in a signed value still verifies.
        let mut headers = example_headers(&example_authorization(
            &EXAMPLE_SIGNATURE.to_ascii_uppercase(),
        ));
        headers[0].1 = "  application/x-www-form-urlencoded;   charset=utf-8 ".to_owned();
        let request = example_request(&headers);
        let authorization = parse(&request, "iam", example_instant()).expect("parses");
        assert!(authorization.matches(&request, EXAMPLE_SECRET));
        assert_eq!(canonical_header_value("  a   b  c "), "a b c");
    }

    #[test]
    fn a_signed_content_hash_must_describe_the_body() {
        let signature = "0".repeat(64);
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}"
        );
        let mut headers = example_headers(&authorization);
        headers.push((
            "x-amz-content-sha256".to_owned(),
            hex(&Sha256::digest(b"the signed body")),
        ));
        let signed_body = SignedRequest {
            body: b"the signed body",
            ..example_request(&headers)
        };
        let parsed = parse(&signed_body, "iam", example_instant()).expect("parses");
        assert!(parsed.canonical_request(&signed_body).is_some());
        let other_body = SignedRequest {
            body: b"another body",
            ..example_request(&headers)
        };
        assert!(parsed.canonical_request(&other_body).is_none());
    }

    fn rejection(
        authorization: Option<&str>,
        amz_date: Option<&str>,
        now: SystemTime,
    ) -> Rejection {
        let mut headers = vec![("host".to_owned(), "sts.amazonaws.com".to_owned())];
        if let Some(value) = authorization {
            headers.push(("authorization".to_owned(), value.to_owned()));
        }
        if let Some(value) = amz_date {
            headers.push(("x-amz-date".to_owned(), value.to_owned()));
        }
        let request = example_request(&headers);
        parse(&request, "sts", now).expect_err("must be refused")
    }

    fn sts_authorization(credential: &str, signed_headers: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed_headers}, Signature=00"
        )
    }

    #[test]
    fn malformed_headers_are_incomplete_signatures_in_aws_words() {
        let now = example_instant();
        let date = Some("20150830T123600Z");
        assert_eq!(rejection(None, date, now), Rejection::Missing);
        assert_eq!(
            rejection(
                Some("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request"),
                None,
                now
            ),
            Rejection::Incomplete(
                "Authorization header requires 'Signature' parameter. \
                 Authorization header requires 'SignedHeaders' parameter. \
                 Authorization header requires existence of a 'X-Amz-Date' header."
                    .to_owned()
            )
        );
        assert_eq!(
            rejection(
                Some("AWS4-HMAC-SHA256 AKID/20150830/us-east-1/sts/aws4_request"),
                date,
                now
            ),
            Rejection::Incomplete(
                "'AKID/20150830/us-east-1/sts/aws4_request' not a valid key=value pair \
                 (missing equal-sign) in Authorization header"
                    .to_owned()
            )
        );
        assert!(matches!(
            rejection(Some("AWS4-ECDSA-P256-SHA256 Credential=x"), date, now),
            Rejection::Incomplete(message) if message.contains("'AWS4-ECDSA-P256-SHA256'")
        ));
        assert!(matches!(
            rejection(Some(&sts_authorization("AKID/20150830/sts/aws4_request", "host;x-amz-date")), date, now),
            Rejection::Incomplete(message) if message.starts_with("Credential must have exactly 5 slash-delimited elements")
        ));
        assert!(matches!(
            rejection(Some(&sts_authorization("AKID/20150830/us-east-1/sts/aws4_request", "host;x-amz-date")), Some("2015-08-30T12:36:00Z"), now),
            Rejection::Incomplete(message) if message.starts_with("Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'.")
        ));
        assert!(matches!(
            rejection(Some(&sts_authorization("AKID/20150830/us-east-1/sts/aws4_request", "x-amz-date")), date, now),
            Rejection::Incomplete(message) if message.starts_with("'Host'")
        ));
        assert!(matches!(
            rejection(Some(&sts_authorization("AKID/20150830/us-east-1/sts/aws4_request", "host")), date, now),
            Rejection::Incomplete(message) if message.starts_with("'X-Amz-Date'")
        ));
    }

    #[test]
    fn wrong_scopes_and_skewed_clocks_do_not_match_in_aws_words() {
        let now = example_instant();
        let date = Some("20150830T123600Z");
        let signed = "host;x-amz-date";
        let refused =
            |credential: &str| rejection(Some(&sts_authorization(credential, signed)), date, now);
        assert_eq!(
            refused("AKID/20150830/us-east-1/iam/aws4_request"),
            Rejection::Mismatch(
                "Credential should be scoped to correct service: 'sts'.".to_owned()
            )
        );
        assert_eq!(
            refused("AKID/20150830/us-east-1/sts/aws5_request"),
            Rejection::Mismatch(
                "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."
                    .to_owned()
            )
        );
        assert_eq!(
            refused("AKID/20150830/US East/sts/aws4_request"),
            Rejection::Mismatch("Credential should be scoped to a valid region.".to_owned())
        );
        assert_eq!(
            refused("AKID/20150831/us-east-1/sts/aws4_request"),
            Rejection::Mismatch(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date \
                 from HTTP: '20150831' != '20150830', from '20150830T123600Z'."
                    .to_owned()
            )
        );

        let credential = sts_authorization("AKID/20150830/us-east-1/sts/aws4_request", signed);
        let sixteen_minutes = Duration::from_secs(16 * 60);
        assert_eq!(
            rejection(Some(&credential), date, now + sixteen_minutes),
            Rejection::Mismatch(
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z \
                 (20150830T125200Z - 15 min.)"
                    .to_owned()
            )
        );
        assert_eq!(
            rejection(Some(&credential), date, now - sixteen_minutes),
            Rejection::Mismatch(
                "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z \
                 (20150830T122000Z + 15 min.)"
                    .to_owned()
            )
        );
        // Within the window either way is fine.
        let fourteen_minutes = Duration::from_secs(14 * 60);
        for now in [now + fourteen_minutes, now - fourteen_minutes] {
            let headers = vec![
                ("host".to_owned(), "sts.amazonaws.com".to_owned()),
                ("authorization".to_owned(), credential.clone()),
                ("x-amz-date".to_owned(), "20150830T123600Z".to_owned()),
            ];
            assert!(parse(&example_request(&headers), "sts", now).is_ok());
        }
    }

    #[test]
    fn paths_and_queries_are_canonicalised_the_sigv4_way() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a b/%2F"), "/a%20b/%252F");
        assert_eq!(
            canonical_query("b=2&a=z&a=y&c&d=%7e%20+"),
            "a=y&a=z&b=2&c=&d=~%20%2B"
        );
        assert_eq!(canonical_query(""), "");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(decode_hex("0aFf"), Some(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("0a0"), None);
    }
}
