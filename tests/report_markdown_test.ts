import assert from "node:assert/strict";
import { renderMarkdown } from "../lib/report/markdown.ts";

const md = (s: string) => renderMarkdown(s).replace(/^<p>|<\/p>$/g, "");

Deno.test("renderMarkdown() keeps stars inside words and next to brackets literal", () => {
  // The optimal-control notation that used to turn into italics.
  assert.equal(md("the optimum y*(T) and the map m*(y)"), "the optimum y*(T) and the map m*(y)");
  assert.equal(
    md("x*(θ) solves A(θ)x = b; y* is its adjoint"),
    "x*(θ) solves A(θ)x = b; y* is its adjoint",
  );
  assert.equal(md("2*3*4 and a*b*c"), "2*3*4 and a*b*c");
  assert.equal(md("a * b * c"), "a * b * c");
  assert.equal(md("p = *"), "p = *");
});

Deno.test("renderMarkdown() emphasis follows CommonMark's flanking rules", () => {
  const cases: [string, string][] = [
    ["*italic* text", "<em>italic</em> text"],
    ["**bold** text", "<strong>bold</strong> text"],
    ["***both***", "<em><strong>both</strong></em>"],
    ["**bold *and italic***", "<strong>bold <em>and italic</em></strong>"],
    ["(*in brackets*)", "(<em>in brackets</em>)"],
    ["*a **b** c*", "<em>a <strong>b</strong> c</em>"],
    ["**unclosed", "**unclosed"],
    ["*open only", "*open only"],
    ["***a*", "**<em>a</em>"],
    ["**`cg()` converges**", "<strong><code>cg()</code> converges</strong>"],
    ["*x* < *y* & z", "<em>x</em> &lt; <em>y</em> &amp; z"],
    [
      "see [*the* docs](https://example.org)",
      'see <a href="https://example.org"><em>the</em> docs</a>',
    ],
    ["`a*b*c` stays code", "<code>a*b*c</code> stays code"],
  ];
  for (const [input, html] of cases) assert.equal(md(input), html, input);
});
