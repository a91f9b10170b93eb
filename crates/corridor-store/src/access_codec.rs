//! The compact stored form of an access record (schema version 8, docs/log.md "How access records
//! are stored").
//!
//! An access record is an `access_recorded` event like any other as far as the domain and the
//! public log are concerned: its leaf commits to `Event::to_json()` exactly as before. Only its
//! storage differs: instead of a JSON row in `events` and a stored leaf, it is one row of
//! `access_records` holding this encoding, with every string replaced by the number of its row in
//! `access_names`. What is written here must decode to the identical event; the write path checks
//! `decode(encode(e)) == e` before anything is stored.
//!
//! Format 1, every integer an unsigned LEB128 varint unless said otherwise:
//!
//! ```text
//! u8      format = 1
//! varint  by: 0 for none, else its name id + 1   (second, so a user's records are found by prefix)
//! varint  the access stream's version
//! varint  at: nanoseconds since the Unix epoch, zigzag
//! varint  recorded_at − at, in nanoseconds, zigzag
//! u8      flags: 1 allowed, 2 an agreement follows, 4 the resource is a case
//! varint  role name id
//! varint  action name id
//! 8 bytes the case number, big-endian (flag 4)  |  varint the resource's name id
//! varint  agreement name id (flag 2)
//! varint  number of policies, then each policy's name id
//! ```
//!
//! Nothing may follow the last policy. The module is pure: names are looked up through the
//! closures the store passes, so the codec never touches a database.

use corridor_domain::terms::AgreementId;
use corridor_domain::{CaseId, Event, EventBody, Role, UserId};
use jiff::Timestamp;

/// The one format this corridor writes and reads.
pub(crate) const FORMAT: u8 = 1;

/// Flag: the decision allowed the action.
const ALLOWED: u8 = 1;
/// Flag: the record names an agreement.
const HAS_AGREEMENT: u8 = 2;
/// Flag: the resource is a case, stored as its number.
const RESOURCE_IS_CASE: u8 = 4;
/// Every flag format 1 knows.
const FLAGS_KNOWN: u8 = ALLOWED | HAS_AGREEMENT | RESOURCE_IS_CASE;

/// Most policies one record may name: far above what Cedar reports, a bound on what a damaged
/// record can make the decoder allocate.
pub(crate) const POLICIES_MAX: u64 = 1_024;

/// Why a record does not decode (or an event cannot be encoded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CodecError {
    /// The bytes end before the record does.
    #[error("the record ends early")]
    Truncated,
    /// Bytes follow the last field.
    #[error("the record has {0} bytes after its last field")]
    Trailing(usize),
    /// The format byte is not one this corridor reads.
    #[error("the record is in format {0}, not {FORMAT}")]
    Format(u8),
    /// A varint overflows its type.
    #[error("a number in the record is too large")]
    Overflow,
    /// Flags this format does not know.
    #[error("the record has unknown flags {0:#04x}")]
    Flags(u8),
    /// More policies than [`POLICIES_MAX`].
    #[error("the record names {0} policies, more than {POLICIES_MAX}")]
    Policies(u64),
    /// A name id with no name.
    #[error("the record names id {0}, which `access_names` does not hold")]
    UnknownName(u64),
    /// A name that does not parse as what it names.
    #[error("the record's {what} `{name}` is not valid: {why}")]
    BadName {
        /// Which field.
        what: &'static str,
        /// The name.
        name: String,
        /// Why.
        why: String,
    },
    /// A time outside what `jiff` represents.
    #[error("the record's time is out of range")]
    Time,
    /// The event is not an access record.
    #[error("`{0}` is not an access record")]
    NotAccess(&'static str),
    /// A name the caller has no id for (encoding).
    #[error("no id for the name `{0}`")]
    NoId(String),
}

/// A record as stored, its fields read but its names not yet looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// Who acted: a name id.
    pub by: Option<u64>,
    /// The access stream's version.
    pub version: u64,
    /// When it happened.
    pub at: Timestamp,
    /// When it was appended.
    pub recorded_at: Timestamp,
    /// Whether it was allowed.
    pub allowed: bool,
    /// The role: a name id.
    pub role: u64,
    /// The action: a name id.
    pub action: u64,
    /// The resource.
    pub resource: Resource,
    /// The agreement: a name id.
    pub agreement: Option<u64>,
    /// The policies: name ids.
    pub policies: Vec<u64>,
}

