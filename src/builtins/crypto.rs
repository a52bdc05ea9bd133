//! `encrypt`, `decrypt` (Fernet with a password) and `encrypt-pki`, `decrypt-pki`
//! (RSA-OAEP with SHA-1), plus what the encryption family shares: `$SECRET(name)`
//! key arguments and a small cache of parsed keys.
//!
//! The PGP functions live in `crypto_pgp.rs`.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use sha2::Sha256;

use super::json::json_text;
use super::support::map_values;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{wire, Value};

// ---------------------------------------------------------------------------------------------
// Shared: secrets, key arguments, key cache
// ---------------------------------------------------------------------------------------------

/// The prefix of the environment variables that stand in for the secrets manager.
pub(super) const SECRET_ENV_PREFIX: &str = "DTL_SECRET_";

/// The name in `$SECRET(name)`, if `text` is exactly such a reference.
fn secret_name(text: &str) -> Option<&str> {
    let name = text.trim().strip_prefix("$SECRET(")?.strip_suffix(')')?.trim();
    (!name.is_empty()).then_some(name)
}

/// The value of secret `name`: offline there is no secrets manager, so it is read
/// from the environment variable `DTL_SECRET_<name>` (or, since shells cannot set
/// names with `-` or `.`, `DTL_SECRET_<NAME>` with every other character as `_`).
fn secret_value(name: &str) -> Option<String> {
    if let Ok(value) = std::env::var(format!("{SECRET_ENV_PREFIX}{name}")) {
        return Some(value);
    }
    let shell_name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    std::env::var(format!("{SECRET_ENV_PREFIX}{shell_name}")).ok()
}

/// `text` with a `$SECRET(name)` reference replaced by the secret's value.
pub(super) fn resolve_secret(args: &Args<'_>, text: &str) -> EvalResult<String> {
    let Some(name) = secret_name(text) else {
        return Ok(text.to_string());
    };
    secret_value(name).ok_or_else(|| {
        args.error(format!(
            "secret `{name}` is not set: there is no secrets manager offline; \
             set the environment variable {SECRET_ENV_PREFIX}{name}"
        ))
    })
}

/// A key/password argument: it must be a string; `$SECRET(name)` is resolved.
pub(super) fn key_arg(args: &Args<'_>, env: &Env<'_>, i: usize, what: &str) -> EvalResult<String> {
    match args.eval(i, env)? {
        Value::Str(s) => resolve_secret(args, &s),
        other => Err(args.error(format!("{what} must be a string, not {}", other.type_name()))),
    }
}

/// The VALUES argument; a literal `"$SECRET(name)"` there is replaced by the secret too
/// (the docs' `encrypt-pki` example encrypts a secret that way).
pub(super) fn values_arg(args: &Args<'_>, env: &Env<'_>, i: usize) -> EvalResult<Value> {
    if let Some(Value::Str(s)) = args.constant(i) {
        if secret_name(s).is_some() {
            return Ok(Value::from(resolve_secret(args, s)?));
        }
    }
    args.eval(i, env)
}

/// A few recently used keys, parsed once: the key text is a literal in the DTL, so
/// every entity would otherwise parse (or derive) the same key again.
pub(super) struct KeyCache<K> {
    entries: Mutex<Vec<(String, Arc<K>)>>,
}

const KEY_CACHE_SIZE: usize = 16;

impl<K> KeyCache<K> {
    pub(super) const fn new() -> KeyCache<K> {
        KeyCache { entries: Mutex::new(Vec::new()) }
    }

    /// The key built from `text`, from the cache or by `build`.
    pub(super) fn get(&self, text: &str, build: impl FnOnce(&str) -> Result<K, String>) -> Result<Arc<K>, String> {
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, key)) = entries.iter().find(|(t, _)| t == text) {
                return Ok(key.clone());
            }
        }
        let key = Arc::new(build(text)?);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= KEY_CACHE_SIZE {
            entries.remove(0);
        }
        entries.push((text.to_string(), key.clone()));
        Ok(key)
    }
}

