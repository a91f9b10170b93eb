//! Configuration and opening: key strings become a witness in one step, and what cannot be
//! used is refused with the reason.

use corridor_log::cosignature::CosignatureSigner;
use corridor_log::witness::AddCheckpointRequest;
use corridor_witness::config::{MAX_KEYS_PER_LOG, cosigner_verifier_key};
use corridor_witness::{ConfigError, KnownLog, StoreError, WitnessStore, build_witness};

use crate::{LOG_ORIGIN, Log, NOW_SECONDS, WITNESS_NAME, seed, signer, witness_key};

// A cosigning key string is a function of its name and seed, round-trips through the key
// parser, and its public key string is the one the parser derives.
#[test]
fn cosigner_keys_come_from_the_callers_seed() {
    let key = witness_key();
    assert!(
        key.starts_with(&format!("PRIVATE+KEY+{WITNESS_NAME}+")),
        "{key}"
    );
    assert_eq!(
        corridor_witness::generate_cosigner_key(
            corridor_log::keys::Algorithm::Ed25519,
            WITNESS_NAME,
            &seed("the witness's key")
        )
        .unwrap(),
        key
    );
    assert_ne!(
        corridor_witness::generate_cosigner_key(
            corridor_log::keys::Algorithm::Ed25519,
            WITNESS_NAME,
            &seed("another seed")
        )
        .unwrap(),
        key
    );
    let signer = CosignatureSigner::parse(&key).unwrap();
    assert_eq!(signer.to_private_key_string(), key);
    assert_eq!(
        cosigner_verifier_key(&key).unwrap(),
        signer.verifier().to_key_string()
    );
    assert!(matches!(
        corridor_witness::generate_cosigner_key(
            corridor_log::keys::Algorithm::Ed25519,
            "has space",
            &seed("x")
        ),
        Err(ConfigError::InvalidKeyName { .. })
    ));
}

// A log's origin is its key's name by convention, or given; its keys are parsed, counted
// (up to the limit, not beyond) and must be distinct.
#[test]
fn known_logs_are_validated() {
    let key = |label: &str| signer(LOG_ORIGIN, label).verifier().to_key_string();
    let log = KnownLog::from_verifier_key(&key("a")).unwrap();
    assert_eq!(log.origin(), LOG_ORIGIN);

    let renamed = KnownLog::new("corridor.example/other", &[&key("a"), &key("b")]).unwrap();
    assert_eq!(renamed.origin(), "corridor.example/other");
    assert_eq!(renamed.keys().len(), 2);

    let keys: Vec<String> = (0..=MAX_KEYS_PER_LOG)
        .map(|n| key(&n.to_string()))
        .collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert!(KnownLog::new(LOG_ORIGIN, &keys[..MAX_KEYS_PER_LOG]).is_ok());
    assert_eq!(
        KnownLog::new(LOG_ORIGIN, &keys),
        Err(ConfigError::TooManyLogKeys {
            origin: LOG_ORIGIN.to_owned(),
            count: MAX_KEYS_PER_LOG + 1
        })
    );
    assert_eq!(
        KnownLog::new(LOG_ORIGIN, &[]),
        Err(ConfigError::NoLogKeys {
            origin: LOG_ORIGIN.to_owned()
        })
    );
    assert!(matches!(
        KnownLog::new(LOG_ORIGIN, &[&key("a"), &key("a")]),
        Err(ConfigError::DuplicateLogKey { .. })
    ));
    assert_eq!(
        KnownLog::new("", &[&key("a")]),
        Err(ConfigError::InvalidOrigin {
            origin: String::new()
        })
    );
    let error = KnownLog::from_verifier_key("not+a+key").unwrap_err();
    assert!(
        matches!(error, ConfigError::InvalidLogKey { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("`not+a+key`"), "{error}");
    // A cosignature (witness) key is not a log key.
    let witness_public = cosigner_verifier_key(&witness_key()).unwrap();
    assert!(matches!(
        KnownLog::from_verifier_key(&witness_public),
        Err(ConfigError::InvalidLogKey { .. })
    ));
}

// The witness needs a cosignature private key and distinct origins; a log configured under an
// origin other than its key's name is followed under that origin.
#[test]
fn build_witness_checks_the_whole_configuration() {
    let log_key = signer("log-signing-key", "k").verifier().to_key_string();
    let log = KnownLog::new(LOG_ORIGIN, &[&log_key]).unwrap();
    assert_eq!(
        build_witness(&witness_key(), &[log.clone(), log.clone()]).unwrap_err(),
        ConfigError::DuplicateOrigin {
            origin: LOG_ORIGIN.to_owned()
        }
    );
    assert!(matches!(
        build_witness(&log_key, std::slice::from_ref(&log)),
        Err(ConfigError::InvalidCosignerKey(_))
    ));

    let witness = build_witness(&witness_key(), &[log]).unwrap();
    let tree = Log::new(&[(4, "main")]);
    let note = tree
        .checkpoint(4)
        .sign(&signer("log-signing-key", "k"))
        .unwrap();
    let request = AddCheckpointRequest::parse(
        AddCheckpointRequest::encode(0, &[], &note.to_text()).as_bytes(),
    )
    .unwrap();
    assert!(witness.decide(&request, None, NOW_SECONDS).is_ok());
}

// Database URLs that cannot be used are refused with the reason and without the password.
#[tokio::test]
async fn unusable_database_urls_are_refused() {
    let error = WitnessStore::open("mysql://localhost/witness", true)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Url { .. }), "{error:?}");

    let error = WitnessStore::open("postgres://witness:hunter2@localhost:notaport/w", true)
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, StoreError::Url { .. }), "{error:?}");
    assert!(!message.contains("hunter2"), "{message}");
    assert!(message.contains("witness:***@localhost"), "{message}");
}

// An SQLite database that holds another program's tables is not taken over.
#[tokio::test]
async fn a_foreign_sqlite_database_is_refused() {
    use sqlx::Connection as _;
    let directory = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        directory.path().join("other.db").display()
    );
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();

    let error = WitnessStore::open(&url, true).await.unwrap_err();
    assert!(matches!(error, StoreError::Migrate(_)), "{error:?}");
    assert!(error.to_string().contains("invoices"), "{error}");
}

// A log that signs with ML-DSA-44 is followed by its type-0x06 verifier key, like an Ed25519 one.
#[test]
fn a_log_with_an_ml_dsa_44_key_can_be_followed() {
    use corridor_log::keys::{Algorithm, LogSigner};
    use corridor_log::note::KeyName;
    let key = LogSigner::from_seed(
        Algorithm::MlDsa44,
        KeyName::new(LOG_ORIGIN).unwrap(),
        &seed("pq log"),
    )
    .verifier_key_string();
    let log = KnownLog::from_verifier_key(&key).unwrap();
    assert_eq!(log.origin(), LOG_ORIGIN);
    assert_eq!(log.keys()[0].to_key_string(), key);
    assert!(build_witness(&witness_key(), &[log]).is_ok());
}
