//! Grouping similar unanswered questions for agents.
//!
//! Agents act faster on "12 people asked about the ANEF bug" than on 12
//! separate lines. Each question is analysed by the matcher's own index
//! (normalisation, lexicon, stems, typo correction), so "anef bug" and
//! "l'anef beug" share terms. Two terms also match when their stems share
//! a long beginning ("inscription" and "inscrire": `inscript`, `inscrir`),
//! which the stemmer leaves apart. Similarity is the larger of the
//! weighted Jaccard index of the two term sets (rare words weigh more) and
//! of how much of the shorter question the longer one covers (a short
//! "inscription cantine" is all in "inscrire mon enfant à la cantine"),
//! the latter only for questions of two terms or more. The label of a
//! group is the words its questions share, as the first one wrote them
//! ("cantine, inscription", never the stems). Clustering is greedy and
//! deterministic: questions sorted by count; two similar questions are in
//! one group, and so are the questions similar to either (so "inscription
//! cantine" and "inscrire ma fille à la cantine de l'école" meet through
//! "inscrire mon enfant à la cantine"). Only questions sharing a term (or
//! a word's beginning) are compared (the others have similarity 0),
//! through an index from terms to questions, so thousands of unrelated
//! questions do not cost a comparison with every other.

use std::collections::{BTreeMap, HashMap};

use crate::index::Index;

/// Two questions this similar (weighted Jaccard) are the same request.
pub const SIMILARITY: f32 = 0.5;
/// Or when this much of the shorter one (by weight) is in the longer one.
pub const COVERAGE: f32 = 0.65;
/// A question is compared with at most this many earlier questions per
/// term (the most asked): a common word costs no more than this.
const MEMBERS_COMPARED: usize = 32;
/// Two stems beginning with this many same letters are one word's forms.
const SAME_BEGINNING: usize = 6;

/// One question to group: an id of the caller's, its text and its count.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub text: String,
    pub count: u64,
}

/// A group of similar questions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cluster {
    /// Sum of the counts of its questions.
    pub size: u64,
    /// Ids of the questions, most asked first.
    pub ids: Vec<String>,
    /// Up to five example texts, most asked first.
    pub examples: Vec<String>,
    /// The words the questions share, as the first question wrote them
    /// (lowercase, most telling first): the group's label.
    pub words: Vec<String>,
}

/// A question's terms: key (stem or term name) → weight.
type Terms = BTreeMap<String, f32>;

/// The terms of a question, and for each the word as typed (lowercase).
fn terms(index: &Index, text: &str) -> (Terms, BTreeMap<String, String>) {
    // The masking labels (`[téléphone]`) are no words of the question.
    let text = &crate::mask::without_labels(text);
    let typed: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| w.rsplit('\'').next().unwrap_or(w).to_lowercase())
        .collect();
    let mut keys = Terms::new();
    let mut words = BTreeMap::new();
    for t in index.analyze(text).terms {
        let key = match t.term {
            Some(id) => index.term_name(id).to_owned(),
            // Unknown to the content: still group its forms by stem.
            None => format!("?{}", crate::normalize::stem(&t.word)),
        };
        // The word as the person typed it (accents kept), when found.
        let shown = typed
            .iter()
            .find(|w| crate::normalize::normalize(w) == t.word)
            .cloned()
            .unwrap_or_else(|| t.word.clone());
        words.entry(key.clone()).or_insert(shown);
        keys.insert(key, t.weight);
    }
    (keys, words)
}

/// The stem of a key, without the mark of words unknown to the content.
fn bare(key: &str) -> &str {
    key.trim_start_matches('?')
}

/// Two keys are one word: equal, or stems long enough that begin alike.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (bare(a), bare(b));
    if a == b {
        return true;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    common >= SAME_BEGINNING
}

/// The key of `b` that is the word `key`, if any.
fn find<'b>(b: &'b Terms, key: &str) -> Option<&'b str> {
    if b.contains_key(key) {
        return b.get_key_value(key).map(|(k, _)| k.as_str());
    }
    b.keys().find(|k| same(k, key)).map(String::as_str)
}

