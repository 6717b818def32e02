// zebrash (the Go ZPL renderer, as the WASM build in zpl-renderer-js) behind one JSON request on stdin.
//
//   node tests/oracle/zebrash.mjs [--repeat N] < request.json > answer.json
//
// The request:
//   {"inputs": [{"path": "a.zpl"} | {"zpl": "^XA...^XZ"} | {"zpl_base64": "..."}, ...],
//    "width_mm": 101.6, "height_mm": 152.4  (or "width_in": 4, "height_in": 6; default 4 x 6 in),
//    "dpmm": 8  (8 for 203 dpi, 12 for 300 dpi),
//    "out": "/some/dir"  (optional: write the PNGs there instead of answering them in base64)}
//
// The answer, one result per input in order (a file may hold several ^XA...^XZ labels: one PNG each):
//   {"zebrash": "v1.38.0", "results": [{"labels": 1, "png": ["<base64>"]} | {"labels": 1, "files": ["..."]}
//                                      | {"error": "..."}]}
// With --repeat N, each input is rendered once to warm up, then N times, and nothing is drawn to disk:
//   {"zebrash": "v1.38.0", "repeat": N, "results": [{"labels": 1, "ms": [N wall times of the whole input]}]}
//
// Exit codes: 0 answered (an input zebrash failed on carries its "error"), 2 a malformed request.

import fs from "node:fs";
import path from "node:path";
import { ready, ZEBRASH_VERSION } from "zpl-renderer-js";

const MM_PER_INCH = 25.4;

function fail(message) {
  process.stderr.write(`zebrash.mjs: ${message}\n`);
  process.exit(2);
}

function repeatFrom(argv) {
  const at = argv.indexOf("--repeat");
  if (at < 0) return 0;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) fail("--repeat takes a whole number of runs, 1 or more");
  return n;
}

// ZPL is bytes; zebrash takes a string. UTF-8 when the bytes are UTF-8 (^CI28 labels), else one character
// per byte, which is how an 8-bit code page (^CI0, ^CI27) reaches the renderer unchanged below 0x80.
function decode(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString("latin1");
  }
}

function zplOf(input) {
  if (typeof input.zpl === "string") return input.zpl;
  if (typeof input.zpl_base64 === "string") return decode(Buffer.from(input.zpl_base64, "base64"));
  if (typeof input.path === "string") return decode(fs.readFileSync(input.path));
  fail(`an input needs "path", "zpl" or "zpl_base64": ${JSON.stringify(input)}`);
  return "";
}

function sizeOf(request) {
  const inches = (key) => (typeof request[key] === "number" ? request[key] * MM_PER_INCH : undefined);
  const width = request.width_mm ?? inches("width_in") ?? 4 * MM_PER_INCH;
  const height = request.height_mm ?? inches("height_in") ?? 6 * MM_PER_INCH;
  const dpmm = request.dpmm ?? 8;
  for (const [name, value] of [["width", width], ["height", height], ["dpmm", dpmm]]) {
    if (typeof value !== "number" || !(value > 0)) fail(`${name} must be a positive number`);
  }
  return [width, height, dpmm];
}

async function main() {
  const repeat = repeatFrom(process.argv.slice(2));
  let request;
  try {
    request = JSON.parse(fs.readFileSync(0, "utf8"));
  } catch (error) {
    fail(`the request on stdin is not JSON: ${error.message}`);
  }
  if (!Array.isArray(request?.inputs)) fail('the request needs "inputs", a list');
  const [width, height, dpmm] = sizeOf(request);
  const { api } = await ready;
  const render = (zpl) => api.zplToBase64MultipleAsync(zpl, width, height, dpmm);
  const results = [];
  for (const [index, input] of request.inputs.entries()) {
    const zpl = zplOf(input);
    try {
      const labels = await render(zpl);
      if (repeat) {
        const ms = [];
        for (let run = 0; run < repeat; run++) {
          const started = performance.now();
          await render(zpl);
          ms.push(performance.now() - started);
        }
        results.push({ labels: labels.length, ms });
      } else if (request.out) {
        const files = labels.map((png, n) => {
          const file = path.join(request.out, `${index}-${n}.png`);
          fs.writeFileSync(file, Buffer.from(png, "base64"));
          return file;
        });
        results.push({ labels: labels.length, files });
      } else {
        results.push({ labels: labels.length, png: labels });
      }
    } catch (error) {
      results.push({ error: String(error?.message ?? error) });
    }
  }
  const answer = { zebrash: ZEBRASH_VERSION, results };
  if (repeat) answer.repeat = repeat;
  process.stdout.write(JSON.stringify(answer));
}

await main();
