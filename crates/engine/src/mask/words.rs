//! The masking passes that read words rather than characters: names after
//! a self-introduction, a civility, a family word or in a sign-off; dates
//! after a birth lead-in; phone numbers spelt out in words.
//!
//! A pattern cannot tell "je suis Fatou" from "je suis perdue": these
//! passes walk the words after a lead-in and decide each one with word
//! lists (function words, the words that follow "je suis", adjective
//! endings). When unsure they mask: an agent reading "je suis [nom]" loses
//! little, a person whose name reached the disk loses a lot.

use std::sync::OnceLock;

use regex::Regex;

use crate::normalize::{is_stop_word, is_weak_word, normalize};

/// A word of the text, with where it sits.
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

fn word_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[\p{L}\p{N}](?:[\p{L}\p{N}'’\-]*[\p{L}\p{N}])?")
            .unwrap_or_else(|e| panic!("word pattern: {e}"))
    })
}

fn words(text: &str) -> Vec<Word<'_>> {
    word_re()
        .find_iter(text)
        .map(|m| Word {
            start: m.start(),
            end: m.end(),
            text: m.as_str(),
        })
        .collect()
}

/// Between two words of one name: spaces, or the dot of an initial
/// ("K. Benali"). Anything else (a comma, a bracket of a label) ends it.
fn joins(gap: &str, previous: &str) -> bool {
    let gap = gap.trim_matches(|c: char| c.is_whitespace());
    gap.is_empty() || (gap == "." && previous.chars().count() == 1)
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn folded(word: &str) -> String {
    normalize(word)
}

/// Articles and prepositions that never start a name ("madame la
/// préfète", "je m'appelle le service").
const NOT_NAMES: &[&str] = &[
    "la", "le", "les", "l", "de", "du", "des", "d", "et", "ou", "un", "une", "au", "aux", "a",
];

/// Short words inside a name: "Mohamed ben Salah", "Ana de Souza".
const PARTICLES: &[&str] = &[
    "ben", "bin", "bint", "ibn", "el", "al", "abd", "ould", "ait", "bou", "de", "da", "di", "del",
    "della", "dos", "das", "do", "du", "van", "von", "der", "den", "ter", "mac", "mc", "le", "la",
];

/// Words that are not names although a lead-in may precede them: what
/// follows "je suis" (states, jobs, nationalities, participles, also
/// without their accents as typed on a phone), politeness, the words of
/// the questions themselves. Folded (no accents, lowercase).
const COMMON: &[&str] = &[
    // after "je suis"
    "ici",
    "la",
    "bien",
    "mal",
    "seul",
    "seule",
    "seuls",
    "jeune",
    "vieux",
    "vieille",
    "age",
    "agee",
    "malade",
    "enceinte",
    "perdu",
    "perdue",
    "perdus",
    "venu",
    "venue",
    "parti",
    "partie",
    "sorti",
    "sortie",
    "arrive",
    "arrivee",
    "arrives",
    "ne",
    "nee",
    "marie",
    "mariee",
    "pacse",
    "pacsee",
    "divorce",
    "divorcee",
    "separe",
    "separee",
    "veuf",
    "veuve",
    "celibataire",
    "bloque",
    "bloquee",
    "convoque",
    "convoquee",
    "refuse",
    "refusee",
    "expulse",
    "expulsee",
    "heberge",
    "hebergee",
    "loge",
    "logee",
    "reste",
    "restee",
    "rentre",
    "rentree",
    "entre",
    "entree",
    "passe",
    "passee",
    "oblige",
    "obligee",
    "desole",
    "desolee",
    "inquiet",
    "inquiete",
    "decede",
    "salarie",
    "salariee",
    "employe",
    "employee",
    "refugie",
    "refugiee",
    "retraite",
    "retraitee",
    "handicape",
    "handicapee",
    "menace",
    "menacee",
    "controle",
    "controlee",
    "arrete",
    "arretee",
    "licencie",
    "licenciee",
    "inscrit",
    "inscrite",
    "regularise",
    "regularisee",
    "naturalise",
    "naturalisee",
    "place",
    "placee",
    "reconnu",
    "reconnue",
    "tombe",
    "tombee",
    "alle",
    "allee",
    "domicilie",
    "domiciliee",
    "concerne",
    "concernee",
    "interesse",
    "interessee",
    "presse",
    "pressee",
    "stresse",
    "stressee",
    "fatigue",
    "fatiguee",
    "epuise",
    "epuisee",
    "decu",
    "decue",
    "etonne",
    "etonnee",
    "choque",
    "choquee",
    "admis",
    "admise",
    "pris",
    "prise",
    "mis",
    "mise",
    "assis",
    "assise",
    "fini",
    "finie",
    "guerie",
    "gueri",
    "sur",
    "sure",
    "certain",
    "certaine",
    "pret",
    "prete",
    "libre",
    "sans",
    "toujours",
    "encore",
    "deja",
    "pas",
    "plus",
    "vraiment",
    "tellement",
    "aussi",
    "maintenant",
    "actuellement",
    "presque",
    "bientot",
    "parfois",
    "souvent",
    "etudiant",
    "etudiante",
    "eleve",
    "lyceen",
    "lyceenne",
    "stagiaire",
    "apprenti",
    "apprentie",
    "chomeur",
    "chomeuse",
    "demandeur",
    "demandeuse",
    "travailleur",
    "travailleuse",
    "mineur",
    "mineure",
    "majeur",
    "majeure",
    "parent",
    "parents",
    "pere",
    "mere",
    "maman",
    "papa",
    "mari",
    "femme",
    "epoux",
    "epouse",
    "conjoint",
    "conjointe",
    "fils",
    "fille",
    "enfant",
    "frere",
    "soeur",
    "victime",
    "titulaire",
    "beneficiaire",
    "proprietaire",
    "locataire",
    "artisan",
    "commercant",
    "commercante",
    "agriculteur",
    "agricultrice",
    "infirmier",
    "infirmiere",
    "medecin",
    "docteur",
    "chauffeur",
    "cuisinier",
    "cuisiniere",
    "ouvrier",
    "ouvriere",
    "vendeur",
    "vendeuse",
    "auto-entrepreneur",
    "entrepreneur",
    "independant",
    "independante",
    "fonctionnaire",
    "benevole",
    "sans-papiers",
    "clandestin",
    "clandestine",
    "francais",
    "francaise",
    "etranger",
    "etrangere",
    "europeen",
    "europeenne",
    "africain",
    "africaine",
    "americain",
    "americaine",
    "marocain",
    "marocaine",
    "algerien",
    "algerienne",
    "tunisien",
    "tunisienne",
    "malien",
    "malienne",
    "senegalais",
    "senegalaise",
    "ivoirien",
    "ivoirienne",
    "guineen",
    "guineenne",
    "camerounais",
    "camerounaise",
    "congolais",
    "congolaise",
    "comorien",
    "comorienne",
    "haitien",
    "haitienne",
    "turc",
    "turque",
    "chinois",
    "chinoise",
    "russe",
    "ukrainien",
    "ukrainienne",
    "afghan",
    "afghane",
    "syrien",
    "syrienne",
    "soudanais",
    "soudanaise",
    "erythreen",
    "erythreenne",
    "indien",
    "indienne",
    "bresilien",
    "bresilienne",
    "colombien",
    "colombienne",
    "roumain",
    "roumaine",
    "portugais",
    "portugaise",
    "espagnol",
    "espagnole",
    "italien",
    "italienne",
    "anglais",
    "anglaise",
    "belge",
    "suisse",
    "allemand",
    "allemande",
    "polonais",
    "polonaise",
    "egyptien",
    "egyptienne",
    "libanais",
    "libanaise",
    "bangladais",
    "pakistanais",
    "sri-lankais",
    "vietnamien",
    "vietnamienne",
    "nigerian",
    "nigeriane",
    "ghaneen",
    "burkinabe",
    "beninois",
    "beninoise",
    "togolais",
    "togolaise",
    "mauritanien",
    "mauritanienne",
    "gabonais",
    "gabonaise",
    "tchadien",
    "tchadienne",
    "nationalite",
    "originaire",
    "ressortissant",
    "ressortissante",
    "resident",
    "residente",
    "habitant",
    "habitante",
    "nouveau",
    "nouvelle",
    "oblige",
    "content",
    "contente",
    "heureux",
    "heureuse",
    "triste",
    "fatigue",
    "vraiment",
    "hyper",
    "super",
    "tres",
    "trop",
    "pa",
    "nul",
    "nulle",
    "candidat",
    "candidate",
    "citoyen",
    "citoyenne",
    "couvert",
    "couverte",
    "ingenieur",
    "ingenieure",
    "maraicher",
    "maraichere",
    "retour",
    "menu",
    "recu",
    "recue",
    "vendu",
    "tenu",
    "tenue",
    "battu",
    "battue",
    "connu",
    "connue",
    "detenu",
    "detenue",
    "elu",
    // politeness, civilities, fillers
    "merci",
    "mercii",
    "beaucoup",
    "bcp",
    "infiniment",
    "avance",
    "bonjour",
    "bonsoir",
    "salut",
    "svp",
    "stp",
    "madame",
    "monsieur",
    "mademoiselle",
    "messieurs",
    "mesdames",
    "mme",
    "mlle",
    "mr",
    "m",
    "cordialement",
    "cdlt",
    "cdt",
    "salutations",
    "distinguees",
    "respectueusement",
    "bonne",
    "journee",
    "soiree",
    "voila",
    "ok",
    "oui",
    "non",
    "bref",
    "donc",
    "alors",
    "enfin",
    "sinon",
    "car",
    "parce",
    "puisque",
    "depuis",
    "pendant",
    "avant",
    "apres",
    "entre",
    "vers",
    "contre",
    "sous",
    "selon",
    "malgre",
    "sauf",
    "comme",
    "quand",
    "lorsque",
    "tout",
    "rien",
    "personne",
    "quelqu'un",
    "aucun",
    "aucune",
    "chaque",
    "autre",
    "autres",
    "meme",
    "lors",
    // words of the questions
    "titre",
    "sejour",
    "carte",
    "recepisse",
    "recepice",
    "rdv",
    "rendez-vous",
    "dossier",
    "demande",
    "prefecture",
    "pref",
    "sous-prefecture",
    "mairie",
    "caf",
    "ants",
    "anef",
    "visa",
    "passeport",
    "permis",
    "attestation",
    "renouvellement",
    "renouveler",
    "expire",
    "expiree",
    "perdu",
    "vole",
    "volee",
    "urgent",
    "urgence",
    "aide",
    "help",
    "probleme",
    "question",
    "info",
    "information",
    "numero",
    "telephone",
    "mail",
    "email",
    "adresse",
    "contact",
    "service",
    "agent",
    "accueil",
    "guichet",
    "document",
    "papier",
    "papiers",
    "besoin",
    "voudrais",
    "voulais",
    "veux",
    "souhaite",
    "souhaiterais",
    "aimerais",
    "cherche",
    "habite",
    "vis",
    "travaille",
    "attends",
    "attend",
    "peux",
    "pourrais",
    "dois",
    "sais",
    "comprends",
    "ai",
    "avais",
    "suis",
    "etais",
    "serai",
    "vais",
    "viens",
    "fais",
    "pense",
    "crois",
    "demande",
    "appelle",
    "ecris",
    "viens",
    "reviens",
    "telephoner",
    "appeler",
    // English
    "a",
    "an",
    "the",
    "from",
    "in",
    "at",
    "on",
    "not",
    "very",
    "so",
    "here",
    "there",
    "married",
    "single",
    "divorced",
    "student",
    "waiting",
    "lost",
    "looking",
    "trying",
    "living",
    "working",
    "going",
    "coming",
    "staying",
    "studying",
    "applying",
    "moving",
    "writing",
    "asking",
    "calling",
    "having",
    "getting",
    "planning",
    "leaving",
    "renewing",
    "new",
    "sorry",
    "worried",
    "afraid",
    "sure",
    "french",
    "foreign",
    "foreigner",
    "asylum",
    "refugee",
    "pregnant",
    "sick",
    "ill",
    "unemployed",
    "employed",
    "retired",
    "thanks",
    "thank",
    "regards",
    "best",
    "kind",
    "sincerely",
    "hi",
    "hello",
    "dear",
    "sir",
    "madam",
    "mister",
    "mrs",
    "ms",
    "miss",
    "mom",
    "dad",
    "mother",
    "father",
    "husband",
    "wife",
    "son",
    "daughter",
    "please",
    "help",
    "and",
    "but",
    "with",
    "for",
    "to",
    "of",
    "about",
    "just",
];

/// Adjective and participle endings: a word with one of them, after "je
/// suis", is a state, not a name ("je suis inquiète", "je suis
/// sénégalaise"), unless it is one of [`NAMES_WITH_ENDINGS`].
const ENDINGS: &[&str] = &[
    "ee", "ees", "es", "ant", "ante", "ants", "antes", "ive", "ives", "eux", "euse", "euses",
    "ienne", "iennes", "eenne", "aise", "aises", "oise", "oises", "aire", "aires", "iste", "istes",
    "able", "ables", "ible", "ibles", "ique", "iques", "tion", "ment", "eur", "eurs", "ier",
    "iere", "ien", "iens", "een", "ais", "ois", "ain", "aine", "ent", "ente", "if", "ue", "us",
    "it", "ite", "is", "ise", "eure", "eures", "yen", "yenne", "ert", "erte", "at", "ate", "ian",
    "ese", "ish", "cher", "chere",
];

/// First and last names with one of [`ENDINGS`]. Folded.
const NAMES_WITH_ENDINGS: &[&str] = &[
    "julien",
    "adrien",
    "fabien",
    "sebastien",
    "damien",
    "lucien",
    "bastien",
    "cyprien",
    "maximilien",
    "christian",
    "florian",
    "francois",
    "francoise",
    "alain",
    "romain",
    "germain",
    "sylvain",
    "vincent",
    "laurent",
    "clement",
    "florent",
    "ines",
    "agnes",
    "ives",
    "yves",
    "denis",
    "louis",
    "alexis",
    "anais",
    "thais",
    "lois",
    "elise",
    "louise",
    "denise",
    "therese",
    "lise",
    "moise",
    "aissa",
    "aisse",
    "brahim",
    "kadiatou",
    "mamadou",
    "moussa",
    "issa",
    "ibrahim",
    "zeynep",
    "abdoulaye",
    "ousmane",
    "amadou",
    "cheick",
    "cheikh",
    "idriss",
    "aziz",
    "anis",
    "younes",
    "yanis",
    "ilyes",
    "elias",
    "matthias",
    "mathis",
    "nourredine",
    "maurice",
    "beatrice",
    "patrice",
    "eunice",
    "candice",
    "clarisse",
    "melissa",
    "larissa",
    "marius",
    "cyrus",
    "marcus",
    "ruth",
    "kenza",
    "rayan",
    "ryan",
    "soufiane",
    "sofiane",
    "amine",
    "yasmine",
    "jasmine",
    "karine",
    "nadine",
    "sabine",
    "fatine",
    "aline",
    "pauline",
    "celine",
    "justine",
    "martine",
    "christine",
    "emeline",
    "sandrine",
    "delphine",
    "jacqueline",
    "alexandrine",
    "rene",
    "andre",
    "aime",
    "desire",
    "kone",
    "traore",
    "toure",
    "sane",
    "drame",
    "conde",
    "cisse",
    "diarra",
    "dembele",
    "coulibaly",
    "sidibe",
    "keita",
    "tchoupo",
    "ngue",
    "mbappe",
    "kante",
    "bakayoko",
    "gueye",
    "faye",
    "ndiaye",
    "diouf",
    "diop",
    "seck",
    "ba",
    "sy",
    "fall",
    "camara",
    "bah",
    "barry",
    "balde",
    "sow",
    "sall",
    "ahmed",
    "mohamed",
    "mehmet",
    "hamid",
    "walid",
    "khalid",
    "rachid",
    "said",
    "majid",
    "farid",
    "nabil",
    "adil",
    "jamil",
    "khalil",
    "ismail",
    "youssef",
    "mustapha",
    "ali",
    "mehdi",
    "sami",
    "rami",
    "hadi",
    "fadi",
    "hani",
    "nadia",
    "samia",
    "amina",
    "fatou",
    "fatima",
    "aicha",
    "khadija",
    "mariam",
    "maryam",
    "awa",
    "aminata",
    "binta",
    "oumou",
];

fn is_common(word: &str) -> bool {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| COMMON.iter().copied().collect());
    let f = folded(word);
    set.contains(f.as_str()) || is_stop_word(&f) || is_weak_word(&f) || elided(word)
}

