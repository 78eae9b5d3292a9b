// Small helps for people whose browser runs scripts. Everything works without them.
(function () {
  "use strict";
  // "None of these" cannot be ticked with another answer: untick the others, and the reverse.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.type !== "checkbox" || !box.checked) return;
    var group = document.querySelectorAll('input[type=checkbox][name="' + box.name + '"]');
    for (var i = 0; i < group.length; i++) {
      var other = group[i];
      if (other === box) continue;
      if (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) {
        other.checked = false;
      }
    }
  });
  // A Print button, shown only where it can work.
  var buttons = document.querySelectorAll(".js-print");
  for (var j = 0; j < buttons.length; j++) {
    buttons[j].hidden = false;
    buttons[j].addEventListener("click", function () { window.print(); });
  }
}());
