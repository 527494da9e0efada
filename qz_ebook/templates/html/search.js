/* The search page of the HTML edition (suche.html?q=…): looks the words up in the
 * Pagefind index (pagefind/, stemmed in the book's language) and lists each
 * contribution found with its title, place and authors, and an excerpt, a page of
 * results at a time. Its words come from the page (the status's data-* attributes),
 * in the book's language. */

const PAGE_SIZE = 20;
const status = document.getElementById("qz_suchstatus");
const list = document.getElementById("qz_treffer");
const more = document.getElementById("qz_mehr");
const words = status.dataset;
const query = (new URLSearchParams(window.location.search).get("q") || "").trim();

status.textContent = "";
/* Busy while results are being listed (screen readers wait; so do the edition's checks). */
list.setAttribute("aria-busy", "true");

function element(name, className, text) {
  const made = document.createElement(name);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

function found(result) {
  const item = element("li");
  const heading = element("h2", "search-title");
  const link = element("a", "", result.meta.title || result.url);
  link.href = result.url;
  heading.append(link);
  item.append(heading);
  const facts = [result.meta.facts, result.meta.authors].filter(Boolean).join(" · ");
  if (facts) item.append(element("p", "search-facts", facts));
  const excerpt = element("p", "search-excerpt");
  /* Pagefind's excerpt is the page's text, escaped, with the words found in <mark>. */
  excerpt.innerHTML = result.excerpt;
  item.append(excerpt);
  return item;
}

/* Lists the next page of ``results``; the button stays while more remain. */
async function listMore(results) {
  list.setAttribute("aria-busy", "true");
  try {
    const shown = list.children.length;
    const next = await Promise.all(results.slice(shown, shown + PAGE_SIZE).map((result) => result.data()));
    list.append(...next.map(found));
    more.hidden = list.children.length >= results.length;
    return list.children[shown];
  } finally {
    list.setAttribute("aria-busy", "false");
  }
}

async function search() {
  try {
    /* The index comes in bundles of about fifty pages (writers/search.py): the first is
     * loaded, the others merged into it. */
    const [first, ...others] = words.bundles.split(" ").filter(Boolean);
    const results = first ? await find(first, others) : []; /* a book without contributions has no index */
    await listMore(results);
    more.addEventListener("click", async () => {
      const added = await listMore(results);
      /* Keyboard and screen-reader users go on reading where the new results start. */
      if (added) added.querySelector("a").focus();
    });
    const count = results.length;
    status.textContent =
      count === 0 ? words.none.replace("{query}", query) : count === 1 ? words.one : words.many.replace("{count}", count);
  } finally {
    list.setAttribute("aria-busy", "false");
  }
}

/* The results for ``query`` in the bundle ``first`` and the ``others`` merged into it. */
async function find(first, others) {
  const pagefind = await import(`../${first}pagefind.js`);
  /* Result addresses relative to this edition's folder, wherever it is served from. */
  const options = { baseUrl: new URL(".", window.location.href).pathname, excerptLength: 30 };
  await pagefind.options(options);
  /* Merged all at once: each is fetched while the others are. Pagefind keeps them in the order
   * they are asked for, so results of equal weight come in reading order. */
  const merging = others.map((bundle) => pagefind.mergeIndex(new URL(bundle, window.location.href).pathname, options));
  await Promise.all(merging);
  return (await pagefind.search(query)).results;
}

if (query) {
  document.getElementById("qz_suchbegriff").value = query; /* a second search starts from these words */
  search();
} else {
  list.setAttribute("aria-busy", "false");
}