/// How alike two questions are, in [0, 1]: the larger of the weighted
/// Jaccard index and of the shorter one's share in the longer one.
fn similarity(a: &Terms, b: &Terms) -> f32 {
    let mut inter = 0.0;
    let wa: f32 = a.values().sum();
    let wb: f32 = b.values().sum();
    for (k, w) in a {
        if let Some(kb) = find(b, k) {
            // The lighter of the two weights: a typo costs.
            inter += w.min(b[kb]);
        }
    }
    let union = wa + wb - inter;
    let jaccard = if union <= 0.0 { 0.0 } else { inter / union };
    let shorter = if a.len() <= b.len() {
        (a.len(), wa)
    } else {
        (b.len(), wb)
    };
    let coverage = if shorter.0 >= 2 && shorter.1 > 0.0 {
        inter / shorter.1
    } else {
        0.0
    };
    if coverage >= COVERAGE {
        coverage.max(jaccard)
    } else {
        jaccard
    }
}

/// The root of `k` in a union-find forest, halving paths on the way.
fn root(parent: &mut [usize], mut k: usize) -> usize {
    while parent[k] != k {
        parent[k] = parent[parent[k]];
        k = parent[k];
    }
    k
}

/// The keys a question is indexed under: its terms, and `^` with the
/// beginning of each long enough stem (to meet its other forms).
fn index_keys(t: &Terms) -> impl Iterator<Item = String> + '_ {
    t.keys().flat_map(|key| {
        let begin: String = bare(key).chars().take(SAME_BEGINNING).collect();
        let long = begin.chars().count() == SAME_BEGINNING;
        std::iter::once(key.clone()).chain(long.then(|| format!("^{begin}")))
    })
}

