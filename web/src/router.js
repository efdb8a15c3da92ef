// SPDX-License-Identifier: GPL-2.0-only
//
// Client-side routing on real paths (provisiond serves index.html for any
// page-like path): links are ordinary <a href> (keyboard and middle-click
// work); a click on one of ours is turned into history.pushState.

const routes = [];
let render = () => {};

export function route(pattern, page) {
	// "/servers/:id" -> ^/servers/([^/]+)$
	const names = [];
	const rx = new RegExp("^" + pattern.replace(/:(\w+)/g, (_, n) => {
		names.push(n);
		return "([^/]+)";
	}) + "/?$");
	routes.push({ rx, names, page });
}

export function match(path) {
	for (const r of routes) {
		const m = r.rx.exec(path);
		if (m) {
			const params = {};
			r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
			return { page: r.page, params };
		}
	}
	return null;
}

export function navigate(path, replaceState = false) {
	if (replaceState) history.replaceState(null, "", path);
	else history.pushState(null, "", path);
	render();
}

export function startRouter(renderFn) {
	render = renderFn;
	window.addEventListener("popstate", () => render());
	document.addEventListener("click", (ev) => {
		const a = ev.target.closest("a");
		if (!a || a.target || a.hasAttribute("download") || ev.ctrlKey || ev.metaKey ||
		    ev.shiftKey || ev.button !== 0)
			return;
		const url = new URL(a.href, location.href);
		if (url.origin !== location.origin || url.pathname.startsWith("/v1/")) return;
		ev.preventDefault();
		navigate(url.pathname + url.search);
	});
	render();
}