/// A record's resource: a case by number, anything else by name id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resource {
    /// `case-<16 hex>`.
    Case(u64),
    /// Any other resource, as a name id.
    Name(u64),
}

impl Parsed {
    /// Every name id the record refers to, in order, possibly repeated.
    pub(crate) fn name_ids(&self) -> Vec<u64> {
        let mut ids = Vec::with_capacity(4 + self.policies.len());
        ids.extend(self.by);
        ids.push(self.role);
        ids.push(self.action);
        if let Resource::Name(id) = self.resource {
            ids.push(id);
        }
        ids.extend(self.agreement);
        ids.extend(self.policies.iter().copied());
        ids
    }

    /// The event, its names looked up through `name_of`.
    pub(crate) fn resolve<'n>(
        &self,
        name_of: impl Fn(u64) -> Option<&'n str>,
    ) -> Result<Event, CodecError> {
        let name = |id: u64| name_of(id).ok_or(CodecError::UnknownName(id));
        let bad = |what: &'static str, name: &str, why: String| CodecError::BadName {
            what,
            name: name.to_owned(),
            why,
        };
        let by = match self.by {
            Some(id) => {
                let text = name(id)?;
                Some(UserId::parse(text).map_err(|why| bad("user", text, why))?)
            }
            None => None,
        };
        let role_name = name(self.role)?;
        let role = Role::parse(role_name)
            .ok_or_else(|| bad("role", role_name, "no such role".to_owned()))?;
        let resource = match self.resource {
            Resource::Case(number) => CaseId::from_u64(number).to_string(),
            Resource::Name(id) => name(id)?.to_owned(),
        };
        let agreement = match self.agreement {
            Some(id) => {
                let text = name(id)?;
                Some(AgreementId::parse(text).map_err(|why| bad("agreement", text, why))?)
            }
            None => None,
        };
        let policies = self
            .policies
            .iter()
            .map(|id| name(*id).map(ToOwned::to_owned))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Event {
            at: self.at,
            by,
            body: EventBody::AccessRecorded {
                role,
                action: name(self.action)?.to_owned(),
                resource,
                agreement,
                allowed: self.allowed,
                policies,
            },
        })
    }
}

/// The strings of an access record that are stored as names, in the order [`encode`] asks for
/// them (a case resource is not one of them).
pub(crate) fn names_of(event: &Event) -> Result<Vec<&str>, CodecError> {
    let EventBody::AccessRecorded {
        role,
        action,
        resource,
        agreement,
        policies,
        ..
    } = &event.body
    else {
        return Err(CodecError::NotAccess(event.body.kind()));
    };
    let mut names = Vec::with_capacity(4 + policies.len());
    names.extend(event.by.as_ref().map(UserId::as_str));
    names.push(role.as_str());
    names.push(action.as_str());
    if case_number(resource).is_none() {
        names.push(resource.as_str());
    }
    names.extend(agreement.as_ref().map(AgreementId::as_str));
    names.extend(policies.iter().map(String::as_str));
    Ok(names)
}

/// The case number of a resource written exactly as a case id displays (`case-` and 16
/// lowercase hex digits): only such a resource decodes back to the same text from its number.
fn case_number(resource: &str) -> Option<u64> {
    let hex = resource.strip_prefix("case-")?;
    let number = u64::from_str_radix(hex, 16).ok()?;
    (CaseId::from_u64(number).to_string() == resource).then_some(number)
}

