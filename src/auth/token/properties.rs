//! Properties of token checking: nothing but an untouched token of the right
//! kind, signed with our key, is accepted, and checking never panics.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::*;

const SECRET: [u8; 32] = [7u8; 32];

fn keys() -> TokenKeys {
    TokenKeys::from_secret(&SECRET).expect("keys")
}

fn at(timestamp: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(timestamp, 0).single().expect("timestamp")
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Instants from 1970 to 2096, when tokens are issued and checked.
fn instant() -> impl Strategy<Value = i64> {
    0i64..4_000_000_000
}

/// Text of any kind: ASCII, markup, controls, right-to-left, emoji.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{1,36}",
        any::<String>(),
        "\\PC{0,40}",
        "[<>&\"'\\\\\u{202e}\u{0627}\u{05d0}\u{1f600}\u{0301} ]{0,20}",
    ]
}

/// Segments that look like base64url, possibly not decodable.
fn segment() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{0,80}"
}

/// Header and claims as JSON, well formed or not, some of them ours.
fn json_part() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(r#"{"alg":"HS256","typ":"JWT"}"#.to_owned()),
        Just(r#"{"alg":"none","typ":"JWT"}"#.to_owned()),
        Just(r#"{"alg":"HS512"}"#.to_owned()),
        (any_text(), instant()).prop_map(|(sub, exp)| {
            serde_json::json!({
                "iss": ISSUER, "aud": RSVP_AUDIENCE, "sub": sub, "iat": 0,
                "exp": exp, "typ": RSVP_TYPE,
            })
            .to_string()
        }),
        (any_text(), instant()).prop_map(|(sub, exp)| {
            serde_json::json!({
                "iss": ISSUER, "aud": ACCESS_AUDIENCE, "sub": sub, "iat": 0, "exp": exp,
                "typ": ACCESS_TYPE, "role": "admin", "structure_id": null, "ver": 0,
            })
            .to_string()
        }),
        any::<String>(),
    ]
}

/// Strings that are not tokens we issued: random text and bytes, very long
/// text, three base64url segments, and forged tokens with plausible headers
/// and claims but no valid signature.
fn not_a_token() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,300}",
        prop::collection::vec(any::<u8>(), 0..400)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        "[A-Za-z0-9_.-]{2000,20000}",
        (segment(), segment(), segment()).prop_map(|(a, b, c)| format!("{a}.{b}.{c}")),
        prop::collection::vec(segment(), 0..6).prop_map(|parts| parts.join(".")),
        (
            json_part(),
            json_part(),
            prop::collection::vec(any::<u8>(), 0..64)
        )
            .prop_map(|(header, claims, signature)| {
                format!(
                    "{}.{}.{}",
                    b64(header.as_bytes()),
                    b64(claims.as_bytes()),
                    b64(&signature)
                )
            }),
    ]
}

#[derive(Debug, Clone)]
enum Kind {
    Access {
        user: String,
        role: String,
        structure: Option<String>,
        version: i32,
        ttl: i64,
    },
    Rsvp {
        invitation: String,
        lifetime: i64,
    },
}

/// A valid token of either kind, with the instant it was issued.
fn issued() -> impl Strategy<Value = (Kind, i64)> {
    let access = (
        any_text(),
        any_text(),
        prop::option::of(any_text()),
        any::<i32>(),
        1i64..100_000_000,
    )
        .prop_map(|(user, role, structure, version, ttl)| Kind::Access {
            user,
            role,
            structure,
            version,
            ttl,
        });
    let rsvp = (any_text(), 0i64..100_000_000).prop_map(|(invitation, lifetime)| Kind::Rsvp {
        invitation,
        lifetime,
    });
    (prop_oneof![access, rsvp], instant())
}

fn issue(kind: &Kind, now: i64) -> String {
    match kind {
        Kind::Access {
            user,
            role,
            structure,
            version,
            ttl,
        } => keys()
            .issue_access(user, role, structure.as_deref(), *version, at(now), *ttl)
            .expect("sign"),
        Kind::Rsvp {
            invitation,
            lifetime,
        } => keys()
            .issue_rsvp(invitation, at(now), at(now + lifetime))
            .expect("sign"),
    }
}

