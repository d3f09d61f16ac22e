// reportd clerk pages: small enhancements; every page works without them.
"use strict";
(function () {
  // Indicator rows: add, remove and move them in the page instead of a
  // round trip. Inputs of a column share one name and are read in page
  // order, so only labels and ids need renumbering.
  var form = document.getElementById("edit-form");
  var body = document.getElementById("ind-body");
  var tmpl = document.getElementById("row-template");

  function grow(t) {
    if (!t.classList.contains("cell")) return;
    t.style.height = "auto";
    t.style.height = (t.scrollHeight + 2) + "px";
  }

  function renumber() {
    var rows = body.querySelectorAll("tr[data-row]");
    rows.forEach(function (tr, i) {
      tr.querySelectorAll("[data-num]").forEach(function (s) { s.textContent = String(i + 1); });
      tr.querySelectorAll("textarea.cell").forEach(function (t) {
        var id = "f-indicators-" + i + "-" + t.dataset.col.replace(/[^A-Za-z0-9_]/g, function (c) { return "u" + c.codePointAt(0).toString(16); });
        var label = tr.querySelector('label[for="' + t.id + '"]');
        var msgs = t.parentNode.querySelectorAll("p.msg");
        var described = [];
        msgs.forEach(function (m, k) { m.id = id + "-msg" + k; described.push(m.id); });
        if (described.length) t.setAttribute("aria-describedby", described.join(" "));
        if (label) label.htmlFor = id;
        t.id = id;
      });
      tr.querySelectorAll("button[data-op]").forEach(function (b) {
        var op = b.dataset.op;
        b.value = op + ":" + i;
        var n = i + 1;
        b.setAttribute("aria-label", op === "up" ? "第" + n + "行上移" : op === "down" ? "第" + n + "行下移" : "删除第" + n + "行");
      });
    });
  }

  function flash(tr) {
    tr.classList.remove("moved");
    void tr.offsetWidth; // restart the animation
    tr.classList.add("moved");
  }

  if (form && body && tmpl) {
    form.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-op]");
      if (!b) return;
      ev.preventDefault();
      var op = b.dataset.op;
      var tr = b.closest("tr[data-row]");
      if (op === "add") {
        var row = tmpl.content.firstElementChild.cloneNode(true);
        body.appendChild(row);
        renumber();
        flash(row);
        row.querySelector("textarea").focus();
      } else if (op === "up" && tr.previousElementSibling) {
        body.insertBefore(tr, tr.previousElementSibling);
        renumber(); flash(tr); b.focus();
      } else if (op === "down" && tr.nextElementSibling) {
        body.insertBefore(tr.nextElementSibling, tr);
        renumber(); flash(tr); b.focus();
      } else if (op === "del") {
        var next = tr.nextElementSibling || tr.previousElementSibling;
        tr.remove();
        renumber();
        var target = next ? next.querySelector("textarea") : form.querySelector('button[data-op="add"]');
        if (target) target.focus();
      }
    });
    form.addEventListener("input", function (ev) { grow(ev.target); });
    form.querySelectorAll("textarea.cell").forEach(grow);
  }

  // After a failed save, start at the list of problems.
  var summary = document.getElementById("summary");
  if (summary && summary.querySelector("li.error") && !document.querySelector("[autofocus]")) {
    summary.focus();
  }
})();

// Batch page: follow a running batch until its archive is ready.
(function () {
  var box = document.getElementById("batch");
  if (!box || box.dataset.state === "done") return;
  var id = box.dataset.batch;
  function set(idName, v) { var el = document.getElementById(idName); if (el) el.textContent = String(v); }
  function poll() {
    fetch("/batches/" + id + "/progress", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (p) {
        var bar = document.getElementById("batch-progress");
        bar.value = p.percent;
        bar.textContent = p.percent + "%";
        set("batch-total", p.total); set("batch-done", p.done); set("batch-failed", p.failed);
        var err = document.getElementById("batch-error");
        if (p.error) { err.querySelector("span").textContent = p.error; err.classList.remove("hidden"); }
        if (p.state === "done") {
          // The archive link, its size and the failures list come with the page.
          window.location.reload();
          return;
        }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();

// The actuals page: while the clerk types, ask the server for the score and
// the problems of what is on the page (nothing is saved) and show them in
// the computed cells and beside the cells they concern.
(function () {
  var form = document.getElementById("actuals-form");
  if (!form || !window.fetch) return;
  var timer = null;
  function note(td, problems) {
    var box = td.querySelector(".notes");
    if (!box) return;
    box.textContent = "";
    td.classList.remove("has-error", "has-warning");
    problems.forEach(function (p) {
      var s = document.createElement("span");
      s.className = "cell-note " + p.severity;
      s.textContent = p.message;
      box.appendChild(s);
      td.classList.add(p.severity === "error" ? "has-error" : "has-warning");
    });
  }
  function update(res) {
    var byPath = {};
    (res.problems || []).forEach(function (p) { (byPath[p.path] = byPath[p.path] || []).push(p); });
    form.querySelectorAll("td[data-path]").forEach(function (td) {
      var path = td.dataset.path;
      var shown = td.querySelector(".shown");
      if (shown && res.cells && Object.prototype.hasOwnProperty.call(res.cells, path)) shown.textContent = res.cells[path];
      note(td, byPath[path] || []);
    });
    var total = document.getElementById("score-total");
    if (total && res.total !== undefined) total.textContent = res.total;
    var grade = document.getElementById("score-grade");
    if (grade && res.grade !== undefined) grade.textContent = res.grade;
    var errs = document.getElementById("score-errors");
    if (errs) errs.textContent = res.errors ? "（还有 " + res.errors + " 处错误）" : "";
  }
  function score() {
    var data = new FormData(form);
    data.set("op", "score");
    fetch(form.action, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
      headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (res) { if (res) update(res); })
      .catch(function () {});
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(score, 300);
  });
})();
