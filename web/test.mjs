// The browser test of the web build: serves web/dist/ on a local port, opens it in
// headless Chromium (Debian's, through playwright-core) and checks that the app starts,
// shows its lessons, and that a typed sentence reaches the playground's model. It reads
// the app's state through the page's test hook, `llm_lens_state()` (src/web/probe.rs),
// and saves screenshots of three lessons (and of the training steps) in web/test-output/ (or $LLM_LENS_WEB_OUT).
//
//   bash web/build.sh && (cd web && npm ci && node test.mjs)
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, extname, dirname, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const out = process.env.LLM_LENS_WEB_OUT ?? join(here, "test-output");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const size = { width: 1280, height: 800 };
// Where the shell draws, at this size and the default zoom (see web/test-output/*.png):
// the lesson list's entries (1. History … 6. Playground) and the sentence box.
const LESSON_LIST_X = 70;
const LESSON_LIST_FIRST_Y = 75;
const LESSON_LIST_PITCH = 23;
const SENTENCE_X = 600;
const SENTENCE_Y = 16;

const types = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".png": "image/png",
};

/** A static server for web/dist, as any web server would serve it. */
function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(dist, path === "/" ? "index.html" : path);
    if (!file.startsWith(dist)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

function fail(message) {
  throw new Error(message);
}

/** The app's state after its last frame, or null before the first. */
async function state(page) {
  const text = await page.evaluate(() => (window.llm_lens_state ? window.llm_lens_state() : ""));
  return text ? JSON.parse(text) : null;
}

/** Polls the state until `ok(state)` holds; fails after `seconds`. */
async function until(page, what, ok, seconds) {
  const start = Date.now();
  let last = null;
  while (Date.now() - start < seconds * 1000) {
    last = await state(page);
    if (last && ok(last)) return { state: last, ms: Date.now() - start };
    await page.waitForTimeout(100);
  }
  fail(`${what}: not within ${seconds} s; last state ${JSON.stringify(last)}`);
}

/** The longest gap between the browser's animation frames over `ms`, and how many
 * frames it drew: a job that held the page's thread shows as a gap of seconds. */
function frameGaps(page, ms) {
  return page.evaluate((ms) => new Promise((done) => {
    const t0 = performance.now();
    let last = t0, longest = 0, frames = 0;
    const tick = (now) => {
      longest = Math.max(longest, now - last);
      last = now;
      frames += 1;
      if (now - t0 < ms) requestAnimationFrame(tick); else done({ longest, frames });
    };
    requestAnimationFrame(tick);
  }), ms);
}

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}/`;
const profile = await mkdtemp(join(tmpdir(), "llm-lens-chromium-"));
await mkdir(out, { recursive: true });
// SwiftShader's Vulkan behind ANGLE: the only flag set found to draw a WebGPU canvas
// headless. The machine may have no network: Chromium is told not to look for one.
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  viewport: size,
  args: [
    "--no-sandbox",
    "--enable-unsafe-webgpu",
    "--use-angle=vulkan",
    "--use-vulkan=swiftshader",
    "--enable-features=Vulkan",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const errors = [];
let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });

  // 1. The page loads and the app draws its first frame.
  const t0 = Date.now();
  await page.goto(`${base}?lesson=playground`);
  const first = await until(page, "first frame", (s) => s.frames > 0, 120);
  const firstFrameMs = Date.now() - t0;
  const traced = await until(page, "the playground's first trace",
    (s) => s.playground_tokens && s.playground_tokens.length > 0, 120);
  const firstTraceMs = Date.now() - t0;
  console.log(`first frame ${firstFrameMs} ms, first trace ${firstTraceMs} ms; backend: ${first.state.backend}`);
  if (traced.state.lesson !== "playground") fail(`opened ${traced.state.lesson}, not the playground`);
  const auto = await until(page, "the backend `auto` settles on", (s) => !s.backend.startsWith("Looking"), 120);
  console.log(`backend auto: ${auto.state.backend}`);

  // 2. The lesson list shows and works: its 4th entry opens self-attention, its 1st the
  // history (an open lesson lists its steps below itself, so entries above stay put).
  await page.screenshot({ path: join(out, "playground.png") });
  await page.mouse.click(LESSON_LIST_X, LESSON_LIST_FIRST_Y + 3 * LESSON_LIST_PITCH);
  await until(page, "a click on the lesson list's 4th entry", (s) => s.lesson === "attention", 10);
  await page.mouse.click(LESSON_LIST_X, LESSON_LIST_FIRST_Y);
  await until(page, "a click on the lesson list's 1st entry", (s) => s.lesson === "history", 10);

  // 3. WebGPU compute: with ?backend=gpu (SwiftShader is a software adapter, which
  // `auto` refuses, as on the desktop) the page finds the adapter without blocking,
  // the playground's passes run on it, and the test hook's GPU trace of the built-in
  // model equals the CPU's to 1e-4 in every tensor. (The page's first pass ran on the
  // CPU while the adapter was being found; the next input runs on the GPU: section 4.)
  await page.goto(`${base}?lesson=playground&backend=gpu`);
  const onGpu = await until(page, "the GPU backend",
    (s) => s.backend.startsWith("GPU") || s.backend.startsWith("CPU"), 120);
  if (!onGpu.state.backend.startsWith("GPU")) fail(`no WebGPU compute: ${onGpu.state.backend}`);
  console.log(`${onGpu.state.backend} found in ${onGpu.ms} ms`);
  for (const text of [
    "The bank raised interest rates.",
    "我在河边的银行取了钱。",
    "We sat on the bank of the river and watched the boats go by, talking about nothing.",
  ]) {
    const parity = JSON.parse(await page.evaluate((t) => window.llm_lens_gpu_parity(t), text));
    if (parity.error) fail(`GPU parity on "${text}": ${parity.error}`);
    if (parity.ran !== "GPU") fail(`GPU parity on "${text}": ran on the ${parity.ran} (${parity.note})`);
    if (!(parity.max_diff <= 1e-4)) fail(`"${text}": GPU and CPU differ by ${parity.max_diff} at ${parity.at}`);
    console.log(`GPU vs CPU, ${parity.tokens} tokens: largest difference ${parity.max_diff.toExponential(2)} ` +
      `(at ${parity.at}); one pass ${parity.engine_ms.toFixed(0)} ms on the GPU, ${parity.cpu_ms.toFixed(0)} ms on the CPU`);
  }

  // 4. A sentence typed into the sentence box reaches the playground's model (on the GPU).
  await page.mouse.click(SENTENCE_X, SENTENCE_Y);
  await page.keyboard.press("Control+A");
  await page.keyboard.type("the cat sat on the warm mat", { delay: 20 });
  const typed = await until(page, "the typed sentence in the playground",
    (s) => s.playground_tokens && s.playground_tokens.includes("mat") &&
      s.playground_tokens.includes("cat"), 60);
  console.log(`typed sentence traced in ${typed.ms} ms on the ${typed.state.playground_ran}: ` +
    `${typed.state.playground_tokens.join(" ")}`);
  if (typed.state.playground_ran !== "GPU") fail("the typed sentence ran on the CPU");
  await page.screenshot({ path: join(out, "playground-typed.png") });

  // 5. Training keeps the page drawing: the history lesson's 6th step trains an RNN, an
  // LSTM and an attention layer on arrival, a few updates between frames.
  await page.goto(`${base}?lesson=history&step=6`);
  const arrived = await until(page, "the recall step", (s) => s.lesson === "history" && s.frames > 1, 120);
  // The typed sentence was kept in the browser's local storage and came back.
  if (arrived.state.sentence !== "the cat sat on the warm mat") {
    fail(`the sentence was not kept across a reload: "${arrived.state.sentence}"`);
  }
  // The longest gap between the browser's animation frames over 2 s: a job that held
  // the page's thread for the whole training would show as a gap of seconds.
  const gaps = await frameGaps(page, 2000);
  const later = await state(page);
  const fps = (later.frames - arrived.state.frames) / 2;
  console.log(`while the recall task trains: longest gap between frames ${gaps.longest.toFixed(0)} ms, ` +
    `${gaps.frames} browser frames and ${fps * 2} app frames in 2 s`);
  if (gaps.longest > 1500) fail(`the page froze for ${gaps.longest.toFixed(0)} ms while training`);
  await page.screenshot({ path: join(out, "history-recall-training.png") });

  // 6. word2vec trains in the browser too (no threads there: a few thousand words a
  // step, steps between frames), and the page keeps drawing. The training step (the
  // 6th) starts a run on arrival. Bound: 1000 ms, ten times the longest slice of steps
  // a frame runs (100 ms), yet well under the seconds a run in one piece would hold
  // the page.
  await page.goto(`${base}?lesson=word2vec&step=6`);
  const w2vArrived = await until(page, "word2vec's training step",
    (s) => s.lesson === "word2vec" && s.frames > 1, 120);
  // From the step's first frames, so the first step (the vocabulary) is measured too.
  const w2vGaps = await frameGaps(page, 3000);
  const w2vLater = await state(page);
  console.log(`while word2vec trains: longest gap between frames ${w2vGaps.longest.toFixed(0)} ms, ` +
    `${w2vGaps.frames} browser frames and ${w2vLater.frames - w2vArrived.state.frames} app frames ` +
    `in 3 s; ${w2vLater.word2vec_words} words trained`);
  if (w2vGaps.longest > 1000) fail(`the page froze for ${w2vGaps.longest.toFixed(0)} ms while word2vec trained`);
  if (!(w2vLater.word2vec_words > 0)) fail(`word2vec made no progress in 3 s: ${JSON.stringify(w2vLater)}`);
  await page.screenshot({ path: join(out, "word2vec-training.png") });

  // 7. Screenshots of three lessons, for a person to look at.
  for (const [lesson, step] of [["history", 4], ["attention", 2], ["bert", 6]]) {
    await page.goto(`${base}?lesson=${lesson}&step=${step}`);
    // An idle egui page draws no frames; a mouse move wakes it after background work.
    await until(page, `the ${lesson} lesson`, (s) => s.lesson === lesson && s.frames > 1, 120);
    await page.waitForTimeout(3000);
    await page.mouse.move(640, 790);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, `${lesson}.png`) });
  }
  // 8. A browser without WebGPU (no --enable-unsafe-webgpu here: eframe draws with
  // WebGL2): the app computes on the CPU and the status line says why.
  const plain = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  try {
    const page2 = await plain.newPage({ viewport: size });
    page2.on("pageerror", (e) => errors.push(String(e)));
    await page2.goto(`${base}?lesson=playground&backend=gpu`);
    const noGpu = await until(page2, "the backend without WebGPU",
      (s) => !s.backend.startsWith("Looking") && s.playground_tokens, 120);
    console.log(`without WebGPU: ${noGpu.state.backend}; the playground ran on the ${noGpu.state.playground_ran}`);
    if (!noGpu.state.backend.startsWith("CPU")) fail(`expected the CPU without WebGPU: ${noGpu.state.backend}`);
    if (noGpu.state.playground_ran !== "CPU") fail("the playground did not run on the CPU");
    await page2.screenshot({ path: join(out, "playground-webgl2.png") });
  } finally {
    await plain.close();
  }

  const panics = errors.filter((e) => /panick|RuntimeError|unreachable/i.test(e));
  if (panics.length) fail(`the page reported: ${panics.join(" | ")}`);
  console.log(`web test passed; screenshots in ${out}`);
} catch (e) {
  failed = true;
  console.error(`web test FAILED: ${e.message}`);
  if (errors.length) console.error(`page errors: ${errors.slice(0, 5).join(" | ")}`);
} finally {
  await context.close();
  server.close();
  await rm(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
