//! The language of a message, when it is surely not French.
//!
//! The matcher reads French; the combined decision trusts the sentence
//! encoder more for a message in another language, and the reply says that
//! answers are in French. `whatlang` (trigrams and scripts) guesses among
//! the languages people write to a préfecture in; a short or mixed message
//! ("rdv prefecture svp") is often guessed wrong, so only a reliable guess
//! counts, and French stays the default.
//!
//! On short Latin-script messages the trigrams alone are weak (measured:
//! "How do I renew my residence permit?" reads as French), so function
//! words decide first: a message with at least two words that only English
//! (or Spanish, Portuguese...) uses, and more of them than French ones, is
//! in that language.

use whatlang::{Detector, Lang};

/// The languages told apart, with their ISO 639-1 codes. Restricting the
/// detector to these keeps it from taking SMS French for Latin or Esperanto.
const LANGUAGES: [(Lang, &str); 16] = [
    (Lang::Fra, "fr"),
    (Lang::Eng, "en"),
    (Lang::Spa, "es"),
    (Lang::Por, "pt"),
    (Lang::Ita, "it"),
    (Lang::Deu, "de"),
    (Lang::Ron, "ro"),
    (Lang::Tur, "tr"),
    (Lang::Rus, "ru"),
    (Lang::Ukr, "uk"),
    (Lang::Ara, "ar"),
    (Lang::Pes, "fa"),
    (Lang::Cmn, "zh"),
    (Lang::Jpn, "ja"),
    (Lang::Ben, "bn"),
    (Lang::Hin, "hi"),
];

/// Fewer letters than this and a Latin-script guess is not trusted.
const MIN_LETTERS: usize = 12;

/// Function words of each Latin-script language, none of them a French
/// word or an SMS French spelling ("a", "de", "la", "en", "on", "me", "se",
/// "un", "non", "as" are left out for that reason). French's own list
/// competes with the others.
const FUNCTION_WORDS: [(&str, &[&str]); 8] = [
    (
        "fr",
        &[
            "je", "j", "jai", "mon", "ma", "mes", "est", "le", "les", "des", "du", "pour", "avec",
            "comment", "quoi", "pas", "suis", "ai", "vous", "tu", "il", "elle", "nous", "une",
            "et", "ou", "dans", "sur", "faire", "mais", "bonjour", "merci", "svp", "stp", "titre",
            "carte", "quand", "dois", "peux", "veux", "au", "aux", "ce", "cette",
        ],
    ),
    (
        "en",
        &[
            "i", "my", "how", "do", "does", "did", "is", "are", "the", "what", "can", "could",
            "you", "your", "to", "for", "of", "with", "it", "and", "have", "has", "when", "where",
            "why", "need", "want", "get", "this", "that", "be", "am", "was", "will", "should",
            "would", "there", "from", "at", "in", "please", "hello", "hi", "which", "who", "im",
            "i'm", "dont", "don't", "can't", "cant", "if", "or", "not", "about", "after", "thanks",
            "thank", "that's", "what's", "it's", "okay", "next",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "mi", "mis", "es", "está", "estoy", "cómo", "qué", "quiero",
            "puedo", "tengo", "hacer", "para", "por", "una", "del", "y", "yo", "necesito", "hola",
            "cuándo", "dónde", "cuando", "donde", "gracias", "tiene", "hay", "mí", "favor",
            "ayuda",
        ],
    ),
    (
        "pt",
        &[
            "o", "os", "meu", "minha", "é", "eu", "não", "nao", "com", "uma", "da", "dos", "das",
            "em", "quero", "posso", "tenho", "preciso", "fazer", "olá", "ola", "obrigado",
            "obrigada", "você", "voce", "está", "onde", "quando", "ajuda",
        ],
    ),
    (
        "it",
        &[
            "il", "lo", "gli", "mio", "mia", "è", "sono", "che", "per", "della", "voglio", "ho",
            "fare", "ciao", "grazie", "dove", "quando", "posso", "devo", "mi", "aiuto",
        ],
    ),
    (
        "de",
        &[
            "ich", "mein", "meine", "wie", "ist", "und", "der", "die", "das", "nicht", "kann",
            "für", "mit", "ein", "eine", "habe", "bitte", "wo", "was", "wann", "muss", "meinen",
        ],
    ),
    (
        "ro",
        &[
            "eu",
            "meu",
            "mea",
            "cum",
            "este",
            "și",
            "si",
            "pentru",
            "cu",
            "vreau",
            "pot",
            "nu",
            "sunt",
            "unde",
            "când",
            "trebuie",
            "ajutor",
            "bună",
            "mulțumesc",
        ],
    ),
    (
        "tr",
        &[
            "ben",
            "benim",
            "nasıl",
            "için",
            "ve",
            "bir",
            "bu",
            "ne",
            "var",
            "yok",
            "istiyorum",
            "mı",
            "mi",
            "nerede",
            "zaman",
            "merhaba",
            "teşekkür",
            "lütfen",
            "yardım",
        ],
    ),
];

