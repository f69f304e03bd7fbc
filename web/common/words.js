// The pages' own words, in French and in English: the widget's and the
// kiosk's interface (buttons, headings, labels). The replies come from the
// server already in their language (`reply.lang`); these words follow the
// language switch, and inside a reply, the reply's language.

/** The languages the switch offers: code, short label, name (read by
 *  screen readers, in its own language). */
export const LANGS = [
  { code: "fr", short: "FR", name: "Français" },
  { code: "en", short: "EN", name: "English" },
];

const FR = {
  // Shared (render.js)
  language: "Langue",
  glossary: "Les mots expliqués",
  more: "En savoir plus",
  newWindow: "nouvelle fenêtre",
  contact: "Contact",
  phone: "Téléphone",
  hours: "Horaires",
  address: "Adresse",
  website: "Site internet",
  // « : » with the space French puts before it.
  colon: " :",
  back: "Retour",

  // The widget
  chatTitle: "Assistant en ligne",
  chatSubtitle: "Posez votre question en quelques mots.",
  restart: "Recommencer la conversation",
  close: "Fermer l'assistant",
  logLabel: "Conversation avec l'assistant",
  writing: "L'assistant écrit…",
  question: "Votre question",
  questionHint: "N'écrivez pas votre nom, votre adresse ni votre numéro de dossier.",
  send: "Envoyer la question",
  youWrote: "Vous avez écrit :",
  botSays: "L'assistant répond :",
  chooseAnswer: "Choisissez une réponse",
  proposedTopics: "Sujets proposés",
  frequentTopics: "Sujets fréquents",
  otherQuestions: "Autres questions",
  feedbackLabel: "Votre avis sur cette réponse",
  feedbackThanks: "Merci pour votre avis.",
  feedbackRephrase: "Vous pouvez écrire votre question autrement, ou demander à parler à une personne.",
  talkToPerson: "Parler à une personne",
  feedbackQuestion: "Cette réponse vous aide ?",
  yes: "Oui",
  no: "Non",
  copyLabel: "Pour écrire à une personne, copiez votre question :",
  copied: "Question copiée.",
  selectToCopy: "Sélectionnez le texte pour le copier.",
  copy: "Copier ma question",
  sendTo: (to) => `Envoyer ma question ${to}`,
  willBeSent: (to) => `Ce texte va être envoyé ${to}. Vos numéros, noms et adresses sont cachés :`,
  mailOpens: "Votre messagerie va s'ouvrir avec ce texte. Vous pouvez le changer avant de l'envoyer.",
  formOpens: "Le formulaire va s'ouvrir. Collez-y votre question.",
  sendIt: "Voulez-vous l'envoyer ?",
  yesSend: "Oui, envoyer",
  print: "Version à imprimer",
  welcome: "Bonjour. Je réponds aux questions sur les démarches.\nÉcrivez votre question en quelques mots, par exemple : « renouveler mon titre de séjour ».",
  orTopic: "Ou touchez un sujet :",
  retry: "Réessayer",
  offline: "Le service ne répond pas. Vérifiez votre connexion, puis réessayez.",
  tooLong: "Votre question est trop longue. Écrivez-la en quelques mots.",
  failed: "Un problème est arrivé. Réessayez dans un moment.",
  empty: "Écrivez votre question avant de l'envoyer.",

  // The kiosk
  kioskTitle: "Borne d'information – Services de l'État",
  state: "Services de l'État",
  kiosk: "Borne d'information",
  home: "Accueil",
  toolbar: "Actions de la borne",
  listen: "Écouter",
  stopListening: "Arrêter la lecture",
  take: "Emporter",
  write: "Écrire ma question",
  withKeyboard: "Avec le clavier",
  hello: "Bonjour. Que voulez-vous faire ?",
  touchTopic: "Touchez un sujet.",
  elsewhere: "Ces démarches se font ailleurs : la borne vous dit où",
  topicsCount: (n) => `${n} sujets`,
  journeyDetail: "Quelques questions pour trouver votre démarche",
  noTopics: "Les sujets ne sont pas disponibles. Vous pouvez écrire votre question.",
  touchQuestion: "Touchez votre question.",
  pageOf: (p, n) => `Page ${p} sur ${n}`,
  previousQuestions: "Questions précédentes",
  nextQuestions: "Questions suivantes",
  stepOf: (k, n) => `Étape ${k} sur ${n}`,
  nextStepIs: "Étape suivante : ",
  previousStep: "Étape précédente",
  nextStep: "Étape suivante",
  lastStep: "C'est la dernière étape.",
  answer: "Réponse",
  clarify: "Précisez votre question",
  dontKnow: "Je ne sais pas répondre",
  chooseTopic: "Vous pouvez choisir un sujet",
  problem: "Un problème est arrivé",
  backToStart: "Revenir au début",
  kioskOffline: "La borne n'arrive pas à joindre le service. Réessayez dans un moment.",
  kioskFailed: "La borne n'a pas pu répondre. Réessayez dans un moment.",
  takeTitle: "Emporter cette réponse",
  takeText: "Scannez ce code avec l'appareil photo de votre téléphone. La fiche s'ouvre avec toutes les étapes. Vous pouvez aussi l'imprimer.",
  closeDialog: "Fermer",
  preparing: "Préparation du code…",
  qrAlt: (title) => `Code QR de la fiche « ${title} »`,
  noQr: "Le code n'est pas disponible. Demandez la fiche à l'accueil.",
  writeLabel: "Votre question, en quelques mots",
  writeHint: "N'écrivez pas votre nom ni votre numéro de dossier.",
  sendShort: "Envoyer",
  cancel: "Annuler",
  stillThere: "Vous êtes toujours là ?",
  idleBefore: "La borne va revenir au début dans ",
  idleAfter: " secondes. Ce que vous avez consulté sera effacé.",
  stay: "Oui, je continue",
};

