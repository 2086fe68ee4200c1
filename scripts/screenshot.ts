/**
 * Screenshots an HTML file with headless Chromium, to look at a report as a
 * reader would. Needs `chromium` on the PATH (Debian: `apt-get install -y chromium`).
 *
 * Usage: deno run -A scripts/screenshot.ts reports/pinn.html [out.png] [--width 1400] [--height 2000]
 *        [--anchor figure-3]
 *
 * `--anchor` scrolls to an element id first (e.g. `figure-3`), to look at
 * one part of a long page at full resolution.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const usage = "usage: deno run -A scripts/screenshot.ts FILE.html [OUT.png] [--width 1400] " +
  "[--height 2000] [--anchor ID]";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    width: { type: "string", default: "1400" },
    height: { type: "string", default: "2000" },
    anchor: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  allowPositionals: true,
});
if (values.help || positionals.length < 1 || positionals.length > 2) {
  console.error(usage);
  Deno.exit(values.help ? 0 : 2);
}
const input = resolve(positionals[0]!);
const output = resolve(positionals[1] ?? input.replace(/\.html?$/, "") + ".png");
const profile = await Deno.makeTempDir({ prefix: "gradsolve-chromium-" });
try {
  const result = await new Deno.Command("chromium", {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      `--user-data-dir=${profile}`,
      `--screenshot=${output}`,
      `--window-size=${values.width},${values.height}`,
      pathToFileURL(input).href + (values.anchor ? `#${encodeURIComponent(values.anchor)}` : ""),
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!result.success) {
    console.error(new TextDecoder().decode(result.stderr));
    Deno.exit(1);
  }
  console.log(output);
} finally {
  await Deno.remove(profile, { recursive: true });
}
