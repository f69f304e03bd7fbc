//! Guards on the facts of the shipped content (issue 13): errors once found
//! in the answers must not come back.
//!
//! - the 40 m² threshold is only stated together with its conditions
//!   (extension of an existing house, whole at or under 150 m²);
//! - every journey question offers a "je ne sais pas" choice;
//! - the service-public N110 page (an information page) is never labelled
//!   as a booking link, and the generic appointment link is not N110;
//! - a `sources` entry is a precise page, not a bare home page;
//! - every residence-permit and conversation intent and every journey has
//!   its English text; steps come in the order a person does them where a
//!   rule says which comes first; no jargon is left unexplained and every
//!   site value has a source and its site a check date.

use std::path::Path;

use accueil::content::Content;

fn content() -> Content {
    let (content, _diags) = Content::parse(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(!content.intents.is_empty(), "shipped content loads");
    content
}

/// Every user-facing text of an intent, one item per sentence holder.
fn texts(i: &accueil::content::Intent) -> Vec<String> {
    let mut out = vec![i.answer.clone()];
    out.extend(i.steps.iter().map(|s| s.text.clone()));
    out
}

#[test]
fn forty_square_metres_only_with_the_extension_condition() {
    let content = content();
    for i in &content.intents {
        let all = texts(i).join("\n");
        if all.contains("40 m²") || all.contains("40 m2") {
            let lower = all.to_lowercase();
            assert!(
                lower.contains("agrandi") || lower.contains("extension"),
                "{}: the 40 m² rule is stated without saying it is for an extension",
                i.id
            );
            assert!(
                lower.contains("150 m²"),
                "{}: the 40 m² rule is stated without the 150 m² total",
                i.id
            );
        }
    }
    // In the works journey, a "40 m²" question is only reached through
    // "agrandir", and its urban-zone answer asks the total surface first.
    let j = &content.journeys["parcours.travaux"];
    let start = j.node(&j.start).expect("start node");
    for c in &start.choices {
        if let accueil::journey::Target::Node(next) = &c.target {
            let n = j.node(next).expect("node");
            let mentions_40 = n.choices.iter().any(|c| c.label.contains("40 m²"));
            if mentions_40 {
                assert!(
                    c.label.to_lowercase().contains("agrandir"),
                    "the 40 m² step is reached from `{}`, not an extension",
                    c.label
                );
            }
        }
    }
    let zone = j.node("zone").expect("zone node");
    let urban = zone
        .choices
        .iter()
        .find(|c| c.label.contains("urbaine"))
        .expect("urban choice");
    assert_eq!(
        urban.target,
        accueil::journey::Target::Node("total".into()),
        "urban zone must ask the total surface (150 m²) before a DP"
    );
    // A detached shed over 20 m² needs a permis de construire.
    let abri = j.node("abri").expect("abri node");
    let over = abri
        .choices
        .iter()
        .find(|c| c.label.contains("Plus de 20"))
        .expect("over 20 m² choice");
    assert_eq!(
        over.target,
        accueil::journey::Target::Intent("ddtm.permis_construire".into())
    );
}

#[test]
fn every_journey_question_offers_je_ne_sais_pas() {
    let content = content();
    assert!(!content.journeys.is_empty());
    for j in content.journeys.values() {
        for n in &j.nodes {
            assert!(
                n.choices
                    .iter()
                    .any(|c| c.label.to_lowercase().contains("je ne sais pas")),
                "{} / {}: no \"je ne sais pas\" choice",
                j.id,
                n.id
            );
        }
    }
}

#[test]
fn late_renewal_does_not_land_on_counting_ahead() {
    let content = content();
    let j = &content.journeys["parcours.titre_expire"];
    let quand = j.node("quand").expect("quand node");
    for c in &quand.choices {
        let l = c.label.to_lowercase();
        if l.contains("moins de 2 mois") || l.contains("déjà terminé") {
            assert_eq!(
                c.target,
                accueil::journey::Target::Intent("sejour.titre_expire".into()),
                "`{}` must say to file now",
                c.label
            );
        }
    }
}

fn is_n110(url: &str) -> bool {
    url.contains("service-public.fr/particuliers/vosdroits/N110")
}

fn booking_label(label: &str) -> bool {
    let l = label.to_lowercase();
    l.contains("prendre") || l.contains("réserver") || l.contains("rendez-vous")
}

#[test]
fn n110_is_never_labelled_as_booking() {
    let content = content();
    let rdv = content
        .generic
        .values
        .get("prefecture.rdv")
        .expect("generic prefecture.rdv");
    assert!(!is_n110(rdv), "the generic appointment link is N110");
    let rdv_urls: Vec<String> = std::iter::once(rdv.clone())
        .chain(
            content
                .sites
                .values()
                .filter_map(|s| s.values.get("prefecture.rdv").cloned()),
        )
        .collect();
    for i in &content.intents {
        let links = i
            .links
            .iter()
            .chain(i.steps.iter().filter_map(|s| s.link.as_ref()));
        for l in links {
            let resolves_to_n110 = is_n110(&l.url)
                || (l.url.contains("{{prefecture.rdv}}") && rdv_urls.iter().any(|u| is_n110(u)));
            assert!(
                !(resolves_to_n110 && booking_label(&l.label)),
                "{}: N110 labelled as booking: `{}`",
                i.id,
                l.label
            );
            // The generic link is a list of préfectures: it books nothing.
            if l.url.contains("{{prefecture.rdv}}") {
                assert!(
                    !l.label.to_lowercase().starts_with("prendre"),
                    "{}: `{}` promises a booking the generic link cannot make",
                    i.id,
                    l.label
                );
            }
        }
    }
}

fn bare_home_page(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    match rest.split_once('/') {
        None => true,
        Some((_, path)) => path.is_empty() || path == "#" || path == "#/",
    }
}

#[test]
fn sources_are_precise_pages_not_home_pages() {
    assert!(bare_home_page("https://www.caf.fr/"));
    assert!(bare_home_page("https://www.caf.fr"));
    assert!(!bare_home_page(
        "https://www.service-public.fr/particuliers/vosdroits/F17578"
    ));
    let content = content();
    for i in &content.intents {
        let homes: Vec<&String> = i.sources.iter().filter(|u| bare_home_page(u)).collect();
        assert!(
            homes.is_empty(),
            "{}: sources has a bare home page (cite the precise page): {:?}",
            i.id,
            homes
        );
    }
}

/// Every residence-permit and conversation intent, and every journey,
/// answers in English (issue 13, item 5).
#[test]
fn every_sejour_and_conv_intent_and_every_journey_has_english() {
    let content = content();
    let missing = accueil::check::missing_english(&content);
    assert!(missing.is_empty(), "no [en] part: {missing:?}");
    for j in content.journeys.values() {
        assert!(j.en.is_some(), "{}: no [en] part", j.id);
    }
}

/// English replies describe their pictures in English (`alt_en`).
#[test]
fn every_pictogram_has_an_english_description() {
    let content = content();
    for p in content.pictos.values() {
        assert!(p.alt_en.is_some(), "pictogram `{}` has no alt_en", p.id);
    }
}

/// Steps are in the order a person does them, where a rule says which
/// comes first: (what must come first, what it comes before), each a
/// word of the step's text (normalised: no accents, lowercase).
const STEP_ORDER: &[(&str, &str)] = &[
    // The civic exam and the French level are passed before filing.
    ("examen civique", "envoyez"),
    ("examen civique", "deposez"),
    ("niveau de francais", "envoyez"),
    // The timbre is bought before the online pré-demande asks its number.
    ("timbre", "faites la pre demande"),
    // Papers gathered before an online registration or request.
    ("preparez", "inscrivez vous"),
    ("preparez", "faites la demande"),
];

#[test]
fn steps_come_in_the_order_a_person_does_them() {
    let content = content();
    let mut checked = 0;
    for i in &content.intents {
        let steps: Vec<String> = i
            .steps
            .iter()
            .map(|s| accueil::normalize::normalize(&s.text))
            .collect();
        let first = |needle: &str| steps.iter().position(|s| s.contains(needle));
        for (before, after) in STEP_ORDER {
            if let (Some(b), Some(a)) = (first(before), first(after)) {
                checked += 1;
                assert!(
                    b < a,
                    "{}: step {} (`{before}`) must come before step {} (`{after}`)",
                    i.id,
                    b + 1,
                    a + 1
                );
            }
        }
    }
    assert!(checked > 0, "the rules above apply to some shipped steps");
}

/// The shipped content passes `check` with no jargon left unexplained, in
/// either language, and every site value has a source and the site a
/// check date (issue 13, items 3 and 6).
#[test]
fn no_unexplained_jargon_and_sites_have_check_dates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (content, diags) =
        accueil::check::load_with_diagnostics(root, &accueil::engine::check_inputs(None));
    let jargon: Vec<String> = diags
        .iter()
        .filter(|d| d.message.contains("is jargon"))
        .map(|d| d.to_string())
        .collect();
    assert!(jargon.is_empty(), "{jargon:#?}");
    assert!(!content.jargon.is_empty(), "a jargon list is shipped");
    for site in content.sites.values() {
        assert!(site.reviewed.is_some(), "{}: no `reviewed` date", site.id);
        for key in site
            .values
            .keys()
            .filter(|k| *k != "nom" && !k.starts_with("en."))
        {
            assert!(
                site.sources.contains_key(key),
                "{}: `{key}` has no source",
                site.id
            );
        }
    }
}