/// Encodes an access record with its stream version and append time; `id_of` gives the name id
/// of each of [`names_of`]'s strings.
pub(crate) fn encode(
    event: &Event,
    version: u64,
    recorded_at: Timestamp,
    mut id_of: impl FnMut(&str) -> Option<u64>,
) -> Result<Vec<u8>, CodecError> {
    let EventBody::AccessRecorded {
        role,
        action,
        resource,
        agreement,
        allowed,
        policies,
    } = &event.body
    else {
        return Err(CodecError::NotAccess(event.body.kind()));
    };
    let mut id = |name: &str| id_of(name).ok_or_else(|| CodecError::NoId(name.to_owned()));
    let mut out = Vec::with_capacity(32 + 2 * policies.len());
    out.push(FORMAT);
    match &event.by {
        Some(user) => put_varint(&mut out, id(user.as_str())?.saturating_add(1)),
        None => out.push(0),
    }
    put_varint(&mut out, version);
    let at = event.at.as_nanosecond();
    put_varint128(&mut out, zigzag(at));
    put_varint128(&mut out, zigzag(recorded_at.as_nanosecond() - at));
    let case = case_number(resource);
    let mut flags = 0;
    if *allowed {
        flags |= ALLOWED;
    }
    if agreement.is_some() {
        flags |= HAS_AGREEMENT;
    }
    if case.is_some() {
        flags |= RESOURCE_IS_CASE;
    }
    out.push(flags);
    put_varint(&mut out, id(role.as_str())?);
    put_varint(&mut out, id(action)?);
    match case {
        Some(number) => out.extend_from_slice(&number.to_be_bytes()),
        None => put_varint(&mut out, id(resource)?),
    }
    if let Some(agreement) = agreement {
        put_varint(&mut out, id(agreement.as_str())?);
    }
    put_varint(&mut out, policies.len() as u64);
    for policy in policies {
        put_varint(&mut out, id(policy)?);
    }
    Ok(out)
}

/// Reads a record's fields (its names not looked up).
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, CodecError> {
    let mut reader = Reader(bytes);
    let format = reader.byte()?;
    if format != FORMAT {
        return Err(CodecError::Format(format));
    }
    let by = reader.varint()?.checked_sub(1);
    let version = reader.varint()?;
    let at = unzigzag(reader.varint128()?);
    let delay = unzigzag(reader.varint128()?);
    let at_time = Timestamp::from_nanosecond(at).map_err(|_| CodecError::Time)?;
    let recorded_at = at
        .checked_add(delay)
        .and_then(|nanos| Timestamp::from_nanosecond(nanos).ok())
        .ok_or(CodecError::Time)?;
    let flags = reader.byte()?;
    if flags & !FLAGS_KNOWN != 0 {
        return Err(CodecError::Flags(flags));
    }
    let role = reader.varint()?;
    let action = reader.varint()?;
    let resource = if flags & RESOURCE_IS_CASE != 0 {
        Resource::Case(u64::from_be_bytes(reader.array()?))
    } else {
        Resource::Name(reader.varint()?)
    };
    let agreement = if flags & HAS_AGREEMENT != 0 {
        Some(reader.varint()?)
    } else {
        None
    };
    let count = reader.varint()?;
    if count > POLICIES_MAX {
        return Err(CodecError::Policies(count));
    }
    let policies = (0..count)
        .map(|_| reader.varint())
        .collect::<Result<Vec<_>, _>>()?;
    if !reader.0.is_empty() {
        return Err(CodecError::Trailing(reader.0.len()));
    }
    Ok(Parsed {
        by,
        version,
        at: at_time,
        recorded_at,
        allowed: flags & ALLOWED != 0,
        role,
        action,
        resource,
        agreement,
        policies,
    })
}

/// The first bytes of every record `by` the user with name id `user`: what finds a user's
/// records in SQL without decoding them.
pub(crate) fn prefix_of_user(user: u64) -> Vec<u8> {
    let mut out = vec![FORMAT];
    put_varint(&mut out, user.saturating_add(1));
    out
}

/// The stream version a record holds, read without looking up any name.
pub(crate) fn version_of(bytes: &[u8]) -> Result<u64, CodecError> {
    Ok(parse(bytes)?.version)
}

fn zigzag(value: i128) -> u128 {
    ((value << 1) ^ (value >> 127)) as u128
}

fn unzigzag(value: u128) -> i128 {
    ((value >> 1) as i128) ^ -((value & 1) as i128)
}

fn put_varint(out: &mut Vec<u8>, value: u64) {
    put_varint128(out, u128::from(value));
}