/// "j'ai", "l'agent", "qu'il": a word that starts with an elision is a
/// word of the sentence; "N'Diaye", "D'Souza" (capital after the
/// apostrophe) are names.
fn elided(word: &str) -> bool {
    let Some(at) = word.find(['\'', '’']) else {
        return false;
    };
    let (head, tail) = word.split_at(at);
    let after = tail.chars().nth(1);
    let head = head.to_lowercase();
    [
        "j", "l", "d", "m", "t", "s", "c", "n", "qu", "jusqu", "lorsqu", "puisqu",
    ]
    .contains(&head.as_str())
        && !after.is_some_and(char::is_uppercase)
}

/// A state or a nationality by its ending, not a name.
fn has_adjective_ending(word: &str) -> bool {
    let f = folded(word);
    if f.chars().count() < 4 || NAMES_WITH_ENDINGS.contains(&f.as_str()) {
        return false;
    }
    // Accented endings count before folding: "é" ends a participle.
    let lower = word.to_lowercase();
    if lower.ends_with('é')
        || lower.ends_with("ée")
        || lower.ends_with("és")
        || lower.ends_with("ées")
    {
        return true;
    }
    ENDINGS.iter().any(|e| f.ends_with(e))
}

/// How sure a lead-in is that a name follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// "je m'appelle", "nom :", "moi c'est", "my name is": the next word
    /// is a name unless it is plainly a word of the sentence.
    Announces,
    /// A civility ("Mme", "monsieur"): the same, but "madame la préfète"
    /// and "madame, monsieur" stay.
    Civility,
    /// "mon mari", "ma fille", "au nom de": only capitalised words.
    Capitalised,
    /// "je suis", "I am": a name, or a state ("je suis perdue").
    IAm,
}

