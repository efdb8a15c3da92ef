// SPDX-License-Identifier: GPL-2.0-only
//
// The panel's only way to the server: provisiond's public REST API
// (api/openapi.yaml).  The session is an HttpOnly cookie the browser sends
// by itself; we never see it.  What we do hold is the session's CSRF token,
// which every state-changing request must carry in X-CSRF-Token: it comes
// with POST /v1/sessions and is kept in sessionStorage (this tab only) so a
// reload keeps working.  Every failure becomes an ApiError carrying the
// API's own code and message, which the pages show as they are.

const CSRF_KEY = "hv-panel-csrf";

export class ApiError extends Error {
	constructor(status, code, message) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

// The signed-in user: {role: "admin"|"customer", tenant_id}, or null.
export const session = { user: null };

function csrfToken() {
	return sessionStorage.getItem(CSRF_KEY) || "";
}

// Called when any request answers 401: the page shows the login form.
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export async function request(method, path, body, { query, quiet401 } = {}) {
	let url = path;
	if (query) {
		const params = new URLSearchParams();
		for (const [k, v] of Object.entries(query))
			if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
		const qs = params.toString();
		if (qs) url += "?" + qs;
	}
	const headers = { "Accept": "application/json" };
	if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken();
	const init = { method, headers, credentials: "same-origin", cache: "no-store" };
	if (body !== undefined) {
		headers["Content-Type"] = "application/json";
		init.body = JSON.stringify(body);
	}
	let r;
	try {
		r = await fetch(url, init);
	} catch (e) {
		throw new ApiError(0, "network_error", "The appliance did not answer: " + e.message);
	}
	if (r.status === 204) return null;
	const type = r.headers.get("Content-Type") || "";
	if (!type.startsWith("application/json")) {
		if (r.ok) return r;	// e.g. a CSV download: the caller reads it
		throw new ApiError(r.status, "http_" + r.status, "HTTP " + r.status + " " + r.statusText);
	}
	const data = await r.json();
	if (!r.ok) {
		const e = data && data.error ? data.error : { code: "http_" + r.status, message: r.statusText };
		if (r.status === 401 && !quiet401) onUnauthorized();
		throw new ApiError(r.status, e.code, e.message);
	}
	return data;
}

export const get = (path, query) => request("GET", path, undefined, { query });
export const post = (path, body) => request("POST", path, body === undefined ? {} : body);
export const patch = (path, body) => request("PATCH", path, body);
export const del = (path) => request("DELETE", path);

// Every item of a paginated list (following next_cursor), up to max items.
export async function listAll(path, query = {}, max = 5000) {
	const items = [];
	let cursor = null;
	do {
		const page = await get(path, { ...query, limit: 200, cursor });
		items.push(...page.items);
		cursor = page.next_cursor;
	} while (cursor && items.length < max);
	return items;
}

// The user of a session answer, with the tenant's name for the header.
async function userOf(s) {
	const user = { role: s.role, tenant_id: s.tenant_id, tenant_name: null };
	if (s.tenant_id) {
		try {
			user.tenant_name = (await get("/v1/tenants/" + encodeURIComponent(s.tenant_id))).name;
		} catch (e) { /* the id will do */ }
	}
	return user;
}

export async function login(token) {
	const s = await request("POST", "/v1/sessions", { token }, { quiet401: true });
	sessionStorage.setItem(CSRF_KEY, s.csrf_token);
	session.user = await userOf(s);
	return session.user;
}

// The session the cookie holds, if any (after a reload).
export async function resume() {
	try {
		const s = await request("GET", "/v1/sessions/current", undefined, { quiet401: true });
		if (s.csrf_token) sessionStorage.setItem(CSRF_KEY, s.csrf_token);
		session.user = await userOf(s);
	} catch (e) {
		if (e.status !== 401 && e.status !== 404) throw e;
		session.user = null;
	}
	return session.user;
}

export async function logout() {
	try {
		await del("/v1/sessions/current");
	} finally {
		sessionStorage.removeItem(CSRF_KEY);
		session.user = null;
	}
}

// Long-polls a job until it is finished, calling onUpdate with each state.
export async function followJob(jobId, onUpdate) {
	for (;;) {
		const job = await get("/v1/jobs/" + encodeURIComponent(jobId), { wait: 10 });
		onUpdate(job);
		if (job.state === "succeeded" || job.state === "failed") return job;
	}
}
