//! The languages replies are written in (a leaf: content and replies
//! both name them).

/// A language the content can be written in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The ISO 639-1 code, as the API and the pages' `lang` attribute use it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// `fr` or `en`, in any case; anything else is not a reply language.
    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The reply language for a message the detector found to be in
    /// `code` ([`crate::language::foreign`]; `None` for French): English
    /// for English, French otherwise (the other languages get a line
    /// saying the reply is in French).
    pub fn of_message(code: Option<&str>) -> Lang {
        match code {
            Some("en") => Lang::En,
            _ => Lang::Fr,
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.code()), Some(l));
        }
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::of_message(Some("en")), Lang::En);
        assert_eq!(Lang::of_message(Some("es")), Lang::Fr);
        assert_eq!(Lang::of_message(None), Lang::Fr);
    }
}