struct LeadRule {
    re: Regex,
    lead: Lead,
}

fn lead_rules() -> &'static [LeadRule] {
    static RULES: OnceLock<Vec<LeadRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let r = |pattern: &str, lead: Lead| LeadRule {
            re: super::compile(pattern).unwrap_or_else(|e| panic!("lead pattern {pattern}: {e}")),
            lead,
        };
        vec![
            // je m'appelle, jm'appelle, je m appelle, jmapel, il s'appelle
            r(
                r"(?i)\b(?:j(?:e|['’])?\s*m|s|t|m)['’]?\s*ap+e+l+(?:e|es|ent|er)?\b",
                Lead::Announces,
            ),
            r(
                r"(?i)\b(?:je\s+me|il\s+se|elle\s+se)\s+(?:nomme|pr[ée]nomme)\b",
                Lead::Announces,
            ),
            r(
                r"(?i)\b(?:mon|son|ton|notre|votre)\s+(?:nom|pr[ée]nom|nom\s+de\s+famille|nom\s+complet|nom\s+d['’]usage|nom\s+de\s+jeune\s+fille)(?:\s*(?:est|c['’]est|:|=|-)|\s+(?:c\s+)?est)",
                Lead::Announces,
            ),
            r(
                r"(?i)\b(?:noms?|pr[ée]noms?|nom\s+de\s+famille|nom\s+et\s+pr[ée]noms?|pr[ée]noms?\s+et\s+noms?|nom\s+complet|name|surname|first\s+name|last\s+name|full\s+name|family\s+name)\s*(?::|=|-|\bis\b|\best\b|\bc['’]est\b)",
                Lead::Announces,
            ),
            // "Nom Diallo Prénom Fatou" at the start of a line
            r(
                r"(?im)^\s*(?:nom|pr[ée]noms?|nom\s+de\s+famille|name|surname)\b",
                Lead::Announces,
            ),
            r(r"(?i)\bmoi\s*,?\s*c['’ ]?\s*est\b", Lead::Announces),
            r(r"(?i)\b(?:my\s+name\s+is|my\s+name['’]s|i\s+am\s+called|call\s+me)\b", Lead::Announces),
            r(
                r"(?i)\b(?:monsieur|madame|mademoiselle|mme|mlle|mr|mrs|ms|miss|mister|m\.)(?:\.|\b)",
                Lead::Civility,
            ),
            r(
                r"(?i)\b(?:mon|ma|mes|notre|son|sa)\s+(?:mari|femme|[ée]poux|[ée]pouse|conjoint|conjointe|fils|fille|filles|enfants?|fr[èe]re|s(?:oe|œ)ur|p[èe]re|m[èe]re|cousin|cousine|oncle|tante|neveu|ni[èe]ce|ami|amie|copain|copine|patron|patronne|employeur|voisin|voisine|grand-m[èe]re|grand-p[èe]re|belle-m[èe]re|beau-p[èe]re)\b",
                Lead::Capitalised,
            ),
            r(r"(?i)\b(?:au\s+nom\s+de|pour\s+le\s+compte\s+de|de\s+la\s+part\s+de|c['’]est\s+pour)\b", Lead::Capitalised),
            r(r"(?i)\b(?:moi\s+)?(?:je\s+suis|j['’]?\s*suis|jsuis|i\s+am|i['’]?m)\b", Lead::IAm),
        ]
    })
}

