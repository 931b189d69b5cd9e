// Ticket list: tick tickets for a bulk status change. Without JavaScript the row checkboxes and the
// form work on their own (the server says "select at least one"); this adds "select all on this page",
// the number selected, and a submit button that is disabled while nothing is selected.
// Listeners sit on the document, and the state is redrawn after every htmx swap of the results, so
// filtering and paging (which replace #ticket-results) keep it working.
(() => {
  const itemsOf = (form) =>
    Array.from(document.querySelectorAll("input[data-bulk-item]")).filter((box) => box.form === form);

  const refresh = () => {
    document.querySelectorAll("form[data-bulk-form]").forEach((form) => {
      const items = itemsOf(form);
      const selected = items.filter((box) => box.checked).length;
      const all = document.querySelector("input[data-bulk-all]");
      if (all) {
        all.hidden = items.length === 0;
        all.checked = items.length > 0 && selected === items.length;
        all.indeterminate = selected > 0 && selected < items.length;
      }
      const count = form.querySelector("[data-bulk-count]");
      if (count) {
        count.textContent = `${count.dataset.label || ""} ${selected}`.trim();
        count.hidden = false;
      }
      const submit = form.querySelector("[data-bulk-submit]");
      if (submit) submit.disabled = selected === 0;
    });
  };

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    if (target.matches("[data-bulk-all]")) {
      const form = document.querySelector("form[data-bulk-form]");
      if (form) itemsOf(form).forEach((box) => { box.checked = target.checked; });
      refresh();
    } else if (target.matches("[data-bulk-item]")) {
      refresh();
    }
  });

  document.addEventListener("htmx:afterSettle", refresh);
  window.addEventListener("pageshow", refresh); // ticks restored by the back button
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
})();
