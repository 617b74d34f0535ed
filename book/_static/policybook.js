// "下载图片（PNG）" under each chart: save the chart's own image (no second copy in the page).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.download-png");
  if (!link) return;
  const img = link.closest("figure").querySelector("img");
  if (img) link.href = img.src;
});