/// Group `items`; clusters come biggest first.
pub fn cluster(index: &Index, items: &[Item]) -> Vec<Cluster> {
    let mut order: Vec<&Item> = items.iter().collect();
    order.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    let analysed: Vec<(Terms, BTreeMap<String, String>)> =
        order.iter().map(|item| terms(index, &item.text)).collect();
    // Two similar questions are in one group, and so, through them, are
    // the questions similar to either (union-find).
    let mut parent: Vec<usize> = (0..order.len()).collect();
    // Index key → the questions (positions in `order`) that have it.
    let mut with: HashMap<String, Vec<usize>> = HashMap::new();
    let mut near: Vec<usize> = Vec::new();
    for (i, (t, _)) in analysed.iter().enumerate() {
        near.clear();
        for key in index_keys(t) {
            if let Some(list) = with.get(&key) {
                // The most asked ones first, at most a few per key.
                near.extend(list.iter().take(MEMBERS_COMPARED));
            }
        }
        near.sort_unstable();
        near.dedup();
        for &j in &near {
            if similarity(&analysed[j].0, t) >= SIMILARITY {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                // The older root stays: a group is named by its most asked.
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        for key in index_keys(t) {
            with.entry(key).or_default().push(i);
        }
    }
    // Groups in order of their first (most asked) question.
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut shared: Vec<Terms> = Vec::new();
    let mut first: Vec<usize> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for (i, item) in order.iter().enumerate() {
        let r = root(&mut parent, i);
        let t = &analysed[i].0;
        match slot.get(&r) {
            Some(&k) => {
                let c = &mut clusters[k];
                c.size += item.count;
                c.ids.push(item.id.clone());
                if c.examples.len() < 5 {
                    c.examples.push(item.text.clone());
                }
                shared[k].retain(|key, _| find(t, key).is_some());
            }
            None => {
                slot.insert(r, clusters.len());
                clusters.push(Cluster {
                    size: item.count,
                    ids: vec![item.id.clone()],
                    examples: vec![item.text.clone()],
                    words: Vec::new(),
                });
                shared.push(t.clone());
                first.push(i);
            }
        }
    }
    for ((c, s), i) in clusters.iter_mut().zip(shared).zip(first) {
        let words = &analysed[i].1;
        let mut keys: Vec<(String, f32)> = s.into_iter().collect();
        // Most telling first; ties in alphabetical order.
        keys.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        c.words = keys
            .into_iter()
            .map(|(k, _)| {
                words
                    .get(&k)
                    .cloned()
                    .unwrap_or_else(|| bare(&k).to_owned())
            })
            .collect();
        c.words.dedup();
    }
    clusters.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.ids.cmp(&b.ids)));
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Content, Intent};

    fn index() -> Index {
        let intent = |id: &str, qs: &[&str]| Intent::for_tests(id, id, qs);
        let c = Content {
            intents: vec![
                intent(
                    "sejour.anef_probleme",
                    &["le site anef ne marche pas", "bug sur l'anef"],
                ),
                intent("fs.caf_logement", &["aide au logement de la caf"]),
            ],
            ..Content::default()
        };
        Index::build(&c)
    }

    fn item(id: &str, text: &str, count: u64) -> Item {
        Item {
            id: id.into(),
            text: text.into(),
            count,
        }
    }

    #[test]
    fn groups_obvious_paraphrases_and_keeps_others_apart() {
        let ix = index();
        let items = vec![
            item("a", "comment declarer mes ruches", 3),
            item("b", "declarer ruches", 2),
            item("c", "déclaration de mes ruches ?", 1),
            item("d", "horaires de la piscine municipale", 4),
            item("e", "piscine municipale horaires", 1),
            item("f", "recette de crêpes", 1),
        ];
        let cl = cluster(&ix, &items);
        assert_eq!(cl.len(), 3, "{cl:#?}");
        assert_eq!(cl[0].size, 6);
        assert_eq!(cl[0].ids, ["a", "b", "c"]);
        assert_eq!(cl[1].ids, ["d", "e"]);
        assert!(
            cl[1].words.contains(&"piscine".to_owned()),
            "real words, not stems: {:?}",
            cl[1].words
        );
        assert_eq!(cl[2].ids, ["f"]);
    }

    #[test]
    fn masking_labels_are_no_words() {
        let ix = index();
        let cl = cluster(
            &ix,
            &[item("a", "appelez-moi au [téléphone] pour ma ruche", 1)],
        );
        assert!(
            !cl[0].words.iter().any(|w| w.contains("téléphone")),
            "{:?}",
            cl[0].words
        );
    }

    #[test]
    fn typos_still_group() {
        let ix = index();
        let items = vec![
            item("a", "le site anef ne marche plus", 1),
            item("b", "site anef marche pas", 1),
        ];
        assert_eq!(cluster(&ix, &items).len(), 1);
    }

    #[test]
    fn three_paraphrases_of_one_question_are_one_group_labelled_with_words() {
        let ix = index();
        let items = vec![
            item("a", "comment inscrire mon enfant à la cantine", 1),
            item("b", "inscription cantine scolaire", 1),
            item("c", "je veux inscrire ma fille à la cantine de l'école", 1),
            item("d", "horaires de la piscine municipale", 1),
        ];
        let cl = cluster(&ix, &items);
        assert_eq!(cl.len(), 2, "{cl:#?}");
        assert_eq!(cl[0].ids, ["a", "b", "c"]);
        assert!(
            cl[0].words.contains(&"cantine".to_owned()),
            "{:?}",
            cl[0].words
        );
        assert!(
            cl[0].words.iter().all(|w| w != "cantin" && w != "inscript"),
            "{:?}",
            cl[0].words
        );
    }

    #[test]
    fn a_shared_beginning_is_not_enough_for_unrelated_questions() {
        let ix = index();
        let items = vec![
            item("a", "permis de construire une maison", 1),
            item("b", "permis bateau perdu", 1),
        ];
        assert_eq!(cluster(&ix, &items).len(), 2);
    }

    #[test]
    fn empty_input() {
        assert!(cluster(&index(), &[]).is_empty());
    }
}