/// The end of the name that starts at word `i`, given its lead-in.
fn name_end(text: &str, ws: &[Word<'_>], i: usize, lead: Lead) -> Option<usize> {
    let first = ws.get(i)?;
    let f = folded(first.text);
    if NOT_NAMES.contains(&f.as_str()) && !initial(text, ws, i) {
        return None;
    }
    if first.text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let upper = capitalised(first.text);
    let accepted = initial(text, ws, i)
        || match lead {
            Lead::Announces => upper || !is_common(first.text),
            Lead::Civility => !is_common(first.text),
            Lead::Capitalised => upper && !is_common(first.text),
            Lead::IAm => {
                let next_upper = ws.get(i + 1).is_some_and(|n| {
                    capitalised(n.text) && joins(&text[first.end..n.start], first.text)
                });
                if upper && next_upper {
                    // "je suis Awa Traoré": two capitalised words, even when the
                    // first is also a word ("je suis Marie Dubois").
                    !NOT_NAMES.contains(&f.as_str()) && !is_stop_word(&f)
                } else {
                    !is_common(first.text) && !has_adjective_ending(first.text)
                }
            }
        };
    if !accepted {
        return None;
    }
    let lowercase_ok = lead != Lead::Capitalised;
    let mut end = first.end;
    let mut lower_taken = 0;
    let mut j = i + 1;
    while let Some(w) = ws.get(j) {
        if j - i >= 8 || !joins(&text[ws[j - 1].end..w.start], ws[j - 1].text) {
            break;
        }
        let fw = folded(w.text);
        if PARTICLES.contains(&fw.as_str()) && !capitalised(w.text) {
            // A particle belongs to the name only when a name word follows.
            let next = ws.get(j + 1);
            if next.is_some_and(|n| {
                joins(&text[w.end..n.start], w.text)
                    && (capitalised(n.text) || (lowercase_ok && !is_common(n.text)))
            }) {
                j += 1;
                continue;
            }
            break;
        }
        let take = if capitalised(w.text) {
            PARTICLES.contains(&fw.as_str())
                || (!is_stop_word(&fw) && !is_weak_word(&fw))
                || w.text.chars().count() == 1
        } else {
            lowercase_ok && lower_taken < 3 && !is_common(w.text)
        };
        if !take {
            break;
        }
        if !capitalised(w.text) {
            lower_taken += 1;
        }
        end = w.end;
        j += 1;
    }
    Some(end)
}

/// "K." in "K. Benali": one capital letter, a dot, then a capitalised word.
fn initial(text: &str, ws: &[Word<'_>], i: usize) -> bool {
    let (Some(w), Some(next)) = (ws.get(i), ws.get(i + 1)) else {
        return false;
    };
    w.text.chars().count() == 1
        && capitalised(w.text)
        && text[w.end..next.start].trim() == "."
        && capitalised(next.text)
}

/// Names after a lead-in, replaced by `label`.
pub(super) fn mask_names(text: &str, label: &str) -> String {
    // One pass tells which lead-ins are there at all: most questions hold
    // none, or only "je suis", and skip the rest.
    static SET: OnceLock<regex::RegexSet> = OnceLock::new();
    let set = SET.get_or_init(|| {
        regex::RegexSet::new(
            lead_rules()
                .iter()
                .map(|r| r.re.as_str())
                .chain([sign_off_re().as_str()]),
        )
        .unwrap_or_else(|e| panic!("lead set: {e}"))
    });
    let hits = set.matches(text);
    if !hits.matched_any() {
        return text.to_owned();
    }
    let ws = words(text);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (k, rule) in lead_rules().iter().enumerate() {
        if !hits.matched(k) {
            continue;
        }
        for m in rule.re.find_iter(text) {
            // The first word after the lead-in, with nothing but spaces (or
            // the lead's own punctuation) between them.
            let Some(i) = ws.iter().position(|w| w.start >= m.end()) else {
                continue;
            };
            let gap = &text[m.end()..ws[i].start];
            let gap_ok = gap.chars().all(|c| {
                c.is_whitespace() || (rule.lead != Lead::IAm && matches!(c, ':' | ',' | '=' | '-'))
            });
            if !gap_ok {
                continue;
            }
            if let Some(end) = name_end(text, &ws, i, rule.lead) {
                spans.push((ws[i].start, end));
            }
        }
    }
    if hits.matched(lead_rules().len()) {
        spans.extend(sign_off(text, &ws));
    }
    replace_spans(text, spans, label)
}

fn sign_off_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        super::compile(
            r"(?i)\b(?:cordialement|cdlt|cdt|bien\s+(?:à|a)\s+vous|(?:sinc[èe]res\s+|meilleures\s+)?salutations(?:\s+distingu[ée]es)?|respectueusement|bonne\s+(?:journ[ée]e|soir[ée]e)|merci(?:\s+(?:d['’]\s*avance|beaucoup|bcp|infiniment|encore|par\s+avance))?|best\s+regards|kind\s+regards|regards|thanks(?:\s+in\s+advance)?|thank\s+you|sincerely|yours)\b[\s,.!:;-]*|\b(?:svp|stp|s['’]il\s+vous\s+pla[iî]t)\s*[.,!\n]+\s*",
        )
        .unwrap_or_else(|e| panic!("sign-off pattern: {e}"))
    })
}

