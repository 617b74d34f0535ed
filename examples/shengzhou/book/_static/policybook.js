// "下载图片（PNG）" under each chart: save the chart's own image (no second copy in the page).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.download-png");
  if (!link) return;
  const img = link.closest("figure").querySelector("img");
  if (img) link.href = img.src;
});

// A number in the prose links to its row in the page's source table, which sits in a
// collapsed section: open the section, then show the row (also when arriving by URL).
function revealTarget() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const row = id && document.getElementById(id);
  if (!row) return;
  for (let node = row.parentElement; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
  }
  row.scrollIntoView({ block: "center" });
}
window.addEventListener("hashchange", revealTarget);
document.addEventListener("DOMContentLoaded", revealTarget);

// A table wider than its column (on a phone) says so above it: "可左右滑动".
function markWideTables() {
  for (const region of document.querySelectorAll(".table-scroll")) {
    region.classList.toggle("is-wide", region.scrollWidth > region.clientWidth + 1);
  }
}
window.addEventListener("resize", markWideTables);
window.addEventListener("load", markWideTables);
document.addEventListener("toggle", markWideTables, true);  // a table shown by 展开数据表

// The sidebar's parts and chapters (booknav.js, written once per build): links made
// relative to this page, the current page marked.
function fillNav() {
  const holder = document.querySelector(".book-nav");
  if (!holder || holder.dataset.filled || typeof window.BOOK_NAV !== "string") return;
  holder.dataset.filled = "1";
  holder.innerHTML = window.BOOK_NAV;
  const root = document.documentElement.dataset.content_root ?? "";
  for (const link of holder.querySelectorAll("a[data-doc]")) {
    link.setAttribute("href", root + link.getAttribute("href"));
    if (link.dataset.doc === holder.dataset.pagename) {
      link.classList.add("current");
      link.setAttribute("aria-current", "page");
      link.parentElement.classList.add("current", "active");
      link.closest("ul").classList.add("current");
    }
  }
}

// 上一页/下一页 under the article, in the order of the book's navigation (booknav.js): made
// here, not by the theme, so a page does not change when a period is added.
function addPager() {
  const holder = document.querySelector(".book-nav");
  const article = document.querySelector("article.bd-article");
  if (!holder || !article || document.querySelector("nav.book-pager")) return;
  const home = document.createElement("a");
  home.href = holder.dataset.homeHref;
  home.dataset.doc = holder.dataset.homeDoc;
  home.textContent = holder.dataset.homeTitle;
  const links = [home, ...holder.querySelectorAll("a[data-doc]")];
  const at = links.findIndex((link) => link.dataset.doc === holder.dataset.pagename);
  if (at < 0) return;  // the search page, the index: not in the book's order
  const pager = document.createElement("nav");
  pager.className = "book-pager";
  pager.setAttribute("aria-label", holder.dataset.pagerLabel);
  for (const [step, label, rel] of [[-1, holder.dataset.prevLabel, "prev"],
                                    [1, holder.dataset.nextLabel, "next"]]) {
    const target = links[at + step];
    if (!target) continue;
    const link = document.createElement("a");
    link.href = target.getAttribute("href");
    link.rel = rel;
    link.className = `book-pager-${rel}`;
    const small = document.createElement("span");
    small.textContent = label;
    link.append(small, document.createElement("br"), target.textContent.trim());
    pager.append(link);
  }
  article.after(pager);
}
document.addEventListener("DOMContentLoaded", () => { fillNav(); addPager(); });

// sphinx-book-theme blurs the ☰ and 本页目录 buttons when pressed (to hide their tooltips), so
// closing a drawer with Escape left the keyboard at the top of the page: give it back to the
// button that opened the drawer.
function returnFocusFromDrawers() {
  for (const [drawer, button] of [["pst-primary-sidebar-modal", ".primary-toggle"],
                                  ["pst-secondary-sidebar-modal", ".secondary-toggle"]]) {
    document.getElementById(drawer)?.addEventListener("close", () => {
      const focused = document.activeElement;
      if (!focused || focused === document.body) document.querySelector(button)?.focus();
    });
  }
}
document.addEventListener("DOMContentLoaded", returnFocusFromDrawers);

