// Starts ReDoc from the data- attributes of #redoc (no inline script in the page).
"use strict";
(function () {
  var element = document.getElementById("redoc");
  Redoc.init(element.dataset.openapiUrl, {}, element);
})();
