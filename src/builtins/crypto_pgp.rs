//! `encrypt-pgp`, `decrypt-pgp`: OpenPGP (RFC 4880) messages, ASCII-armoured,
//! with the `pgp` crate (rPGP).

use std::panic::{catch_unwind, AssertUnwindSafe};

use pgp::composed::{Deserializable, Message, MessageBuilder, SignedPublicKey, SignedSecretKey};
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::types::{KeyDetails, Password};

use super::crypto::{key_arg, values_arg, KeyCache};
use super::support::map_values;
use super::{Args, Builtin, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

static PUBLIC_KEYS: KeyCache<SignedPublicKey> = KeyCache::new();
static SECRET_KEYS: KeyCache<SignedSecretKey> = KeyCache::new();

/// Runs `f`, turning a panic inside the OpenPGP library into `None`: messages and
/// keys are untrusted input, and a malformed one must never bring the run down.
fn guarded<T>(f: impl FnOnce() -> Option<T>) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok().flatten()
}

fn public_key(text: &str) -> Result<SignedPublicKey, String> {
    const BAD: &str = "PUBLIC_KEY must be an ASCII-armoured OpenPGP public key \
                       (-----BEGIN PGP PUBLIC KEY BLOCK-----)";
    let key = guarded(|| SignedPublicKey::from_string(text.trim()).ok().map(|(key, _)| key)).ok_or(BAD)?;
    if encryption_key(&key).is_none() {
        return Err("the OpenPGP public key has no key that can encrypt".to_string());
    }
    Ok(key)
}

fn secret_key(text: &str) -> Result<SignedSecretKey, String> {
    guarded(|| SignedSecretKey::from_string(text.trim()).ok().map(|(key, _)| key)).ok_or_else(|| {
        "PRIVATE_KEY must be an ASCII-armoured OpenPGP private key (-----BEGIN PGP PRIVATE KEY BLOCK-----)".to_string()
    })
}

/// The key to encrypt to: the first subkey flagged to encrypt, else the first subkey
/// whose algorithm can encrypt, else the primary key if it can.
enum Recipient<'a> {
    Subkey(&'a pgp::composed::SignedPublicSubKey),
    Primary(&'a SignedPublicKey),
}

fn encryption_key(cert: &SignedPublicKey) -> Option<Recipient<'_>> {
    let flagged = |sigs: &[pgp::packet::Signature]| {
        sigs.iter().any(|s| {
            let flags = s.key_flags();
            flags.encrypt_comms() || flags.encrypt_storage()
        })
    };
    let subkeys = || cert.public_subkeys.iter().filter(|k| k.algorithm().can_encrypt());
    if let Some(k) = subkeys().find(|k| flagged(&k.signatures)) {
        return Some(Recipient::Subkey(k));
    }
    if let Some(k) = subkeys().next() {
        return Some(Recipient::Subkey(k));
    }
    cert.primary_key.algorithm().can_encrypt().then_some(Recipient::Primary(cert))
}

fn encrypt_message(cert: &SignedPublicKey, plaintext: &str) -> Option<String> {
    guarded(|| {
        let mut rng = rand::thread_rng();
        let mut builder = MessageBuilder::from_bytes("", plaintext.as_bytes().to_vec())
            .seipd_v1(&mut rng, SymmetricKeyAlgorithm::AES256);
        match encryption_key(cert)? {
            Recipient::Subkey(k) => builder.encrypt_to_key(&mut rng, k).ok()?,
            Recipient::Primary(k) => builder.encrypt_to_key(&mut rng, k).ok()?,
        };
        builder.to_armored_string(&mut rng, Default::default()).ok()
    })
}

fn decrypt_message(key: &SignedSecretKey, passphrase: &Password, message: &Value) -> Option<Value> {
    guarded(|| {
        let armoured = match message {
            Value::Str(s) => Some(s.as_ref()),
            Value::Bytes(b) => std::str::from_utf8(b).ok().filter(|s| s.contains("-----BEGIN PGP MESSAGE")),
            _ => return None,
        };
        let parsed = match (armoured, message) {
            (Some(text), _) => Message::from_string(text.trim()).ok()?.0,
            (None, Value::Bytes(b)) => Message::from_bytes(&b[..]).ok()?,
            _ => return None,
        };
        let mut plain = parsed.decrypt(passphrase, key).ok()?;
        if plain.is_compressed() {
            plain = plain.decompress().ok()?;
        }
        let data = plain.as_data_vec().ok()?;
        String::from_utf8(data).ok().map(Value::from)
    })
}