/// Whether either check accepts `token` at `now`; `Expired` counts as
/// accepted, as it is only given once the signature holds.
fn accepted_by_any(token: &str, now: i64) -> bool {
    keys().verify_access(token, now).is_ok()
        || keys().verify_rsvp(token, now) != Err(LinkError::Invalid)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn strings_that_are_not_our_tokens_are_refused(token in not_a_token(), now in instant()) {
        prop_assert_eq!(keys().verify_rsvp(&token, now), Err(LinkError::Invalid));
        prop_assert!(matches!(keys().verify_access(&token, now), Err(AppError::Unauthorized)));
    }

    #[test]
    fn a_valid_token_with_one_character_changed_is_refused(
        (kind, now) in issued(),
        position in any::<prop::sample::Index>(),
        replacement in prop_oneof![
            prop::sample::select(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
                    .chars()
                    .collect::<Vec<_>>()
            ),
            any::<char>(),
        ],
    ) {
        let token = issue(&kind, now);
        let mut chars: Vec<char> = token.chars().collect();
        let index = position.index(chars.len());
        prop_assume!(chars[index] != replacement);
        chars[index] = replacement;
        let changed: String = chars.into_iter().collect();
        prop_assert!(!accepted_by_any(&changed, now), "accepted: {changed}");
    }

    #[test]
    fn a_truncated_or_extended_token_is_refused(
        (kind, now) in issued(),
        cut in any::<prop::sample::Index>(),
        suffix in "[A-Za-z0-9_.=-]{1,8}",
    ) {
        let token = issue(&kind, now);
        let truncated = &token[..cut.index(token.len())];
        prop_assert!(!accepted_by_any(truncated, now), "accepted: {truncated}");
        let extended = format!("{token}{suffix}");
        prop_assert!(!accepted_by_any(&extended, now), "accepted: {extended}");
    }

    #[test]
    fn a_token_with_segments_reordered_is_refused(
        (kind, now) in issued(),
        order in prop::sample::select(vec![
            [0usize, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0],
            [0, 0, 2], [1, 1, 2], [0, 1, 1], [0, 1, 0],
        ]),
    ) {
        let token = issue(&kind, now);
        let segments: Vec<&str> = token.split('.').collect();
        prop_assert_eq!(segments.len(), 3);
        let reordered = order.map(|i| segments[i]).join(".");
        prop_assert!(!accepted_by_any(&reordered, now), "accepted: {reordered}");
    }

    #[test]
    fn one_kind_of_token_is_never_the_other((kind, now) in issued(), later in 0i64..1_000_000) {
        let token = issue(&kind, now);
        let checked_at = now + later;
        match kind {
            Kind::Access { .. } => {
                prop_assert_eq!(keys().verify_rsvp(&token, checked_at), Err(LinkError::Invalid));
            }
            Kind::Rsvp { .. } => {
                prop_assert!(keys().verify_access(&token, checked_at).is_err());
            }
        }
    }

    /// A token signed with our key, for the right audience, but whose `typ`
    /// is not the expected one, is refused.
    #[test]
    fn the_type_claim_must_match_the_audience(
        typ in any_text().prop_filter("another type", |t| t != RSVP_TYPE && t != ACCESS_TYPE),
        now in instant(),
    ) {
        let link = keys().sign(&RsvpClaims {
            iss: ISSUER.into(),
            aud: RSVP_AUDIENCE.into(),
            sub: "inv-1".into(),
            iat: now,
            exp: now + 3600,
            typ: typ.clone(),
        }).expect("sign");
        prop_assert_eq!(keys().verify_rsvp(&link, now), Err(LinkError::Invalid));
        let access = keys().sign(&AccessClaims {
            iss: ISSUER.into(),
            aud: ACCESS_AUDIENCE.into(),
            sub: "u1".into(),
            iat: now,
            exp: now + 3600,
            typ,
            role: "admin".into(),
            structure_id: None,
            ver: 0,
        }).expect("sign");
        prop_assert!(keys().verify_access(&access, now).is_err());
    }

    #[test]
    fn valid_tokens_round_trip_until_they_expire((kind, now) in issued(), elapsed in 0i64..200_000_000) {
        let token = issue(&kind, now);
        let checked_at = now + elapsed;
        match kind {
            Kind::Access { user, role, structure, version, ttl } => {
                let expected = AccessClaims {
                    iss: ISSUER.into(),
                    aud: ACCESS_AUDIENCE.into(),
                    sub: user,
                    iat: now,
                    exp: now + ttl,
                    typ: ACCESS_TYPE.into(),
                    role,
                    structure_id: structure,
                    ver: version,
                };
                let verified = keys().verify_access(&token, checked_at);
                if elapsed <= ttl + LEEWAY_SECONDS {
                    prop_assert_eq!(verified.expect("valid"), expected);
                } else {
                    prop_assert!(verified.is_err());
                }
            }
            Kind::Rsvp { invitation, lifetime } => {
                let expected = RsvpClaims {
                    iss: ISSUER.into(),
                    aud: RSVP_AUDIENCE.into(),
                    sub: invitation,
                    iat: now,
                    exp: now + lifetime,
                    typ: RSVP_TYPE.into(),
                };
                let verified = keys().verify_rsvp(&token, checked_at);
                if elapsed <= lifetime + LEEWAY_SECONDS {
                    prop_assert_eq!(verified, Ok(expected));
                } else {
                    prop_assert_eq!(verified, Err(LinkError::Expired));
                }
            }
        }
    }

    /// A token signed with another key is refused, whatever its claims.
    #[test]
    fn another_key_is_refused((kind, now) in issued(), other in prop::array::uniform32(any::<u8>())) {
        prop_assume!(other != SECRET);
        let token = issue(&kind, now);
        let other = TokenKeys::from_secret(&other).expect("keys");
        prop_assert!(other.verify_access(&token, now).is_err());
        prop_assert_eq!(other.verify_rsvp(&token, now), Err(LinkError::Invalid));
    }
}

proptest! {
    // Each case checks some 190 variants of one token.
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The last character of a base64url segment carries unused bits: a
    /// token whose segment ends differently but decodes the same is refused.
    #[test]
    fn every_other_last_character_of_a_segment_is_refused((kind, now) in issued()) {
        let token = issue(&kind, now);
        let ends: Vec<usize> = token
            .match_indices('.')
            .map(|(i, _)| i - 1)
            .chain([token.len() - 1])
            .collect();
        for end in ends {
            for replacement in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars() {
                if token[end..].starts_with(replacement) {
                    continue;
                }
                let changed = format!("{}{replacement}{}", &token[..end], &token[end + 1..]);
                prop_assert!(!accepted_by_any(&changed, now), "accepted: {changed}");
            }
        }
    }
}
