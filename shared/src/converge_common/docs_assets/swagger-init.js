// Starts Swagger UI from the data- attributes of #swagger-ui (no inline script in the page).
"use strict";
(function () {
  var element = document.getElementById("swagger-ui");
  var data = element.dataset;
  window.ui = SwaggerUIBundle({
    url: data.openapiUrl,
    dom_id: "#swagger-ui",
    oauth2RedirectUrl: new URL(data.oauth2RedirectUrl, window.location.href).href,
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
