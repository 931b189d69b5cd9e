// Agent workspace: put a canned reply into the reply box for editing. Without JavaScript the
// "Insert" button asks the server to do the same, so this is only a shortcut.
(() => {
  const textsFor = (form) => {
    const node = form.querySelector("#macro-texts");
    if (!node) return {};
    try { return JSON.parse(node.textContent); } catch (e) { return {}; }
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-macro-insert]");
    if (!button) return;
    const form = button.form;
    const select = form && form.querySelector("[data-macro-select]");
    const body = form && form.querySelector("[data-reply-body]");
    if (!select || !body || !select.value) return; // let the server say "choose one"
    const text = textsFor(form)[select.value];
    if (text === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    const start = body.selectionStart ?? body.value.length;
    const end = body.selectionEnd ?? body.value.length;
    const before = body.value.slice(0, start);
    const after = body.value.slice(end);
    const glue = before && !before.endsWith("\n") ? "\n\n" : "";
    body.value = before + glue + text + after;
    body.focus();
    const caret = (before + glue + text).length;
    body.setSelectionRange(caret, caret);
    select.value = "";
  }, true);
})();
