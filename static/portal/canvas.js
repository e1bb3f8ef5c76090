// Inside Salesforce, let the Canvas frame grow with the page (Salesforce's Canvas SDK does the
// messaging; it is loaded from the org's own instance by base.html).
(function () {
  "use strict";
  var body = document.body;
  if (!window.Sfdc || !Sfdc.canvas || !body.dataset.canvasTargetOrigin) {
    return;
  }
  var client = {
    targetOrigin: body.dataset.canvasTargetOrigin,
    instanceId: body.dataset.canvasInstanceId
  };
  Sfdc.canvas.onReady(function () {
    Sfdc.canvas.client.autogrow(client, true, 250);
  });
})();
