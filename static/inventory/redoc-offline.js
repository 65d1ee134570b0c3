// Redoc's sidebar credit loads its logo from Redocly's CDN (no option turns it off); the docs
// make no request to another site, so that one image source is replaced by an empty image
// before the browser would fetch it, however the source is set.
(function () {
  "use strict";
  var FOREIGN = "https://cdn.redoc.ly/";
  function local(value) {
    return typeof value === "string" && value.indexOf(FOREIGN) === 0 ? "data:," : value;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    return setAttribute.call(this, name, String(name).toLowerCase() === "src" ? local(value) : value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      src.set.call(this, local(value));
    },
  });
})();
