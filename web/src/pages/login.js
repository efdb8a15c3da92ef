// SPDX-License-Identifier: GPL-2.0-only
//
// Log in with an API token (the hoster's admin token or a customer token):
// it is exchanged for a session cookie and not kept by the page.

import * as api from "../api.js";
import { h, replace, field } from "../dom.js";
import { onSubmit } from "../ui.js";
import { navigate } from "../router.js";

export async function loginPage(main) {
	document.title = "Log in · Control panel";
	const token = h("input", { type: "password", name: "token", required: true,
		autocomplete: "current-password", spellcheck: "false" });
	const form = h("form", { id: "login-form", class: "card narrow" },
		h("h1", null, "Log in"),
		field("API token", token, "The token your hoster gave you (pvd_...)."),
		h("button", { type: "submit", class: "primary" }, "Log in"));
	onSubmit(form, async (data) => {
		await api.login(data.get("token"));
		const next = new URLSearchParams(location.search).get("next");
		// Only a path of ours: never an absolute URL elsewhere.
		navigate(next && next.startsWith("/") && !next.startsWith("//") && next !== "/login" ? next : "/");
	});
	replace(main, form);
	token.focus();
}
