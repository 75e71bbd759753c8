//! Step Functions ARNs: `arn:aws:states:<region>:<account>:<type>:<rest>`.

use crate::protocol::ApiError;

/// Where the server's resources live: its partition, region and account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// `aws`.
    pub partition: String,
    /// `us-east-1`, or `AWS_DEFAULT_REGION`.
    pub region: String,
    /// `123456789012`, or `AWS_ACCOUNT_ID`.
    pub account: String,
}

impl Home {
    fn prefix(&self) -> String {
        format!("arn:{}:states:{}:{}", self.partition, self.region, self.account)
    }

    /// A state machine's ARN.
    pub fn state_machine(&self, name: &str) -> String {
        format!("{}:stateMachine:{name}", self.prefix())
    }

    /// An activity's ARN.
    pub fn activity(&self, name: &str) -> String {
        format!("{}:activity:{name}", self.prefix())
    }

    /// An express execution's ARN (never stored, as on AWS).
    pub fn express_execution(&self, machine: &str, name: &str) -> String {
        format!("{}:express:{machine}:{name}:{}", self.prefix(), uuid::Uuid::new_v4())
    }
}

/// A parsed Step Functions ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arn<'a> {
    /// A state machine, a version of it (`qualifier` all digits) or an
    /// alias (`qualifier` a name); `test_case` is Step Functions Local's
    /// `#TestCase` suffix.
    StateMachine {
        /// The state machine's ARN without qualifier or test case.
        base: &'a str,
        /// Its name.
        name: &'a str,
        /// A version number or an alias name.
        qualifier: Option<&'a str>,
        /// A mocked test case.
        test_case: Option<&'a str>,
    },
    /// A Standard execution.
    Execution {
        /// The state machine's name.
        machine: &'a str,
    },
    /// An express execution.
    Express,
    /// An activity.
    Activity,
    /// A Distributed Map's run.
    MapRun {
        /// The state machine's name.
        machine: &'a str,
    },
}

/// Parses `arn`, or fails with `InvalidArn`.
pub fn parse(arn: &str) -> Result<Arn<'_>, ApiError> {
    let bad = || ApiError::invalid_arn(arn);
    if arn.len() > 2048 {
        return Err(bad());
    }
    let mut parts = arn.splitn(7, ':');
    let (Some("arn"), Some(partition), Some("states"), Some(_region), Some(_account), Some(kind), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if partition.is_empty() || rest.is_empty() {
        return Err(bad());
    }
    let prefix_len = arn.len() - rest.len();
    match kind {
        "stateMachine" => {
            let (body, test_case) = match rest.split_once('#') {
                Some((body, case)) if !case.is_empty() => (body, Some(case)),
                Some(_) => return Err(bad()),
                None => (rest, None),
            };
            let (name, qualifier) = match body.split_once(':') {
                Some((name, q)) if !q.is_empty() && !q.contains(':') => (name, Some(q)),
                Some(_) => return Err(bad()),
                None => (body, None),
            };
            if name.is_empty() {
                return Err(bad());
            }
            Ok(Arn::StateMachine { base: &arn[..prefix_len + name.len()], name, qualifier, test_case })
        }
        "execution" => match rest.split_once(':') {
            Some((machine, name)) if !machine.is_empty() && !name.is_empty() && !name.contains(':') => {
                Ok(Arn::Execution { machine })
            }
            _ => Err(bad()),
        },
        "express" => Ok(Arn::Express),
        "activity" if !rest.contains(':') => Ok(Arn::Activity),
        "mapRun" => match rest.split_once('/') {
            Some((machine, _)) if !machine.is_empty() => Ok(Arn::MapRun { machine }),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_machine_arns_with_versions_aliases_and_test_cases() {
        let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:Payment:prod#HappyPath";
        assert_eq!(
            parse(arn).unwrap(),
            Arn::StateMachine {
                base: "arn:aws:states:us-east-1:123456789012:stateMachine:Payment",
                name: "Payment",
                qualifier: Some("prod"),
                test_case: Some("HappyPath"),
            }
        );
        assert!(matches!(
            parse("arn:aws:states:us-east-1:1:stateMachine:P").unwrap(),
            Arn::StateMachine { qualifier: None, test_case: None, .. }
        ));
    }

    #[test]
    fn malformed_arns_are_invalid() {
        for bad in [
            "",
            "nonsense",
            "arn:aws:s3:::bucket",
            "arn:aws:states:us-east-1:1:stateMachine:",
            "arn:aws:states:us-east-1:1:stateMachine:P#",
            "arn:aws:states:us-east-1:1:execution:P",
            "arn:aws:states:us-east-1:1:widget:P",
        ] {
            assert_eq!(parse(bad).unwrap_err().kind, "InvalidArn", "{bad}");
        }
    }
}