/// A sign-off and the name after it, ending the message or its last line:
/// "Cordialement, Fatou Binta Sow", "merci d'avance karim".
fn sign_off(text: &str, ws: &[Word<'_>]) -> Vec<(usize, usize)> {
    let re = sign_off_re();
    let mut out = Vec::new();
    for m in re.find_iter(text) {
        let Some(i) = ws.iter().position(|w| w.start >= m.end()) else {
            continue;
        };
        if ws[i].start != m.end() {
            continue;
        }
        // The run of name words to the end of the line (labels and
        // punctuation may follow, no sentence).
        let mut j = i;
        let mut ok = true;
        while let Some(w) = ws.get(j) {
            if j > i && !joins(&text[ws[j - 1].end..w.start], ws[j - 1].text) {
                break;
            }
            let f = folded(w.text);
            let particle = PARTICLES.contains(&f.as_str()) && j > i;
            if !particle && !initial(text, ws, j) && (is_common(w.text) || j - i >= 6) {
                ok = false;
                break;
            }
            j += 1;
        }
        if !ok || j == i {
            continue;
        }
        let end = ws[j - 1].end;
        let rest = &text[end..];
        let line_rest = rest.split('\n').next().unwrap_or("");
        if line_rest.chars().any(char::is_alphanumeric) && !line_rest.contains('[') {
            continue;
        }
        out.push((ws[i].start, end));
    }
    out
}

/// Dates after a birth lead-in, in digits or in words, with or without a
/// year: "née le 3 avril", "date de naissance : trois avril 1990",
/// "born on April 3rd".
pub(super) fn mask_birth_dates(text: &str, label: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        super::compile(
            r"(?i)\b(?:n[ée]e?s?(?:\s*\(e\))?\s+(?:le|au\s+mois\s+de)|date\s+(?:de\s+)?naissance|ddn|naissance|n[ée]\(e\)\s+le|born(?:\s+on|\s+in)?|date\s+of\s+birth|d\.?o\.?b\.?|birthday(?:\s+is)?|anniversaire)\b[\s:=,-]*",
        )
        .unwrap_or_else(|e| panic!("birth pattern: {e}"))
    });
    if !re.is_match(text) {
        return text.to_owned();
    }
    let ws = words(text);
    let mut spans = Vec::new();
    for m in re.find_iter(text) {
        let Some(i) = ws.iter().position(|w| w.start >= m.end()) else {
            continue;
        };
        if !text[m.end()..ws[i].start].trim().is_empty() {
            continue;
        }
        let mut j = i;
        let mut end = None;
        while let Some(w) = ws.get(j) {
            if j - i >= 10 {
                break;
            }
            if j > i {
                let gap = text[ws[j - 1].end..w.start].trim();
                if !gap.chars().all(|c| matches!(c, '/' | '.' | '-' | ',')) || gap.len() > 2 {
                    break;
                }
            }
            if !date_word(w.text) {
                break;
            }
            end = Some(w.end);
            j += 1;
        }
        if let Some(end) = end {
            spans.push((ws[i].start, end));
        }
    }
    replace_spans(text, spans, label)
}

