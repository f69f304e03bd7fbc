// The printable sheet (/fiche/{intent}): its « Imprimer » button. A script
// file rather than an inline handler, so the page's CSP allows no inline
// script at all.
const button = document.getElementById("imprimer");
if (button) button.addEventListener("click", () => window.print());
