/*
 * Canvas SDK of the local Salesforce stand-in.
 *
 * The part of Salesforce's Canvas SDK that Ledgerlink uses, with the same names: Sfdc.canvas(fn),
 * Sfdc.canvas.onReady(fn), Sfdc.canvas.decode(text), and Sfdc.canvas.client.resize, autogrow,
 * signedrequest and refreshSignedRequest. It talks to the host page with window.postMessage,
 * addressed to the target origin of the signed request, and accepts answers only from the parent.
 */
(function (global) {
  "use strict";

  var MESSAGE_TYPE = "standin.canvas";
  var storedSignedRequest = null;
  var pending = {};
  var nextRequestId = 1;
  var autogrowTimer = null;

  function decode(text) {
    var binary = global.atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return new TextDecoder("utf-8").decode(bytes);
  }

  function envelopeOf(signedRequest) {
    return JSON.parse(decode(signedRequest.slice(signedRequest.indexOf(".") + 1)));
  }

  function targetOrigin(client) {
    if (client && client.targetOrigin) {
      return client.targetOrigin;
    }
    if (storedSignedRequest) {
      try {
        return envelopeOf(storedSignedRequest).client.targetOrigin;
      } catch (error) {
        // Fall through to the referrer: a malformed value must not break resizing.
      }
    }
    return document.referrer ? new URL(document.referrer).origin : null;
  }

  function post(client, message) {
    var origin = targetOrigin(client);
    if (!origin || global.parent === global) {
      return false;
    }
    message.type = MESSAGE_TYPE;
    global.parent.postMessage(message, origin);
    return true;
  }

  function pixels(value) {
    return typeof value === "number" ? value + "px" : value;
  }

  function contentHeight() {
    return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0);
  }

  function resize(client, size) {
    var wanted = size || {};
    post(client, {
      action: "resize",
      height: pixels(wanted.height !== undefined ? wanted.height : contentHeight()),
      width: wanted.width !== undefined ? pixels(wanted.width) : null
    });
  }

  function autogrow(client, enabled, interval) {
    var lastHeight = null;
    global.clearInterval(autogrowTimer);
    autogrowTimer = null;
    if (enabled === false) {
      return;
    }
    autogrowTimer = global.setInterval(function () {
      var height = contentHeight();
      if (height !== lastHeight) {
        lastHeight = height;
        resize(client, { height: height });
      }
    }, interval || 300);
  }

  function signedrequest(value) {
    if (arguments.length > 0) {
      storedSignedRequest = value;
    }
    return storedSignedRequest;
  }

  function refreshSignedRequest(callback) {
    var id = String(nextRequestId);
    nextRequestId += 1;
    pending[id] = callback;
    if (!post(null, { action: "refreshSignedRequest", id: id })) {
      delete pending[id];
      callback({ status: 0, payload: { response: null } });
    }
  }

  function onReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  global.addEventListener("message", function (event) {
    var message = event.data;
    var origin = targetOrigin(null);
    if (event.source !== global.parent || (origin && event.origin !== origin)) {
      return;
    }
    if (!message || message.type !== MESSAGE_TYPE || message.action !== "signedRequest") {
      return;
    }
    var callback = pending[message.id];
    delete pending[message.id];
    if (message.status === 200 && message.payload && message.payload.response) {
      storedSignedRequest = message.payload.response;
    }
    if (callback) {
      callback({ status: message.status, payload: message.payload });
    }
  });

  var canvas = function (callback) {
    onReady(callback);
  };
  canvas.onReady = onReady;
  canvas.decode = decode;
  canvas.client = {
    resize: resize,
    autogrow: autogrow,
    signedrequest: signedrequest,
    refreshSignedRequest: refreshSignedRequest
  };

  global.Sfdc = global.Sfdc || {};
  global.Sfdc.canvas = canvas;
})(window);