const MONTH_WORDS: &[&str] = &[
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    "janv",
    "fev",
    "fevr",
    "avr",
    "juil",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
];

/// Number words beyond the French ones of [`crate::falc::NUMBER_WORDS`]:
/// zero, one, the Belgian and Swiss tens, English.
const MORE_NUMBER_WORDS: &[&str] = &[
    "zero", "un", "une", "vingts", "septante", "huitante", "octante", "nonante", "premier", "one",
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "oh",
];

fn number_word(word: &str) -> bool {
    let f = folded(word);
    // The normaliser turns hyphens into spaces: "trente quatre".
    let parts = || f.split([' ', '-']).filter(|p| !p.is_empty());
    parts().all(|p| {
        crate::falc::NUMBER_WORDS.contains(&p) || MORE_NUMBER_WORDS.contains(&p) || p == "et"
    }) && parts().any(|p| p != "et")
}

fn date_word(word: &str) -> bool {
    let f = folded(word);
    let digits = f.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &f[digits.len()..];
    (!digits.is_empty()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-'))
        && ["", "er", "e", "eme", "st", "nd", "rd", "th"].contains(&suffix))
        || MONTH_WORDS.contains(&f.as_str())
        || number_word(word)
        || ["of", "the", "et"].contains(&f.as_str())
}