/// What the function words say of a Latin-script message.
#[derive(Debug, PartialEq, Eq)]
enum Words {
    /// At least two of this language's, and more than French's.
    Foreign(&'static str),
    /// At least [`SURELY_FRENCH`] French ones and none of another
    /// language: the statistical detector is not needed (it is the
    /// costliest part of deciding a French question).
    French,
    Unsure,
}

/// French function words that make a message French when no other
/// language's appear.
const SURELY_FRENCH: usize = 3;

fn by_function_words(text: &str) -> Words {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .collect();
    let hits = |list: &[&str]| words.iter().filter(|w| list.contains(w)).count();
    let french = hits(FUNCTION_WORDS[0].1);
    let (code, best) = FUNCTION_WORDS[1..]
        .iter()
        .map(|(code, list)| (*code, hits(list)))
        // The first listed wins a tie (English, the most frequent).
        .fold(("", 0), |acc, x| if x.1 > acc.1 { x } else { acc });
    if best >= 2 && best > french {
        Words::Foreign(code)
    } else if best == 0 && french >= SURELY_FRENCH {
        Words::French
    } else {
        Words::Unsure
    }
}

/// The ISO 639-1 code of the message's language when the detector is sure
/// it is not French; `None` for French or when unsure.
pub fn foreign(text: &str) -> Option<&'static str> {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 0 {
        return None;
    }
    let latin_letters = text
        .chars()
        .filter(|c| c.is_alphabetic() && (c.is_ascii() || ('\u{c0}'..='\u{24f}').contains(c)))
        .count();
    if latin_letters * 2 > letters {
        match by_function_words(text) {
            Words::Foreign(code) => return Some(code),
            Words::French => return None,
            Words::Unsure => {}
        }
    }
    let detector = Detector::with_allowlist(LANGUAGES.iter().map(|(l, _)| *l).collect());
    let info = detector.detect(text)?;
    let code = LANGUAGES
        .iter()
        .find(|(l, _)| *l == info.lang())
        .map(|(_, c)| *c)?;
    if code == "fr" {
        return None;
    }
    // A non-Latin script is evidence enough; Latin-script languages share
    // words with French and need length and a reliable guess.
    let latin = matches!(info.script(), whatlang::Script::Latin);
    if latin && (letters < MIN_LETTERS || !info.is_reliable()) {
        return None;
    }
    Some(code)
}

