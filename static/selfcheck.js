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
  // A link in the error summary leads to its question: show the question, then put the focus on
  // its first answer. (Following the link alone would scroll the question out of view.)
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      var input = link && document.getElementById(link.getAttribute("href").slice(1));
      var field = input && input.closest(".field");
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView();
      input.focus({ preventScroll: true });
      // A question too long for the window (large text on a phone): show the answer, with as
      // much of the question above it as fits.
      if (input.getBoundingClientRect().bottom > window.innerHeight) {
        input.scrollIntoView({ block: "end" });
      }
    });
  }
  // A link drawn as a button ("Start now") also follows the Space key, as a button does.
  document.addEventListener("keydown", function (event) {
    var link = event.target;
    if ((event.key === " " || event.key === "Spacebar") && link.tagName === "A" &&
        link.getAttribute("role") === "button") {
      event.preventDefault();
      link.click();
    }
  });
  // A Print button, shown only where it can work; where it is, the words that say how to
  // print without it are not needed.
  var buttons = document.querySelectorAll(".js-print");
  for (var j = 0; j < buttons.length; j++) {
    buttons[j].hidden = false;
    buttons[j].addEventListener("click", function () { window.print(); });
  }
  var hints = buttons.length ? document.querySelectorAll(".print-hint") : [];
  for (var k = 0; k < hints.length; k++) {
    hints[k].hidden = true;
  }
  // Exit this page: the plain page replaces this one in the tab's history, so that Back does
  // not come here. Pressing Shift three times, with no other key between and none more than 5
  // seconds apart, does the same. Without scripts the link still leads there.
  var exits = document.querySelectorAll("[data-exit]");
  var status = document.querySelector("[data-exit-status]");
  function exit() {
    document.documentElement.classList.add("exiting");
    document.title = "";
    window.location.replace(exits[0].href);
  }
  for (var e = 0; e < exits.length; e++) {
    exits[e].addEventListener("click", function (event) {
      event.preventDefault();
      exit();
    });
  }
  var presses = 0;
  var timer = null;
  function say(words) {
    if (status) status.textContent = words || "";
  }
  if (exits.length) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Shift") {
        presses = 0;
        return;
      }
      if (event.repeat) return;
      presses += 1;
      clearTimeout(timer);
      if (presses >= 3) {
        say("");
        exit();
        return;
      }
      say(status && status.getAttribute(presses === 1 ? "data-twice" : "data-once"));
      timer = setTimeout(function () { presses = 0; say(""); }, 5000);
    });
  }
  // A page the browser kept in memory and shows again with Back is fetched anew instead: once
  // the answers are deleted, it no longer holds them.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
}());
