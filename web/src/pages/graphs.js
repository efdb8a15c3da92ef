// SPDX-License-Identifier: GPL-2.0-only
//
// A server's usage graphs (uPlot):
//  - "Last hour": first the server's minutes from GET
//    /v1/servers/{id}/usage/recent (what it counted in each minute of the
//    last hour, kept in provisiond's memory; docs/usage.md), each point a
//    minute's average rate; then, while the page is open, GET /v1/usage's
//    cumulative counters (cpu_time_ns, and the disk and network byte
//    counters where the record has them) read every 5 s, each point the
//    rate between two reads.  Points older than an hour drop off.
//  - "Last 30 days": the hourly buckets (granularity=hour, from, to,
//    server_id; docs/usage.md).  A provisiond without them answers 400 on
//    those parameters, and the section says so instead of a graph.
// Meter names are the documented ones: cpu_ns, steal_ns, disk_read_bytes,
// disk_write_bytes, net_rx_bytes, net_tx_bytes (per minute and per
// bucket), and the record's cpu_time_ns.  CPU % is of one CPU: ns per
// second / 1e7.

import uPlot from "uplot";
import * as api from "../api.js";
import { h, replace } from "../dom.js";

const SAMPLE_MS = 5000;
const HOUR_S = 3600;

const METERS = {
	cpu: [["cpu_ns", "CPU %"], ["steal_ns", "steal %"]],
	disk: [["disk_read_bytes", "read B/s"], ["disk_write_bytes", "write B/s"]],
	net: [["net_rx_bytes", "rx B/s"], ["net_tx_bytes", "tx B/s"]],
};
const COLORS = ["#2563eb", "#dc2626"];

