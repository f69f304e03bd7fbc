//! Grouping similar unanswered questions for agents.
//!
//! Agents act faster on "12 people asked about the ANEF bug" than on 12
//! separate lines. Each question is analysed by the matcher's own index
//! (normalisation, lexicon, stems, typo correction), so "anef bug" and
//! "l'anef beug" share terms. Similarity is the weighted Jaccard index of
//! the two term sets (rare words weigh more). Clustering is greedy and
//! deterministic: questions sorted by count, each joins the first cluster
//! whose seed is similar enough, or starts a new one. Only seeds sharing a
//! term with the question are compared (the others have similarity 0),
//! through an index from terms to seeds, so thousands of unrelated
//! questions do not cost a comparison with every cluster.

use std::collections::{BTreeMap, HashMap};

use crate::index::Index;

/// Two questions this similar (weighted Jaccard) are the same request.
pub const SIMILARITY: f32 = 0.5;

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
    /// The words the questions share (normalised).
    pub words: Vec<String>,
}

type Terms = BTreeMap<String, f32>;

fn terms(index: &Index, text: &str) -> Terms {
    index
        .analyze(text)
        .terms
        .into_iter()
        .map(|t| {
            let key = match t.term {
                Some(id) => index.term_name(id).to_owned(),
                // Unknown to the content: still group its forms by stem.
                None => format!("?{}", crate::normalize::stem(&t.word)),
            };
            (key, t.weight)
        })
        .collect()
}

/// Weighted Jaccard similarity of two term sets, in [0, 1].
fn similarity(a: &Terms, b: &Terms) -> f32 {
    let mut inter = 0.0;
    let mut union = 0.0;
    for (k, w) in a {
        if b.contains_key(k) {
            inter += w;
        }
        union += w;
    }
    for (k, w) in b {
        if !a.contains_key(k) {
            union += w;
        }
    }
    if union <= 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// Group `items`; clusters come biggest first.
pub fn cluster(index: &Index, items: &[Item]) -> Vec<Cluster> {
    let mut order: Vec<&Item> = items.iter().collect();
    order.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    let mut seeds: Vec<Terms> = Vec::new();
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut shared: Vec<Terms> = Vec::new();
    // Term → the seeds that have it, in seed order.
    let mut seeds_with: HashMap<String, Vec<usize>> = HashMap::new();
    let mut near: Vec<usize> = Vec::new();
    for item in order {
        let t = terms(index, &item.text);
        near.clear();
        for key in t.keys() {
            if let Some(list) = seeds_with.get(key) {
                near.extend_from_slice(list);
            }
        }
        near.sort_unstable();
        near.dedup();
        let found = near
            .iter()
            .copied()
            .find(|&k| similarity(&seeds[k], &t) >= SIMILARITY);
        match found {
            Some(k) => {
                let c = &mut clusters[k];
                c.size += item.count;
                c.ids.push(item.id.clone());
                if c.examples.len() < 5 {
                    c.examples.push(item.text.clone());
                }
                shared[k].retain(|key, _| t.contains_key(key));
            }
            None => {
                clusters.push(Cluster {
                    size: item.count,
                    ids: vec![item.id.clone()],
                    examples: vec![item.text.clone()],
                    words: Vec::new(),
                });
                for key in t.keys() {
                    seeds_with.entry(key.clone()).or_default().push(seeds.len());
                }
                shared.push(t.clone());
                seeds.push(t);
            }
        }
    }
    for (c, s) in clusters.iter_mut().zip(shared) {
        c.words = s
            .into_keys()
            .map(|k| k.trim_start_matches('?').to_owned())
            .collect();
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
            cl[1].words.contains(&"piscin".to_owned())
                || cl[1].words.iter().any(|w| w.starts_with("piscin")),
            "{:?}",
            cl[1].words
        );
        assert_eq!(cl[2].ids, ["f"]);
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
    fn empty_input() {
        assert!(cluster(&index(), &[]).is_empty());
    }
}
