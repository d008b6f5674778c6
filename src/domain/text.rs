//! Text helpers shared by the rules: enums stored as text, and the folded
//! form of names used for accent- and case-insensitive search.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Declares an enum serialized, documented and stored as the given words.
/// The words are `tt`, not `literal`: a `literal` fragment reaches derive
/// macros wrapped in an invisible group, which serde reads but utoipa does
/// not, and the OpenAPI document then listed the Rust variant names.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }

            /// The stored text as the enum; an unknown value is a corrupt row.
            pub fn from_stored(text: &str) -> Result<Self, $crate::error::AppError> {
                Self::parse(text).ok_or_else(|| {
                    $crate::error::AppError::internal(format!("unknown {} value {text:?}", stringify!($name)))
                })
            }
        }
    };
}

/// Lower case, without accents or punctuation, words separated by one
/// space: "UFC « Que Choisir »" → "ufc que choisir", "BÉGUÉ" → "begue".
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        let expanded: &[char] = match c {
            'œ' | 'Œ' => &['o', 'e'],
            'æ' | 'Æ' => &['a', 'e'],
            'ß' => &['s', 's'],
            _ => &[],
        };
        let chars: Vec<char> = if expanded.is_empty() {
            c.to_lowercase().collect()
        } else {
            expanded.to_vec()
        };
        for c in chars {
            if c.is_alphanumeric() {
                if gap && !folded.is_empty() {
                    folded.push(' ');
                }
                gap = false;
                folded.push(c);
            } else {
                gap = true;
            }
        }
    }
    folded
}

/// The words of a search, folded.
pub fn search_terms(query: &str) -> Vec<String> {
    fold(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("BÉGUÉ"), "begue");
        assert_eq!(
            fold("UFC « Que Choisir » du Cher"),
            "ufc que choisir du cher"
        );
        assert_eq!(
            fold("  Maison  Départementale—des Personnes "),
            "maison departementale des personnes"
        );
        assert_eq!(fold("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(fold("Cœur"), "coeur");
        assert_eq!(fold("ﬁnances"), "finances");
        assert_eq!(fold("%_"), "");
    }

    #[test]
    fn search_terms_split_words() {
        assert_eq!(search_terms(" Que-Choisir "), ["que", "choisir"]);
        assert!(search_terms("« »").is_empty());
    }
}
