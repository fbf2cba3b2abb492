//! AWS partitions: which family of endpoints a region belongs to.
//!
//! STS and the console live on different hosts in each partition (China and
//! GovCloud are separate clouds with their own sign-in), so everything that
//! builds such a host name looks the region up here, in one table.

/// One AWS partition and the hosts ssoenv talks to in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// The partition's id, as it appears in ARNs (`arn:aws-cn:…`).
    pub id: &'static str,
    /// The DNS suffix of its service endpoints (`sts.REGION.<suffix>`).
    pub dns_suffix: &'static str,
    /// The federation sign-in host (`https://<host>/federation`), when AWS
    /// documents one.
    pub signin_host: Option<&'static str>,
    /// The console's host; regional consoles are `<region>.<host>`.
    pub console_host: Option<&'static str>,
}

/// Region prefixes of the partitions other than `aws`, most specific first.
const PARTITIONS: [(&str, Partition); 5] = [
    (
        "cn-",
        Partition {
            id: "aws-cn",
            dns_suffix: "amazonaws.com.cn",
            signin_host: Some("signin.amazonaws.cn"),
            console_host: Some("console.amazonaws.cn"),
        },
    ),
    (
        "us-gov-",
        Partition {
            id: "aws-us-gov",
            dns_suffix: "amazonaws.com",
            signin_host: Some("signin.amazonaws-us-gov.com"),
            console_host: Some("console.amazonaws-us-gov.com"),
        },
    ),
    (
        // The AWS European Sovereign Cloud: its API endpoints are documented
        // (the SDKs' partition table), its console sign-in hosts are not yet.
        "eusc-",
        Partition {
            id: "aws-eusc",
            dns_suffix: "amazonaws.eu",
            signin_host: None,
            console_host: None,
        },
    ),
    (
        "us-isob-",
        Partition {
            id: "aws-iso-b",
            dns_suffix: "sc2s.sgov.gov",
            signin_host: None,
            console_host: None,
        },
    ),
    (
        "us-iso-",
        Partition {
            id: "aws-iso",
            dns_suffix: "c2s.ic.gov",
            signin_host: None,
            console_host: None,
        },
    ),
];

/// The commercial partition, which every other region belongs to.
const AWS: Partition = Partition {
    id: "aws",
    dns_suffix: "amazonaws.com",
    signin_host: Some("signin.aws.amazon.com"),
    console_host: Some("console.aws.amazon.com"),
};

impl Partition {
    /// The partition of `region` (`cn-north-1` → `aws-cn`).
    pub fn of_region(region: &str) -> Partition {
        PARTITIONS
            .iter()
            .find(|(prefix, _)| region.starts_with(prefix))
            .map_or(AWS, |(_, partition)| *partition)
    }

    /// STS's regional endpoint for `region`.
    pub fn sts_endpoint(&self, region: &str) -> String {
        format!("https://sts.{region}.{}", self.dns_suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_their_partition() {
        let cases = [
            ("us-east-1", "aws", "https://sts.us-east-1.amazonaws.com"),
            ("eu-west-1", "aws", "https://sts.eu-west-1.amazonaws.com"),
            (
                "ap-northeast-1",
                "aws",
                "https://sts.ap-northeast-1.amazonaws.com",
            ),
            (
                "cn-north-1",
                "aws-cn",
                "https://sts.cn-north-1.amazonaws.com.cn",
            ),
            (
                "cn-northwest-1",
                "aws-cn",
                "https://sts.cn-northwest-1.amazonaws.com.cn",
            ),
            (
                "us-gov-west-1",
                "aws-us-gov",
                "https://sts.us-gov-west-1.amazonaws.com",
            ),
            (
                "eusc-de-east-1",
                "aws-eusc",
                "https://sts.eusc-de-east-1.amazonaws.eu",
            ),
            (
                "us-isob-east-1",
                "aws-iso-b",
                "https://sts.us-isob-east-1.sc2s.sgov.gov",
            ),
            (
                "us-iso-east-1",
                "aws-iso",
                "https://sts.us-iso-east-1.c2s.ic.gov",
            ),
        ];
        for (region, id, sts) in cases {
            let partition = Partition::of_region(region);
            assert_eq!(partition.id, id, "{region}");
            assert_eq!(partition.sts_endpoint(region), sts, "{region}");
        }
    }

    #[test]
    fn console_hosts_per_partition() {
        let host = |region| {
            let p = Partition::of_region(region);
            (p.signin_host, p.console_host)
        };
        assert_eq!(
            host("eu-west-1"),
            (
                Some("signin.aws.amazon.com"),
                Some("console.aws.amazon.com")
            )
        );
        assert_eq!(
            host("cn-north-1"),
            (Some("signin.amazonaws.cn"), Some("console.amazonaws.cn"))
        );
        assert_eq!(
            host("us-gov-west-1"),
            (
                Some("signin.amazonaws-us-gov.com"),
                Some("console.amazonaws-us-gov.com")
            )
        );
        assert_eq!(host("eusc-de-east-1"), (None, None));
    }
}
