// Survey page and the follow page's rating panel; both work without this script.
// - A refused answer: the error summary takes the focus (autofocus does it too where supported).
// - The follow-up question (D3) follows the chosen stars. An answer already written under one question
//   keeps `follow_up_for` pointing at that question, so the server asks before filing it under the
//   other one; the same note is shown here at once.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary && document.activeElement !== summary) { summary.focus(); }

  var form = document.getElementById("rating-form");
  var data = document.getElementById("follow-up-questions");
  if (!form || !data) { return; }
  var questions = JSON.parse(data.textContent);
  var label = form.querySelector("label[for='id_follow_up']");
  var answer = form.querySelector("textarea[name='follow_up']");
  var writtenFor = form.querySelector("input[name='follow_up_for']");
  var note = null;
  if (answer && questions.moved) {
    note = document.createElement("div");
    note.className = "form-text text-warning-emphasis";
    note.id = "follow-up-note";
    note.setAttribute("aria-live", "polite");
    answer.insertAdjacentElement("afterend", note);
  }

  function chosenSide() {
    var checked = form.querySelector("input[name='stars']:checked");
    if (!checked) { return "any"; }
    return parseInt(checked.value, 10) >= 4 ? "good" : "bad";
  }

  function update() {
    var side = chosenSide();
    if (side === "any" || !label) { return; }
    label.textContent = questions[side] || questions.good;
    if (!writtenFor) { return; }
    var hasAnswer = answer && answer.value.trim() !== "";
    if (!hasAnswer || writtenFor.value === "any") { writtenFor.value = side; }
    if (note) {
      var moved = hasAnswer && writtenFor.value !== side;
      note.textContent = moved ? questions.moved[writtenFor.value] : "";
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "stars") { update(); }
  });
  if (answer && writtenFor) {
    answer.addEventListener("input", function () {
      var side = chosenSide();
      if (side !== "any") { writtenFor.value = side; }
      if (note) { note.textContent = ""; }
    });
  }
  update();
})();
