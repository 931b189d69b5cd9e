// Delight Desk: progressive enhancements only; every page works without JavaScript.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});

// A message box with a limit (textarea[data-max-length], tickets.forms.fields.MessageField) counts its
// characters as they are typed or pasted. The box has no maxlength, so a browser never cuts a long
// paste silently: the counter says how far over it is, and the server refuses it with the text kept.
// The count is in the box's description (read when it gets focus); crossing the limit is announced once.
(() => {
  const format = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_, name) => (name in values ? values[name] : ""));

  // The box's help text ("At most 20,000 characters.", Django's `<id>_helptext`) becomes the counter.
  const counterFor = (box) => {
    let counter = document.getElementById(`${box.id}_helptext`);
    if (!counter) {
      counter = document.createElement("div");
      counter.id = `${box.id}_helptext`;
      counter.className = "form-text";
      box.insertAdjacentElement("afterend", counter);
      const described = box.getAttribute("aria-describedby");
      box.setAttribute("aria-describedby", `${described ? `${described} ` : ""}${counter.id}`);
    }
    if (!document.getElementById(`${counter.id}-alert`)) {
      const alert = document.createElement("div");
      alert.id = `${counter.id}-alert`;
      alert.className = "visually-hidden";
      alert.setAttribute("aria-live", "assertive");
      counter.insertAdjacentElement("afterend", alert);
    }
    return counter;
  };

  const update = (box) => {
    if (!box.id) return;
    const limit = Number(box.dataset.maxLength);
    const length = box.value.length;
    const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
    const values = { count: numbers.format(length), limit: numbers.format(limit) };
    const over = length > limit;
    const counter = counterFor(box);
    counter.textContent = format(over ? box.dataset.overText : box.dataset.countText, values);
    counter.classList.toggle("text-danger", over);
    counter.classList.toggle("fw-semibold", over);
    box.classList.toggle("is-invalid", over || box.classList.contains("was-invalid"));
    if (over !== (box.dataset.wasOver === "1")) {
      box.dataset.wasOver = over ? "1" : "0";
      const alert = document.getElementById(`${counter.id}-alert`);
      if (alert) alert.textContent = over ? counter.textContent : "";
    }
  };

  const scan = (root) => root.querySelectorAll("textarea[data-max-length]").forEach((box) => {
    if (box.classList.contains("is-invalid")) box.classList.add("was-invalid");
    update(box);
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches("textarea[data-max-length]")) update(event.target);
  });
  document.addEventListener("htmx:afterSettle", () => scan(document)); // after htmx settles the classes
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => scan(document));
  else scan(document);
})();

// A refused form's error summary ([data-error-summary], tickets/public/_error_summary.html) takes the
// focus, so a screen reader reads what went wrong and a keyboard user starts there (without JavaScript
// its `autofocus` does the same). Its links move the focus to the field itself, not only the view.
(() => {
  const focusSummary = () => {
    const summary = document.querySelector("[data-error-summary]");
    if (summary && document.activeElement !== summary && !summary.contains(document.activeElement)) {
      summary.focus();
    }
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-error-summary] a[href^='#']");
    const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusSummary);
  else focusSummary();
})();
