// Shared by every page: CSRF-aware fetch, auto-submitting selects, tiny DOM helpers.
// No framework and no inline script: the CSP allows scripts from this origin only.
"use strict";

window.omnibox = (function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.getAttribute("content") : "";

  async function api(method, url, body, extraHeaders) {
    const headers = Object.assign({ "Accept": "application/json" }, extraHeaders || {});
    if (method !== "GET") headers["X-CSRF-Token"] = csrf;
    const init = { method, headers, credentials: "same-origin" };
    if (typeof body === "string" && headers["Content-Type"]) {
      init.body = body;  // already encoded, e.g. a YAML document
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
    if (!response.ok) {
      const detail = data && data.detail ? data.detail : response.statusText;
      const error = new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
      error.status = response.status;
      throw error;
    }
    return data;
  }

  async function html(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    if (response.status === 401) { window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search)); }
    if (!response.ok) throw new Error(response.statusText);
    return response.text();
  }

  // Parse server-rendered (escaped) HTML into nodes; never used on raw user text.
  function fragment(markup) {
    const template = document.createElement("template");
    template.innerHTML = markup;
    return template.content;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function strings() {
    const holder = document.getElementById("i18n");
    return holder ? JSON.parse(holder.textContent) : {};
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) target.form.submit();
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  return { api, html, fragment, el, strings, csrf };
})();
