//! Proposals as a client makes them: the personal data sealed under a fresh case key, and that
//! key wrapped under the deployment's master key, ready for `Store::execute`.

use std::collections::BTreeSet;

use corridor_domain::terms::{AgreementId, Sex};
use corridor_domain::{CaseId, Command, PersonFacts, PersonalData};
use corridor_store::vault::{self, MasterKey};

use crate::{country, day, label, language};

/// The synthetic person every [`proposal`] describes: a Venezuelan man born in 1990, removal
/// ordered on 3 March 2025, speaking Spanish, with nothing that would stop a transfer.
pub fn person_facts() -> PersonFacts {
    PersonFacts {
        birth_date: day("1990-04-12"),
        nationality: country("VEN"),
        sex: Sex::Male,
        vulnerabilities: BTreeSet::new(),
        feared_countries: BTreeSet::new(),
        protected_countries: BTreeSet::new(),
        languages: [language("es")].into_iter().collect(),
        legal_basis: label("ina_241"),
        designation: None,
        detention_place: None,
        removal_ordered_on: day("2025-03-03"),
        health_data_consent: false,
    }
}

/// A proposal under us-rwa-2025 of [`person_facts`] named `name` as case `id`, with the wrapped
/// key to store beside it. The case key and the nonces derive from `id`, so the same call gives
/// the same bytes.
pub fn proposal(id: u64, name: &str, master: &MasterKey) -> (Command, Vec<(CaseId, Vec<u8>)>) {
    let case = CaseId::from_u64(id);
    let [low_byte, ..] = id.to_le_bytes();
    let case_key = [low_byte; 32];
    let personal = PersonalData {
        name: name.to_owned(),
        ..PersonalData::default()
    };
    let agreement = AgreementId::parse("us-rwa-2025")
        .unwrap_or_else(|error| panic!("an agreement id: {error}"));
    let command = Command::Propose {
        case,
        agreement,
        facts: person_facts(),
        counsel: None,
        personal: vault::seal(case, &case_key, [1; vault::NONCE_BYTES], &personal),
    };
    (
        command,
        vec![(case, master.wrap(case, &case_key, [2; vault::NONCE_BYTES]))],
    )
}