// ---------------------------------------------------------------------------------------------
// encrypt / decrypt: Fernet, the key derived from the password
// ---------------------------------------------------------------------------------------------

/// PBKDF2-HMAC-SHA256 parameters turning the password into a Fernet key. The docs
/// do not say how Sesam derives it, so tokens only round-trip within this tool.
const KDF_SALT: &[u8] = b"dtl/encrypt/fernet/v1";
const KDF_ROUNDS: u32 = 100_000;

const FERNET_VERSION: u8 = 0x80;
/// version + timestamp + IV
const FERNET_HEADER: usize = 1 + 8 + 16;
const FERNET_MAC: usize = 32;

/// A Fernet key: HMAC-SHA256 signing key, AES-128 encryption key.
struct FernetKey {
    signing: [u8; 16],
    encryption: [u8; 16],
}

static FERNET_KEYS: KeyCache<FernetKey> = KeyCache::new();

fn fernet_key(password: &str) -> Arc<FernetKey> {
    let derived = FERNET_KEYS.get(password, |password| {
        let mut key = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), KDF_SALT, KDF_ROUNDS, &mut key);
        let mut signing = [0u8; 16];
        let mut encryption = [0u8; 16];
        signing.copy_from_slice(&key[..16]);
        encryption.copy_from_slice(&key[16..]);
        Ok(FernetKey { signing, encryption })
    });
    // Derivation cannot fail.
    derived.unwrap_or_else(|_| Arc::new(FernetKey { signing: [0; 16], encryption: [0; 16] }))
}

fn fernet_mac(key: &FernetKey) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    <Hmac<Sha256> as Mac>::new_from_slice(&key.signing).unwrap_or_else(|_| unreachable!())
}

/// A Fernet token (its URL-safe base64 text, as Python's `Fernet.encrypt` returns).
fn fernet_encrypt(key: &FernetKey, plaintext: &[u8]) -> Vec<u8> {
    let mut iv = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut iv);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let ciphertext = cbc::Encryptor::<aes::Aes128>::new(&key.encryption.into(), &iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let mut token = Vec::with_capacity(FERNET_HEADER + ciphertext.len() + FERNET_MAC);
    token.push(FERNET_VERSION);
    token.extend_from_slice(&now.to_be_bytes());
    token.extend_from_slice(&iv);
    token.extend_from_slice(&ciphertext);
    let mut mac = fernet_mac(key);
    mac.update(&token);
    token.extend_from_slice(&mac.finalize().into_bytes());
    base64::engine::general_purpose::URL_SAFE.encode(token).into_bytes()
}

/// The plaintext of a Fernet token, if it is well formed and authentic under `key`.
fn fernet_decrypt(key: &FernetKey, token_text: &[u8]) -> Option<Vec<u8>> {
    let text: Vec<u8> = token_text.iter().copied().filter(|b| !b.is_ascii_whitespace() && *b != b'=').collect();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()?;
    if token.len() < FERNET_HEADER + 16 + FERNET_MAC || token[0] != FERNET_VERSION {
        return None;
    }
    let (signed, tag) = token.split_at(token.len() - FERNET_MAC);
    let mut mac = fernet_mac(key);
    mac.update(signed);
    mac.verify_slice(tag).ok()?;
    let iv = &signed[9..FERNET_HEADER];
    let ciphertext = &signed[FERNET_HEADER..];
    if ciphertext.len() % 16 != 0 {
        return None;
    }
    cbc::Decryptor::<aes::Aes128>::new_from_slices(&key.encryption, iv)
        .ok()?
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .ok()
}

fn encrypt(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let password = key_arg(args, env, 0, "KEY")?;
    let value = values_arg(args, env, 1)?;
    if value.is_null() {
        return Ok(Value::Null);
    }
    // The whole value, list included, is one token; transit JSON keeps the typed values.
    let key = fernet_key(&password);
    Ok(Value::Bytes(fernet_encrypt(&key, json_text(&value, true).as_bytes()).into()))
}

