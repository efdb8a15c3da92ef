// SPDX-License-Identifier: GPL-2.0-only
//
// Builds the panel into an output directory (default ../build/web):
// esbuild bundles src/main.js with its npm libraries (xterm.js, uPlot) and
// all CSS into content-hashed files under assets/ (provisiond serves those
// as immutable), and index.html is written with their names.
//
//   node build.mjs [OUTDIR]

import * as esbuild from "esbuild";
import { copyFileSync, readFileSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "..", "build", "web"));

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });

const result = await esbuild.build({
	entryPoints: [join(here, "src", "main.js")],
	bundle: true,
	format: "esm",
	splitting: true,
	target: ["es2020"],
	minify: true,
	sourcemap: process.env.WEB_SOURCEMAP === "1",
	outdir: join(out, "assets"),
	entryNames: "[name]-[hash]",
	assetNames: "[name]-[hash]",
	chunkNames: "[name]-[hash]",
	metafile: true,
	logLevel: "warning",
	legalComments: "eof",
});

let js = null, css = null;
for (const [file, info] of Object.entries(result.metafile.outputs)) {
	// main.js's bundle (the lazily loaded pages are entry points too).
	if (file.endsWith(".js") && info.entryPoint && info.entryPoint.endsWith("src/main.js")) js = file;
	if (file.endsWith(".css")) css = file;
}
if (!js || !css) throw new Error("esbuild made no JS or CSS bundle");
const url = (f) => "/" + relative(out, resolve(f)).split("\\").join("/");
const html = readFileSync(join(here, "src", "index.html"), "utf8")
	.replace("@JS@", url(js)).replace("@CSS@", url(css));
writeFileSync(join(out, "index.html"), html);
copyFileSync(join(here, "src", "favicon.svg"), join(out, "favicon.svg"));
console.log("web panel: " + out + " (" + url(js) + ", " + url(css) + ")");
