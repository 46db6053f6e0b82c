// The record form, enhanced: language tabs, term pickers with autocomplete, the ORCID check
// digit, and the FAIR assessment as the steward edits. The form works without any of this;
// loaded from the service (script-src 'self'), no inline script, no library.
"use strict";

(function () {
  const form = document.querySelector("form.record-form");
  if (!form) return;

  // --- language tabs: one fieldset per language, shown one at a time -------------------------
  function tabs(container) {
    const panels = Array.from(container.querySelectorAll(":scope > div.language"));
    if (panels.length < 2) return;
    const list = document.createElement("div");
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", "Languages");
    list.className = "tablist";
    const buttons = panels.map(function (panel, index) {
      const button = document.createElement("button");
      button.type = "button";
      button.id = panel.id + "-tab";
      button.className = "tab";
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", panel.id);
      button.textContent = panel.dataset.tabLabel || "Language " + (index + 1);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
      button.addEventListener("click", function () { select(index, false); });
      button.addEventListener("keydown", function (event) {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (step) {
          event.preventDefault();
          select((index + step + panels.length) % panels.length, true);
        }
      });
      list.appendChild(button);
      return button;
    });
    function select(chosen, focus) {
      panels.forEach(function (panel, index) {
        const on = index === chosen;
        panel.hidden = !on;
        buttons[index].setAttribute("aria-selected", on ? "true" : "false");
        buttons[index].tabIndex = on ? 0 : -1;
      });
      if (focus) buttons[chosen].focus();
    }
    container.insertBefore(list, panels[0]);
    // the first tab with a problem, else the first
    const failing = panels.findIndex(function (p) { return p.querySelector("[aria-invalid]"); });
    select(Math.max(failing, 0), false);
    // a link from the error summary to a field in a hidden tab opens that tab
    document.querySelectorAll(".error-summary a").forEach(function (link) {
      link.addEventListener("click", function () {
        const target = document.getElementById(link.hash.slice(1));
        const owner = panels.findIndex(function (p) { return target && p.contains(target); });
        if (owner >= 0) select(owner, false);
      });
    });
  }
  document.querySelectorAll("[data-tabs]").forEach(tabs);

  // --- the access level's own fields: shown only for the level that uses them --------------
  // (without JavaScript every one is shown, its hint saying when it applies). A hidden field
  // is disabled too, so that what is sent, saved and assessed is what the steward sees.
  function conditional(section) {
    const controls = Array.from(form.querySelectorAll("input[name='" + section.dataset.shownWhen + "']"));
    if (controls.length === 0) return;
    function update() {
      const chosen = controls.find(function (c) { return c.checked; });
      // a section with a problem in it stays in view, whatever the level
      const on = (chosen && chosen.value === section.dataset.shownValue) ||
        section.querySelector("[aria-invalid]") !== null;
      section.hidden = !on;
      section.querySelectorAll("input, textarea, select").forEach(function (field) { field.disabled = !on; });
    }
    controls.forEach(function (control) { control.addEventListener("change", update); });
    update();
  }
  form.querySelectorAll("[data-shown-when]").forEach(conditional);

  // --- the error summary: focused when the page opens, its links focus their field ----------
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a").forEach(function (link) {
      link.addEventListener("click", function (event) {
        const target = document.getElementById(link.hash.slice(1));
        if (!target) return;
        const field = target.matches("input, textarea, select")
          ? target
          : target.querySelector("input:not([type=hidden]), textarea, select");
        if (!field) return;
        event.preventDefault();
        target.scrollIntoView();
        field.focus();
      });
    });
  }

  // --- ORCID iD: ISO 7064 MOD 11-2 check digit, as the service checks it ---------------------
  function orcidOk(value) {
    const bare = value.trim().replace(/^https?:\/\/orcid\.org\//, "");
    if (!/^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/.test(bare)) return false;
    const digits = bare.replace(/-/g, "");
    let total = 0;
    for (let i = 0; i < 15; i++) total = (total + Number(digits[i])) * 2;
    const check = (12 - (total % 11)) % 11;
    return digits[15] === (check === 10 ? "X" : String(check));
  }
  // exposed so that the browser test can hold the page's check against the service's
  window.convergeOrcidOk = orcidOk;
  function checkOrcid(input) {
    const id = input.id + "-check";
    let message = document.getElementById(id);
    const bad = input.value.trim() !== "" && !orcidOk(input.value);
    if (bad && !message) {
      message = document.createElement("p");
      message.id = id;
      message.className = "error-message";
      message.setAttribute("role", "status");
      message.textContent = "This is not a valid ORCID iD: its check digit is wrong, or it is not shaped 0000-0000-0000-0000.";
      input.insertAdjacentElement("afterend", message);
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      input.setAttribute("aria-describedby", described.concat(id).join(" "));
    } else if (!bad && message) {
      message.remove();
      const described = (input.getAttribute("aria-describedby") || "").split(" ");
      const kept = described.filter(function (d) { return d && d !== id; });
      if (kept.length) input.setAttribute("aria-describedby", kept.join(" "));
      else input.removeAttribute("aria-describedby");
    }
  }
  form.addEventListener("change", function (event) {
    if (event.target.matches("input[data-orcid]")) checkOrcid(event.target);
  });

  // --- term pickers: a combobox over GET /api/v1/terms ------------------------------------------
  let pickerCount = 0;
  function picker(input) {
    const listId = "terms-" + (++pickerCount);
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "term-options";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    let active = -1;
    let timer = null;
    let asked = 0;
    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function choose(option) {
      input.value = option.dataset.value;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
      else input.removeAttribute("aria-activedescendant");
    }
    async function suggest() {
      const text = input.value.trim();
      if (text.length < 2 || /\([^()]+\)$/.test(text)) { close(); return; }
      const ticket = ++asked;
      const url = "/api/v1/terms?" + new URLSearchParams({ vocabulary: input.dataset.vocabulary, q: text, limit: "8" });
      let answer;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) { close(); return; }
        answer = await response.json();
      } catch (error) {
        close();
        return;
      }
      if (ticket !== asked) return;  // a later keystroke asked again
      list.replaceChildren();
      answer.items.forEach(function (term, index) {
        const option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.value = term.label + " (" + term.id + ")";
        const label = document.createElement("span");
        label.textContent = term.label;
        option.appendChild(label);
        if (term.matched_field === "synonym") {
          const matched = document.createElement("span");
          matched.className = "matched";
          matched.textContent = " — " + term.matched;
          option.appendChild(matched);
        }
        const id = document.createElement("span");
        id.className = "term-id";
        id.textContent = " " + term.id;
        option.appendChild(id);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(option); });
        list.appendChild(option);
      });
      const any = answer.items.length > 0;
      list.hidden = !any;
      input.setAttribute("aria-expanded", any ? "true" : "false");
      active = -1;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 200);
    });
    input.addEventListener("keydown", function (event) {
      const options = list.querySelectorAll("[role=option]");
      if (list.hidden || options.length === 0) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(options[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
  }
  form.querySelectorAll("input[data-vocabulary]").forEach(picker);

  // --- the FAIR assessment of the unsaved form, as the steward edits -------------------------
  const panel = document.getElementById("fair-assessment");
  const assessUrl = form.dataset.assess;
  let assessTimer = null;
  let assessed = 0;
  async function assess() {
    const ticket = ++assessed;
    const body = new URLSearchParams(new FormData(form));
    body.delete("action");
    let response;
    try {
      response = await fetch(assessUrl, { method: "POST", body: body, credentials: "same-origin" });
    } catch (error) {
      return;
    }
    if (!response.ok || ticket !== assessed) return;
    const html = await response.text();
    const fragment = new DOMParser().parseFromString(html, "text/html").body;
    panel.replaceChildren(...fragment.childNodes);
    panel.dataset.assessed = String(ticket);
  }
  function later() {
    clearTimeout(assessTimer);
    assessTimer = setTimeout(assess, 500);
  }
  if (panel && assessUrl) {
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }
})();