fn decrypt(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let password = key_arg(args, env, 0, "KEY")?;
    let key = fernet_key(&password);
    let values = args.eval(1, env)?;
    Ok(map_values(&values, |v| {
        let token: &[u8] = match v {
            Value::Bytes(b) => b,
            Value::Str(s) => s.as_bytes(),
            _ => return None,
        };
        let plaintext = fernet_decrypt(&key, token)?;
        wire::parse(&plaintext).ok()
    }))
}

// ---------------------------------------------------------------------------------------------
// encrypt-pki / decrypt-pki: RSA-OAEP, SHA-1 for the hash and MGF1, empty label
// ---------------------------------------------------------------------------------------------

static PUBLIC_KEYS: KeyCache<rsa::PublicKey> = KeyCache::new();
static PRIVATE_KEYS: KeyCache<rsa::PrivateKey> = KeyCache::new();

/// SHA-1's output size, for the OAEP length limit.
const SHA1_LEN: usize = 20;

fn public_key(text: &str) -> Result<rsa::PublicKey, String> {
    let text = text.trim();
    if text.contains("-----BEGIN RSA PUBLIC KEY-----") {
        rsa::PublicKey::from_pkcs1_pem(text).map_err(|e| format!("bad RSA public key (PKCS#1 PEM): {e}"))
    } else if text.contains("-----BEGIN PUBLIC KEY-----") {
        rsa::PublicKey::from_public_key_pem(text).map_err(|e| format!("bad RSA public key (PEM): {e}"))
    } else {
        Err("PUBLIC_KEY must be a PEM RSA public key (-----BEGIN PUBLIC KEY-----)".to_string())
    }
}

fn private_key(text: &str) -> Result<rsa::PrivateKey, String> {
    let text = text.trim();
    if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
        rsa::PrivateKey::from_pkcs1_pem(text).map_err(|e| format!("bad RSA private key (PKCS#1 PEM): {e}"))
    } else if text.contains("-----BEGIN PRIVATE KEY-----") {
        rsa::PrivateKey::from_pkcs8_pem(text).map_err(|e| format!("bad RSA private key (PKCS#8 PEM): {e}"))
    } else if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        Err("password-protected private keys are not supported: give the key unencrypted".to_string())
    } else {
        Err("PRIVATE_KEY must be a PEM RSA private key (-----BEGIN RSA PRIVATE KEY----- or \
             -----BEGIN PRIVATE KEY-----)"
            .to_string())
    }
}

fn encrypt_pki(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let text = key_arg(args, env, 0, "PUBLIC_KEY")?;
    let key = PUBLIC_KEYS.get(&text, public_key).map_err(|e| args.error(e))?;
    let max = key.size().saturating_sub(2 * SHA1_LEN + 2);
    let values = values_arg(args, env, 1)?;
    let mut failure = None;
    let result = map_values(&values, |v| {
        let plaintext = v.as_str()?.as_bytes();
        if plaintext.len() > max {
            failure.get_or_insert_with(|| {
                format!(
                    "a string of {} bytes is too long for RSA-OAEP with this {}-bit key (at most {max} bytes)",
                    plaintext.len(),
                    key.size() * 8
                )
            });
            return None;
        }
        match key.oaep_encrypt::<sha1::Sha1>(plaintext) {
            Ok(ciphertext) => Some(Value::Bytes(ciphertext.into())),
            Err(e) => {
                failure.get_or_insert_with(|| format!("RSA encryption failed: {e}"));
                None
            }
        }
    });
    match failure {
        Some(message) => Err(args.error(message)),
        None => Ok(result),
    }
}

fn decrypt_pki(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let text = key_arg(args, env, 0, "PRIVATE_KEY")?;
    let key = PRIVATE_KEYS.get(&text, private_key).map_err(|e| args.error(e))?;
    let values = args.eval(1, env)?;
    Ok(map_values(&values, |v| {
        let Value::Bytes(ciphertext) = v else { return None };
        let plaintext = key.oaep_decrypt::<sha1::Sha1>(ciphertext).ok()?;
        String::from_utf8(plaintext).ok().map(Value::from)
    }))
}

