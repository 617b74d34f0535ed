// The book's search page (book/_templates/search.html): every word of the query, as typed,
// must occur in a sentence or table row of searchsnippets.js; numbers match whole (630 does
// not match 6300) and with or without thousands separators, either way round (877077 matches
// 877,077 and 877,077 matches 877077).
// Results: pages with the most matching sentences first, each with its sentences, linked to
// their place in the page. Text from the index is inserted as text, never as markup.
(() => {
  const MAX_PAGES = 50;
  const MAX_PER_PAGE = 5;
  const MAX_MORE = 200;

  function termPattern(term) {
    // separators typed between digits are optional too: 877,077 finds 877077 and 877,077
    const chars = [...term.replace(/(\d),(?=\d)/g, "$1")]
      .map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    let body = "";
    chars.forEach((c, i) => {
      body += c;
      if (/\d/.test(c) && i + 1 < chars.length && /\d/.test(chars[i + 1])) body += ",?";
    });
    if (/^\d/.test(term)) body = "(?<![\\d.,])" + body;
    if (/\d$/.test(term)) body += "(?![\\d]|,\\d)";
    return new RegExp(body, "gi");
  }

  function terms(query) {
    return query.normalize("NFKC").split(/\s+/).filter((t) => t.length > 0).slice(0, 10);
  }

  function highlighted(text, patterns) {
    const marks = [];
    for (const p of patterns) {
      p.lastIndex = 0;
      for (const m of text.matchAll(p)) marks.push([m.index, m.index + m[0].length]);
    }
    marks.sort((a, b) => a[0] - b[0]);
    const fragment = document.createDocumentFragment();
    let at = 0;
    for (const [start, end] of marks) {
      if (start < at) continue;
      fragment.append(text.slice(at, start));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      fragment.append(mark);
      at = end;
    }
    fragment.append(text.slice(at));
    return fragment;
  }

  function link(page, anchor) {
    const root = document.documentElement.dataset.content_root ?? "";
    const suffix = (window.DOCUMENTATION_OPTIONS ?? {}).FILE_SUFFIX ?? ".html";
    return root + page + suffix + (anchor ? "#" + encodeURIComponent(anchor) : "");
  }

  function search(query) {
    const patterns = terms(query).map(termPattern);
    const results = [];
    if (!patterns.length) return results;
    const matches = (text) => patterns.every((p) => { p.lastIndex = 0; return p.test(text); });
    for (const entry of window.SNIPPETS ?? []) {
      const found = entry.snippets.filter(([text]) => matches(text));
      const inTitle = matches(entry.title);
      if (found.length || inTitle) results.push({ entry, found, inTitle });
    }
    results.sort((a, b) => (b.inTitle - a.inTitle) || (b.found.length - a.found.length));
    return results;
  }

  function sentenceList(entry, sentences, patterns) {
    const list = document.createElement("ol");
    list.className = "search-snippets";
    for (const [text, anchor] of sentences) {
      const line = document.createElement("li");
      const a = document.createElement("a");
      a.href = link(entry.page, anchor);
      a.append(highlighted(text, patterns));
      line.append(a);
      list.append(line);
    }
    return list;
  }

  function show(container, query) {
    const patterns = terms(query).map(termPattern);
    const results = search(query);
    const summary = document.createElement("p");
    summary.className = "search-summary";
    const total = results.reduce((n, r) => n + r.found.length, 0);
    summary.textContent = !patterns.length ? "请输入要搜索的词语或数字。"
      : results.length ? `找到 ${results.length} 个页面，共 ${total} 处。`
        : "没有找到含有这些词语的页面。请检查用字，或减少词语。";
    const list = document.createElement("ul");
    list.className = "search";
    for (const { entry, found } of results.slice(0, MAX_PAGES)) {
      const item = document.createElement("li");
      const title = document.createElement("a");
      title.href = link(entry.page);
      title.append(highlighted(entry.title, patterns));
      item.append(title);
      if (found.length) {
        item.append(sentenceList(entry, found.slice(0, MAX_PER_PAGE), patterns));
        if (found.length > MAX_PER_PAGE) {
          const more = document.createElement("details");
          const label = document.createElement("summary");
          label.textContent = `本页另有 ${found.length - MAX_PER_PAGE} 处`;
          more.append(label,
            sentenceList(entry, found.slice(MAX_PER_PAGE, MAX_PER_PAGE + MAX_MORE), patterns));
          item.append(more);
        }
      }
      list.append(item);
    }
    container.replaceChildren(summary, list);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const container = document.getElementById("search-results");
    if (!container || !window.SNIPPETS) return;
    const query = new URLSearchParams(window.location.search).get("q") ?? "";
    const input = document.querySelector(".bd-search-container input[name='q']");
    if (input) input.value = query;
    show(container, query);
  });
})();
