// The inbox page: list paging and refresh, thread actions (assign, labels, priority, status,
// snooze, moderation), rule traces, contact labels. User text only ever arrives inside our own
// server-rendered (escaped) fragments, or is set with textContent.
"use strict";

window.inbox = (function () {
  const holder = document.getElementById("inbox-state");
  if (!holder) return null;
  const strings = omnibox.strings();
  const state = {
    me: Number(holder.dataset.me),
    query: holder.dataset.query || "",
    conversationId: holder.dataset.conversationId ? Number(holder.dataset.conversationId) : null,
    contactId: holder.dataset.contactId ? Number(holder.dataset.contactId) : null,
  };

  function t(key, values) {
    let text = strings["js.inbox." + key] || key;
    for (const [name, value] of Object.entries(values || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }

  // Times come as UTC text with an ISO datetime attribute; show them in the reader's zone.
  const longFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" });
  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { timeStyle: "short" });
  function localizeTimes(root) {
    for (const node of (root || document).querySelectorAll("time[datetime]")) {
      const when = new Date(node.getAttribute("datetime"));
      if (Number.isNaN(when.getTime())) continue;
      const sameDay = when.toDateString() === new Date().toDateString();
      node.textContent = (sameDay && node.classList.contains("when") ? timeFormat : longFormat).format(when);
      node.title = longFormat.format(when);
    }
  }

  function showError(selector, message) {
    const box = document.querySelector(selector);
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
  }

  // ---- the list ---------------------------------------------------------------------------
  const listBox = document.getElementById("convlist");

  function listUrl(extra) {
    const params = new URLSearchParams(state.query);
    if (state.conversationId) params.set("current", String(state.conversationId));
    for (const [k, v] of Object.entries(extra || {})) params.set(k, String(v));
    return "/ui/inbox/list?" + params.toString();
  }

  async function refreshList() {
    if (!listBox) return;
    const rows = listBox.querySelectorAll('[data-testid="conversation-row"]');
    const before = new Map();
    for (const row of rows) before.set(row.dataset.conversationId, row.dataset.version);
    const scroller = listBox;
    const top = scroller.scrollTop;
    const markup = await omnibox.html(listUrl({ limit: Math.min(200, Math.max(50, rows.length)) }));
    const fresh = omnibox.fragment(markup);
    for (const row of fresh.querySelectorAll('[data-testid="conversation-row"]')) {
      if (before.get(row.dataset.conversationId) !== row.dataset.version) row.classList.add("fresh");
    }
    localizeTimes(fresh);
    listBox.replaceChildren(fresh);
    scroller.scrollTop = top;
  }

  async function loadMore(button) {
    button.disabled = true;
    try {
      const fresh = omnibox.fragment(await omnibox.html(listUrl({ cursor: button.dataset.cursor })));
      localizeTimes(fresh);
      const list = listBox.querySelector("ul.rows");
      const seen = new Set([...list.children].map((li) => li.dataset.conversationId));
      for (const row of fresh.querySelectorAll('[data-testid="conversation-row"]')) {
        if (!seen.has(row.dataset.conversationId)) list.appendChild(row);
      }
      const more = fresh.querySelector(".more");
      button.parentElement.replaceWith(more || document.createTextNode(""));
    } catch (error) {
      button.disabled = false;
      button.title = t("load_failed", { error: error.message });
    }
  }

  async function refreshFolders() {
    const nav = document.getElementById("folders");
    if (!nav) return;
    const params = new URLSearchParams(state.query);
    nav.replaceChildren(omnibox.fragment(await omnibox.html("/ui/inbox/folders?" + params.toString())));
  }

  // ---- the thread -------------------------------------------------------------------------
  const threadBox = document.getElementById("thread");

  function messagesBox() { return document.getElementById("messages"); }

  function atBottom(box) { return !box || box.scrollHeight - box.scrollTop - box.clientHeight < 40; }

  function scrollToBottom() {
    const box = messagesBox();
    if (box) box.scrollTop = box.scrollHeight;
  }

  // A live refresh must not eat what the agent is typing in the thread's own inputs (a label,
  // a snooze time): carry their values, focus and caret over to the new nodes.
  function keepTyped(root) {
    const kept = [...root.querySelectorAll("input[data-testid]")]
      .filter((input) => input.type !== "hidden" && (input.value || input === document.activeElement))
      .map((input) => ({
        id: input.dataset.testid, value: input.value, focused: input === document.activeElement,
        caret: input.selectionStart,
      }));
    return () => {
      for (const item of kept) {
        const input = root.querySelector(`input[data-testid="${item.id}"]`);
        if (!input) continue;
        input.value = item.value;
        if (item.focused) {
          input.focus();
          try { input.setSelectionRange(item.caret, item.caret); } catch (e) { /* not a text input */ }
        }
      }
    };
  }

  async function refreshThread() {
    if (!threadBox || !state.conversationId) return;
    const box = messagesBox();
    const stick = atBottom(box);
    const top = box ? box.scrollTop : 0;
    const shown = box ? box.querySelectorAll('[data-testid="message"]').length : 0;
    const openTraces = box ? [...box.querySelectorAll(".traces:not([hidden])")].map((n) => n.dataset.tracesFor) : [];
    const limit = Math.min(500, Math.max(60, shown));
    const fresh = omnibox.fragment(await omnibox.html(`/ui/conversations/${state.conversationId}/thread?limit=${limit}`));
    localizeTimes(fresh);
    const typing = keepTyped(threadBox);
    threadBox.replaceChildren(fresh);
    typing();
    const after = messagesBox();
    if (after) after.scrollTop = stick ? after.scrollHeight : top;
    for (const id of openTraces) toggleTraces(id, true);
  }

  async function loadOlder(button) {
    button.disabled = true;
    try {
      const url = `/ui/conversations/${state.conversationId}/messages?before=${encodeURIComponent(button.dataset.before)}`;
      const fresh = omnibox.fragment(await omnibox.html(url));
      localizeTimes(fresh);
      const box = messagesBox();
      const fromBottom = box.scrollHeight - box.scrollTop;
      button.parentElement.remove();
      box.prepend(fresh);
      box.scrollTop = box.scrollHeight - fromBottom;
    } catch (error) {
      button.disabled = false;
      button.title = t("load_failed", { error: error.message });
    }
  }

  async function change(body) {
    showError('[data-testid="action-error"]', "");
    try {
      await omnibox.api("PATCH", `/api/v1/conversations/${state.conversationId}`, body);
      await Promise.all([refreshThread(), refreshList(), refreshFolders()]);
    } catch (error) {
      showError('[data-testid="action-error"]', t("action_failed", { error: error.message }));
    }
  }

  function currentLabels(selector) {
    return [...document.querySelectorAll(selector)].map((chip) => chip.dataset.label);
  }

  function snoozeTime(kind) {
    const when = new Date();
    if (kind === "hour") return new Date(when.getTime() + 3600 * 1000);
    if (kind === "tomorrow") { when.setDate(when.getDate() + 1); when.setHours(9, 0, 0, 0); return when; }
    if (kind === "week") {
      const days = ((8 - when.getDay()) % 7) || 7; // next Monday
      when.setDate(when.getDate() + days); when.setHours(9, 0, 0, 0); return when;
    }
    const input = document.querySelector('[data-testid="snooze-at"]');
    const chosen = input && input.value ? new Date(input.value) : null;
    return chosen && !Number.isNaN(chosen.getTime()) ? chosen : null;
  }

  async function moderate(button) {
    const article = button.closest('[data-testid="message"]');
    const action = button.dataset.moderate;
    if (action === "delete" && !window.confirm(t("confirm_delete"))) return;
    showError('[data-testid="action-error"]', "");
    button.disabled = true;
    try {
      await omnibox.api("POST", `/api/v1/conversations/${state.conversationId}/messages/${article.dataset.messageId}/moderation`, { action });
      showError('[data-testid="action-error"]', "");
      const note = omnibox.el("span", { class: "small muted", "data-testid": "moderation-queued" }, t("moderation_queued"));
      button.parentElement.appendChild(note);
    } catch (error) {
      showError('[data-testid="action-error"]', t("action_failed", { error: error.message }));
    } finally {
      button.disabled = false;
    }
  }

  async function toggleTraces(messageId, forceOpen) {
    const box = document.querySelector(`.traces[data-traces-for="${CSS.escape(String(messageId))}"]`);
    const button = document.querySelector(`[data-traces="${CSS.escape(String(messageId))}"]`);
    if (!box) return;
    if (!box.hidden && !forceOpen) { box.hidden = true; if (button) button.setAttribute("aria-expanded", "false"); return; }
    try {
      const fresh = omnibox.fragment(await omnibox.html(`/ui/messages/${messageId}/rule-traces`));
      localizeTimes(fresh);
      box.replaceChildren(fresh);
    } catch (error) {
      box.replaceChildren(omnibox.el("p", { class: "small error" }, t("load_failed", { error: error.message })));
    }
    box.hidden = false;
    if (button) button.setAttribute("aria-expanded", "true");
  }

  // ---- the contact ------------------------------------------------------------------------
  async function refreshContact() {
    const panel = document.getElementById("contact");
    if (!panel || !state.contactId) return;
    const current = state.conversationId ? `?current=${state.conversationId}` : "";
    const fresh = omnibox.fragment(await omnibox.html(`/ui/contacts/${state.contactId}${current}`));
    localizeTimes(fresh);
    panel.replaceChildren(fresh);
  }

  async function setContactLabels(labels) {
    showError('[data-testid="contact-error"]', "");
    try {
      await omnibox.api("PATCH", `/api/v1/contacts/${state.contactId}`, { labels });
      await refreshContact();
    } catch (error) {
      showError('[data-testid="contact-error"]', t("action_failed", { error: error.message }));
    }
  }

  // ---- events (delegated: fragments are swapped in and out) -------------------------------
  document.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.matches('[data-testid="load-more"]')) loadMore(target);
    else if (target.matches('[data-testid="load-older"]')) loadOlder(target);
    else if (target.dataset.status && target.closest(".thread-tools")) change({ status: target.dataset.status });
    else if (target.dataset.snooze) {
      const until = snoozeTime(target.dataset.snooze);
      if (!until) { showError('[data-testid="action-error"]', t("pick_time")); return; }
      change({ status: "snoozed", snoozed_until: until.toISOString() });
    } else if (target.dataset.removeLabel !== undefined) {
      change({ labels: currentLabels('[data-testid="label"]').filter((l) => l !== target.dataset.removeLabel) });
    } else if (target.dataset.removeContactLabel !== undefined) {
      setContactLabels(currentLabels('[data-testid="contact-label"]').filter((l) => l !== target.dataset.removeContactLabel));
    } else if (target.dataset.moderate) moderate(target);
    else if (target.dataset.traces) toggleTraces(target.dataset.traces, false);
  });

  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!select.matches || !select.matches(".thread-tools select[data-field]")) return;
    const value = select.value === "" ? null : (select.dataset.field === "priority" ? select.value : Number(select.value));
    change({ [select.dataset.field]: value });
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches(".add-label")) {
      event.preventDefault();
      const input = form.querySelector("input");
      const value = input.value.trim();
      input.value = "";  // added (or already there): the refresh that follows keeps no copy
      const labels = currentLabels('[data-testid="label"]');
      if (value && !labels.includes(value)) change({ labels: [...labels, value] });
    } else if (form.matches(".add-contact-label")) {
      event.preventDefault();
      const value = form.querySelector("input").value.trim();
      const labels = currentLabels('[data-testid="contact-label"]');
      if (value && !labels.includes(value)) setContactLabels([...labels, value]);
    }
  });

  localizeTimes(document);
  scrollToBottom();

  return { state, t, refreshList, refreshThread, refreshContact, refreshFolders, scrollToBottom, localizeTimes };
})();