const EN = {
  language: "Language",
  glossary: "Words explained",
  more: "More details",
  newWindow: "new window",
  contact: "Contact",
  phone: "Phone",
  hours: "Opening hours",
  address: "Address",
  website: "Website",
  colon: ":",
  back: "Back",

  chatTitle: "Online assistant",
  chatSubtitle: "Ask your question in a few words.",
  restart: "Start the conversation again",
  close: "Close the assistant",
  logLabel: "Conversation with the assistant",
  writing: "The assistant is writing…",
  question: "Your question",
  questionHint: "Do not write your name, your address or your file number.",
  send: "Send the question",
  youWrote: "You wrote:",
  botSays: "The assistant answers:",
  chooseAnswer: "Choose an answer",
  proposedTopics: "Suggested topics",
  frequentTopics: "Frequent topics",
  otherQuestions: "Other questions",
  feedbackLabel: "Your opinion of this answer",
  feedbackThanks: "Thank you for your opinion.",
  feedbackRephrase: "You can write your question in another way, or ask to talk to a person.",
  talkToPerson: "Talk to a person",
  feedbackQuestion: "Does this answer help you?",
  yes: "Yes",
  no: "No",
  copyLabel: "To write to a person, copy your question:",
  copied: "Question copied.",
  selectToCopy: "Select the text to copy it.",
  copy: "Copy my question",
  sendTo: (to) => `Send my question to ${to}`,
  willBeSent: (to) => `This text will be sent to ${to}. Your numbers, names and addresses are hidden:`,
  mailOpens: "Your e-mail will open with this text. You can change it before you send it.",
  formOpens: "The form will open. Paste your question into it.",
  sendIt: "Do you want to send it?",
  yesSend: "Yes, send",
  print: "Printable version",
  welcome: "Hello. I answer questions about procedures.\nWrite your question in a few words, for example: “renew my residence permit”.",
  orTopic: "Or choose a topic:",
  retry: "Try again",
  offline: "The service does not answer. Check your connection, then try again.",
  tooLong: "Your question is too long. Write it in a few words.",
  failed: "Something went wrong. Try again in a moment.",
  empty: "Write your question before you send it.",

  kioskTitle: "Information kiosk – French State services",
  state: "French State services",
  kiosk: "Information kiosk",
  home: "Home",
  toolbar: "Kiosk actions",
  listen: "Listen",
  stopListening: "Stop reading",
  take: "Take away",
  write: "Write my question",
  withKeyboard: "With the keyboard",
  hello: "Hello. What do you want to do?",
  touchTopic: "Touch a topic.",
  elsewhere: "These procedures are done elsewhere: the kiosk tells you where",
  topicsCount: (n) => `${n} topics`,
  journeyDetail: "A few questions to find your procedure",
  noTopics: "The topics are not available. You can write your question.",
  touchQuestion: "Touch your question.",
  pageOf: (p, n) => `Page ${p} of ${n}`,
  previousQuestions: "Previous questions",
  nextQuestions: "Next questions",
  stepOf: (k, n) => `Step ${k} of ${n}`,
  nextStepIs: "Next step: ",
  previousStep: "Previous step",
  nextStep: "Next step",
  lastStep: "This is the last step.",
  answer: "Answer",
  clarify: "Say more about your question",
  dontKnow: "I cannot answer",
  chooseTopic: "You can choose a topic",
  problem: "Something went wrong",
  backToStart: "Back to the start",
  kioskOffline: "The kiosk cannot reach the service. Try again in a moment.",
  kioskFailed: "The kiosk could not answer. Try again in a moment.",
  takeTitle: "Take this answer with you",
  takeText: "Scan this code with your phone's camera. The sheet opens with all the steps. You can also print it.",
  closeDialog: "Close",
  preparing: "Preparing the code…",
  qrAlt: (title) => `QR code of the sheet “${title}”`,
  noQr: "The code is not available. Ask for the sheet at the desk.",
  writeLabel: "Your question, in a few words",
  writeHint: "Do not write your name or your file number.",
  sendShort: "Send",
  cancel: "Cancel",
  stillThere: "Are you still there?",
  idleBefore: "The kiosk will go back to the start in ",
  idleAfter: " seconds. What you looked at will be erased.",
  stay: "Yes, I am still here",
};

const WORDS = { fr: FR, en: EN };

/** `fr` or `en`; anything else is French. */
export function langOf(code) {
  return code === "en" ? "en" : "fr";
}

/** The words of `lang` (French for an unknown code). */
export function words(lang) {
  return WORDS[langOf(lang)];
}

/** The « Retour » of a guided journey, in either language. */
export function isBackLabel(label) {
  return label === FR.back || label === EN.back;
}

/**
 * Set the texts of the static page: every `[data-words="key"]` gets
 * `words[key]` as its text, `[data-words-title]`, `[data-words-label]`
 * and `[data-words-placeholder]` their attribute.
 */
export function applyWords(root, lang) {
  const w = words(lang);
  for (const node of root.querySelectorAll("[data-words]")) {
    const v = w[node.dataset.words];
    if (typeof v === "string") node.textContent = v;
  }
  for (const [attr, name] of [["wordsTitle", "title"], ["wordsLabel", "aria-label"], ["wordsPlaceholder", "placeholder"]]) {
    for (const node of root.querySelectorAll(`[data-${attr.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`)) {
      const v = w[node.dataset[attr]];
      if (typeof v === "string") node.setAttribute(name, v);
    }
  }
}
