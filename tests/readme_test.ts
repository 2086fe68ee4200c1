// The README's API tour runs and passes `deno lint`, as a user would copy it.
import assert from "node:assert/strict";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

function tour(): string {
  const m = readme.match(/## API tour\n\n```ts\n([\s\S]*?)```/);
  assert.ok(m, "README has an API tour");
  return m[1];
}

async function deno(args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const d = new TextDecoder();
  return { code: out.code, text: d.decode(out.stdout) + d.decode(out.stderr) };
}

Deno.test("README API tour runs and passes deno lint", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/tour.ts`;
  try {
    await Deno.writeTextFile(file, tour());
    const config = new URL("../deno.json", import.meta.url).pathname;
    const lint = await deno(["lint", "--config", config, file]);
    assert.equal(lint.code, 0, lint.text);
    const run = await deno(["run", "-A", "--config", config, file]);
    assert.equal(run.code, 0, run.text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
