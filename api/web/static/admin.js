// The admin pages: every change is a REST call (the API validates), errors are shown next to
// the form that caused them, and the page reloads to show the new state. Data is only ever
// put into the page with textContent (never innerHTML).
"use strict";

(function () {
  const t = omnibox.strings();
  const say = (key) => t["js.admin." + key] || key;

  // "PATCH /api/v1/users/3" -> ["PATCH", "/api/v1/users/3"]
  function target(spec) {
    const [method, url] = spec.trim().split(/\s+/, 2);
    return { method: method.toUpperCase(), url };
  }

  // The API's `detail`, readable: a string, pydantic's [{loc, msg}], or rules' {message, errors}.
  function problems(error) {
    let detail = error && error.message ? error.message : String(error);
    try { detail = JSON.parse(detail); } catch (e) { return [detail]; }
    if (Array.isArray(detail)) {
      return detail.map((d) => {
        const where = Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body").join(".") : "";
        return (where ? where + ": " : "") + (d.msg || JSON.stringify(d));
      });
    }
    if (detail && Array.isArray(detail.errors) && detail.errors.length) {
      return detail.errors.map((e) => {
        const who = e.name ? e.name + " " : "";
        return who + (e.path ? e.path + ": " : "") + e.error;
      });
    }
    if (detail && detail.message) return [detail.message];
    return [typeof detail === "string" ? detail : JSON.stringify(detail)];
  }

  function holderFor(node) {
    const scope = node.closest("form, td, .card, section");
    const holder = scope && scope.querySelector(".form-error");
    return holder || document.getElementById("page-error");
  }

  function clearError(node) {
    const holder = holderFor(node);
    if (holder) { holder.replaceChildren(); holder.hidden = true; }
  }

  function showError(node, error) {
    const holder = holderFor(node);
    const lines = error && error.status === 403 ? [say("forbidden")] : problems(error);
    if (!holder) { window.alert(lines.join("\n")); return; }
    holder.replaceChildren(...lines.map((line) => omnibox.el("div", {}, line)));
    holder.hidden = false;
  }

  function setPath(body, name, value) {
    const parts = name.split(".");
    let node = body;
    for (const part of parts.slice(0, -1)) node = node[part] = node[part] || {};
    node[parts[parts.length - 1]] = value;
  }

  // A form's fields as the JSON body: data-type int|bool|ids|list|datetime, data-optional
  // fields left out when empty, dotted names nest ("contact.is_new").
  function formBody(form) {
    const body = {};
    for (const field of form.elements) {
      if (!field.name || field.disabled || field.type === "submit" || field.type === "file") continue;
      const type = field.dataset.type || "";
      if (type === "ids") {
        const list = body[field.name] || (body[field.name] = []);
        if (field.checked) list.push(parseInt(field.value, 10));
        continue;
      }
      if (type === "bool") { setPath(body, field.name, field.checked); continue; }
      const raw = field.value;
      if (field.hasAttribute("data-optional") && raw.trim() === "") continue;
      let value = raw;
      if (type === "int") value = raw === "" ? null : parseInt(raw, 10);
      if (type === "list") value = raw.split(",").map((s) => s.trim()).filter(Boolean);
      if (type === "datetime") value = new Date(raw).toISOString();
      setPath(body, field.name, value);
    }
    return body;
  }

  function sendYaml(method, url, text) {
    return omnibox.api(method, url, text, { "Content-Type": "application/yaml; charset=utf-8" });
  }

  async function run(node, call) {
    clearError(node);
    const buttons = node.matches("form") ? node.querySelectorAll("button[type=submit]") : [node];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const result = await call();
      return { ok: true, result };
    } catch (error) {
      showError(node, error);
      return { ok: false };
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function asked(node) {
    const question = node.getAttribute("data-ask");
    return !question || window.confirm(question);
  }

  // Forms: data-api="METHOD URL" (JSON) or data-yaml-api (the textarea `yaml` as the body).
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form[data-api], form[data-yaml-api], #test-form")) return;
    event.preventDefault();
    if (!asked(form)) return;
    if (form.id === "test-form") { await testRules(form); return; }
    let done;
    if (form.dataset.yamlApi) {
      const { method, url } = target(form.dataset.yamlApi);
      done = await run(form, () => sendYaml(method, url, form.elements.yaml.value));
    } else {
      const { method, url } = target(form.dataset.api);
      done = await run(form, () => omnibox.api(method, url, formBody(form)));
    }
    if (done.ok) window.location.reload();
  });

  // Buttons with data-api (and an optional JSON data-body): deactivate, delete, ...
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.toggle) {
      const form = document.getElementById(button.dataset.toggle);
      if (form) {
        form.hidden = !form.hidden;
        button.setAttribute("aria-expanded", String(!form.hidden));
        const first = !form.hidden && form.querySelector("input, textarea");
        if (first) first.focus();
      }
      return;
    }
    if (button.dataset.copy !== undefined) {
      try { await navigator.clipboard.writeText(button.dataset.copy); button.textContent = say("copied"); } catch (e) { /* no clipboard: the URL is on screen */ }
      return;
    }
    if (button.dataset.move) { await moveRule(button, parseInt(button.dataset.move, 10)); return; }
    if (!button.dataset.api || button.type === "submit") return;
    if (!asked(button)) return;
    const { method, url } = target(button.dataset.api);
    const body = button.dataset.body ? JSON.parse(button.dataset.body) : undefined;
    const done = await run(button, () => omnibox.api(method, url, body));
    if (done.ok) window.location.reload();
  });

  // Selects that change one field at once (a user's role) or a rule's mode.
  document.addEventListener("change", async (event) => {
    const field = event.target;
    if (field.matches("input[type=file][data-load-into]")) {
      const file = field.files && field.files[0];
      if (file) document.getElementById(field.dataset.loadInto).value = await file.text();
      return;
    }
    let call = null;
    if (field.matches("select[data-api][data-field]")) {
      const { method, url } = target(field.dataset.api);
      call = () => omnibox.api(method, url, { [field.dataset.field]: field.value });
    } else if (field.matches("select.rule-mode")) {
      const id = field.dataset.ruleId;
      const definition = Object.assign({}, rulesData()[id], { mode: field.value });
      call = () => omnibox.api("PUT", "/api/v1/rules/" + id, definition);
    }
    if (!call) return;
    const done = await run(field, call);
    if (done.ok) window.location.reload();
  });

  function rulesData() {
    const holder = document.getElementById("rules-data");
    return holder ? JSON.parse(holder.textContent) : {};
  }

  async function moveRule(button, step) {
    const ids = Array.from(document.querySelectorAll("tr.rule-row"), (row) => parseInt(row.dataset.ruleId, 10));
    const id = parseInt(button.closest("tr.rule-row").dataset.ruleId, 10);
    const from = ids.indexOf(id);
    const to = from + step;
    if (from < 0 || to < 0 || to >= ids.length) return;
    [ids[from], ids[to]] = [ids[to], ids[from]];
    const done = await run(button, () => omnibox.api("POST", "/api/v1/rules/reorder", { ids }));
    if (done.ok) window.location.reload();
  }

  function describeAction(action) {
    if (action && typeof action === "object") {
      const type = action.type || action.kind || Object.keys(action)[0] || "";
      const rest = Object.assign({}, action);
      delete rest.type;
      delete rest.kind;
      return type + " " + JSON.stringify(rest);
    }
    return String(action);
  }

  async function testRules(form) {
    const out = document.getElementById("test-result");
    const done = await run(form, () => omnibox.api("POST", "/api/v1/rules/test", formBody(form)));
    if (!done.ok) { out.hidden = true; return; }
    const result = done.result || {};
    const trace = result.trace || [];
    const matched = trace.filter((entry) => entry.matched);
    const nodes = [omnibox.el("h3", {}, matched.length ? say("matched") : say("nothing_matched"))];
    if (trace.length) {
      const table = omnibox.el("table", { class: "grid", "data-testid": "rules-test-trace" });
      const head = omnibox.el("tr");
      for (const key of ["rule", "mode", "matched", "actions"]) head.append(omnibox.el("th", {}, say("col_" + key)));
      table.append(head);
      for (const entry of trace) {
        const row = omnibox.el("tr", { class: entry.matched ? "hit" : "miss" });
        row.append(omnibox.el("td", {}, entry.rule_name || "#" + (entry.rule_index + 1)));
        const mode = omnibox.el("td");
        mode.append(omnibox.el("span", { class: "badge mode-" + entry.mode }, say("mode_" + entry.mode)));
        row.append(mode);
        row.append(omnibox.el("td", {}, entry.error ? say("error") + ": " + entry.error : entry.matched ? say("yes") : say("no")));
        const actions = omnibox.el("td", { class: "mono small" });
        for (const action of entry.actions || []) actions.append(omnibox.el("div", {}, describeAction(action)));
        if (entry.stopped) actions.append(omnibox.el("div", { class: "muted" }, say("stopped")));
        row.append(actions);
        table.append(row);
      }
      nodes.push(table);
    }
    const would = result.would_do || [];
    nodes.push(omnibox.el("h3", {}, say("would_do")));
    if (would.length) {
      const list = omnibox.el("ul", { class: "mono small", "data-testid": "rules-test-would-do" });
      for (const action of would) list.append(omnibox.el("li", {}, describeAction(action)));
      nodes.push(list);
    } else {
      nodes.push(omnibox.el("p", { class: "muted" }, say("nothing")));
    }
    out.replaceChildren(...nodes);
    out.hidden = false;
  }
})();
