// SPDX-License-Identifier: GPL-2.0-only
//
// xterm.js's DOM renderer writes its theme and cell sizes into <style>
// elements it creates at run time.  Our Content-Security-Policy has no
// 'unsafe-inline' for styles, so the browser ignores those elements and
// the terminal would draw without its sizes.  This copies each such
// element's rules into a constructed stylesheet adopted by the document
// (CSSOM, which the policy does not govern) and keeps the copy current
// as xterm rewrites the element.  Only <style> elements inside root are
// copied: elements created by our own code, never text from the network.
// The browser still reports each ignored element as a CSP violation in its
// console ("Applying inline style violates ..."): expected, and harmless.

export function adoptInlineStyles(root) {
	const sheets = new Map();	// <style> element -> CSSStyleSheet

	function sync() {
		for (const el of root.querySelectorAll("style")) {
			let sheet = sheets.get(el);
			if (!sheet) {
				sheet = new CSSStyleSheet();
				sheets.set(el, sheet);
				document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
			}
			if (sheet.text !== el.textContent) {
				sheet.replaceSync(el.textContent);
				sheet.text = el.textContent;
			}
		}
		for (const [el, sheet] of sheets) {
			if (!root.contains(el)) {
				sheets.delete(el);
				document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
			}
		}
	}

	const obs = new MutationObserver(sync);
	obs.observe(root, { childList: true, subtree: true, characterData: true });
	return () => {
		obs.disconnect();
		const gone = new Set(sheets.values());
		document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => !gone.has(s));
	};
}
