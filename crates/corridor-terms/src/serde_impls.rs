//! Serde support for the small value types that persisted events carry.
//!
//! Each is written as its snake_case name or code, the same text agreement files use, so an event
//! reads like the file it came from.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::country::Country;
use crate::model::{AgreementId, AgreementStatus, Sex, SharedField, Vulnerability};

macro_rules! serde_as_text {
    ($type:ty, $to_text:expr, $from_text:expr, $what:literal) => {
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($to_text(self))
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $from_text(&text)
                    .ok_or_else(|| D::Error::custom(format!("`{text}` is not a known {}", $what)))
            }
        }
    };
}

serde_as_text!(
    Country,
    Country::code,
    |t: &str| Country::parse(t).ok(),
    "country"
);
serde_as_text!(
    AgreementId,
    AgreementId::as_str,
    |t: &str| AgreementId::parse(t).ok(),
    "agreement id"
);
serde_as_text!(
    AgreementStatus,
    |s: &AgreementStatus| s.as_str(),
    AgreementStatus::parse,
    "agreement status"
);
serde_as_text!(Sex, |s: &Sex| s.as_str(), Sex::parse, "sex");
serde_as_text!(
    Vulnerability,
    |v: &Vulnerability| v.as_str(),
    Vulnerability::parse,
    "vulnerability category"
);
serde_as_text!(
    SharedField,
    |f: &SharedField| f.as_str(),
    SharedField::parse,
    "shared field"
);
