// Keyboard review: j/k move between suggestions, x selects, a accepts, r rejects.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("li.suggestion"));
  if (!items.length) {
    return;
  }
  function current() {
    return items.indexOf(document.activeElement.closest ? document.activeElement.closest("li.suggestion") : null);
  }
  function focusAt(index) {
    var target = items[Math.max(0, Math.min(items.length - 1, index))];
    target.focus();
    target.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var index = current();
    var item = index >= 0 ? items[index] : null;
    if (event.key === "j") {
      focusAt(index + 1);
    } else if (event.key === "k") {
      focusAt(index - 1);
    } else if (event.key === "x" && item) {
      var box = item.querySelector("input[type=checkbox]");
      box.checked = !box.checked;
    } else if (event.key === "a" && item) {
      item.querySelector("form[action$='/accept/'] button").click();
    } else if (event.key === "r" && item) {
      item.querySelector("form[action$='/reject/'] button").click();
    } else {
      return;
    }
    event.preventDefault();
  });
})();