/// The encryption family (PGP in `crypto_pgp.rs`).
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "encrypt",
        family: Family::Crypto,
        signature: "KEY(string{1}) VALUES(value-expression{1})",
        summary: "Encrypts the whole value (list included) into one Fernet token (bytes), \
                  the key derived from the password KEY.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["decrypt", "secret", ["encrypt", "secret", ["list", "a", "b", "c"]]]"#,
                result: r#"["a", "b", "c"]"#,
            },
            Example { expr: r#"["encrypt", "secret", null]"#, result: "null" },
        ],
        eval: encrypt,
    },
    Builtin {
        name: "decrypt",
        family: Family::Crypto,
        signature: "KEY(string{1}) VALUES(value-expression{1})",
        summary: "Decrypts a token made by `encrypt` with the same password KEY back into the value; \
                  a wrong key or a damaged token gives null.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["decrypt", "secret", ["encrypt", "secret", ["list", "a", "~rhttp://x/", 1.5, {"k": null}]]]"#,
                result: r#"["a", "~rhttp://x/", 1.5, {"k": null}]"#,
            },
            Example { expr: r#"["decrypt", "other", ["encrypt", "secret", "x"]]"#, result: "null" },
            Example { expr: r#"["decrypt", "secret", "~bYWJj"]"#, result: "null" },
        ],
        eval: decrypt,
    },
    Builtin {
        name: "encrypt-pki",
        family: Family::Crypto,
        signature: "PUBLIC_KEY(string{1}) VALUES(value-expression{1})",
        summary: "Encrypts each string with an RSA public key (PEM; OAEP with SHA-1) into bytes; \
                  other values are dropped, a string too long for the key is an error.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[],
        eval: encrypt_pki,
    },
    Builtin {
        name: "decrypt-pki",
        family: Family::Crypto,
        signature: "PRIVATE_KEY(string{1}) VALUES(value-expression{1})",
        summary: "Decrypts each bytes value with an RSA private key (PKCS#1 or PKCS#8 PEM; OAEP with SHA-1) \
                  into a string; values that do not decrypt are dropped.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[],
        eval: decrypt_pki,
    },
];

/// Test helpers shared by the encryption family's tests.
#[cfg(test)]
pub(super) mod testing {
    use crate::compile::Program;
    use crate::diagnostic::source;
    use crate::syntax::Node;
    use crate::value::Value;

    /// Evaluates a JSON DTL expression; `Err` holds the error text.
    pub fn eval(expr: serde_json::Value) -> Result<Value, String> {
        let src = source("test", expr.to_string());
        let compiled = Program::compile_expression(&Node::from_json(&expr), &src).map_err(|e| e.to_string())?;
        compiled.evaluate(&Value::dict(Default::default()), &Value::dict(Default::default())).map_err(|e| e.to_string())
    }

