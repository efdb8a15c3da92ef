// SPDX-License-Identifier: GPL-2.0-only
//
// A server's usage graphs (uPlot):
//  - "Last hour": the server's minutes from GET
//    /v1/servers/{id}/usage/recent (what it counted in each minute of the
//    last hour, kept in provisiond's memory; docs/usage.md), each point a
//    minute's average rate over the seconds its samples covered, fetched
//    again every 10 s while the page is open.  (Rates between two reads
//    of the cumulative counters, which the monitor moves only every
//    monitor_interval, would show spikes and zeros at a faster cadence.)
//  - "Last 30 days": the hourly buckets (granularity=hour, from, to,
//    server_id; docs/usage.md).  A provisiond without them answers 400 on
//    those parameters, and the section says so instead of a graph.
// Meter names are the documented ones: cpu_ns, steal_ns, disk_read_bytes,
// disk_write_bytes, net_rx_bytes, net_tx_bytes (per minute and per
// bucket).  CPU % is of one CPU: ns per second / 1e7; disk and network
// rates read in binary units per second (KiB/s = 1024 bytes/s).

import uPlot from "uplot";
import * as api from "../api.js";
import { h, replace } from "../dom.js";

// The monitor samples every monitor_interval (10 s by default).
const REFRESH_MS = 10000;

const METERS = {
	cpu: [["cpu_ns", "CPU"], ["steal_ns", "steal"]],
	disk: [["disk_read_bytes", "read"], ["disk_write_bytes", "write"]],
	net: [["net_rx_bytes", "rx"], ["net_tx_bytes", "tx"]],
};
const COLORS = ["#2563eb", "#dc2626"];

// A byte rate in binary units: "0 B", "512 B", "1.5 KiB", "12 MiB".
function bytes(v) {
	const units = ["B", "KiB", "MiB", "GiB", "TiB"];
	let i = 0;
	while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
	return (i && Math.abs(v) < 10 ? v.toFixed(1) : String(Math.round(v))) + " " + units[i];
}

// How a chart's values read, on the axis and in the legend, and the
// least top of its axis (an idle server's chart still has a scale).
const FORMATS = {
	cpu: { axis: (v) => v + " %", legend: (v) => v.toFixed(1) + " %", top: 1 },
	disk: { axis: bytes, legend: (v) => bytes(v) + "/s", top: 1024 },
	net: { axis: bytes, legend: (v) => bytes(v) + "/s", top: 1024 },
};

// kind: a key of METERS.  xRange(min, max) -> [from, to]: the time
// axis's span (unix seconds).
function chart(el, kind, title, labels, data, xRange) {
	const width = Math.max(260, Math.min(el.clientWidth || 600, 900));
	const fmt = FORMATS[kind];
	const opts = {
		title, width, height: 180,
		scales: { x: { time: true, range: (u, min, max) => xRange(min, max) },
			y: { range: (u, min, max) => [0, Math.max(fmt.top, max * 1.1)] } },
		series: [{}, ...labels.map((l, i) => ({ label: l, stroke: COLORS[i], width: 1.5,
			value: (u, v) => v === null || v === undefined ? "--" : fmt.legend(v) }))],
		axes: [{}, { size: 70, values: (u, splits) => splits.map(fmt.axis) }],
	};
	return new uPlot(opts, data, el);
}

// The last hour's minutes as points [t, {meter: rate per second}]: each
// at the end of what its samples covered (a minute's end once it is over),
// its counts over those seconds; a minute with none (a domain's last
// counts) has no rate.
async function recentPoints(server) {
	const body = await api.get("/v1/servers/" + server.id + "/usage/recent");
	return body.minutes.map((m) => {
		const start = Date.parse(m.start) / 1000;
		const rates = {};
		for (const meters of Object.values(METERS))
			for (const [name] of meters) rates[name] = name in m && m.seconds > 0 ? m[name] / m.seconds : null;
		return [start + m.seconds, rates];
	});
}

