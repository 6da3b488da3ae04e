// The reply box: reply / private reply / private note, Ctrl or Cmd+Enter to send, one
// Idempotency-Key per composed message (a double click or a retry never sends twice), and the
// canned-reply picker that opens on "/" at the start of a word.
"use strict";

(function () {
  const form = document.getElementById("composer");
  if (!form || !window.inbox) return;
  const { state, t } = window.inbox;
  const text = form.querySelector("textarea");
  const send = form.querySelector('[data-testid="composer-send"]');
  const errorBox = form.querySelector('[data-testid="composer-error"]');
  const picker = document.getElementById("canned-picker");
  let mode = "reply";
  let key = null; // the Idempotency-Key of the message being composed
  let lastInput = 0;

  function newKey() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  // ---- modes --------------------------------------------------------------------------------
  form.querySelector(".tabs").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-mode]");
    if (!button) return;
    mode = button.dataset.mode;
    for (const b of form.querySelectorAll(".tabs button")) b.setAttribute("aria-pressed", String(b === button));
    form.classList.toggle("note-mode", mode === "note");
    form.classList.toggle("private-mode", mode === "private_reply");
    text.focus();
  });

  // ---- typing: presence is told at once when it starts and when it stops -------------------
  function typing() { return Date.now() - lastInput < 4000 && text.value.trim() !== ""; }
  let typingTimer = null;
  text.addEventListener("input", () => {
    const was = typing();
    lastInput = Date.now();
    if (!key) key = newKey();
    if (!was && typing() && window.inboxLive) window.inboxLive.heartbeat();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { if (window.inboxLive) window.inboxLive.heartbeat(); }, 4100);
    updatePicker();
  });
  window.inboxComposer = { typing };

  // ---- sending ------------------------------------------------------------------------------
  function placeholder(body) {
    const box = document.getElementById("messages");
    if (!box) return null;
    const classes = body.private ? "msg note pending" : "msg out agent pending";
    const node = omnibox.el("article", { class: classes, "data-testid": "message-pending" });
    node.appendChild(omnibox.el("div", { class: "text" }, body.text));
    const foot = omnibox.el("div", { class: "delivery queued" });
    foot.appendChild(omnibox.el("span", { class: "badge queued" }, t("sending")));
    node.appendChild(foot);
    box.appendChild(node);
    box.scrollTop = box.scrollHeight;
    return node;
  }

  async function submit() {
    const value = text.value;
    if (!value.trim() || send.disabled) return;
    closePicker();
    const body = { text: value };
    if (mode === "note") body.private = true;
    if (mode === "private_reply") body.private_reply = true;
    if (!key) key = newKey();
    send.disabled = true;
    errorBox.textContent = "";
    const pending = placeholder(body);
    try {
      await omnibox.api("POST", `/api/v1/conversations/${state.conversationId}/messages`, body, { "Idempotency-Key": key });
      key = null;
      text.value = "";
      lastInput = 0;
      if (window.inboxLive) window.inboxLive.heartbeat();
      await window.inbox.refreshThread();
      window.inbox.refreshList();
    } catch (error) {
      if (pending) pending.remove();
      errorBox.textContent = t("send_failed", { error: error.message });
      // a definite refusal stored nothing: the next attempt is a new message
      if (error.status && error.status < 500) key = null;
    } finally {
      send.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });

  // ---- the canned-reply picker -------------------------------------------------------------
  let items = [];
  let selected = -1;
  let token = null; // {start, end, typed}: the "/code" being typed
  let fetchTimer = null;
  let asked = 0;

  function currentToken() {
    const caret = text.selectionStart;
    if (caret !== text.selectionEnd) return null;
    const before = text.value.slice(0, caret);
    const found = /(^|\s)\/([^\s/]{0,32})$/u.exec(before);
    if (!found) return null;
    return { start: caret - found[2].length - 1, end: caret, typed: found[2] };
  }

  function closePicker() {
    picker.hidden = true;
    picker.replaceChildren();
    text.setAttribute("aria-expanded", "false");
    text.removeAttribute("aria-activedescendant");
    items = []; selected = -1; token = null;
  }

  function draw() {
    picker.replaceChildren();
    if (!items.length) {
      picker.appendChild(omnibox.el("li", { class: "muted", "aria-disabled": "true" }, t("no_canned")));
    }
    items.forEach((item, index) => {
      const li = omnibox.el("li", { role: "option", id: "canned-" + index, "data-testid": "canned-option", "aria-selected": String(index === selected) });
      li.appendChild(omnibox.el("span", { class: "code" }, "/" + item.short_code));
      li.appendChild(omnibox.el("span", { class: "title" }, item.title || item.text.slice(0, 80)));
      li.addEventListener("mousedown", (event) => { event.preventDefault(); pick(index); });
      picker.appendChild(li);
    });
    picker.hidden = false;
    text.setAttribute("aria-expanded", "true");
    if (selected >= 0) text.setAttribute("aria-activedescendant", "canned-" + selected);
  }

  function updatePicker() {
    token = currentToken();
    if (!token) { closePicker(); return; }
    clearTimeout(fetchTimer);
    const wanted = token.typed;
    fetchTimer = setTimeout(async () => {
      const ticket = ++asked;
      try {
        const data = await omnibox.api("GET", "/api/v1/canned-replies?q=" + encodeURIComponent(wanted));
        if (ticket !== asked || !token) return; // a later keystroke asked again
        items = (data && data.items) || [];
        selected = items.length ? 0 : -1;
        draw();
      } catch (error) {
        closePicker();
      }
    }, 120);
  }

  function pick(index) {
    const item = items[index];
    const where = token || currentToken();
    if (!item || !where) { closePicker(); return; }
    text.value = text.value.slice(0, where.start) + item.text + text.value.slice(where.end);
    const caret = where.start + item.text.length;
    text.setSelectionRange(caret, caret);
    closePicker();
    text.focus();
    text.dispatchEvent(new Event("input"));
  }

  text.addEventListener("keydown", (event) => {
    const open = !picker.hidden && items.length > 0;
    if (open && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      selected = (selected + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      draw();
    } else if (open && (event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      pick(selected);
    } else if (!picker.hidden && event.key === "Escape") {
      event.preventDefault();
      closePicker();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  });
  text.addEventListener("blur", () => setTimeout(closePicker, 150));
  text.addEventListener("click", updatePicker);
})();