fn put_varint128(out: &mut Vec<u8>, mut value: u128) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// What is left of a record to read.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, CodecError> {
        let (first, rest) = self.0.split_first().ok_or(CodecError::Truncated)?;
        self.0 = rest;
        Ok(*first)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let (head, rest) = self
            .0
            .split_first_chunk::<N>()
            .ok_or(CodecError::Truncated)?;
        self.0 = rest;
        Ok(*head)
    }

    fn varint128(&mut self) -> Result<u128, CodecError> {
        let mut value: u128 = 0;
        for shift in (0..128).step_by(7) {
            let byte = self.byte()?;
            let bits = u128::from(byte & 0x7f);
            // The last group may only fill the bits that are left.
            if shift > 0 && bits.checked_shl(shift).map(|moved| moved >> shift) != Some(bits) {
                return Err(CodecError::Overflow);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                // One encoding per number: no trailing zero groups.
                if byte == 0 && shift > 0 {
                    return Err(CodecError::Overflow);
                }
                return Ok(value);
            }
        }
        Err(CodecError::Overflow)
    }

    fn varint(&mut self) -> Result<u64, CodecError> {
        u64::try_from(self.varint128()?).map_err(|_| CodecError::Overflow)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    /// Names numbered in the order first asked for, as the store numbers them.
    #[derive(Default)]
    struct Names(BTreeMap<String, u64>);

    impl Names {
        fn id(&mut self, name: &str) -> u64 {
            let next = self.0.len() as u64 + 1;
            *self.0.entry(name.to_owned()).or_insert(next)
        }

        fn name(&self, id: u64) -> Option<&str> {
            self.0
                .iter()
                .find(|(_, number)| **number == id)
                .map(|(name, _)| name.as_str())
        }
    }

    fn round_trip(event: &Event, version: u64, recorded_at: Timestamp) -> (Vec<u8>, Event) {
        let mut names = Names::default();
        let bytes =
            encode(event, version, recorded_at, |name| Some(names.id(name))).expect("encodes");
        let parsed = parse(&bytes).expect("parses");
        assert_eq!((parsed.version, parsed.recorded_at), (version, recorded_at));
        let decoded = parsed.resolve(|id| names.name(id)).expect("resolves");
        (bytes, decoded)
    }

    fn access(by: Option<&str>, resource: &str, agreement: Option<&str>) -> Event {
        Event {
            at: "2026-03-17T10:00:00.123456789Z".parse().expect("a time"),
            by: by.map(|name| UserId::parse(name).expect("a user")),
            body: EventBody::AccessRecorded {
                role: Role::SendingOfficer,
                action: "read_case".to_owned(),
                resource: resource.to_owned(),
                agreement: agreement.map(|id| AgreementId::parse(id).expect("an agreement")),
                allowed: true,
                policies: vec!["officers-read-own-state".to_owned()],
            },
        }
    }

    /// Proves a typical record round-trips and is small: a case read by a named officer is
    /// well under 64 bytes.
    #[test]
    fn a_case_read_round_trips_in_few_bytes() {
        let event = access(Some("ana"), "case-00000000000000ff", Some("gbr-rwa-2024"));
        let recorded = event.at + jiff::SignedDuration::from_millis(3);
        let (bytes, decoded) = round_trip(&event, 123_456, recorded);
        assert_eq!(decoded, event);
        assert!(bytes.len() < 40, "{} bytes", bytes.len());
        assert_eq!(bytes.first(), Some(&FORMAT));
        assert!(
            bytes.starts_with(&prefix_of_user(1)),
            "by is the second field"
        );
    }

    /// Proves a resource that only looks like a case (upper-case hex, wrong length) is kept as a
    /// name, so it decodes to the same text.
    #[test]
    fn a_resource_that_is_not_a_canonical_case_id_is_a_name() {
        for resource in [
            "case-00000000000000FF",
            "case-ff",
            "case-",
            "hold-0000000000000001",
            "log",
        ] {
            let event = access(None, resource, None);
            let (_, decoded) = round_trip(&event, 1, event.at);
            assert_eq!(decoded, event, "{resource}");
        }
    }

    /// Proves damaged records are refused with a reason, never misread: every truncation, a
    /// trailing byte, an unknown format and unknown flags.
    #[test]
    fn damaged_records_are_refused() {
        let event = access(Some("ana"), "agreement:gbr-rwa-2024", Some("gbr-rwa-2024"));
        let mut names = Names::default();
        let bytes = encode(&event, 7, event.at, |name| Some(names.id(name))).expect("encodes");
        for cut in 0..bytes.len() {
            assert!(parse(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(parse(&longer), Err(CodecError::Trailing(1)));
        let mut other = bytes.clone();
        other[0] = 2;
        assert_eq!(parse(&other), Err(CodecError::Format(2)));
        let parsed = parse(&bytes).expect("parses");
        assert_eq!(
            parsed.resolve(|_| None),
            Err(CodecError::UnknownName(parsed.by.unwrap_or(0)))
        );
        assert_eq!(
            parse(&[
                FORMAT, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01
            ]),
            Err(CodecError::Overflow)
        );
    }

    /// Proves only access records are encoded.
    #[test]
    fn other_events_are_not_encoded() {
        let event = Event {
            at: Timestamp::UNIX_EPOCH,
            by: None,
            body: EventBody::ComplaintErased {
                complaint: corridor_domain::ComplaintId::from_u64(1),
            },
        };
        assert_eq!(
            encode(&event, 1, event.at, |_| Some(1)),
            Err(CodecError::NotAccess("complaint_erased"))
        );
    }

    fn any_event() -> impl Strategy<Value = (Event, u64, i64)> {
        let user = proptest::option::of("[a-z0-9._-]{1,64}");
        let resource = prop_oneof![
            any::<u64>().prop_map(|n| CaseId::from_u64(n).to_string()),
            "(hold-|user:|agreement:)?[a-z0-9:._-]{0,40}",
            "case-[0-9A-Fa-f]{0,17}",
        ];
        let agreement = proptest::option::of("[a-z][a-z0-9-]{0,30}");
        let policies = proptest::collection::vec("[a-z0-9._-]{0,40}", 0..6);
        let nanos = -62_000_000_000_000_000_000i128..250_000_000_000_000_000_000i128;
        (
            user,
            0..Role::ALL.len(),
            "[a-z_]{1,30}",
            resource,
            agreement,
            any::<bool>(),
            policies,
            nanos,
            any::<u64>(),
            -1_000_000_000_000i64..1_000_000_000_000,
        )
            .prop_filter_map(
                "valid names",
                |(
                    user,
                    role,
                    action,
                    resource,
                    agreement,
                    allowed,
                    policies,
                    nanos,
                    version,
                    delay,
                )| {
                    let by = match user {
                        Some(name) => Some(UserId::parse(&name).ok()?),
                        None => None,
                    };
                    let agreement = match agreement {
                        Some(id) => Some(AgreementId::parse(&id).ok()?),
                        None => None,
                    };
                    let event = Event {
                        at: Timestamp::from_nanosecond(nanos).ok()?,
                        by,
                        body: EventBody::AccessRecorded {
                            role: *Role::ALL.get(role)?,
                            action,
                            resource,
                            agreement,
                            allowed,
                            policies,
                        },
                    };
                    Some((event, version, delay))
                },
            )
    }

    proptest! {
        /// Proves every access record decodes to the identical event, version and append time,
        /// whatever its users, resources, policies and times (`by: None` and non-case resources
        /// included), and that its JSON (what the leaf commits to) is unchanged by the trip.
        #[test]
        fn every_access_record_round_trips((event, version, delay) in any_event()) {
            let Ok(recorded) = event.at.checked_add(jiff::SignedDuration::from_nanos(delay)) else {
                return Ok(());
            };
            let (_, decoded) = round_trip(&event, version, recorded);
            prop_assert_eq!(decoded.to_json(), event.to_json());
            prop_assert_eq!(decoded, event);
        }

        /// Proves the decoder refuses or reads any bytes without panicking.
        #[test]
        fn any_bytes_parse_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse(&bytes);
        }
    }
}