fn encrypt_pgp(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let text = key_arg(args, env, 0, "PUBLIC_KEY")?;
    let cert = PUBLIC_KEYS.get(&text, public_key).map_err(|e| args.error(e))?;
    let values = values_arg(args, env, 1)?;
    let mut failed = false;
    let result = map_values(&values, |v| {
        let message = encrypt_message(&cert, v.as_str()?);
        failed |= message.is_none();
        message.map(Value::from)
    });
    if failed {
        return Err(args.error("OpenPGP encryption failed"));
    }
    Ok(result)
}

fn decrypt_pgp(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let text = key_arg(args, env, 0, "PRIVATE_KEY")?;
    let key = SECRET_KEYS.get(&text, secret_key).map_err(|e| args.error(e))?;
    let passphrase = Password::from(key_arg(args, env, 1, "PASSPHRASE")?.as_str());
    let values = args.eval(2, env)?;
    Ok(map_values(&values, |v| decrypt_message(&key, &passphrase, v)))
}

/// The OpenPGP part of the encryption family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "encrypt-pgp",
        family: Family::Crypto,
        signature: "PUBLIC_KEY(string{1}) VALUES(value-expression{1})",
        summary: "Encrypts each string to an OpenPGP public key (ASCII-armoured) into an armoured \
                  OpenPGP message string; other values are dropped.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[],
        eval: encrypt_pgp,
    },
    Builtin {
        name: "decrypt-pgp",
        family: Family::Crypto,
        signature: "PRIVATE_KEY(string{1}) PASSPHRASE(string{1}) VALUES(value-expression{1})",
        summary: "Decrypts each armoured OpenPGP message with a private key and its passphrase into a string; \
                  messages that do not decrypt are dropped.",
        min_args: 3,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[],
        eval: decrypt_pgp,
    },
];

#[cfg(test)]
mod tests {
    use super::super::crypto::testing::{case_arg, eval};
    use serde_json::json;

    fn private() -> String {
        case_arg("crypto/decrypt-pgp/2", &[1])
    }

    fn public() -> String {
        case_arg("crypto/decrypt-pgp/2", &[3, 1])
    }

    #[test]
    fn round_trip_lists_and_drops() {
        let out = eval(json!([
            "decrypt-pgp",
            private(),
            "valid-password",
            ["encrypt-pgp", public(), ["list", "data", 1, null, "æøå"]]
        ]))
        .unwrap();
        assert_eq!(out.to_string(), r#"["data","æøå"]"#);
        let armoured = eval(json!(["encrypt-pgp", public(), "x"])).unwrap();
        assert!(armoured.as_str().unwrap().starts_with("-----BEGIN PGP MESSAGE-----"));
    }

    #[test]
    fn bad_messages_and_passphrases_are_dropped() {
        let msg = case_arg("crypto/decrypt-pgp/4", &[3]);
        assert_eq!(
            eval(json!(["decrypt-pgp", private(), "valid-password", msg])).unwrap().to_string(),
            r#""secret message""#
        );
        assert!(eval(json!(["decrypt-pgp", private(), "wrong", msg])).unwrap().is_null());
        let damaged = msg.replacen("hQEMA", "hQEMB", 1);
        assert!(eval(json!(["decrypt-pgp", private(), "valid-password", damaged])).unwrap().is_null());
        let truncated = &msg[..msg.len() / 2];
        assert!(eval(json!(["decrypt-pgp", private(), "valid-password", truncated])).unwrap().is_null());
        let out = eval(json!([
            "decrypt-pgp",
            private(),
            "valid-password",
            ["list", "junk", "-----BEGIN PGP MESSAGE-----\n\n-----END PGP MESSAGE-----", 5, "~bYWJj"]
        ]))
        .unwrap();
        assert_eq!(out.to_string(), "[]");
    }

    #[test]
    fn bad_keys_are_errors() {
        assert!(eval(json!(["encrypt-pgp", "not a key", "x"])).is_err());
        assert!(eval(json!(["encrypt-pgp", private(), "x"])).is_err());
        assert!(eval(json!(["decrypt-pgp", public(), "pw", "x"])).is_err());
        assert!(eval(json!([
            "decrypt-pgp",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----",
            "pw",
            "x"
        ]))
        .is_err());
    }
}
