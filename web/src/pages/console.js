// SPDX-License-Identifier: GPL-2.0-only
//
// The serial console in the browser: xterm.js over provisiond's console
// WebSocket.  Opening it asks the API for a ticket (single use, valid
// seconds, bound to this server and this user) and connects to the URL
// that comes with it; the cookie is not what authorises the socket, the
// ticket is.  Binary frames are the guest's console bytes; our keystrokes
// go out as binary frames when the ticket is a write ticket.  Text frames
// are provisiond's notices (the keyboard taken by another viewer, output
// dropped for a slow viewer): they are shown beside the terminal, never
// written into it.  A close frame says why the console ended.

import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import * as api from "../api.js";
import { h, replace } from "../dom.js";
import { button } from "../ui.js";
import { adoptInlineStyles } from "../csp_styles.js";

const CLOSE_REASONS = {
	1000: "closed",
	1001: "provisiond is stopping",
	4001: "the server stopped or was deleted",
	4008: "too many viewers",
};

function noticeText(text) {
	// provisiond's notices may be JSON ({"type": ..., "message": ...}) or text.
	try {
		const m = JSON.parse(text);
		if (m && typeof m === "object") return String(m.message || m.event || m.type || text);
	} catch (e) { /* plain text */ }
	return text;
}

export function consoleSection(server) {
	const status = h("p", { class: "console-status", id: "console-status", role: "status" }, "Not connected.");
	const screen = h("div", { class: "terminal", id: "terminal" });
	let term = null, fit = null, ws = null, unadopt = null, resizeObs = null;

	function disconnect() {
		if (ws) { ws.onclose = null; ws.close(); ws = null; }
		if (resizeObs) { resizeObs.disconnect(); resizeObs = null; }
		if (term) { term.dispose(); term = null; }
		if (unadopt) { unadopt(); unadopt = null; }
	}

	async function connect(write) {
		disconnect();
		replace(status, "Asking for a console ticket…");
		let ticket;
		try {
			ticket = await api.post("/v1/servers/" + server.id + "/console-ticket", { write });
		} catch (e) {
			replace(status, "Console refused: " + (e.code ? e.code + ": " : "") + e.message);
			status.dataset.state = "refused";
			return;
		}
		unadopt = adoptInlineStyles(screen);
		term = new Terminal({ convertEol: false, cursorBlink: true, scrollback: 5000,
			disableStdin: !write, fontFamily: "monospace", fontSize: 14 });
		fit = new FitAddon();
		term.loadAddon(fit);
		term.open(screen);
		fit.fit();
		resizeObs = new ResizeObserver(() => { try { fit.fit(); } catch (e) { /* hidden */ } });
		resizeObs.observe(screen);

		const url = new URL(ticket.url, location.href);
		url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
		ws = new WebSocket(url.href);
		ws.binaryType = "arraybuffer";
		status.dataset.state = "connecting";
		replace(status, "Connecting…");
		ws.onopen = () => {
			status.dataset.state = write ? "keyboard" : "viewer";
			replace(status, write ? "Connected: you have the keyboard." :
				"Connected read-only: you are watching; someone else may have the keyboard.");
			if (write) term.focus();
		};
		ws.onmessage = (ev) => {
			if (typeof ev.data === "string") {
				const text = noticeText(ev.data);
				status.dataset.state = /keyboard|read.?only|viewer/i.test(text) ? "viewer" : status.dataset.state;
				replace(status, text);
			} else {
				term.write(new Uint8Array(ev.data));
			}
		};
		ws.onclose = (ev) => {
			status.dataset.state = "closed";
			replace(status, "Console closed: " + (CLOSE_REASONS[ev.code] || ev.reason || "code " + ev.code) +
				(ev.reason && CLOSE_REASONS[ev.code] ? " (" + ev.reason + ")" : ""));
			ws = null;
		};
		ws.onerror = () => { replace(status, "The console connection failed (the ticket may be used or expired)."); };
		if (write) {
			const enc = new TextEncoder();
			term.onData((data) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(enc.encode(data)); });
		}
	}

	const el = h("section", { class: "card", id: "console" },
		h("h2", null, "Console"),
		h("div", { class: "actions" },
			button("Open console", { id: "console-open", onclick: () => connect(true) }),
			button("Watch only", { id: "console-watch", onclick: () => connect(false) }),
			button("Disconnect", { id: "console-close", onclick: () => {
				disconnect(); replace(status, "Not connected."); status.dataset.state = "closed";
			} })),
		status, screen);
	return { el, cleanup: disconnect };
}
