/**
 * The small Markdown subset report text may use: paragraphs (blank-line
 * separated), `- ` bullet lists, `` `code` ``, `**bold**`, `*italic*` and
 * `[links](url)`. Everything else is plain text, escaped.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";

// Links may point to http(s), mailto, or relative/anchor targets, never to
// `javascript:` or `data:` URLs.
function safeUrl(url: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return scheme === null || /^(https?|mailto)$/i.test(scheme[1]!);
}

function inline(text: string): string {
  // Odd-numbered parts are code spans: escaped, never formatted.
  return text.split("`").map((part, i, parts) => {
    if (i % 2 === 1 && i < parts.length - 1) return `<code>${escapeHtml(part)}</code>`;
    const prefix = i % 2 === 1 ? "`" : "";
    return prefix + escapeHtml(part)
      .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(/\*(.+?)\*/g, "<em>$1</em>")
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label: string, url: string) => {
        const raw = url.replace(/&amp;/g, "&");
        return safeUrl(raw) ? `<a href="${url}">${label}</a>` : whole;
      });
  }).join("");
}

/**
 * Renders Markdown-ish `text` to HTML, escaping all text first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderMarkdown } from "./markdown.ts";
 * assert.equal(renderMarkdown("CG **converges** in `12` steps"), "<p>CG <strong>converges</strong> in <code>12</code> steps</p>");
 * ```
 *
 * @category Reports
 */
export function renderMarkdown(text: string): string {
  const blocks = text.replace(/\r\n?/g, "\n").split(/\n\s*\n/).map((b) => b.trim()).filter((b) =>
    b !== ""
  );
  return blocks.map((block) => {
    const lines = block.split("\n");
    if (lines.every((l) => /^\s*[-*] /.test(l))) {
      const items = lines.map((l) => `<li>${inline(l.replace(/^\s*[-*] /, ""))}</li>`);
      return `<ul>${items.join("")}</ul>`;
    }
    return `<p>${inline(lines.join(" "))}</p>`;
  }).join("\n");
}
