// Survey page: switch the follow-up question (D3) to match the chosen stars. Works without it too.
(function () {
  "use strict";
  var form = document.getElementById("rating-form");
  var data = document.getElementById("follow-up-questions");
  if (!form || !data) { return; }
  var questions = JSON.parse(data.textContent);
  var label = form.querySelector("label[for='id_follow_up']");
  function update() {
    var checked = form.querySelector("input[name='stars']:checked");
    if (!checked || !label) { return; }
    label.textContent = parseInt(checked.value, 10) >= 4 ? questions.good : questions.bad;
  }
  form.addEventListener("change", update);
  update();
})();