// The "Last hour" charts: drawn from the server's minutes when the page
// opens, and drawn again from them every REFRESH_MS while it stays open
// (the minute in progress grows, a new one appears, the oldest drops off).
function liveGraphs(server, box) {
	const charts = {};
	let timer = null, stopped = false;
	const holders = {};
	for (const k of Object.keys(METERS)) holders[k] = h("div", { class: "chart", id: "chart-live-" + k });
	const empty = h("p", { class: "hint", id: "live-empty", hidden: true },
		"No samples in the last hour: the server has not run in it (or the appliance restarted).");
	replace(box, empty, holders.cpu, holders.disk, holders.net);

	async function refresh() {
		const points = await recentPoints(server);
		if (stopped) return;
		empty.hidden = points.length > 0;
		if (!points.length) return;
		const t = points.map(([at]) => at);
		const rate = (name, scale) => points.map(([, r]) => r[name] === null ? null : r[name] * scale);
		const series = {
			cpu: [rate("cpu_ns", 1e-7), rate("steal_ns", 1e-7)],	// ns/s -> % of one CPU
			disk: [rate("disk_read_bytes", 1), rate("disk_write_bytes", 1)],
			net: [rate("net_rx_bytes", 1), rate("net_tx_bytes", 1)],
		};
		for (const k of Object.keys(METERS)) {
			const data = [t, ...series[k]];
			holders[k].dataset.minutes = String(points.length);
			// At least 5 minutes wide, so few points do not fill the axis.
			if (!charts[k]) charts[k] = chart(holders[k], k, k.toUpperCase() + " (last hour, per minute)",
				METERS[k].map((m) => m[1]), data, () => [data[0][0], Math.max(data[0][0] + 300, data[0][data[0].length - 1])]);
			else charts[k].setData(data);
		}
	}

	const failed = (e) => { if (!stopped) { clearInterval(timer); replace(box, h("p", { class: "notice notice-error" }, e.message)); } };
	refresh().catch(failed);
	timer = setInterval(() => refresh().catch(failed), REFRESH_MS);
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
	const start = (u) => Date.parse(u.period_start) / 1000;
	items.sort((a, b) => start(a) - start(b));
	// An hour without a bucket (the server did not exist) gets a point
	// without values after the last hour that has one, so the line breaks
	// there instead of joining the hours on either side.
	const rows = [];
	for (const u of items) {
		const prev = rows.length ? rows[rows.length - 1] : null;
		if (prev && start(u) - prev.at > 3600) rows.push({ at: prev.at + 3600, usage: null });
		rows.push({ at: start(u), usage: u });
	}
	const t = rows.map((r) => r.at);
	const holders = {}, charts = [];
	for (const k of Object.keys(METERS)) {
		holders[k] = h("div", { class: "chart", id: "chart-month-" + k });
		holders[k].dataset.hours = String(items.length);
	}
	replace(box, holders.cpu, holders.disk, holders.net);
	for (const [k, meters] of Object.entries(METERS)) {
		// Per-hour totals as average rates over the hour.
		const scale = k === "cpu" ? 1 / (3600 * 1e7) : 1 / 3600;
		const data = [t, ...meters.map(([name]) => rows.map((r) => r.usage && name in r.usage ? r.usage[name] * scale : null))];
		charts.push(chart(holders[k], k, k.toUpperCase() + " (30 days, hourly)", meters.map((m) => m[1]), data,
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
		h("p", { class: "hint" }, "Per minute; the minute in progress up to the last sample."), live,
		h("h3", null, "Last 30 days"), month);
	const stops = [liveGraphs(server, live)];
	monthGraphs(server, month).then((stop) => stops.push(stop)).catch((e) =>
		replace(month, h("p", { class: "notice notice-error" }, e.message)));
	return { el, cleanup: () => stops.forEach((s) => s()) };
}
