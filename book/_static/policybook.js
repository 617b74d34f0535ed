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