    /// A string argument of a conformance case in tests/conformance/C-crypto.json
    /// (the throwaway test keys live there).
    pub fn case_arg(id: &str, path: &[usize]) -> String {
        let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/C-crypto.json");
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let case = json["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
        let mut node = &case["expr"];
        for &i in path {
            node = &node[i];
        }
        node.as_str().unwrap().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{case_arg, eval};
    use super::*;
    use serde_json::json;

    fn rsa_private() -> String {
        case_arg("crypto/decrypt-pki/3", &[1])
    }

    fn rsa_public() -> String {
        case_arg("crypto/decrypt-pki/3", &[2, 1])
    }

    #[test]
    fn pki_round_trip_lists_and_drops() {
        let out =
            eval(json!(["decrypt-pki", rsa_private(), ["encrypt-pki", rsa_public(), ["list", "a", 1, null, "ø", ""]]]))
                .unwrap();
        assert_eq!(out.to_string(), r#"["a","ø",""]"#);
        // Bytes that are not a ciphertext for this key, and non-bytes, are dropped.
        let out = eval(json!(["decrypt-pki", rsa_private(), ["list", "~bYWJj", "abc", 5]])).unwrap();
        assert_eq!(out.to_string(), "[]");
        assert_eq!(eval(json!(["decrypt-pki", rsa_private(), "~bYWJj"])).unwrap().to_string(), "null");
    }

    #[test]
    fn pki_accepts_pkcs8_private_keys() {
        use rsa::pkcs8::EncodePrivateKey;
        let key = rsa::PrivateKey::from_pkcs1_pem(&rsa_private()).unwrap();
        let pkcs8 = key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string();
        let out = eval(json!(["decrypt-pki", pkcs8, ["encrypt-pki", rsa_public(), "x"]])).unwrap();
        assert_eq!(out.to_string(), r#""x""#);
    }

    #[test]
    fn pki_errors() {
        let too_long = "x".repeat(215);
        let err = eval(json!(["encrypt-pki", rsa_public(), too_long])).unwrap_err();
        assert!(err.contains("too long"), "{err}");
        assert!(eval(json!(["encrypt-pki", rsa_public(), "x".repeat(214)])).is_ok());
        assert!(eval(json!(["encrypt-pki", "not a key", "x"])).is_err());
        assert!(eval(json!(["decrypt-pki", rsa_public(), "~bYWJj"])).is_err());
        assert!(eval(json!(["encrypt-pki", 5, "x"])).is_err());
    }

    #[test]
    fn fernet_through_dtl() {
        let out = eval(json!([
            "decrypt",
            "pw",
            ["list", ["encrypt", "pw", "one"], ["encrypt", "pw", 2], ["encrypt", "other", 3], "junk", null]
        ]))
        .unwrap();
        assert_eq!(out.to_string(), r#"["one",2]"#);
    }

    #[test]
    fn secrets_come_from_the_environment() {
        std::env::set_var("DTL_SECRET_dtl-unit-test-pw", "hunter2");
        let out = eval(json!(["decrypt", "hunter2", ["encrypt", "$SECRET(dtl-unit-test-pw)", "x"]])).unwrap();
        assert_eq!(out.to_string(), r#""x""#);
        std::env::set_var("DTL_SECRET_DTL_UNIT_TEST_SHELL", "pw2");
        let out = eval(json!(["decrypt", "pw2", ["encrypt", "$SECRET(dtl.unit-test-shell)", "y"]])).unwrap();
        assert_eq!(out.to_string(), r#""y""#);
        let err = eval(json!(["encrypt", "$SECRET(dtl-unit-test-missing)", "x"])).unwrap_err();
        assert!(err.contains("DTL_SECRET_dtl-unit-test-missing"), "{err}");
    }

    #[test]
    fn secret_references() {
        assert_eq!(secret_name("$SECRET(my-key)"), Some("my-key"));
        assert_eq!(secret_name(" $SECRET( k ) "), Some("k"));
        assert_eq!(secret_name("$SECRET()"), None);
        assert_eq!(secret_name("secret"), None);
        assert_eq!(secret_name("$SECRET(k"), None);
    }

    #[test]
    fn fernet_round_trip_and_tamper() {
        let key = fernet_key("pw");
        let token = fernet_encrypt(&key, b"hello");
        assert_eq!(fernet_decrypt(&key, &token).as_deref(), Some(&b"hello"[..]));
        assert!(fernet_decrypt(&fernet_key("other"), &token).is_none());
        let mut bad = token.clone();
        let i = bad.len() / 2;
        bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
        assert!(fernet_decrypt(&key, &bad).is_none());
        for junk in [&b""[..], b"gA", b"!!!!", &[0xff; 100][..]] {
            assert!(fernet_decrypt(&key, junk).is_none());
        }
    }

    #[test]
    fn bad_keys_are_errors_not_panics() {
        assert!(public_key("").is_err());
        assert!(public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err());
        assert!(private_key("-----BEGIN RSA PRIVATE KEY-----\n!!\n-----END RSA PRIVATE KEY-----").is_err());
        assert!(private_key("-----BEGIN PRIVATE KEY-----\n\n-----END PRIVATE KEY-----").is_err());
    }
}
