// Live updates without a reload: Server-Sent Events from /api/v1/live swap in fresh server-
// rendered fragments; presence heartbeats every 5 s while a conversation is open (and at once
// when typing starts or stops) show "Ann is also viewing / typing".
"use strict";

(function () {
  if (!window.inbox || !window.EventSource) return;
  const { state, t } = window.inbox;
  const presenceBox = document.getElementById("presence");
  let source = null;
  let lastTyping = null;
  let listTimer = null;
  let threadTimer = null;
  let contactTimer = null;

  // Bursts (a webhook batch) become one refresh per pane.
  function soon(timer, fn, delay) {
    clearTimeout(timer);
    return setTimeout(() => { fn().catch(() => {}); }, delay);
  }
  function refreshAll() {
    listTimer = soon(listTimer, () => Promise.all([window.inbox.refreshList(), window.inbox.refreshFolders()]), 150);
    if (state.conversationId) {
      threadTimer = soon(threadTimer, window.inbox.refreshThread, 100);
      contactTimer = soon(contactTimer, window.inbox.refreshContact, 300);
    }
  }

  function showPresence(viewers) {
    if (!presenceBox) return;
    const others = (viewers || []).filter((v) => v.user_id !== state.me);
    const typingOnes = others.filter((v) => v.typing);
    if (typingOnes.length) {
      presenceBox.textContent = t("typing", { name: typingOnes.map((v) => v.name).join(t("and")) });
      presenceBox.classList.add("typing");
    } else if (others.length) {
      const names = others.map((v) => v.name).join(t("and"));
      presenceBox.textContent = t(others.length === 1 ? "viewing_one" : "viewing_many", { names });
      presenceBox.classList.remove("typing");
    } else {
      presenceBox.textContent = "";
      presenceBox.classList.remove("typing");
    }
  }

  const liveStatus = document.getElementById("live-status");
  function setOffline(offline) {
    if (!liveStatus) return;
    liveStatus.textContent = offline ? t("offline") : "";
    liveStatus.hidden = !offline;
  }

  function connect() {
    source = new EventSource("/api/v1/live", { withCredentials: true });
    source.addEventListener("ready", () => {
      setOffline(false);
      // Subscribed: re-read what the page shows, so nothing committed between the page's
      // render (or a dropped connection) and this moment is missed.
      refreshAll();
      heartbeat();
    });
    source.addEventListener("conversation", (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      listTimer = soon(listTimer, () => Promise.all([window.inbox.refreshList(), window.inbox.refreshFolders()]), 200);
      if (state.conversationId && data.conversation_id === state.conversationId) {
        threadTimer = soon(threadTimer, window.inbox.refreshThread, 80);
        if (data.reason === "update") contactTimer = soon(contactTimer, window.inbox.refreshContact, 300);
      }
    });
    source.addEventListener("presence", (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (state.conversationId && data.conversation_id === state.conversationId) showPresence(data.viewers);
    });
    source.addEventListener("error", () => {
      setOffline(true);
      if (source.readyState === EventSource.CLOSED) {
        // the browser gave up (e.g. a 401): try again later, then the page itself
        setTimeout(connect, 10000);
      }
    });
  }

  // ---- presence heartbeats ------------------------------------------------------------------
  async function heartbeat() {
    if (!state.conversationId) return;
    const typing = window.inboxComposer ? window.inboxComposer.typing() : false;
    lastTyping = typing;
    try {
      const data = await omnibox.api("PUT", `/api/v1/conversations/${state.conversationId}/presence`, { typing });
      if (data && data.viewers) showPresence(data.viewers);
    } catch (error) {
      if (error.status === 401) window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    }
  }
  function leave() {
    if (!state.conversationId) return;
    fetch(`/api/v1/conversations/${state.conversationId}/presence`, {
      method: "DELETE", keepalive: true, credentials: "same-origin",
      headers: { "X-CSRF-Token": omnibox.csrf },
    }).catch(() => {});
  }

  if (state.conversationId) {
    setInterval(() => {
      if (document.visibilityState === "visible" || lastTyping) heartbeat();
    }, 5000);
    window.addEventListener("pagehide", leave);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") heartbeat(); });
  }

  window.inboxLive = { heartbeat };
  connect();
})();
