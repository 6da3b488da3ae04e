// The newsletters pages: segment and campaign forms, the campaign actions and a 2-second poll
// of every live campaign's progress, all through the REST API. Data goes into the page with
// textContent and SVG attributes only (never innerHTML, never style attributes).
"use strict";

(function () {
  const t = omnibox.strings();
  const say = (key, values) => {
    let text = t["js.newsletters." + key] || key;
    for (const [name, value] of Object.entries(values || {})) text = text.replace("{" + name + "}", value);
    return text;
  };
  const POLL_MS = 2000;
  const PARTS = ["sent", "failed", "unsubscribed", "waiting"];

  function holderFor(node) {
    const scope = node.closest("form, td, .card, section");
    return (scope && scope.querySelector(".form-error")) || document.getElementById("page-error");
  }

  function showError(node, error) {
    const holder = holderFor(node);
    let lines = [error && error.message ? error.message : String(error)];
    if (error && error.status === 403) lines = [say("forbidden")];
    try {
      const detail = JSON.parse(lines[0]);
      if (Array.isArray(detail)) {
        lines = detail.map((d) => (Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body").join(".") + ": " : "") + (d.msg || JSON.stringify(d)));
      }
    } catch (e) { /* a plain message */ }
    holder.replaceChildren(...lines.map((line) => omnibox.el("div", {}, line)));
    holder.hidden = false;
  }

  async function run(node, call) {
    const holder = holderFor(node);
    if (holder) { holder.replaceChildren(); holder.hidden = true; }
    const buttons = node.matches("form") ? node.querySelectorAll("button[type=submit]") : [node];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      return { ok: true, result: await call() };
    } catch (error) {
      showError(node, error);
      return { ok: false };
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  const optional = (value) => (value.trim() === "" ? undefined : value.trim());

  function segmentBody(form) {
    const f = form.elements;
    const days = optional(f.active_within_days.value);
    return {
      name: f.name.value.trim(),
      account_id: parseInt(f.account_id.value, 10),
      labels: f.labels.value.split(",").map((s) => s.trim()).filter(Boolean),
      language: optional(f.language.value),
      active_within_days: days === undefined ? undefined : parseInt(days, 10),
    };
  }

  // "Label | payload" per line; a line without the bar uses its label as the payload.
  function buttonsOf(text) {
    const buttons = [];
    text.split("\n").forEach((line, index) => {
      if (!line.trim()) return;
      const [label, ...rest] = line.split("|");
      const payload = rest.join("|").trim() || label.trim();
      if (!label.trim()) throw new Error(say("bad_button", { n: index + 1 }));
      buttons.push({ text: label.trim(), payload });
    });
    return buttons;
  }

  function campaignBody(form) {
    const f = form.elements;
    const segment = optional(f.segment_id.value);
    return {
      name: f.name.value.trim(),
      account_id: parseInt(f.account_id.value, 10),
      segment_id: segment === undefined ? undefined : parseInt(segment, 10),
      text: f.text.value,
      tag: f.tag.value,
      buttons: buttonsOf(f.buttons.value),
      image_url: optional(f.image_url.value),
    };
  }

  // A datetime-local value with the browser's own offset: "2026-12-02T10:00:00+03:00".
  function withOffset(local) {
    const minutes = -new Date(local).getTimezoneOffset();
    const sign = minutes >= 0 ? "+" : "-";
    const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
    const seconds = local.length === 16 ? ":00" : "";
    return local + seconds + sign + pad(minutes / 60) + ":" + pad(minutes % 60);
  }

  async function audienceInto(cell, segmentId) {
    try {
      const found = await omnibox.api("GET", "/api/v1/segments/" + segmentId + "/audience?sample=0");
      cell.textContent = String(found.size);
      if (found.note) cell.title = found.note;
      return found;
    } catch (error) {
      cell.textContent = "?";
      return null;
    }
  }

  async function createSegment(form) {
    const done = await run(form, async () => {
      const segment = await omnibox.api("POST", "/api/v1/segments", segmentBody(form));
      const audience = await omnibox.api("GET", "/api/v1/segments/" + segment.id + "/audience?sample=0");
      return { segment, audience };
    });
    if (!done.ok) return;
    const { segment, audience } = done.result;
    const out = document.getElementById("segment-result");
    out.replaceChildren(omnibox.el("div", { "data-testid": "segment-size" }, say("segment_created", { name: segment.name, n: audience.size })));
    if (audience.note) out.append(omnibox.el("div", { class: "muted small" }, audience.note));
    out.hidden = false;
    const select = document.querySelector("#campaign-form select[name=segment_id]");
    if (select) {
      select.append(omnibox.el("option", { value: String(segment.id), "data-account-id": String(segment.account_id) }, segment.name));
      filterSegments(document.getElementById("campaign-form"));
    }
  }

  async function createCampaign(form) {
    const done = await run(form, () => omnibox.api("POST", "/api/v1/campaigns", campaignBody(form)));
    if (done.ok) window.location.assign("/admin/newsletters/" + done.result.id);
  }

  // The segment list follows the account; the Meta note shows for Facebook/Instagram.
  function filterSegments(form) {
    if (!form) return;
    const account = form.elements.account_id.value;
    const meta = (form.dataset.metaAccounts || "").split(",").filter(Boolean);
    const note = document.getElementById("campaign-meta-note");
    if (note) note.hidden = !meta.includes(account);
    const select = form.elements.segment_id;
    for (const option of select.options) {
      if (!option.dataset.accountId) continue;
      option.hidden = option.dataset.accountId !== account;
      if (option.hidden && option.selected) select.value = "";
    }
  }

  function paint(holder, campaign) {
    const p = campaign.progress;
    const counts = { sent: p.sent, failed: p.failed, unsubscribed: p.unsubscribed, waiting: p.pending + p.queued };
    const total = Math.max(p.audience, PARTS.reduce((sum, name) => sum + counts[name], 0));
    let x = 0;
    for (const name of PARTS) {
      const width = total ? (100 * counts[name]) / total : 0;
      const rect = holder.querySelector('rect[data-part="' + name + '"]');
      if (rect) { rect.setAttribute("x", x.toFixed(2)); rect.setAttribute("width", width.toFixed(2)); }
      x += width;
    }
    for (const [name, value] of Object.entries(Object.assign({ audience: p.audience }, counts))) {
      const cell = holder.querySelector('[data-count="' + name + '"]');
      if (cell) cell.textContent = String(value);
    }
  }

  async function poll(node) {
    const id = node.dataset.liveCampaign;
    try {
      const campaign = await omnibox.api("GET", "/api/v1/campaigns/" + id);
      paint(node, campaign);
      // A new status brings other buttons (and, when over, stops the poll): show it.
      if (campaign.status !== node.dataset.status) { window.location.reload(); return; }
    } catch (error) { /* try again on the next tick */ }
    window.setTimeout(() => poll(node), POLL_MS);
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.id === "segment-form") { event.preventDefault(); await createSegment(form); return; }
    if (form.id === "campaign-form") {
      event.preventDefault();
      try { buttonsOf(form.elements.buttons.value); } catch (error) { showError(form, error); return; }
      await createCampaign(form);
      return;
    }
    if (form.dataset.scheduleCampaign) {
      event.preventDefault();
      const at = withOffset(form.elements.at.value);
      const url = "/api/v1/campaigns/" + form.dataset.scheduleCampaign + "/schedule";
      const done = await run(form, () => omnibox.api("POST", url, { at }));
      if (done.ok) window.location.reload();
    }
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-campaign-action]");
    if (!button) return;
    const question = button.dataset.ask;
    if (question && !window.confirm(question)) return;
    const url = "/api/v1/campaigns/" + button.dataset.campaignId + "/" + button.dataset.campaignAction;
    const done = await run(button, () => omnibox.api("POST", url));
    if (done.ok) window.location.reload();
  });

  document.addEventListener("change", (event) => {
    if (event.target.matches("#campaign-form select[name=account_id]")) filterSegments(event.target.form);
  });

  filterSegments(document.getElementById("campaign-form"));
  document.querySelectorAll("[data-audience-of]").forEach((cell) => audienceInto(cell, cell.dataset.audienceOf));
  document.querySelectorAll("[data-live-campaign]").forEach((node) => window.setTimeout(() => poll(node), POLL_MS));
})();
