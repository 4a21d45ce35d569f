// Check-in: when a form asks for it (data-geolocate), fill its lat/lng/acc fields with the
// browser's location before submitting. Without JavaScript, or without a location (plain HTTP,
// denied, no fix within 8 s), the form goes without one and the server flags the sign-in.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute || !form.hasAttribute("data-geolocate") || form.getAttribute("data-located")) {
    return;
  }
  if (!navigator.geolocation || !window.isSecureContext) {
    return;
  }
  event.preventDefault();
  var done = false;
  var send = function () {
    if (done) { return; }
    done = true;
    form.setAttribute("data-located", "1");
    form.submit();
  };
  var status = document.querySelector("[data-geo-status]");
  // The words come from the page (data-geo-waiting), in the page's language.
  if (status) { status.textContent = status.getAttribute("data-geo-waiting") || "正在获取位置……"; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    form.querySelector("input[name=lat]").value = pos.coords.latitude;
    form.querySelector("input[name=lng]").value = pos.coords.longitude;
    form.querySelector("input[name=acc]").value = pos.coords.accuracy;
    send();
  }, send, {enableHighAccuracy: true, timeout: 8000, maximumAge: 30000});
  setTimeout(send, 9000);
});