// An entry of 本页目录 in the drawer (a link within this page) closes the drawer, then goes to
// its heading: left to the theme, the drawer stayed open over the page, and closing it later
// returned focus to the button, which scrolled the page away from the heading.
function closeContentsOnJump() {
  const drawer = document.getElementById("pst-secondary-sidebar-modal");
  drawer?.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href^='#']");
    if (!link || !drawer.open) return;
    const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    event.preventDefault();
    drawer.close();
    history.pushState(null, "", link.hash);
    requestAnimationFrame(() => target.scrollIntoView({ block: "start" }));
  });
}
document.addEventListener("DOMContentLoaded", closeContentsOnJump);

// A number in the prose (a.prov) opens a box with its clause, or a computed value's formula
// and inputs, and a link to its row in the source table: by click, tap or Enter, so that it
// works on touch screens and from the keyboard; the title stays for hovering with a mouse.
// Escape, a click outside or leaving it by Tab closes the box and focus returns to the number.
const provBox = { box: null, owner: null };

function provWording() {
  const nav = document.querySelector(".book-nav")?.dataset ?? {};
  return { source: nav.sourceTitle ?? "", derived: nav.derivedTitle ?? "",
           link: nav.sourceLink ?? "", close: nav.closeLabel ?? "" };
}

function closeProv(returnFocus) {
  const { box, owner } = provBox;
  if (!box || box.hidden) return;
  box.hidden = true;
  owner?.setAttribute("aria-expanded", "false");
  provBox.owner = null;
  if (returnFocus) owner?.focus();
}

function makeProvBox() {
  const words = provWording();
  const box = document.createElement("div");
  box.id = "prov-box";
  box.className = "prov-box";
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-labelledby", "prov-box-title");
  box.tabIndex = -1;
  box.hidden = true;
  const head = document.createElement("p");
  head.className = "prov-box-title";
  head.id = "prov-box-title";
  const body = document.createElement("p");
  body.className = "prov-box-text";
  const go = document.createElement("a");
  go.className = "prov-box-link";
  go.textContent = words.link;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "prov-box-close";
  close.setAttribute("aria-label", words.close);
  close.textContent = "×";
  close.addEventListener("click", () => closeProv(true));
  go.addEventListener("click", () => closeProv(false));
  box.append(close, head, body, go);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); closeProv(true); }
  });
  box.addEventListener("focusout", (event) => {
    const next = event.relatedTarget;
    if (next && !box.contains(next) && next !== provBox.owner) closeProv(false);
  });
  document.body.append(box);
  return box;
}

function openProv(link) {
  const box = provBox.box ?? (provBox.box = makeProvBox());
  if (provBox.owner && provBox.owner !== link) closeProv(false);
  const words = provWording();
  const derived = link.classList.contains("derived");
  const number = link.textContent.trim();
  box.querySelector(".prov-box-title").textContent =
    `${number}：${derived ? words.derived : words.source}`;
  box.querySelector(".prov-box-text").textContent =
    link.getAttribute("title") ?? "";
  box.querySelector(".prov-box-link").href = link.getAttribute("href");
  link.setAttribute("aria-expanded", "true");
  provBox.owner = link;
  box.hidden = false;
  // under the number, inside the page's width
  const at = link.getBoundingClientRect();
  const width = Math.min(box.offsetWidth, document.documentElement.clientWidth - 16);
  const left = Math.max(8, Math.min(at.left, document.documentElement.clientWidth - width - 8));
  box.style.left = `${left + window.scrollX}px`;
  box.style.top = `${at.bottom + window.scrollY + 6}px`;
  box.focus();
}

function setUpProv() {
  const links = document.querySelectorAll("a.prov");
  if (links.length && !provBox.box) provBox.box = makeProvBox();
  for (const link of links) {
    link.setAttribute("aria-haspopup", "dialog");
    link.setAttribute("aria-expanded", "false");
    link.setAttribute("aria-controls", "prov-box");
  }
}
document.addEventListener("DOMContentLoaded", setUpProv);
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a.prov");
  const box = provBox.box;
  if (link && !(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey)) {
    event.preventDefault();
    if (provBox.owner === link && box && !box.hidden) closeProv(true);
    else openProv(link);
  } else if (box && !box.hidden && !box.contains(event.target)) {
    closeProv(false);
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && provBox.owner) { closeProv(true); }
});
