//! Signing key rotation without a cut-over: the previous key keeps verifying its tokens,
//! the JWKS publishes both keys, a token naming neither is refused; and the key files
//! that `keys generate` and `keys rotate` write.

use api::accounts::auth::keys::SigningKeys;
use domain::Role;
use jsonwebtoken::{Algorithm, Validation};
use lw_tests::{AppOptions, TestApp, both_backends, test_key_pem};
use persistence::Backend;
use serde_json::Value;
use server::config::KeySource;
use server::startup::{DATA_DIR_KEY, DATA_DIR_PREVIOUS_KEY, signing_keys};

both_backends!(tokens_of_the_previous_key_stay_valid_after_a_rotation);

const INVALID_TOKEN: &str = "Bearer realm=\"lokal-willkommen\", error=\"invalid_token\"";

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

/// The claims of a token, unverified.
fn payload(token: &str) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

fn sign(claims: &Value, key: &SigningKeys, kid: &str) -> String {
    let mut header = jsonwebtoken::Header::new(Algorithm::EdDSA);
    header.typ = Some("at+jwt".into());
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

async fn tokens_of_the_previous_key_stay_valid_after_a_rotation(backend: Backend) {
    // Before: one instance signing with the old key (the test key).
    let before = TestApp::spawn(backend).await;
    let (user_id, email) = before.create_account(Role::Staff, false);
    let old_token = before.access_token(&email).await;
    let old_kid = SigningKeys::from_pem(test_key_pem()).unwrap().kid;
    assert_eq!(kid_of(&old_token), old_kid);

    // The rotation as an operator does it: `keys generate` writes the new key, the old
    // key's file becomes the previous one, the instance restarts with both.
    let files = tempfile::tempdir().unwrap();
    let (new_file, old_file) = (files.path().join("new.pem"), files.path().join("old.pem"));
    let new_kid = server::keys::generate(&new_file).unwrap();
    std::fs::write(&old_file, test_key_pem()).unwrap();
    let rotated_keys = KeySource::Files {
        current: new_file.clone(),
        previous: Some(old_file),
    };
    let after = TestApp::spawn_on(
        before.db.share(),
        AppOptions {
            clock: Some(before.clock.clone()),
            signing_key: Some(rotated_keys),
            ..AppOptions::default()
        },
    )
    .await;

    // A token signed before the rotation still works; new ones carry the new key's kid.
    let me = after.get_as(&old_token, "/api/v1/me").await;
    assert_eq!(me.status, 200, "{}", String::from_utf8_lossy(&me.body));
    assert_eq!(me.json()["id"], user_id.as_str());
    let new_token = after.access_token(&email).await;
    assert_eq!(kid_of(&new_token), new_kid);
    assert_eq!(after.get_as(&new_token, "/api/v1/me").await.status, 200);

    // The JWKS lists both keys, the current one first, and each verifies its tokens.
    let jwks = after.get("/.well-known/jwks.json").await;
    assert_eq!(jwks.status, 200);
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_slice(&jwks.body).unwrap();
    let kids: Vec<_> = set
        .keys
        .iter()
        .map(|k| k.common.key_id.clone().unwrap())
        .collect();
    assert_eq!(kids, [new_kid.clone(), old_kid.clone()]);
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["lokal-willkommen-api"]);
    validation.validate_exp = false;
    for token in [&new_token, &old_token] {
        let jwk = set.find(&kid_of(token)).unwrap();
        let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
        jsonwebtoken::decode::<Value>(token, &key, &validation).expect("verifies with the key it names");
    }

    // A token naming neither key is refused like any bad token, and so is one naming
    // our key but signed by another.
    let (stranger, _) = SigningKeys::generate();
    let claims = payload(&new_token);
    for (what, forged) in [
        ("unknown kid", sign(&claims, &stranger, &stranger.kid)),
        ("our kid, other key", sign(&claims, &stranger, &old_kid)),
    ] {
        let res = after.get_as(&forged, "/api/v1/me").await;
        res.problem(401, "unauthenticated");
        assert_eq!(res.header("www-authenticate"), Some(INVALID_TOKEN), "{what}");
    }

    // After the access-token lifetime the previous key is dropped: its tokens (expired
    // by then anyway) are refused even where they would still be in time.
    let dropped = TestApp::spawn_on(
        before.db.share(),
        AppOptions {
            clock: Some(before.clock.clone()),
            signing_key: Some(KeySource::Files {
                current: new_file,
                previous: None,
            }),
            ..AppOptions::default()
        },
    )
    .await;
    let res = dropped.get_as(&old_token, "/api/v1/me").await;
    res.problem(401, "unauthenticated");
    assert_eq!(res.header("www-authenticate"), Some(INVALID_TOKEN));
    assert_eq!(dropped.get_as(&new_token, "/api/v1/me").await.status, 200);
    let jwks = dropped.get("/.well-known/jwks.json").await.json();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `keys generate`: a new file only its owner reads, which the server loads; an existing
/// file is never overwritten.
#[test]
fn generated_key_files_load_and_are_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("jwt.pem");
    let kid = server::keys::generate(&out).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);
    let ring = signing_keys(&KeySource::Files {
        current: out.clone(),
        previous: None,
    })
    .unwrap();
    assert_eq!(ring.current().kid, kid);
    let written = std::fs::read(&out).unwrap();
    let again = server::keys::generate(&out).unwrap_err();
    assert!(again.to_string().contains("refusing to overwrite"), "{again:#}");
    assert_eq!(std::fs::read(&out).unwrap(), written, "the key is untouched");
    // A file that is no key names itself.
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a key").unwrap();
    let err = signing_keys(&KeySource::Files {
        current: out,
        previous: Some(junk.clone()),
    })
    .err()
    .unwrap();
    assert!(
        format!("{err:#}").contains(&junk.display().to_string()),
        "{err:#}"
    );
}

/// `keys rotate` with the data-folder default: the current key becomes the previous one,
/// a new one signs, and the next start loads both.
#[test]
fn the_data_folder_keys_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(
        server::keys::rotate_data_dir(&data).is_err(),
        "nothing to rotate before the first start"
    );
    let first = signing_keys(&KeySource::DataDir(data.clone())).unwrap();
    assert!(first.previous().is_none());
    let first_kid = first.current().kid.clone();

    let rotated = server::keys::rotate_data_dir(&data).unwrap();
    assert_eq!(rotated.previous_kid, first_kid);
    assert!(rotated.dropped_kid.is_none());
    #[cfg(unix)]
    for file in [DATA_DIR_KEY, DATA_DIR_PREVIOUS_KEY] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    let second = signing_keys(&KeySource::DataDir(data.clone())).unwrap();
    assert_eq!(second.current().kid, rotated.current_kid);
    assert_eq!(second.previous().unwrap().kid, first_kid);
    let kids: Vec<Value> = second.jwks()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert_eq!(kids, [rotated.current_kid.as_str(), first_kid.as_str()]);

    // The next rotation drops the oldest key.
    let again = server::keys::rotate_data_dir(&data).unwrap();
    assert_eq!(again.dropped_kid.as_deref(), Some(first_kid.as_str()));
    assert_eq!(again.previous_kid, rotated.current_kid);
    let third = signing_keys(&KeySource::DataDir(data.clone())).unwrap();
    assert!(third.by_kid(&first_kid).is_none());
    let leftovers: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("jwt"))
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}