// xRange(min, max) -> [from, to]: the time axis's span (unix seconds).
function chart(el, title, labels, data, xRange) {
	const width = Math.max(260, Math.min(el.clientWidth || 600, 900));
	const opts = {
		title, width, height: 180,
		scales: { x: { time: true, range: (u, min, max) => xRange(min, max) },
			y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
		series: [{}, ...labels.map((l, i) => ({ label: l, stroke: COLORS[i], width: 1.5 }))],
		axes: [{}, { size: 60 }],
	};
	return new uPlot(opts, data, el);
}

// The record of one server in the cumulative list.
async function usageRecord(server) {
	const items = await api.listAll("/v1/usage", { tenant_id: server.tenant_id });
	return items.find((u) => u.server_id === server.id) || null;
}

// The last hour's minutes as points [t, {meter: rate per second}]: at the
// minute's end (the current minute's: now), its total over the seconds it
// covers so far (60 once it is over).
async function recentPoints(server) {
	const body = await api.get("/v1/servers/" + server.id + "/usage/recent");
	const now = Date.now() / 1000;
	return body.minutes.map((m) => {
		const start = Date.parse(m.start) / 1000;
		const secs = Math.min(body.minute_seconds, Math.max(1, now - start));
		const rates = {};
		for (const meters of Object.values(METERS))
			for (const [name] of meters) rates[name] = name in m ? m[name] / secs : null;
		return [Math.min(start + body.minute_seconds, now), rates];
	});
}

function liveGraphs(server, box) {
	const t = [], series = { cpu: [[], []], disk: [[], []], net: [[], []] };
	const charts = {};
	let last = null, timer = null, stopped = false;
	const holders = {};
	for (const k of Object.keys(METERS)) holders[k] = h("div", { class: "chart", id: "chart-live-" + k });
	replace(box, holders.cpu, holders.disk, holders.net);

	// One point: rates per second by meter name (null: not known).
	function push(at, rate) {
		t.push(at);
		const cpu = rate("cpu_ns");
		series.cpu[0].push(cpu === null ? null : cpu / 1e7);	// ns/s -> % of one CPU
		const steal = rate("steal_ns");
		series.cpu[1].push(steal === null ? null : steal / 1e7);
		series.disk[0].push(rate("disk_read_bytes")); series.disk[1].push(rate("disk_write_bytes"));
		series.net[0].push(rate("net_rx_bytes")); series.net[1].push(rate("net_tx_bytes"));
	}

	function draw() {
		const end = t[t.length - 1];
		while (t.length && t[0] < end - HOUR_S) { t.shift(); for (const s of Object.values(series)) { s[0].shift(); s[1].shift(); } }
		if (!t.length) return;
		for (const k of Object.keys(METERS)) {
			const data = [t, ...series[k]];
			// At least 5 minutes wide, so few points do not fill the axis.
			if (!charts[k]) charts[k] = chart(holders[k], k.toUpperCase() + " (last hour)", METERS[k].map((m) => m[1]), data,
				(min, max) => [t[0], Math.max(t[0] + 300, t[t.length - 1])]);
			else charts[k].setData(data);
		}
	}

	async function history() {
		const points = await recentPoints(server);
		for (const [at, rates] of points) push(at, (name) => rates[name]);
		for (const k of Object.keys(METERS)) holders[k].dataset.minutes = String(points.length);
		draw();
	}

	async function sample() {
		const rec = await usageRecord(server);
		if (!rec || stopped) return;
		const now = Date.now() / 1000;
		if (last) {
			const dt = now - last.at;
			const diff = (name) => (name in rec && name in last.rec) ? Math.max(0, rec[name] - last.rec[name]) / dt : null;
			push(now, (name) => name === "cpu_ns" ? diff("cpu_time_ns") ?? diff("cpu_ns") : diff(name));
			draw();
		}
		last = { at: now, rec };
	}

	// The history first, so that live points come after its minutes; a
	// provisiond without it (404) gives live points only.
	history().catch(() => {}).finally(() => {
		if (stopped) return;
		sample().catch(() => {});
		timer = setInterval(() => sample().catch(() => {}), SAMPLE_MS);
	});
	return () => { stopped = true; clearInterval(timer); for (const c of Object.values(charts)) c.destroy(); };
}

function isoHour(ms) {
	return new Date(Math.floor(ms / 3600000) * 3600000).toISOString().replace(/\.\d+Z$/, "Z");
}

async function monthGraphs(server, box) {
	const now = Date.now();
	let items;
	try {
		items = await api.listAll("/v1/usage", { server_id: server.id, granularity: "hour",
			from: isoHour(now - 30 * 86400000), to: isoHour(now + 3600000), format: "json" }, 1000);
	} catch (e) {
		if (e.status === 400) {
			replace(box, h("p", { class: "hint" }, "This appliance does not keep hourly usage yet (" + e.message + ")."));
			return () => {};
		}
		throw e;
	}
	const start = (u) => Date.parse(u.period_start || u.hour_start || u.from || u.start) / 1000;
	items.sort((a, b) => start(a) - start(b));
	const t = items.map(start);
	const holders = {}, charts = [];
	for (const k of Object.keys(METERS)) holders[k] = h("div", { class: "chart", id: "chart-month-" + k });
	replace(box, holders.cpu, holders.disk, holders.net);
	for (const [k, meters] of Object.entries(METERS)) {
		// Per-hour totals as average rates over the hour.
		const scale = k === "cpu" ? 1 / (3600 * 1e7) : 1 / 3600;
		const data = [t, ...meters.map(([name]) => items.map((u) => name in u ? u[name] * scale : null))];
		charts.push(chart(holders[k], k.toUpperCase() + " (30 days, hourly)", meters.map((m) => m[1]), data,
			() => [now / 1000 - 30 * 86400, now / 1000]));
	}
	return () => charts.forEach((c) => c.destroy());
}

export function graphsSection(server) {
	const live = h("div", { class: "charts" });
	const month = h("div", { class: "charts" });
	const el = h("section", { class: "card", id: "graphs" },
		h("h2", null, "Usage"),
		h("h3", null, "Last hour"),
		h("p", { class: "hint" }, "Per minute until this page opened, then every 5 s."), live,
		h("h3", null, "Last 30 days"), month);
	const stops = [liveGraphs(server, live)];
	monthGraphs(server, month).then((stop) => stops.push(stop)).catch((e) =>
		replace(month, h("p", { class: "notice notice-error" }, e.message)));
	return { el, cleanup: () => stops.forEach((s) => s()) };
}
