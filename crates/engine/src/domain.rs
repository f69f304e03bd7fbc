//! The domains of the catalogue (séjour, DDTM, France services,
//! conversation), read from an intent id's prefix. A leaf: ids are
//! everywhere.

/// The four domains of the catalogue, taken from the id prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    Sejour,
    Ddtm,
    FranceServices,
    Conversation,
}

impl Domain {
    /// The domain of an intent id, from its prefix.
    pub fn of_id(id: &str) -> Option<Domain> {
        match id.split('.').next()? {
            "sejour" => Some(Domain::Sejour),
            "ddtm" => Some(Domain::Ddtm),
            "fs" => Some(Domain::FranceServices),
            "conv" => Some(Domain::Conversation),
            _ => None,
        }
    }

    /// The folder (relative to the content root) where this domain's files live.
    pub fn folder(self) -> &'static str {
        match self {
            Domain::Sejour => "faq/titres-de-sejour",
            Domain::Ddtm => "faq/ddtm",
            Domain::FranceServices => "faq/france-services",
            Domain::Conversation => "intents/conv",
        }
    }

    /// French label shown to users (menus, fallback topics).
    pub fn label(self) -> &'static str {
        match self {
            Domain::Sejour => "Titres de séjour",
            Domain::Ddtm => "Démarches DDTM",
            Domain::FranceServices => "France services",
            Domain::Conversation => "Conversation",
        }
    }

    /// Short machine name, as used in evaluation reports.
    pub fn name(self) -> &'static str {
        match self {
            Domain::Sejour => "sejour",
            Domain::Ddtm => "ddtm",
            Domain::FranceServices => "fs",
            Domain::Conversation => "conv",
        }
    }

    pub const ALL: [Domain; 4] = [
        Domain::Sejour,
        Domain::Ddtm,
        Domain::FranceServices,
        Domain::Conversation,
    ];
}
