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

// The reply box's mode (public reply or internal note) stays what the agent chose on this ticket, in
// this browser tab: through a reload and through the page's own refreshes (saving the properties or
// tags redraws the whole ticket). The server remembers the mode of the last message sent, for the
// next visit; this also keeps a choice made before sending. And a refresh caused by another form
// keeps the text being written.
(() => {
  const replyForm = () => document.querySelector("form.ws-reply");
  const storageKey = (form) => `delightdesk:reply-kind:${form.dataset.ticket}`;

  const restoreKind = () => {
    const form = replyForm();
    if (!form) return;
    let kind = null;
    try { kind = window.sessionStorage.getItem(storageKey(form)); } catch (e) { return; }
    const radio = kind && form.querySelector(`input[name="kind"][value="${CSS.escape(kind)}"]`);
    if (radio) radio.checked = true;
  };

  document.addEventListener("change", (event) => {
    const radio = event.target.closest("form.ws-reply input[name='kind']");
    if (!radio) return;
    try { window.sessionStorage.setItem(storageKey(radio.form), radio.value); } catch (e) { /* private mode */ }
  });

  let draft = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = replyForm();
    const source = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.detail.elt;
    const body = form && form.querySelector("[data-reply-body]");
    // A refresh answering the reply box itself brings the server's copy of the text (sent, or refused and kept).
    draft = body && body.value && !(source && form.contains(source)) ? body.value : null;
  });
  document.addEventListener("htmx:afterSwap", () => {
    restoreKind();
    const body = replyForm() && replyForm().querySelector("[data-reply-body]");
    if (body && draft && !body.value) {
      body.value = draft;
      body.dispatchEvent(new Event("input", { bubbles: true })); // the character counter
    }
    draft = null;
  });
  restoreKind();
})();
