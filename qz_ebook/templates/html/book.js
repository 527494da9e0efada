/* Every page of the HTML edition loads this from its head, before the stylesheet:
 * a colour scheme the reader chose applies from the first paint, never after a
 * flash of the other. The rest waits for the page. */

try {
  const chosen = localStorage.getItem("qz-theme");
  if (chosen === "light" || chosen === "dark") document.documentElement.dataset.theme = chosen;
} catch (e) {
  /* Storage refused (a file opened with strict settings): the system's scheme. */
}

document.addEventListener("DOMContentLoaded", () => {
  /* Wide screens show the table of contents beside the text: open it there. */
  const navigation = document.getElementById("qz_navigation");
  if (navigation) navigation.open = window.matchMedia("(min-width: 60rem)").matches;
  /* The colour scheme: the system's until the reader chooses; the choice is remembered. */
  const choice = document.getElementById("qz_farbschema");
  const root = document.documentElement;
  choice.value = root.dataset.theme || "system";
  choice.parentElement.hidden = false;
  choice.addEventListener("change", () => {
    if (choice.value === "system") delete root.dataset.theme;
    else root.dataset.theme = choice.value;
    try {
      localStorage.setItem("qz-theme", choice.value);
    } catch (e) {
      /* Not remembered, but applied. */
    }
  });
});
