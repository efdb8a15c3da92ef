// SPDX-License-Identifier: GPL-2.0-only
//
// What every page shares: the notice line that shows each action's result
// or the API's error (role=status, so screen readers announce it), and the
// busy state of a button while its request runs.

import { h, replace } from "./dom.js";

export function notice(kind, text) {
	const box = document.getElementById("notice");
	replace(box, text ? h("p", { class: "notice notice-" + kind }, text) : null);
}

export function ok(text) { notice("ok", text); }

export function fail(err) {
	const code = err && err.code ? err.code + ": " : "";
	notice("error", code + (err && err.message ? err.message : String(err)));
}

// Runs fn on a click: the button is disabled while it runs, the result or
// the error is shown.  fn returns the success text (or nothing).
export function action(button, fn) {
	button.addEventListener("click", async (ev) => {
		ev.preventDefault();
		button.disabled = true;
		try {
			const msg = await fn();
			if (msg) ok(msg);
		} catch (e) {
			fail(e);
		} finally {
			button.disabled = false;
		}
	});
	return button;
}

// The same for a form's submit.
export function onSubmit(form, fn) {
	form.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const submit = form.querySelector("button[type=submit]");
		if (submit) submit.disabled = true;
		try {
			const msg = await fn(new FormData(form));
			if (msg) ok(msg);
		} catch (e) {
			fail(e);
		} finally {
			if (submit) submit.disabled = false;
		}
	});
	return form;
}

export function button(text, attrs) {
	return h("button", { type: "button", ...attrs }, text);
}
