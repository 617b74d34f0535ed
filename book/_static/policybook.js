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
document.addEventListener("DOMContentLoaded", fillNav);
