/**
 * The small Markdown subset report text may use: paragraphs (blank-line
 * separated), `- ` bullet lists, `` `code` ``, `**bold**`, `*italic*` and
 * `[links](url)`. Everything else is plain text, escaped. Stars follow
 * CommonMark's left/right-flanking rules, with the stricter rule CommonMark
 * keeps for `_`: a star between a letter and a bracket (`y*(T)`, `m*(y)`)
 * or inside a word (`2*3*4`) stays a literal star.
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

type Token =
  | { kind: "html"; html: string }
  | {
    kind: "delim";
    count: number; // stars left unmatched
    readonly length: number; // run length as written
    canOpen: boolean;
    canClose: boolean;
    opens: string[]; // tags after the remaining stars, outermost first
    closes: string[]; // tags before the remaining stars, innermost first
  };

const PUNCTUATION = /[\p{P}\p{S}]/u;
const WHITESPACE = /\s/u;

// CommonMark's flanking rules for a run of `*`, given the characters around
// it ("" at the start or end of the text counts as whitespace).
function flanking(before: string, after: string): { left: boolean; right: boolean } {
  const wsBefore = before === "" || WHITESPACE.test(before);
  const wsAfter = after === "" || WHITESPACE.test(after);
  const pBefore = !wsBefore && PUNCTUATION.test(before);
  const pAfter = !wsAfter && PUNCTUATION.test(after);
  return {
    left: !wsAfter && (!pAfter || wsBefore || pBefore),
    right: !wsBefore && (!pBefore || wsAfter || pAfter),
  };
}

// Pairs `*` runs into <em>/<strong> by CommonMark's "process emphasis" steps
// (including the rule of 3); unpaired stars stay literal.
function processEmphasis(tokens: Token[]): void {
  for (let c = 0; c < tokens.length; c++) {
    const closer = tokens[c]!;
    if (closer.kind !== "delim" || !closer.canClose) continue;
    while (closer.count > 0) {
      let o = c - 1;
      for (; o >= 0; o--) {
        const t = tokens[o]!;
        if (t.kind !== "delim" || !t.canOpen || t.count === 0) continue;
        const oddMatch = (t.canClose || closer.canOpen) &&
          (t.length + closer.length) % 3 === 0 &&
          !(t.length % 3 === 0 && closer.length % 3 === 0);
        if (!oddMatch) break;
      }
      if (o < 0) break;
      const opener = tokens[o] as Extract<Token, { kind: "delim" }>;
      const use = opener.count >= 2 && closer.count >= 2 ? 2 : 1;
      const tag = use === 2 ? "strong" : "em";
      opener.count -= use;
      closer.count -= use;
      opener.opens.unshift(`<${tag}>`);
      closer.closes.push(`</${tag}>`);
      // Runs between the pair can no longer pair with anything outside it.
      for (let k = o + 1; k < c; k++) {
        const t = tokens[k]!;
        if (t.kind === "delim") t.canOpen = t.canClose = false;
      }
    }
  }
}

// A link `[label](url)` at `i`, or undefined.
const LINK = /^\[([^\]]+)\]\(([^)\s]+)\)/;

function inline(text: string): string {
  const tokens: Token[] = [];
  let plain = "";
  const flush = () => {
    if (plain !== "") tokens.push({ kind: "html", html: escapeHtml(plain) });
    plain = "";
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "`") {
      const end = text.indexOf("`", i + 1);
      if (end > i) {
        flush();
        tokens.push({ kind: "html", html: `<code>${escapeHtml(text.slice(i + 1, end))}</code>` });
        i = end + 1;
        continue;
      }
    } else if (ch === "[") {
      const m = LINK.exec(text.slice(i));
      if (m && safeUrl(m[2]!)) {
        flush();
        tokens.push({
          kind: "html",
          html: `<a href="${escapeHtml(m[2]!)}">${inline(m[1]!)}</a>`,
        });
        i += m[0].length;
        continue;
      }
    } else if (ch === "*") {
      let j = i;
      while (text[j] === "*") j++;
      const before = text[i - 1] ?? "", after = text[j] ?? "";
      const { left, right } = flanking(before, after);
      // CommonMark's rule for `_`, applied to `*` too: a run inside a word
      // (flanking on both sides) neither opens nor closes, so `2*3*4` stays.
      const pBefore = before !== "" && PUNCTUATION.test(before);
      const pAfter = after !== "" && PUNCTUATION.test(after);
      flush();
      tokens.push({
        kind: "delim",
        count: j - i,
        length: j - i,
        canOpen: left && (!right || pBefore),
        canClose: right && (!left || pAfter),
        opens: [],
        closes: [],
      });
      i = j;
      continue;
    }
    plain += ch;
    i++;
  }
  flush();
  processEmphasis(tokens);
  return tokens.map((t) =>
    t.kind === "html" ? t.html : t.closes.join("") + "*".repeat(t.count) + t.opens.join("")
  ).join("");
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
