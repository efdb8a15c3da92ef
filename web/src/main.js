// SPDX-License-Identifier: GPL-2.0-only
//
// The panel's entry point: the page frame (header, navigation, notice
// line, main area), the routes, and the session check.  A page is an async
// function (main, params) that fills main and may return a cleanup
// function (stop polling, close a console) called when the user leaves.

// All CSS is in the first stylesheet (the libraries' too): esbuild does not
// load CSS of chunks that are imported later.
import "@xterm/xterm/css/xterm.css";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import * as api from "./api.js";
import { h, replace } from "./dom.js";
import { notice } from "./ui.js";
import { route, match, startRouter, navigate } from "./router.js";
import { loginPage } from "./pages/login.js";
import { serversPage } from "./pages/servers.js";
import { serverPage } from "./pages/server.js";
import { tenantsPage, tenantPage } from "./pages/admin_tenants.js";
import { plansPage, templatesPage, poolsPage } from "./pages/admin_catalogue.js";
import { jobsPage, auditPage, usagePage, systemPage } from "./pages/admin_logs.js";

route("/", serversPage);
route("/login", loginPage);
route("/servers", serversPage);
route("/servers/:id", serverPage);
route("/admin/tenants", tenantsPage);
route("/admin/tenants/:id", tenantPage);
route("/admin/plans", plansPage);
route("/admin/templates", templatesPage);
route("/admin/ip-pools", poolsPage);
route("/admin/jobs", jobsPage);
route("/admin/audit", auditPage);
route("/admin/usage", usagePage);
route("/admin/system", systemPage);

const CUSTOMER_NAV = [["/servers", "Servers"]];
const ADMIN_NAV = [["/servers", "Servers"], ["/admin/tenants", "Tenants"],
	["/admin/plans", "Plans"], ["/admin/templates", "Templates, images"],
	["/admin/ip-pools", "IP pools"], ["/admin/jobs", "Jobs"], ["/admin/audit", "Audit log"],
	["/admin/usage", "Usage"], ["/admin/system", "Appliance"]];

let cleanup = null;

function header() {
	const user = api.session.user;
	const nav = user ? (user.role === "admin" ? ADMIN_NAV : CUSTOMER_NAV) : [];
	const here = location.pathname;
	return h("header", { class: "top" },
		h("a", { href: "/", class: "brand" }, "Control panel"),
		user ? h("nav", { "aria-label": "Main" },
			h("ul", null, nav.map(([href, text]) => h("li", null,
				h("a", { href, "aria-current": here.startsWith(href) ? "page" : null }, text))))) : null,
		user ? h("div", { class: "who" },
			h("span", { class: "role", id: "who" },
				user.role === "admin" ? "Hoster (admin)" : "Customer: " + (user.tenant_name || user.tenant_id)),
			h("button", { type: "button", id: "logout", onclick: doLogout }, "Log out")) : null);
}

async function doLogout() {
	try {
		await api.logout();
	} catch (e) {
		// The session is forgotten here whatever the server said.
	}
	navigate("/login");
	notice("ok", "Logged out.");
}

export function notFoundPage(main, what) {
	document.title = "Not found · Control panel";
	replace(main, h("section", { class: "not-found", id: "not-found" },
		h("h1", null, "Not found"),
		h("p", null, what || "There is no such page, or it is not yours to see."),
		h("p", null, h("a", { href: "/" }, "Back to the start"))));
}

async function render() {
	if (cleanup) { try { cleanup(); } catch (e) { /* already gone */ } cleanup = null; }
	const app = document.getElementById("app");
	let path = location.pathname;
	if (!api.session.user && path !== "/login") {
		navigate("/login?next=" + encodeURIComponent(path), true);
		return;
	}
	if (api.session.user && path === "/login") path = "/";
	const main = h("main", { id: "main", tabindex: "-1" });
	replace(app, header(), h("div", { id: "notice", role: "status", "aria-live": "polite" }), main);
	const m = match(path);
	if (!m) { notFoundPage(main); return; }
	try {
		cleanup = (await m.page(main, m.params)) || null;
	} catch (e) {
		if (e.status === 404) notFoundPage(main, e.message);
		// A customer on a hoster's page: the API says forbidden.
		else if (e.status === 403 && e.code === "forbidden") notFoundPage(main, e.message);
		else replace(main, h("p", { class: "notice notice-error" }, (e.code ? e.code + ": " : "") + e.message));
	}
}

api.setUnauthorizedHandler(() => {
	api.session.user = null;
	if (location.pathname !== "/login") navigate("/login", true);
});

async function boot() {
	try {
		await api.resume();
	} catch (e) {
		notice("error", e.message);
	}
	startRouter(render);
}

boot();