/// Phone numbers spelt out, whole or in part: "zéro six douze trente-quatre
/// ...", "06 douze 34 cinquante-six 78": five or more numbers in a row
/// with at least one in words, starting with zero or holding five words.
pub(super) fn mask_spelt_numbers(text: &str, label: &str) -> String {
    // A phone in words holds one of these (a run of five numbers from one
    // to ten alone, "un deux trois quatre cinq", holds "cinq" or "huit"...).
    const GATE: &[&str] = &[
        "zero",
        "zéro",
        "onze",
        "douze",
        "treize",
        "quatorze",
        "quinze",
        "seize",
        "vingt",
        "trente",
        "quarante",
        "cinquante",
        "soixante",
        "septante",
        "octante",
        "huitante",
        "nonante",
        "cinq",
        "huit",
        "neuf",
        "sept",
        "deux",
        "trois",
        "quatre",
    ];
    let lower = text.to_lowercase();
    if !GATE.iter().any(|w| lower.contains(w)) {
        return text.to_owned();
    }
    let ws = words(text);
    let mut spans = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let mut j = i;
        let (mut numbers, mut spelt) = (0, 0);
        while let Some(w) = ws.get(j) {
            if j > i {
                let gap = text[ws[j - 1].end..w.start].trim();
                if gap.len() > 2 || !gap.chars().all(|c| matches!(c, ',' | '.' | '-' | '/')) {
                    break;
                }
            }
            let f = folded(w.text);
            if f == "et" {
                j += 1;
                continue;
            }
            if number_word(w.text) {
                spelt += 1;
            } else if !(f.len() <= 4 && f.chars().all(|c| c.is_ascii_digit())) {
                break;
            }
            numbers += 1;
            j += 1;
        }
        let starts_zero = {
            let f = folded(ws[i].text);
            f.starts_with('0') || f == "zero" || f == "oh"
        };
        // Trailing "et" is not part of the number.
        let mut last = j;
        while last > i && folded(ws[last - 1].text) == "et" {
            last -= 1;
        }
        if numbers >= 5 && spelt >= 1 && (starts_zero || spelt >= 5) && last > i {
            spans.push((ws[i].start, ws[last - 1].end));
            i = j;
        } else {
            i += 1;
        }
    }
    replace_spans(text, spans, label)
}

