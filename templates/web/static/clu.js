// clu's one script of its own. Every page works without it; with it, a
// file can also be dropped on an upload field (`data-clu-dropzone`).
(function () {
  "use strict";

  function dropzone(zone) {
    var input = zone.querySelector('input[type="file"]');
    if (!input || typeof DataTransfer === "undefined") {
      return;
    }
    var status = document.createElement("p");
    status.className = "fr-hint-text clu-dropzone__status";
    status.setAttribute("aria-live", "polite");
    status.textContent = "Vous pouvez aussi déposer le fichier dans ce cadre.";
    zone.appendChild(status);
    zone.classList.add("clu-dropzone");

    function over(event) {
      event.preventDefault();
      zone.classList.add("clu-dropzone--over");
    }
    function leave() {
      zone.classList.remove("clu-dropzone--over");
    }
    zone.addEventListener("dragenter", over);
    zone.addEventListener("dragover", over);
    zone.addEventListener("dragleave", leave);
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      leave();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || files.length === 0) {
        return;
      }
      var chosen = new DataTransfer();
      chosen.items.add(files[0]);
      input.files = chosen.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      status.textContent = file
        ? "Fichier choisi : " + file.name + "."
        : "Vous pouvez aussi déposer le fichier dans ce cadre.";
    });
  }

  var zones = document.querySelectorAll("[data-clu-dropzone]");
  for (var i = 0; i < zones.length; i += 1) {
    dropzone(zones[i]);
  }
})();
