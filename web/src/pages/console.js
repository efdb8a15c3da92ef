// SPDX-License-Identifier: GPL-2.0-only
//
// The serial console in the browser: xterm.js over provisiond's console
// WebSocket.  Opening it asks the API for a ticket (single use, valid
// seconds, bound to this server and this user) and connects to the URL
// that comes with it; the cookie is not what authorises the socket, the
// ticket is.  Binary frames are the guest's console bytes; our keystrokes
// go out as binary frames when the ticket is a write ticket.  Text frames
// are provisiond's JSON events: hello (do we have the keyboard), keyboard
// (another viewer took it: we are read-only now), dropped (we fell behind
// and N bytes were skipped: a marker in the terminal says so).  A close
// frame says why the console ended.

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


export function consoleSection(server) {
	const status = h("p", { class: "console-status", id: "console-status", role: "status" }, "Not connected.");
	const screen = h("div", { class: "terminal", id: "terminal" });
	let term = null, fit = null, ws = null, unadopt = null, resizeObs = null;

	function disconnect() {
		if (ws) { ws.onclose = null; ws.close(); ws = null; }
		if (resizeObs) { resizeObs.disconnect(); resizeObs = null; }
		if (term) { term.dispose(); term = null; replace(screen); }
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
		let opened = false;
		ws.onopen = () => {
			opened = true;
			replace(status, "Connected.");
			// xterm.js draws only while the terminal is on screen.
			screen.scrollIntoView({ block: "nearest" });
			if (write) term.focus();
		};
		ws.onmessage = (ev) => {
			if (typeof ev.data === "string") {
				try { event(JSON.parse(ev.data)); } catch (e) { /* not an event we know */ }
			}
			else term.write(new Uint8Array(ev.data));
		};
		ws.onclose = (ev) => {
			status.dataset.state = "closed";
			replace(status, opened ? "Console closed: " + (CLOSE_REASONS[ev.code] || "code " + ev.code) +
				(ev.reason ? " (" + ev.reason + ")" : "") :
				"The console refused the connection: the ticket was used or expired, or the server is not running.");
			ws = null;
		};
		// provisiond's events (api/openapi.yaml, /v1/console).
		function event(e) {
			if (e.type === "hello" || e.type === "keyboard") {
				status.dataset.state = e.write ? "keyboard" : "viewer";
				term.options.disableStdin = !e.write;
				replace(status, e.write ? "Connected: you have the keyboard." :
					e.type === "keyboard" ?
						"Another viewer took the keyboard: you are watching (read-only). Open the console again to take it back." :
						"Watching (read-only): another viewer may have the keyboard.");
			} else if (e.type === "dropped") {
				// Our own marker, not guest output: the page fell behind.
				term.write("\r\n\x1b[7m[" + Number(e.bytes) + " bytes of output skipped]\x1b[0m\r\n");
			}
		}
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