/// Replace byte spans (possibly overlapping) with `label`.
fn replace_spans(text: &str, mut spans: Vec<(usize, usize)>, label: &str) -> String {
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        if end <= at {
            continue;
        }
        let start = start.max(at);
        out.push_str(&text[at..start]);
        out.push_str(label);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_after_je_suis_tell_a_name_from_a_state() {
        for (text, masked) in [
            ("je suis fatou diallo et j'ai perdu ma carte", true),
            ("je suis karim, mon titre expire", true),
            ("je suis perdue", false),
            ("je suis arrive en france en 2019", false),
            ("je suis senegalaise", false),
            ("je suis étudiant en master", false),
            ("je suis sans papiers", false),
            ("je suis inquiète pour mon dossier", false),
            ("je suis demandeur d'asile", false),
            ("je suis Julien Martin", true),
            ("je suis Marie Dubois", true),
            ("je suis Malien", false),
            ("i am a student", false),
            ("i am Ahmed", true),
        ] {
            let out = mask_names(text, "[nom]");
            assert_eq!(out != text, masked, "{text} → {out}");
        }
    }

    #[test]
    fn a_long_name_goes_whole() {
        let out = mask_names(
            "je m'appelle Mohamed ben Abdallah Ould Cheikh Sidi et j'attends",
            "[nom]",
        );
        assert_eq!(out, "je m'appelle [nom] et j'attends");
        let out = mask_names("Cordialement, K. Benali", "[nom]");
        assert_eq!(out, "Cordialement, [nom]");
    }

    #[test]
    fn sign_offs_need_a_name_at_the_end() {
        assert_eq!(
            mask_names("merci pour votre aide", "[nom]"),
            "merci pour votre aide"
        );
        assert_eq!(
            mask_names("merci d'avance fatou", "[nom]"),
            "merci d'avance [nom]"
        );
        assert_eq!(
            mask_names("mon titre expire\ncdlt\nAwa Sow", "[nom]"),
            "mon titre expire\ncdlt\n[nom]"
        );
    }

    #[test]
    fn birth_dates_in_words() {
        assert_eq!(
            mask_birth_dates(
                "née le trois avril mille neuf cent quatre-vingt-dix à Dakar",
                "[date]"
            ),
            "née le [date] à Dakar"
        );
        assert_eq!(
            mask_birth_dates("born on April 3rd, 1990", "[date]"),
            "born on [date]"
        );
        assert_eq!(mask_birth_dates("né le 3 avril", "[date]"), "né le [date]");
    }

    #[test]
    fn spelt_phone_numbers() {
        assert_eq!(
            mask_spelt_numbers("appelez le 06 douze 34 cinquante-six 78 svp", "[tel]"),
            "appelez le [tel] svp"
        );
        assert_eq!(
            mask_spelt_numbers("six douze trente quatre cinquante six", "[tel]"),
            "[tel]"
        );
        for text in [
            "deux ou trois mois",
            "j'ai 2 enfants de 3 et 5 ans",
            "vingt et un jours",
        ] {
            assert_eq!(mask_spelt_numbers(text, "[tel]"), text);
        }
    }
}