/// "For now I can only reply in French", in each language told apart but
/// French: said above the (French) reply to a message in that language, as
/// `conv.langue` says it when asked. Short and plain, like the answers.
const FRENCH_ONLY: [(&str, &str); 15] = [
    ("en", "For now I can only reply in French."),
    ("es", "Por ahora solo puedo responder en francés."),
    ("pt", "Por enquanto, só posso responder em francês."),
    ("it", "Per ora posso rispondere solo in francese."),
    ("de", "Im Moment kann ich nur auf Französisch antworten."),
    ("ro", "Deocamdată pot răspunde doar în franceză."),
    ("tr", "Şimdilik yalnızca Fransızca yanıt verebiliyorum."),
    ("ru", "Пока я могу отвечать только по-французски."),
    ("uk", "Поки що я можу відповідати лише французькою."),
    ("ar", "حاليًا، أستطيع الرد باللغة الفرنسية فقط."),
    ("fa", "فعلاً فقط می‌توانم به فرانسوی پاسخ بدهم."),
    ("zh", "目前我只能用法语回答。"),
    ("ja", "現在はフランス語でのみお答えできます。"),
    ("bn", "এখন আমি শুধু ফরাসি ভাষায় উত্তর দিতে পারি।"),
    ("hi", "अभी मैं केवल फ़्रेंच में उत्तर दे सकता हूँ।"),
];

/// The note "I can only reply in French" in the language `code` (ISO
/// 639-1), for a language [`foreign`] can return.
pub fn french_only(code: &str) -> Option<&'static str> {
    FRENCH_ONLY
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, note)| *note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn french_function_words_skip_the_detector_only_when_nothing_else_shows() {
        assert_eq!(
            by_function_words("je voudrais renouveler mon titre de séjour"),
            Words::French
        );
        assert_eq!(by_function_words("mon titre"), Words::Unsure);
        assert_ne!(
            by_function_words("Hola, necesito ayuda con mi permiso de residencia"),
            Words::French
        );
        assert_eq!(
            by_function_words("How do I renew my residence permit?"),
            Words::Foreign("en")
        );
        // The shortcut and the detector agree on French questions.
        for q in [
            "je voudrais renouveler mon titre de séjour",
            "comment je fais pour avoir un rendez-vous à la préfecture",
            "j'ai perdu mon récépissé et je ne sais pas quoi faire",
        ] {
            assert_eq!(foreign(q), None, "{q}");
        }
    }

    #[test]
    fn every_foreign_language_has_its_note() {
        for (_, code) in LANGUAGES.iter().filter(|(_, c)| *c != "fr") {
            let note = french_only(code).unwrap_or_else(|| panic!("no note for {code}"));
            assert!(
                !note.is_empty() && note.chars().count() < 80,
                "{code}: {note}"
            );
        }
        assert_eq!(french_only("fr"), None);
        assert_eq!(french_only("xx"), None);
    }

    #[test]
    fn tells_the_languages_people_write_in() {
        for (text, want) in [
            (
                "How can I renew my residence permit before it expires?",
                Some("en"),
            ),
            (
                "¿Cómo puedo renovar mi permiso de residencia en la prefectura?",
                Some("es"),
            ),
            ("كيف يمكنني تجديد بطاقة الإقامة الخاصة بي", Some("ar")),
            ("Как продлить вид на жительство во Франции?", Some("ru")),
            ("我怎么续签我的居留证", Some("zh")),
            (
                "Comment renouveler mon titre de séjour avant la fin ?",
                None,
            ),
            ("jai perdu mon recepicé", None),
            ("How do I renew my residence permit?", Some("en")),
            ("I lost my receipt what do I do", Some("en")),
            ("¿Cómo renuevo mi permiso de residencia?", Some("es")),
            ("Quero renovar o meu título de residência", Some("pt")),
            ("bonjour je voudrais un rdv a la pref pour mon titre", None),
            ("est ce que je peux travailler avec mon recepisse", None),
            ("moi pas papier, quoi faire pour carte", None),
            ("rdv pref stp", None),
            ("bonjour", None),
            ("", None),
            ("1234 !!", None),
        ] {
            assert_eq!(foreign(text), want, "{text}");
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_names_a_listed_language(s in "\\PC{0,200}") {
            if let Some(code) = foreign(&s) {
                prop_assert!(LANGUAGES.iter().any(|(_, c)| *c == code));
                prop_assert_ne!(code, "fr");
            }
        }
    }
}
